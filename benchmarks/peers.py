"""Ours side by side with django-machina 1.3.1, in one run (issue 17).

    .venv/bin/python benchmarks/peers.py [--seconds 10] [--samples 30] [--json PATH]

1. Installs django-machina 1.3.1 (Django 4.2, its tested range) in a
   virtualenv of its own under a temporary folder (benchmarks/peers/
   requirements-machina.txt; --machina-venv DIR keeps and reuses one).
2. Builds the 10,000-comment, 500-thread room of room_page.py in
   `bench_peers_ours`, and the same texts, in the same order, by as many
   people, as one machina topic of 10,000 posts in `bench_peers_machina`
   (benchmarks/peers/machina_site: seed.py), with machina showing as many
   posts a page as our first room page shows comments. Both databases are on
   PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres,
   only used to create and drop them), dropped first and at the end.
3. Serves each side with gunicorn under the same command line
   (benchmarks/peers/gunicorn.conf.py: ours, access log off), one sync worker,
   and asks for ours and machina's pages alternately from 127.0.0.1: first page
   anonymous (ours with its page cache off), first page signed in, last page
   anonymous. Query counts of ours at 10 and 10,000 comments, in-process.
4. Times a reply on each side in a subprocess of its own environment, rounds
   alternating: ours through forum.services.reply_to_comment, machina's
   Post.objects.create (what its PostForm.save does).
5. Throughput under wrk with 2 sync workers: ours' cached anonymous first page,
   machina's first page, and the floor (benchmarks/peers/floor_site: a bare
   Django view, our virtualenv's Django), alternating A B C. Also checks that a
   hit of our page cache runs no SQL query.
6. Prints the figures beside the targets of issue 17; --json PATH writes them.

The exit status is 0 when a target is missed: this is a measurement. Every
process started is stopped by its pid, even after an error; the temporary
folder is removed unless --keep.
"""

import argparse
import json
import math
import os
import random
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks import room_page  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    Server,
    collect_static,
    database_url,
    ensure_wrk,
    get,
    run_wrk,
    throwaway_database,
)
from benchmarks.load import check_redis, inherited_environment, server_environment  # noqa: E402

PEERS_DIR = PROJECT_ROOT / "benchmarks" / "peers"
GUNICORN_CONFIG = PEERS_DIR / "gunicorn.conf.py"
MACHINA_REQUIREMENTS = PEERS_DIR / "requirements-machina.txt"
OURS_DATABASE = "bench_peers_ours"
MACHINA_DATABASE = "bench_peers_machina"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/13"
BROWSER_HEADERS = {"Accept-Encoding": "gzip", "Accept-Language": "en"}
SMALL_ROOM = SimpleNamespace(threads=3, comments=10, max_depth=8)

# Targets of issue 17.
PAGE_RATIO = 0.33
REPLY_RATIO = 0.25
FLOOR_SHARE = 0.5
ANONYMOUS_QUERIES = 6
SIGNED_IN_QUERIES = 12

