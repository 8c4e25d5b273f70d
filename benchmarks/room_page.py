"""Room page benchmark.

Builds a room of 10,000 comments in 500 threads (replies nested up to level 8)
in a throwaway database of its own, then measures through Django's test client:
queries and server time for the room's first and last page (anonymous and
signed in) in every order (oldest, newest, latest activity, most replies, most
endorsed; with about 15,000 endorsements), the plan and database time of each
order's first and last page of threads on PostgreSQL, permalink resolution for a deep reply, and the time to add
a reply through forum.services.reply_to_comment.

    python benchmarks/room_page.py [--threads 500] [--comments 10000] [--repeat 30]

DATABASE_URL chooses the server as it does for the site (SQLite by default).
The benchmark never writes into that database: on PostgreSQL it creates
`bench_room_page` (dropped first if it exists, and again at the end unless
--keep); on SQLite it uses a temporary file.
"""

import argparse
import math
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_NAME = "bench_room_page"

# Targets from the acceptance criteria.
PAGE_MEDIAN_MS = 60.0
ANONYMOUS_QUERIES = 6
# Signed in, the last one records the visit ("New since your last visit").
SIGNED_IN_QUERIES = 12
REPLY_MEDIAN_MS = 20.0
COMMENTS_DRAWN = 100

COMMENT_ANCHOR = re.compile(r'id="comment-\d+"')
# "Continue this thread" links on a room page lead to a thread's own page.
THREAD_LINK = re.compile(r'href="[^"]*/thread/(\d+)/"')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Measure the room page on a large room.")
    parser.add_argument("--threads", type=int, default=500, help="top-level threads (default 500)")
    parser.add_argument("--comments", type=int, default=10_000, help="comments in all (default 10000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--replies", type=int, default=50, help="timed replies (default 50)")
    parser.add_argument("--max-depth", type=int, default=8, help="deepest reply level (default 8)")
    parser.add_argument("--seed", type=int, default=20240601, help="seed for the room's shape")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument(
        "--database",
        default=BENCH_DATABASE_NAME,
        help=f"name of the throwaway PostgreSQL database (default {BENCH_DATABASE_NAME}); dropped first",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also profile the last page, signed in, and print where the time goes"
    )
    args = parser.parse_args(argv)
    if args.threads < 1 or args.comments < args.threads:
        parser.error("--comments must be at least --threads, and --threads at least 1")
    if args.max_depth < 1 or args.repeat < 1 or args.replies < 1:
        parser.error("--max-depth, --repeat and --replies must be at least 1")
    return args


def setup_django():
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "consultation.settings"
    # Settings refuse to start without a key unless DEBUG is on; this run
    # signs nothing that outlives it, and DEBUG must stay off to be measured.
    os.environ.setdefault("SECRET_KEY", "room-page-benchmark-throwaway-key")
    # Plain HTTP through the test client; static files read from their folders.
    os.environ["HTTPS"] = "0"
    import django

    django.setup()

    from django.conf import settings

    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Services may send mail on commit; keep it in memory, off the console.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # One person posts the measured replies back to back: that is what is
    # measured, not the per-person limits.
    settings.FORUM_RATE_LIMITS = {}
    # Queue the notification emails in memory rather than run them inline.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


# --- Statistics ------------------------------------------------------------


def median(samples):
    return statistics.median(samples)


def p95(samples):
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# --- The room's shape, planned in memory -----------------------------------


@dataclass(eq=False)
class Node:
    thread: int
    level: int
    parent: "Node | None"
    created_at: datetime
    author_index: int
    body_index: int
    state: str = "visible"
    children: list = field(default_factory=list)
    lft: int = 0
    rght: int = 0
    obj: object = None