MACHINA_POST = 'class="my-3 card post"'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Our room page and reply side by side with django-machina 1.3.1.")
    parser.add_argument("--samples", type=int, default=30, help="timed requests per page and side (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page and side first (default 5)")
    parser.add_argument("--replies", type=int, default=30, help="timed replies per side (default 30)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="wrk rounds of ours, machina, floor (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=500, help="threads in our room (default 500)")
    parser.add_argument("--comments", type=int, default=10_000, help="comments in our room, posts in machina's topic")
    parser.add_argument("--max-depth", type=int, default=8, help="deepest reply level in our room (default 8)")
    parser.add_argument("--seed", type=int, default=20240601, help="seed for the room's shape")
    parser.add_argument("--machina-venv", type=Path, help="machina's virtualenv: created there if missing, kept")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the temporary folder")
    parser.add_argument("--reply-worker", nargs="+", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.samples, args.replies, args.seconds, args.rounds, args.connections, args.threads) < 1:
        parser.error("samples, replies, seconds, rounds, connections and threads must be at least 1")
    if args.comments < args.threads or args.warmup < 0:
        parser.error("--comments must be at least --threads, and --warmup at least 0")
    return args


def median(samples):
    return statistics.median(samples)


# --- Machina's virtualenv -----------------------------------------------------


class MachinaVirtualenv(threading.Thread):
    """Creates the virtualenv and installs machina's pinned requirements in the
    background while our room is built; `wait()` returns its python."""

    def __init__(self, path, log_path):
        super().__init__(daemon=True)
        self.path, self.python, self.log_path = path, path / "bin" / "python", log_path
        self.process, self.error = None, None

    def run(self):
        try:
            if not self.python.exists():
                subprocess.run([sys.executable, "-m", "venv", str(self.path)], check=True, timeout=300)
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    [str(self.python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
                    + ["-r", str(MACHINA_REQUIREMENTS)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                if self.process.wait(timeout=900) != 0:
                    self.error = f"pip failed:\n{self.log_path.read_text()[-3000:]}"
        except Exception as error:  # reported by wait()
            self.error = str(error)

    def wait(self):
        self.join()
        if self.error:
            raise SystemExit(f"Could not install django-machina in {self.path}: {self.error}")
        return self.python

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


# --- Our side, in-process ------------------------------------------------------


def first_page_counts(room, viewer, *, savepoints=True):
    """Queries of the room's first page, anonymous and signed in (after one warm-up
    each); without SAVEPOINT statements unless `savepoints`."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(viewer)
    counts, pages = {}, {}
    for who, client in (("anonymous", anonymous), ("signed in", signed_in)):
        client.get(room.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            response = client.get(room.get_absolute_url())
        counts[who] = sum(
            savepoints or not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
            for query in captured.captured_queries
        )
        if response.status_code != 200:
            raise SystemExit(f"Our room page answered {response.status_code} ({who}).")
        pages[who] = response.content.decode()
    return counts, pages


def small_room_counts(seed):
    """The same counts on a room of 10 comments, built and then rolled back. Inside
    that transaction a request's own transaction is a savepoint, which a request
    outside it would not send: savepoints are left out of the count."""
    from django.db import transaction

    with transaction.atomic():
        room, _, viewer, _ = room_page.build_benchmark_room(SMALL_ROOM, random.Random(seed))
        counts, _ = first_page_counts(room, viewer, savepoints=False)
        transaction.set_rollback(True)
    return counts


def cache_hit_queries(room):
    """Queries of a second anonymous GET with the page cache on (this process's
    local-memory cache), and whether it said it was a hit."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with override_settings(FORUM_CACHE_ROOM_PAGES=True):
        cache.clear()
        client.get(room.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            response = client.get(room.get_absolute_url())
        cache.clear()
    return len(captured.captured_queries), response.get("X-Room-Cache")


def machina_data(room, authors, path):
    """Our room's texts in reading order, by author, for machina's seed."""
    from django.db.models import Max, Min

    from forum.models import Comment

    comments = Comment.objects.filter(room=room)
    author_index = {author.pk: index for index, author in enumerate(authors)}
    bodies = {text: index for index, text in enumerate(room_page.BODIES)}
    posts = [
        [bodies[body], author_index[author]]
        for body, author in comments.order_by("tree_id", "lft").values_list("body_source", "author_id")
    ]
    span = comments.aggregate(first=Min("created_at"), last=Max("created_at"))
    data = {
        "bodies": room_page.BODIES,
        "posts": posts,
        "authors": len(authors),
        "subject": room.title,
        "start": span["first"].isoformat(),
        "minutes": (span["last"] - span["first"]).total_seconds() / 60 / max(1, len(posts) - 1),
    }
    path.write_text(json.dumps(data))
    return len(posts)


def session_cookie(user):
    """A real session in our database for `user`, as a log-in leaves it."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def reply_worker(numbers):
    """In a subprocess: times our replies on request (see machina_site/reply_timer.py)."""
    room_page.setup_django()

    from accounts.models import User
    from forum.models import Room

    room_id, *author_ids = numbers
    room = Room.objects.get(pk=room_id)
    one_reply = room_page.reply_sampler(random.Random(room_id), room, list(User.objects.filter(pk__in=author_ids)))
    print("ready", flush=True)
    for line in sys.stdin:
        print(f"{one_reply(int(line.split()[1])):.3f}", flush=True)
    return 0


# --- Machina's side -------------------------------------------------------------


def recreate_database(name):
    """Drop `name` if a run left it, and create it empty (same server as ours)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')


def drop_database(name):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machina_environment(database, secret_key, per_page, cache_dir):
    return inherited_environment() | {
        "PYTHONPATH": str(PEERS_DIR),
        "DJANGO_SETTINGS_MODULE": "machina_site.settings",
        "MACHINA_DATABASE_URL": database,
        "MACHINA_POSTS_PER_PAGE": str(per_page),
        "MACHINA_CACHE_DIR": str(cache_dir),
        "SECRET_KEY": secret_key,
        "WSGI_APP": "machina_site.wsgi:application",
        "LOG_LEVEL": "WARNING",
        "WEB_MAX_REQUESTS": "0",
    }


def floor_environment():
    return inherited_environment() | {
        "PYTHONPATH": str(PEERS_DIR),
        "DJANGO_SETTINGS_MODULE": "floor_site.settings",
        "WSGI_APP": "floor_site.wsgi:application",
        "LOG_LEVEL": "WARNING",
        "WEB_MAX_REQUESTS": "0",
    }


def seed_machina(python, env, data_path):
    print("Seeding machina's topic (migrate, users, permissions, posts, trackers)...", flush=True)
    started = time.perf_counter()
    result = subprocess.run(
        [str(python), "-m", "machina_site.seed", str(data_path)],
        cwd=PEERS_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise SystemExit(f"machina's seed failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    seeded = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"  {seeded['posts']} posts in one topic in {time.perf_counter() - started:.1f} s.", flush=True)
    return seeded


# --- Measuring over HTTP ----------------------------------------------------------


class Side:
    """One server as the client sees it: a port, and the cookie for signed-in requests."""

    def __init__(self, name, server, cookie=""):
        self.name, self.server, self.cookie = name, server, cookie

    def get(self, path, *, signed_in=False, headers=None):
        headers = dict(headers or {})
        if signed_in:
            headers["Cookie"] = self.cookie
        started = time.perf_counter()
        response = get(self.server.port, path, headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{self.name}: GET {path} answered {response.status}")
        return elapsed, response


def interleaved_pages(sides, paths, *, signed_in, samples, warmup):
    """A B A B: one request to each side in turn, `warmup` untimed rounds first."""
    for _ in range(warmup):
        for side in sides:
            side.get(paths[side.name], signed_in=signed_in)
    timings = {side.name: [] for side in sides}
    for _ in range(samples):
        for side in sides:
            elapsed, _ = side.get(paths[side.name], signed_in=signed_in)
            timings[side.name].append(elapsed)
    return timings


def check_pages(ours, machina, paths, per_page, total_posts):
    """What each side draws is what it is meant to: the pages measured show what a reader gets."""
    _, page = ours.get(paths["ours first"])
    drawn = len(room_page.COMMENT_ANCHOR.findall(page.body.decode()))
    if drawn != per_page:
        raise SystemExit(f"Our first page draws {drawn} comments under gunicorn, {per_page} in-process.")
    _, page = ours.get(paths["ours first"], signed_in=True)
    if 'name="body"' not in page.body.decode():
        raise SystemExit("Our signed-in page has no comment form: the session cookie was not taken.")
    _, page = machina.get(paths["machina first"])
    if page.body.decode().count(MACHINA_POST) != per_page:
        raise SystemExit(f"machina's first page draws {page.body.decode().count(MACHINA_POST)} posts, not {per_page}.")
    _, page = machina.get(paths["machina first"], signed_in=True)
    if "View my posts" not in page.body.decode():
        raise SystemExit("machina's signed-in page does not show a signed-in member: the session was not taken.")
    _, page = machina.get(paths["machina last"])
    expected = total_posts - (math.ceil(total_posts / per_page) - 1) * per_page
    if page.body.decode().count(MACHINA_POST) != expected:
        raise SystemExit(f"machina's last page draws {page.body.decode().count(MACHINA_POST)} posts, not {expected}.")


class ReplyWorker:
    """A subprocess that times one reply per line it is sent; stopped by its pid."""

    def __init__(self, name, command, env, cwd):
        self.name = name
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        if self.line(timeout=120).strip() != "ready":
            self.stop()
            raise SystemExit(f"The {name} reply timer did not start.")

    def line(self, timeout):
        """The worker's next line, or "" if it has none within `timeout` seconds (or stopped)."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return self.process.stdout.readline() if ready else ""

    def reply(self, index):
        self.process.stdin.write(f"reply {index}\n")
        self.process.stdin.flush()
        line = self.line(timeout=60)
        if not line:
            raise SystemExit(f"The {self.name} reply timer stopped or did not answer within 60 s.")
        return float(line)

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def wrk_round(wrk, targets, args):
    results = {}
    for name, (server, path) in targets.items():
        url = f"http://127.0.0.1:{server.port}{path}"
        results[name] = run_wrk(wrk, url, connections=args.connections, seconds=args.seconds, headers=BROWSER_HEADERS)
        print(f"  {name}: {results[name]['rps']:.0f} requests/s", flush=True)
    return results


# --- The run -----------------------------------------------------------------------


def run(args, wrk, redis_client, workdir, machina_venv):
    from django.conf import settings
    from django.db import connection

    print(f"Query counts of our first page at {SMALL_ROOM.comments} comments...", flush=True)
    small_counts = small_room_counts(args.seed)
    rng = random.Random(args.seed)
    shape = SimpleNamespace(threads=args.threads, comments=args.comments, max_depth=args.max_depth)
    room, authors, viewer, _ = room_page.build_benchmark_room(shape, rng)
    large_counts, pages = first_page_counts(room, viewer)
    per_page = len(room_page.COMMENT_ANCHOR.findall(pages["anonymous"]))
    hit_queries, hit_header = cache_hit_queries(room)
    total_posts = machina_data(room, authors, workdir / "machina-data.json")
    ours_cookie = session_cookie(viewer)
    print(f"Our first page draws {per_page} comments: machina shows as many posts a page.", flush=True)

    ours_database = database_url(connection.settings_dict)
    static_root = workdir / "static"
    ours_env = server_environment(ours_database, static_root, 1) | {
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "WSGI_APP": "consultation.wsgi:application",
        "WEB_MAX_REQUESTS": "0",
    }
    collect_static(ours_env)

    recreate_database(MACHINA_DATABASE)
    try:
        machina_python = machina_venv.wait()
        machina_env = machina_environment(
            database_url(connection.settings_dict | {"NAME": MACHINA_DATABASE}),
            settings.SECRET_KEY,
            per_page,
            workdir / "machina-cache",
        )
        sides = SimpleNamespace(
            room=room,
            authors=authors,
            per_page=per_page,
            total_posts=total_posts,
            ours_env=ours_env,
            ours_cookie=ours_cookie,
            machina_env=machina_env,
            machina_python=machina_python,
            seeded=seed_machina(machina_python, machina_env, workdir / "machina-data.json"),
        )
        figures = measure(args, wrk, redis_client, workdir, sides)
    finally:
        if args.keep:
            print(f"Kept the benchmark database {MACHINA_DATABASE}.")
        else:
            drop_database(MACHINA_DATABASE)
            print(f"Dropped the benchmark database {MACHINA_DATABASE}.")
    figures["machina queries"] = sides.seeded["queries"]
    figures["queries"] = {
        "anonymous": {"10": small_counts["anonymous"], str(args.comments): large_counts["anonymous"]},
        "signed in": {"10": small_counts["signed in"], str(args.comments): large_counts["signed in"]},
        "cache hit": hit_queries,
        "cache hit header": hit_header,
    }
    figures["setup"] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "postgresql": room_page.database_version(connection),
        "comments": args.comments,
        "threads": args.threads,
        "per_page": per_page,
        "machina_posts": total_posts,
        "samples": args.samples,
        "replies": args.replies,
        "wrk": f"-t2 -c{args.connections} -d{args.seconds}s, {args.rounds} rounds",
        "versions": versions(machina_venv.python),
    }
    return figures


def our_server(sides, workdir, name, *, workers, cached):
    env = sides.ours_env | {"FORUM_CACHE_ROOM_PAGES": "1" if cached else "0", "WEB_CONCURRENCY": str(workers)}
    return Server(env, workdir, name, config=GUNICORN_CONFIG)


def machina_server_for(sides, workdir, name, *, workers):
    return Server(
        sides.machina_env | {"WEB_CONCURRENCY": str(workers)},
        workdir,
        name,
        python=sides.machina_python,
        config=GUNICORN_CONFIG,
        cwd=PEERS_DIR,
        health_path="/forum/",
    )


def measure(args, wrk, redis_client, workdir, sides):
    """Pages, replies and throughput of both sides (and the floor's), each phase alternating."""
    from django.conf import settings

    room, authors, seeded = sides.room, sides.authors, sides.seeded
    ours_env, machina_env, machina_python = sides.ours_env, sides.machina_env, sides.machina_python
    last_page = max(1, math.ceil(args.threads / settings.FORUM_THREADS_PER_PAGE))
    paths = {
        "ours first": room.get_absolute_url(),
        "ours last": f"{room.get_absolute_url()}?page={last_page}",
        "machina first": seeded["topic_url"],
        "machina last": seeded["last_page_url"],
    }
    machina_cookie = "=".join(seeded["session_cookie"])
    figures = {"paths": paths}

    # Pages: one sync worker each, ours uncached, alternating.
    redis_client.flushdb()
    with ExitStack() as stack:
        ours_server = stack.enter_context(our_server(sides, workdir, "ours-page", workers=1, cached=False))
        machina_server = stack.enter_context(machina_server_for(sides, workdir, "machina-page", workers=1))
        ours, machina = Side("ours", ours_server, sides.ours_cookie), Side("machina", machina_server, machina_cookie)
        check_pages(ours, machina, paths, sides.per_page, sides.total_posts)
        pages = {}
        for label, page, signed_in in (
            ("first page, anonymous", "first", False),
            ("first page, signed in", "first", True),
            ("last page, anonymous", "last", False),
        ):
            print(f"Pages, {label}: {args.samples} requests to each side, alternating...", flush=True)
            pages[label] = interleaved_pages(
                [ours, machina],
                {"ours": paths[f"ours {page}"], "machina": paths[f"machina {page}"]},
                signed_in=signed_in,
                samples=args.samples,
                warmup=args.warmup,
            )
    figures["pages"] = pages

    # Replies: a subprocess of each side's own environment, alternating.
    print(f"Replies: {args.replies} on each side, alternating...", flush=True)
    author_ids = [str(author.pk) for author in authors]
    with ExitStack() as stack:
        workers = []
        for name, command, worker_env, cwd in (
            (
                "ours",
                [sys.executable, str(Path(__file__).resolve()), "--reply-worker", str(room.pk), *author_ids],
                ours_env,
                PROJECT_ROOT,
            ),
            (
                "machina",
                [str(machina_python), "-m", "machina_site.reply_timer", str(seeded["topic_id"])]
                + [str(pk) for pk in seeded["author_ids"]],
                machina_env,
                PEERS_DIR,
            ),
        ):
            worker = ReplyWorker(name, command, worker_env, cwd)
            stack.callback(worker.stop)
            workers.append(worker)
        replies = {worker.name: [] for worker in workers}
        for index in range(-2, args.replies):  # two warm-up rounds
            for worker in workers:
                elapsed = worker.reply(index + 3)
                if index >= 0:
                    replies[worker.name].append(elapsed)
    figures["replies"] = replies

    # Throughput: two sync workers each, the same wrk for all three, alternating.
    print(f"Throughput: wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} rounds...", flush=True)
    redis_client.flushdb()
    with ExitStack() as stack:
        ours_server = stack.enter_context(our_server(sides, workdir, "ours-wrk", workers=2, cached=True))
        machina_server = stack.enter_context(machina_server_for(sides, workdir, "machina-wrk", workers=2))
        floor_server = stack.enter_context(
            Server(
                floor_environment() | {"WEB_CONCURRENCY": "2"},
                workdir,
                "floor-wrk",
                config=GUNICORN_CONFIG,
                cwd=PEERS_DIR,
                health_path="/",
            )
        )
        targets = {
            "ours": (ours_server, paths["ours first"]),
            "machina": (machina_server, paths["machina first"]),
            "floor": (floor_server, "/"),
        }
        for server, path in targets.values():  # one warm-up request each
            response = get(server.port, path, BROWSER_HEADERS)
            if response.status != 200:
                raise SystemExit(f"GET {path} answered {response.status} before the wrk runs")
        served_from_cache = get(ours_server.port, paths["ours first"], BROWSER_HEADERS).getheader("X-Room-Cache")
        rounds = [wrk_round(wrk, targets, args) for _ in range(args.rounds)]
    redis_client.flushdb()
    figures["throughput"] = {"rounds": rounds, "ours cache header": served_from_cache}
    return figures


def versions(machina_python):
    import django

    result = subprocess.run(
        [
            str(machina_python),
            "-c",
            "import django, importlib.metadata as m; print(django.get_version(), m.version('django-machina'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    machina_django, machina = (result.stdout.split() + ["?", "?"])[:2]
    return {"ours django": django.get_version(), "machina": machina, "machina django": machina_django}


# --- Report ------------------------------------------------------------------------


def verdict(passed):
    return "pass" if passed else "FAIL"


def summary(figures):
    """Rows of (measure, ours, peer, ratio, target, verdict) and the figures behind them."""
    rows = []
    summary = {}
    for label, timings in figures["pages"].items():
        ours, machina = median(timings["ours"]), median(timings["machina"])
        p95_ours, p95_machina = room_page.p95(timings["ours"]), room_page.p95(timings["machina"])
        ratio = ours / machina
        target = "info" if label.startswith("last") else f"<= {PAGE_RATIO}"
        rows.append(
            (
                f"{label} (median ms)",
                f"{ours:.1f}",
                f"{machina:.1f}",
                f"{ratio:.2f}",
                target,
                "" if target == "info" else verdict(ratio <= PAGE_RATIO),
            )
        )
        rows.append(
            (f"{label} (p95 ms)", f"{p95_ours:.1f}", f"{p95_machina:.1f}", f"{p95_ours / p95_machina:.2f}", "", "")
        )
        summary[label] = {"ours_median_ms": ours, "machina_median_ms": machina, "ratio": ratio}
        summary[label] |= {"ours_p95_ms": p95_ours, "machina_p95_ms": p95_machina}
    ours, machina = median(figures["replies"]["ours"]), median(figures["replies"]["machina"])
    rows.append(
        (
            f"reply, {figures['setup']['comments']:,} comments (median ms)",
            f"{ours:.1f}",
            f"{machina:.1f}",
            f"{ours / machina:.2f}",
            f"<= {REPLY_RATIO}",
            verdict(ours / machina <= REPLY_RATIO),
        )
    )
    summary["reply"] = {"ours_median_ms": ours, "machina_median_ms": machina, "ratio": ours / machina}
    rounds = figures["throughput"]["rounds"]
    rps = {name: statistics.mean(result[name]["rps"] for result in rounds) for name in rounds[0]}
    errors = {name: sum(result[name]["socket_errors"] + result[name]["non_2xx"] for result in rounds) for name in rps}
    share = rps["ours"] / rps["floor"]
    hit = figures["throughput"]["ours cache header"] == "hit"
    rows.append(
        (
            "cached page vs floor (req/s)",
            f"{rps['ours']:.0f}",
            f"{rps['floor']:.0f} (floor)",
            f"{share:.2f}",
            f">= {FLOOR_SHARE}",
            verdict(share >= FLOOR_SHARE and hit and not errors["ours"]),
        )
    )
    rows.append(
        (
            "cached page vs machina (req/s)",
            f"{rps['ours']:.0f}",
            f"{rps['machina']:.0f}",
            f"{rps['ours'] / rps['machina']:.1f}x",
            "info",
            "",
        )
    )
    summary["throughput"] = {"rps": rps, "errors": errors, "served_from_cache": hit, "floor_share": share}
    queries = figures["queries"]
    rows.append(
        (
            "queries on a cache hit",
            f"{queries['cache hit']} (X-Room-Cache: {queries['cache hit header']})",
            "",
            "",
            "0",
            verdict(queries["cache hit"] == 0 and queries["cache hit header"] == "hit"),
        )
    )
    for who, limit in (("anonymous", ANONYMOUS_QUERIES), ("signed in", SIGNED_IN_QUERIES)):
        machina = figures["machina queries"][who]
        rows.append(
            (
                f"queries, first page {who}, ours / machina",
                queries[who][max(queries[who], key=int)],
                machina,
                "",
                "info",
                "",
            )
        )
        for size, count in queries[who].items():
            rows.append(
                (f"queries, first page {who}, {size} comments", count, "", "", f"<= {limit}", verdict(count <= limit))
            )
        counts = set(queries[who].values())
        rows.append(
            (
                f"queries, {who}: same at every size",
                " / ".join(map(str, queries[who].values())),
                "",
                "",
                "same",
                verdict(len(counts) == 1),
            )
        )
    return rows, summary


def report(figures):
    rows, figures["summary"] = summary(figures)
    setup = figures["setup"]
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print()
    print(
        f"Ours (Django {setup['versions']['ours django']}) and django-machina {setup['versions']['machina']} "
        f"(Django {setup['versions']['machina django']}), PostgreSQL {setup['postgresql']}, {setup['date']}"
    )
    print(
        f"Machine: {setup['cpus']} CPUs, load average {load} after the runs; client, servers and database share them."
    )
    print(
        f"Data: our room of {setup['comments']} comments in {setup['threads']} threads, {setup['per_page']} drawn on "
        f"its first page; machina's topic of {setup['machina_posts']} posts, {setup['per_page']} a page. "
        f"Pages: {setup['samples']} requests per side, alternating, gunicorn 1 sync worker; replies: "
        f"{setup['replies']} per side, alternating; wrk {setup['wrk']}, gunicorn 2 sync workers."
    )
    print()
    header = ("Measure", "Ours", "Machina / floor", "Ratio", "Target", "")
    table = [header, *rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  " + "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    print()
    errors = figures["summary"]["throughput"]["errors"]
    rounds = figures["throughput"]["rounds"]
    print(
        "wrk rounds, requests/s: "
        + "; ".join(f"{name} " + ", ".join(f"{result[name]['rps']:.0f}" for result in rounds) for name in rounds[0])
    )
    if any(errors.values()):
        print(f"wrk saw failed requests: {errors}")
    if not figures["summary"]["throughput"]["served_from_cache"]:
        print(
            f"Our page was not served from the cache under wrk (X-Room-Cache: {figures['throughput']['ours cache header']})."
        )
    misses = [row[0] for row in rows if row[5] == "FAIL"]
    print(f"FAIL: {len(misses)} target(s) missed: " + "; ".join(misses) if misses else "All targets met.")


def stop_on_signal(number, frame):
    raise SystemExit(f"Stopped by signal {number}.")


def main(argv=None):
    args = parse_args(argv)
    if args.reply_worker:
        return reply_worker(args.reply_worker)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    # In-process checks use a local-memory cache; the servers get REDIS_URL.
    os.environ.pop("REDIS_URL", None)
    room_page.setup_django()

    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(f"This benchmark needs PostgreSQL: set DATABASE_URL={DEFAULT_DATABASE_URL} (or unset it).")
    wrk = ensure_wrk()
    redis_client = check_redis(REDIS_URL)
    # Stopped by SIGTERM, it still stops what it started and drops its databases.
    signal.signal(signal.SIGTERM, stop_on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="bench_peers_"))
    machina_venv = MachinaVirtualenv((args.machina_venv or workdir / "machina-venv").resolve(), workdir / "pip.log")
    machina_venv.start()
    started = time.perf_counter()
    try:
        with throwaway_database(OURS_DATABASE, keep=args.keep):
            figures = run(args, wrk, redis_client, workdir, machina_venv)
        figures["setup"]["seconds"] = round(time.perf_counter() - started)
        report(figures)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, default=str))
            print(f"Figures written to {args.json}.")
    finally:
        machina_venv.stop()
        redis_client.flushdb()
        if args.keep:
            print(f"Kept the temporary folder {workdir}.")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