BODIES = [
    "Thank you for opening this discussion. In our experience the programme works best "
    "where local partners set the priorities.",
    "I agree with the point above, and would add that **funding cycles** are too short "
    "for institutional reform to take root.",
    "Two examples from our work:\n\n- legal aid clinics run by bar associations\n"
    "- paralegal networks in rural districts\n\nBoth needed at least five years.",
    "> the programme should focus on access to justice\n\nYes, but access to justice means "
    "little without independent courts. See https://www.example.org/reports/2023/"
    "independent-judiciary-and-access-to-justice-in-transition-countries.pdf for our findings.",
    "Could the secretariat say how the *guiding questions* will feed into the final report?",
    "Speaking for our network of 40 organisations: we would like the review to look at "
    "how civil society was consulted during the design phase, not only at the results. "
    "Consultation came late and mostly in English, which kept many grassroots groups out.\n\n"
    "We suggest:\n\n1. earlier consultation\n2. materials in local languages\n"
    "3. a standing advisory group with rotating membership",
    "Merci pour cette contribution. Dans notre région, les tribunaux coutumiers jouent "
    "un rôle central et devraient être pris en compte.",
    "Short answer: it depends on the country. Longer answer in our submission, "
    "[available here](https://www.example.org/submission).",
]

BODY_LANGUAGES = {6: "fr"}  # index into BODIES; the others are English

DISPLAY_NAMES = [
    "Amina Diallo",
    "Jean Dupont",
    "Alvaro Herrero",
    "Li Wei",
    "Fatima Zahra",
    "Olga Petrova",
    "Kwame Mensah",
    "Sofia Rossi",
    "Rahul Mehta",
    "Ana Lima",
    "Tomasz Nowak",
    "Grace Wanjiru",
    "Hassan Ali",
    "Emma Schmidt",
    "Nguyen Van An",
    "Lucia Fernandez",
    "Yuki Tanaka",
    "Legal Aid Network",
    "Justice Watch",
    "Chloe Martin",
]


def plan_thread_sizes(rng, threads, comments):
    """Replies per thread: a few very long threads (200+ replies at full size,
    one on the first page and the last thread among them), the rest shorter
    and uneven."""
    replies_total = comments - threads
    sizes = [0] * threads
    if threads == 1:
        sizes[0] = replies_total
        return sizes
    long_count = max(1, round(threads / 100))
    long_threads = {min(2, threads), threads}
    others = [n for n in range(1, threads + 1) if n not in long_threads]
    long_threads |= set(rng.sample(others, min(len(others), max(0, long_count - len(long_threads)))))
    long_budget = int(replies_total * 0.3) // len(long_threads)
    for number in long_threads:
        sizes[number - 1] = min(rng.randint(200, 400), long_budget)
    remaining = replies_total - sum(sizes)
    short = [n for n in range(1, threads + 1) if n not in long_threads]
    if not short:
        short = sorted(long_threads)
    weights = {n: rng.expovariate(1.0) for n in short}
    total_weight = sum(weights.values())
    for n in short:
        sizes[n - 1] += int(remaining * weights[n] / total_weight)
    for _ in range(replies_total - sum(sizes)):
        sizes[rng.choice(short) - 1] += 1
    return sizes


def plan_room(rng, *, threads, comments, max_depth, authors, start):
    """All comments as Nodes, thread by thread, with tree values computed."""
    sizes = plan_thread_sizes(rng, threads, comments)
    spacing = timedelta(days=40) / threads
    roots = []
    for number, size in enumerate(sizes, start=1):
        clock = start + spacing * (number - 1)
        root = Node(
            thread=number,
            level=0,
            parent=None,
            created_at=clock,
            author_index=rng.randrange(authors),
            body_index=rng.randrange(len(BODIES)),
        )
        nodes = [root]
        is_last = number == threads
        # The last thread ends in a chain down to the deepest level: the
        # permalink measured below points at its end.
        chain = min(max_depth, size) if is_last else 0
        for index in range(size):
            clock += timedelta(minutes=rng.randint(1, 90))
            if index >= size - chain:
                parent = nodes[-1] if index > size - chain else root
            else:
                roll = rng.random()
                latest = nodes[-1]
                if roll < 0.35 or len(nodes) == 1:
                    parent = root
                elif roll < 0.75 and latest.level < max_depth:
                    parent = latest
                else:
                    parent = rng.choice([n for n in nodes[-40:] if n.level < max_depth] or [root])
            node = Node(
                thread=number,
                level=parent.level + 1,
                parent=parent,
                created_at=clock,
                author_index=rng.randrange(authors),
                body_index=rng.randrange(len(BODIES)),
            )
            parent.children.append(node)
            nodes.append(node)
        _number_tree(root)
        roots.append(root)
    return roots


def _number_tree(root):
    """lft/rght in reading order, without recursion (threads can be deep)."""
    counter = 1
    stack = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            node.rght = counter
            counter += 1
            continue
        node.lft = counter
        counter += 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.children))


def walk(root):
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


# --- Building the room in the database -------------------------------------


def build_people(room, count):
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from accounts.models import User
    from forum.models import RoomModerator

    def person(index, display_name, **fields):
        user = User.objects.create_user(
            email=f"person{index}@bench.example.org", password=None, display_name=display_name, **fields
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user

    authors = []
    for index in range(count):
        name = DISPLAY_NAMES[index % len(DISPLAY_NAMES)]
        organisation = "Legal Aid Network" if index % 4 == 0 else ""
        authors.append(person(index, name, organisation=organisation, speaks_for_organisation=name == organisation))
    today = timezone.localdate()
    # Two moderators on duty (one open-ended) and one whose week is over.
    RoomModerator.objects.create(
        room=room, user=authors[0], starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=4)
    )
    RoomModerator.objects.create(room=room, user=authors[1], starts_on=today - timedelta(days=10))
    RoomModerator.objects.create(
        room=room, user=authors[2], starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=11)
    )
    viewer = person(count, "Visiting Reader")
    return authors, viewer


def add_endorsements(rng, room, people):
    """About one and a half endorsements per comment, more on roots, the reader's
    own among them; then the recount sets every denormalised figure (endorsement
    counts, each thread's latest activity) from the rows, as `manage.py recount` would."""
    from forum.counts import recount_rooms
    from forum.models import Comment, Endorsement

    rows = []
    for pk, author_id, level in Comment.objects.filter(room=room, state="visible").values_list(
        "pk", "author_id", "level"
    ):
        for person in rng.sample(people, rng.randint(0, 8 if level == 0 else 3)):
            if person.pk != author_id:
                rows.append(Endorsement(person=person, comment_id=pk, kind=rng.choice(Endorsement.Kind.values)))
    Endorsement.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    recount_rooms([room])


def build_room():
    from forum.models import Consultation, Room
    from forum.services import add_guiding_questions

    consultation = Consultation.objects.create(
        title="Review of the rule of law programme",
        slug="rule-of-law-review",
        introduction="We want to hear from you.",
        is_published=True,
    )
    room = Room.objects.create(
        consultation=consultation,
        title="Access to justice",
        slug="access-to-justice",
        introduction="Welcome to this discussion.\n\nPlease read the guiding questions first.",
        objective="Learn what worked.",
        outcome="A summary for the policy report.",
        is_published=True,
        state=Room.State.OPEN,
    )
    questions = add_guiding_questions(
        room,
        [
            ("Results", "What has the programme achieved in your country?"),
            ("Results", "What did not work, and why?"),
            ("The future", "What should the next programme focus on?"),
        ],
    )
    return room, questions


def insert_comments(rng, room, roots, authors, questions):
    """Bulk insert level by level, so every parent has its id before its children."""
    from django.db.models import Max

    from forum.models import Comment
    from forum.rendering import render_comment_body

    rendered = [render_comment_body(body) for body in BODIES]
    first_tree_id = (Comment.objects.aggregate(top=Max("tree_id"))["top"] or 0) + 1
    by_level = {}
    for root in roots:
        for node in walk(root):
            by_level.setdefault(node.level, []).append(node)
    # A few removed comments, as in a real room; never on the path to the
    # measured deep reply, and never a root (keeps the page count honest).
    last_chain = set()
    node = max(walk(roots[-1]), key=lambda n: n.lft)
    while node:
        last_chain.add(node)
        node = node.parent
    for level, nodes in by_level.items():
        if level == 0:
            continue
        for node in nodes:
            if node in last_chain:
                continue
            roll = rng.random()
            node.state = "hidden" if roll < 0.01 else "deleted" if roll < 0.02 else "visible"

    for level in sorted(by_level):
        objects = []
        for node in by_level[level]:
            body = rendered[node.body_index]
            objects.append(
                Comment(
                    room=room,
                    parent=node.parent.obj if node.parent else None,
                    author=authors[node.author_index],
                    thread_number=node.thread if level == 0 else None,
                    body_source=BODIES[node.body_index],
                    body_html=body.html,
                    render_version=body.version,
                    language=BODY_LANGUAGES.get(node.body_index, "en"),
                    guiding_question=questions[node.thread % len(questions)]
                    if level == 0 and node.thread % 2
                    else None,
                    state=node.state,
                    hidden_reason="Off topic." if node.state == "hidden" else "",
                    created_at=node.created_at,
                    tree_id=first_tree_id + node.thread - 1,
                    lft=node.lft,
                    rght=node.rght,
                    level=level,
                )
            )
            node.obj = objects[-1]
        Comment.objects.bulk_create(objects, batch_size=500)
        if any(obj.pk is None for obj in objects):
            # Backends that cannot return ids from a bulk insert: read them back.
            ids = dict(
                ((tree_id, lft), pk)
                for pk, tree_id, lft in Comment.objects.filter(room=room, level=level).values_list(
                    "pk", "tree_id", "lft"
                )
            )
            for obj in objects:
                obj.pk = obj.id = ids[(obj.tree_id, obj.lft)]
    return first_tree_id


def check_tree(room, tree_ids):
    """Raise if any tree value is inconsistent with the parent links."""
    from django.db import connection, transaction
    from django.db.models import Count, F, Max, Min, Q

    from forum.models import Comment

    problems = []
    comments = Comment.objects.filter(room=room)
    # order_by() drops the tree manager's ordering, which would split the groups.
    for tree in (
        comments.order_by()
        .values("tree_id")
        .annotate(n=Count("id"), low=Min("lft"), high=Max("rght"), roots=Count("id", filter=Q(parent__isnull=True)))
    ):
        if tree["low"] != 1 or tree["high"] != 2 * tree["n"] or tree["roots"] != 1:
            problems.append(f"tree {tree['tree_id']}: {tree}")
    bad_links = (
        comments.filter(parent__isnull=False)
        .exclude(
            tree_id=F("parent__tree_id"),
            level=F("parent__level") + 1,
            lft__gt=F("parent__lft"),
            rght__lt=F("parent__rght"),
        )
        .count()
    )
    if bad_links:
        problems.append(f"{bad_links} replies outside their parent's range or level")
    if comments.filter(parent__isnull=True).exclude(level=0, lft=1).exists():
        problems.append("a root is not at level 0 with lft 1")
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*) FROM (
                SELECT c.id, c.lft, c.rght, COUNT(d.id) AS descendants
                FROM {table} c LEFT JOIN {table} d
                  ON d.tree_id = c.tree_id AND d.lft > c.lft AND d.rght < c.rght
                WHERE c.room_id = %s
                GROUP BY c.id, c.lft, c.rght
            ) counted
            WHERE (counted.rght - counted.lft - 1) / 2 <> counted.descendants
            """,
            [room.pk],
        )
        wrong_counts = cursor.fetchone()[0]
    if wrong_counts:
        problems.append(f"{wrong_counts} comments whose lft/rght disagree with their descendants")
    # django-mptt's own rebuild from parent links must leave these trees as they are.
    for tree_id in tree_ids:
        before = list(Comment.objects.filter(tree_id=tree_id).order_by("pk").values_list("pk", "lft", "rght", "level"))
        with transaction.atomic():
            Comment.objects.partial_rebuild(tree_id)
            after = list(
                Comment.objects.filter(tree_id=tree_id).order_by("pk").values_list("pk", "lft", "rght", "level")
            )
            transaction.set_rollback(True)
        if before != after:
            problems.append(f"tree {tree_id} differs from django-mptt's rebuild")
    if problems:
        raise SystemExit("The benchmark room's tree is invalid:\n  " + "\n  ".join(problems[:20]))


# --- Measuring -------------------------------------------------------------


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured.captured_queries), response


def time_requests(client, url, repeat, expected_status):
    client.get(url)  # warm-up, not counted
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != expected_status:
            raise SystemExit(f"GET {url} answered {response.status_code}, expected {expected_status}")
    return samples


def measure_page(client, url, repeat):
    client.get(url)  # warm-up: the count below is what every later request costs
    queries, response = count_queries(client, url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    html = response.content.decode()
    samples = time_requests(client, url, repeat, 200)
    return {
        "queries": queries,
        "drawn": len(COMMENT_ANCHOR.findall(html)),
        "cut_off": len(set(THREAD_LINK.findall(html))),
        "samples": samples,
        "html": html,
    }


def reply_sampler(rng, room, authors):
    """`one_reply(index, capture=False)`: one reply through
    forum.services.reply_to_comment under a random visible comment of `room`
    by a random one of `authors`, in milliseconds (its query count if `capture`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from forum.models import Comment
    from forum.services import reply_to_comment

    visible_ids = list(Comment.objects.filter(room=room, state=Comment.State.VISIBLE).values_list("pk", flat=True))
    author_ids = [author.pk for author in authors]

    def one_reply(index, capture=False):
        # Loaded the way the reply view loads them, outside the timed part.
        parent = Comment.objects.select_related("room__consultation", "author").get(pk=rng.choice(visible_ids))
        author = User.objects.get(pk=rng.choice(author_ids))
        body = f"{BODIES[index % len(BODIES)]}\n\n(reply {index})"
        if capture:
            with CaptureQueriesContext(connection) as captured:
                reply_to_comment(author, parent=parent, body=body)
            return len(captured.captured_queries)
        started = time.perf_counter()
        reply_to_comment(author, parent=parent, body=body)
        return (time.perf_counter() - started) * 1000

    return one_reply


def measure_replies(rng, room, authors, count):
    one_reply = reply_sampler(rng, room, authors)
    queries = one_reply(0, capture=True)  # also the warm-up
    samples = [one_reply(index) for index in range(1, count + 1)]
    return queries, samples


# --- Report ----------------------------------------------------------------


def print_profile(client, url, repeat):
    """cProfile over `repeat` requests: the functions that cost the most in all."""
    import cProfile
    import pstats

    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(url)
    profiler.disable()
    print(f"\nProfile of {repeat} requests to {url}, signed in (times include profiling overhead):")
    stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(20)


def database_version(connection):
    if connection.vendor == "postgresql":
        return f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version
    return ""


def verdict(value, limit):
    return "PASS" if value <= limit else "MISS"


def print_table(rows):
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    for row in rows:
        print("  " + "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())


def print_misses(rows):
    """The line to look for: the targets missed, or that all were met."""
    misses = [row[0] for row in rows[1:] if row[3] == "MISS"]
    if misses:
        print(f"MISS: {len(misses)} target(s) missed: " + "; ".join(misses))
    else:
        print("All targets met.")


def build_benchmark_room(args, rng):
    """The room, its authors, a signed-in reader, and a few facts about its shape."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from forum.models import Comment, Room

    started = time.perf_counter()
    room, questions = build_room()
    authors, viewer = build_people(room, 20)
    roots = plan_room(
        rng,
        threads=args.threads,
        comments=args.comments,
        max_depth=args.max_depth,
        authors=len(authors),
        start=timezone.now() - timedelta(days=90),
    )
    # Long threads run for days: move everything back so nothing is in the future.
    latest = max(node.created_at for root in roots for node in walk(root))
    shift = max(timedelta(0), latest - (timezone.now() - timedelta(hours=1)))
    for root in roots:
        for node in walk(root):
            node.created_at -= shift

    with transaction.atomic():
        first_tree_id = insert_comments(rng, room, roots, authors, questions)
        comments = Comment.objects.filter(room=room)
        visible = comments.filter(state=Comment.State.VISIBLE).count()
        Room.objects.filter(pk=room.pk).update(
            thread_count=args.threads,
            comment_count=visible,
            last_activity_at=comments.aggregate(last=Max("created_at"))["last"],
        )
    add_endorsements(rng, room, [*authors, viewer])
    build_seconds = time.perf_counter() - started
    room.refresh_from_db()
    # Planner statistics for the freshly loaded rows, as autovacuum would gather them.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    sizes = [(root.rght - 1) // 2 for root in roots]
    longest = max(range(len(roots)), key=lambda i: sizes[i])
    check_tree(room, sorted({first_tree_id, first_tree_id + longest, first_tree_id + len(roots) - 1}))
    shape = {
        "total": comments.count(),
        "deepest": comments.aggregate(deepest=Max("level"))["deepest"],
    }
    print(
        f"Built the room in {build_seconds:.1f} s: {shape['total']} comments ({visible} visible) in "
        f"{args.threads} threads, deepest level {shape['deepest']}, longest thread {sizes[longest]} replies; "
        "tree values checked.",
        flush=True,
    )
    return room, authors, viewer, shape


ORDERS = ("oldest", "newest", "activity", "replies", "endorsed")


def last_page_urls(room, last_page):
    """Each order's last page, as its links reach it: by number, or by the cursor
    the page before it links to (the key of that page's last thread)."""
    from django.conf import settings

    from forum.models import Comment
    from forum.selectors.orders import FIGURES, Cursor

    per_page = settings.FORUM_THREADS_PER_PAGE
    room_url = room.get_absolute_url()
    urls = {"oldest": f"{room_url}?page={last_page}", "newest": f"{room_url}?order=newest&page={last_page}"}
    for order, figure in FIGURES.items():
        keys = list(
            Comment.objects.filter(room=room, level=0)
            .shown_in_threads()
            .annotate(order_figure=figure)
            .order_by("-is_pinned", "-order_figure", "-pk")
            .values_list("is_pinned", "order_figure", "pk")
        )
        pinned, value, pk = keys[(len(keys) - 1) // per_page * per_page - 1]
        cursor = Cursor(number=last_page, after=True, pinned=pinned, figure=value, pk=pk).encode()
        urls[order] = f"{room_url}?order={order}&cursor={cursor}"
    return urls


def explain_pages(client, pages):
    """For each order, the query reading its first and its last page of threads as
    PostgreSQL runs it (EXPLAIN ANALYZE): the index the plan reads, and the
    database's own time, which the machine's load disturbs less than a page's.
    Stops if any query of those pages asks for an OFFSET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    plans = {}
    for order, urls in pages.items():
        found = []
        for url in urls:
            # The page of threads is read, not taken from the process's kept pages.
            with override_settings(FORUM_THREAD_PAGES_KEPT=0), CaptureQueriesContext(connection) as captured:
                client.get(url)
            sqls = [query["sql"] for query in captured.captured_queries]
            if any(" OFFSET " in sql.upper() for sql in sqls):
                raise SystemExit(f"The {order} order's page {url} asks for an OFFSET.")
            roots = next(sql for sql in sqls if '"level" = 0' in sql and "ORDER BY" in sql)
            if connection.vendor != "postgresql":
                found.append(("(plans are read on PostgreSQL only)", ""))
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + roots)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            used = sorted(set(re.findall(r"Index (?:Only )?Scan (?:Backward )?using (\w+)", plan)))
            took = re.search(r"Execution Time: ([0-9.]+) ms", plan)
            found.append((", ".join(used) or "no index", f"{took.group(1)} ms" if took else ""))
        (first_index, first_time), (last_index, last_time) = found
        plans[order] = f"first {first_time} ({first_index}); last {last_time} ({last_index})"
    return plans


def run(args):
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from forum.models import Comment

    rng = random.Random(args.seed)
    room, authors, viewer, shape = build_benchmark_room(args, rng)

    last_page = max(1, math.ceil(args.threads / settings.FORUM_THREADS_PER_PAGE))
    room_url = room.get_absolute_url()
    first_url, last_url = room_url, f"{room_url}?page={last_page}"
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(viewer)

    results = {}
    for who, client in (("anonymous", anonymous), ("signed in", signed_in)):
        for label, url in (("first", first_url), ("last", last_url)):
            print(f"Measuring the {label} page ({url}), {who}: {args.repeat} requests...", flush=True)
            results[(who, label)] = measure_page(client, url, args.repeat)
    last_urls = last_page_urls(room, last_page)
    by_order = {}
    for order in ORDERS:
        first = room_url if order == "oldest" else f"{room_url}?order={order}"
        for who, client in (("anonymous", anonymous), ("signed in", signed_in)):
            for label, url in (("first", first), ("last", last_urls[order])):
                if order == "oldest":
                    by_order[(order, who, label)] = results[(who, label)]
                    continue
                print(f"Measuring the {order} order's {label} page, {who}: {args.repeat} requests...", flush=True)
                by_order[(order, who, label)] = measure_page(client, url, args.repeat)
        if 'rel="prev"' not in by_order[(order, "anonymous", "last")]["html"]:
            raise SystemExit(f"The {order} order's last page is not a last page.")
        if 'rel="next"' in by_order[(order, "anonymous", "last")]["html"]:
            raise SystemExit(f"The {order} order's last page links to a next one.")
    plans = explain_pages(
        signed_in,
        {order: (room_url if order == "oldest" else f"{room_url}?order={order}", last_urls[order]) for order in ORDERS},
    )
    last_root = Comment.objects.get(room=room, thread_number=args.threads)
    if f'id="comment-{last_root.pk}"' not in results[("anonymous", "last")]["html"]:
        raise SystemExit("The last page does not show the last thread.")
    if 'name="body"' not in results[("signed in", "first")]["html"]:
        raise SystemExit("The signed-in page has no comment form: the benchmark would measure less than a reader gets.")

    deep_reply = Comment.objects.filter(tree_id=last_root.tree_id).order_by("-level", "-lft").first()
    permalink = deep_reply.get_absolute_url()
    print(f"Measuring the permalink {permalink} (level {deep_reply.level}): {args.repeat} requests...", flush=True)
    permalink_samples = time_requests(anonymous, permalink, args.repeat, 302)
    permalink_queries, response = count_queries(anonymous, permalink)
    if not response["Location"].endswith(f"#comment-{deep_reply.pk}"):
        raise SystemExit(f"The permalink led to {response['Location']}")
    permalink_target = response["Location"]
    anonymous.get(permalink_target)
    permalink_page_queries, _ = count_queries(anonymous, permalink_target.split("#")[0])

    if args.profile:
        print_profile(signed_in, last_url, args.repeat)

    print(f"Measuring {args.replies} replies through reply_to_comment...", flush=True)
    reply_queries, reply_samples = measure_replies(rng, room, authors, args.replies)
    check_tree(room, [last_root.tree_id])

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    print()
    print(
        f"Room page benchmark on {connection.display_name} {database_version(connection)} "
        f"(database {connection.settings_dict['NAME']})"
    )
    # Timings are wall-clock: other work on the machine shows up in them.
    print(f"Machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(
        f"Room: {shape['total']} comments in {args.threads} threads, up to level {shape['deepest']}; "
        f"{settings.FORUM_THREADS_PER_PAGE} threads a page, {last_page} pages; "
        f"{args.repeat} timed requests per figure after one warm-up."
    )
    print()
    rows = [("Measure", "Result", "Target", "")]
    for who in ("anonymous", "signed in"):
        limit = ANONYMOUS_QUERIES if who == "anonymous" else SIGNED_IN_QUERIES
        for label in ("first", "last"):
            result = results[(who, label)]
            name = f"{label.capitalize()} page, {who}"
            samples = result["samples"]
            rows += [
                (f"{name}: queries", result["queries"], f"<= {limit}", verdict(result["queries"], limit)),
                (
                    f"{name}: median",
                    f"{median(samples):.1f} ms",
                    f"<= {PAGE_MEDIAN_MS:.0f} ms",
                    verdict(median(samples), PAGE_MEDIAN_MS),
                ),
                (f"{name}: p95", f"{p95(samples):.1f} ms", "", ""),
                (
                    f"{name}: comments drawn",
                    result["drawn"],
                    f"<= {COMMENTS_DRAWN}",
                    verdict(result["drawn"], COMMENTS_DRAWN),
                ),
                (f"{name}: threads cut off", result["cut_off"], "", ""),
            ]
    rows += [
        ("Permalink (deep reply, last thread): queries", permalink_queries, "", ""),
        ("Permalink: median", f"{median(permalink_samples):.1f} ms", "", ""),
        ("Permalink: p95", f"{p95(permalink_samples):.1f} ms", "", ""),
        ("Page the permalink leads to: queries", permalink_page_queries, "", ""),
        ("Reply: queries", reply_queries, "", ""),
        (
            "Reply: median",
            f"{median(reply_samples):.1f} ms",
            f"<= {REPLY_MEDIAN_MS:.0f} ms",
            verdict(median(reply_samples), REPLY_MEDIAN_MS),
        ),
        ("Reply: p95", f"{p95(reply_samples):.1f} ms", "", ""),
    ]
    rows.append(("Every order, first and last page (queries, median, p95)", "", "", ""))
    for order in ORDERS:
        for who in ("anonymous", "signed in"):
            limit = ANONYMOUS_QUERIES if who == "anonymous" else SIGNED_IN_QUERIES
            first, last = by_order[(order, who, "first")], by_order[(order, who, "last")]
            same = first["queries"] == last["queries"]
            worst = max(median(first["samples"]), median(last["samples"]))
            rows.append(
                (
                    f"  {order}, {who}",
                    f"first {first['queries']} q {median(first['samples']):.1f} ms (p95 {p95(first['samples']):.1f}); "
                    f"last {last['queries']} q {median(last['samples']):.1f} ms (p95 {p95(last['samples']):.1f})",
                    f"same queries, <= {limit}, <= {PAGE_MEDIAN_MS:.0f} ms",
                    verdict(0 if same and last["queries"] <= limit else 1, 0) if worst <= PAGE_MEDIAN_MS else "MISS",
                )
            )
    print_table(rows)
    print()
    for order, plan in plans.items():
        print(f"Threads query (EXPLAIN ANALYZE, signed in), {order}: {plan}")
    print(f"Permalink {permalink} -> {permalink_target}")
    print_misses(rows)


def main(argv=None):
    args = parse_args(argv)
    setup_django()

    from benchmarks.harness import throwaway_database

    with throwaway_database(args.database, keep=args.keep):
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
