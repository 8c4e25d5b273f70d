"""Load benchmark: requests per second for the anonymous room page under gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python benchmarks/load.py

Builds the 10,000-comment room of room_page.py (500 threads, replies down to
level 8) in a throwaway PostgreSQL database, `bench_load`, collects the static
files into a temporary directory, and serves the site with gunicorn as
production does (gunicorn.conf.py, DEBUG off, 2 workers, Redis database 14 for
the cache). Then wrk, on 127.0.0.1, asks for the room's first page for 20 s at
16 and at 64 connections, with the page cache on; and for 10 s at 16
connections with it off, to show what the cache is worth. It prints requests
per second, latency percentiles, errors, and each worker's peak memory.

It needs PostgreSQL (DATABASE_URL; the database named there is only used to
create and drop `bench_load`), Redis on 127.0.0.1:6379 and wrk (installed with
apt-get when missing and run as root). gunicorn is stopped and the database
dropped at the end, even after an error, unless --keep.
"""

import argparse
import os
import random
import secrets
import sys
import threading
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

BENCH_DATABASE_NAME = "bench_load"
REDIS_URL = "redis://127.0.0.1:6379/14"
TARGET_REQUESTS_PER_SECOND = 150
# What a browser sends: the site then answers gzipped, as it does for people.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "en"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Requests per second for the anonymous room page under gunicorn.")
    parser.add_argument("--seconds", type=int, default=20, help="length of each cached run (default 20)")
    parser.add_argument(
        "--connections",
        type=int,
        nargs="+",
        default=[16, 64],
        help="concurrent connections, one cached run each (default 16 64)",
    )
    parser.add_argument(
        "--uncached-seconds",
        type=int,
        default=10,
        help="length of the run without the page cache, at the first --connections (default 10)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--plain", action="store_true", help="ask without Accept-Encoding, so pages go out uncompressed"
    )
    parser.add_argument("--threads", type=int, default=500, help="threads in the room (default 500)")
    parser.add_argument("--comments", type=int, default=10_000, help="comments in the room (default 10000)")
    parser.add_argument("--max-depth", type=int, default=8, help="deepest reply level (default 8)")
    parser.add_argument("--seed", type=int, default=20240601, help="seed for the room's shape")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args(argv)
    if min(args.seconds, args.uncached_seconds, args.workers, *args.connections) < 1:
        parser.error("durations, workers and connections must be at least 1")
    return args


# --- What the run needs ----------------------------------------------------------


def check_redis(url=REDIS_URL):
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError:
        raise SystemExit(f"Redis does not answer at {url}: start redis-server, then this again.") from None
    return client


# --- gunicorn --------------------------------------------------------------------


def inherited_environment():
    """This process's environment without what configures a site, for a server's own."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FORUM_", "DATABASE_", "REDIS_", "STATIC_", "WEB_"))
    }


def server_environment(database, static_root, workers):
    return inherited_environment() | {
        "DJANGO_SETTINGS_MODULE": "consultation.settings",
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "STATIC_ROOT": str(static_root),
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


# --- Memory ----------------------------------------------------------------------


def children(pid):
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def peak_rss_kb(pid):
    """The process's peak resident memory so far (VmHWM), in kB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class WorkerMemory(threading.Thread):
    """Polls the gunicorn master's children: each worker's peak resident memory.
    Workers replaced during the run (gunicorn's max_requests) are counted too."""

    def __init__(self, master_pid, interval=0.2):
        super().__init__(daemon=True)
        self.master_pid, self.interval = master_pid, interval
        self.peaks = {}
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.interval)

    def sample(self):
        for pid in children(self.master_pid):
            peak = peak_rss_kb(pid)
            if peak is not None:
                self.peaks[pid] = max(peak, self.peaks.get(pid, 0))

    def stop(self):
        self.sample()
        self.done.set()
        self.join(timeout=5)
        return self.peaks


# --- wrk -------------------------------------------------------------------------


def measure(server, wrk, path, *, connections, seconds, headers, cached):
    """Warm up (two requests per worker, then 3 s of wrk), then one timed wrk run."""
    for _ in range(4):
        response = get(server.port, path, headers)
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}")
    cache_header = response.getheader("X-Room-Cache")
    if cached and cache_header != "hit":
        raise SystemExit(
            f"The page cache is on but the room page was not served from it (X-Room-Cache: {cache_header})."
        )
    if not cached and cache_header is not None:
        raise SystemExit(f"The page cache is off but the room page says X-Room-Cache: {cache_header}.")
    url = f"http://127.0.0.1:{server.port}{path}"
    run_wrk(wrk, url, connections=connections, seconds=3, headers=headers)
    memory = WorkerMemory(server.process.pid)
    memory.start()
    try:
        result = run_wrk(wrk, url, connections=connections, seconds=seconds, headers=headers)
    finally:
        peaks = memory.stop()
    result |= {
        "connections": connections,
        "seconds": seconds,
        "cached": cached,
        "worker_peaks_kb": peaks,
        "master_peak_kb": peak_rss_kb(server.process.pid) or 0,
    }
    print(
        f"  {connections} connections, {seconds} s, cache {'on' if cached else 'off'}: {result['rps']:.0f} requests/s",
        flush=True,
    )
    if result["socket_errors"] or result["non_2xx"]:
        # The log goes with the temporary directory: show its end now.
        print(f"  Some requests failed; the end of gunicorn's log:\n{server.log_path.read_text()[-3000:]}", flush=True)
    return result


# --- Report ----------------------------------------------------------------------


def report(results, *, args, room_path, workers, headers, database):
    from django.db import connection

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print()
    print(
        f"Load benchmark: gunicorn (gunicorn.conf.py, {workers} workers, DEBUG off) on 127.0.0.1, "
        f"PostgreSQL {room_page.database_version(connection)} (database {database}), Redis {REDIS_URL}"
    )
    print(
        f"Machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) after the runs; "
        "wrk (2 threads) and gunicorn share the CPUs."
    )
    sent = ", ".join(f"{name}: {value}" for name, value in headers.items()) or "none"
    print(
        f"Page: GET {room_path} anonymously, the first page of a room of {args.comments} comments in "
        f"{args.threads} threads; headers sent: {sent}."
    )
    print()
    rows = [("Run", "Requests/s", "p50", "p75", "p90", "p99", "Errors", "Peak RSS per worker", "Target", "")]
    for result in results:
        latency = result["latency_ms"]
        peaks = sorted(result["worker_peaks_kb"].values(), reverse=True)
        replaced = max(0, len(peaks) - workers)
        memory = ", ".join(f"{kb / 1024:.0f}" for kb in peaks[:workers]) + " MB"
        if replaced:
            memory += f" (+{replaced} replaced)"
        target, verdict = "", ""
        if result["cached"]:
            target = f">= {TARGET_REQUESTS_PER_SECOND}"
            verdict = "PASS" if result["rps"] >= TARGET_REQUESTS_PER_SECOND else "MISS"
        rows.append(
            (
                f"cache {'on' if result['cached'] else 'off'}, {result['connections']} conn, {result['seconds']} s",
                f"{result['rps']:.0f}",
                *(f"{latency[p]:.1f} ms" if p in latency else "?" for p in (50, 75, 90, 99)),
                result["socket_errors"] + result["non_2xx"],
                memory,
                target,
                verdict,
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  " + "  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    print()
    cached = next(r for r in results if r["cached"] and r["connections"] == results[-1]["connections"])
    uncached = results[-1]
    print(
        f"The page cache serves {cached['rps'] / uncached['rps']:.1f}x the requests per second "
        f"({cached['rps']:.0f} against {uncached['rps']:.0f} at {uncached['connections']} connections)."
    )
    print(
        f"Peak RSS is each worker's VmHWM; the gunicorn master peaked at "
        f"{max(r['master_peak_kb'] for r in results) / 1024:.0f} MB. Workers are replaced after about "
        "10,000 requests (WEB_MAX_REQUESTS, see gunicorn.conf.py); replaced ones are counted above."
    )
    misses = [row[0] for row in rows[1:] if row[-1] == "MISS"]
    errors = sum(r["socket_errors"] + r["non_2xx"] for r in results)
    if errors:
        print(f"{errors} requests failed or timed out; gunicorn's log is printed above.")
    print(f"MISS: {len(misses)} run(s) under target: " + "; ".join(misses) if misses else "All targets met.")


def run(args, wrk, redis_client, workdir):
    from django.db import connection

    rng = random.Random(args.seed)
    shape = SimpleNamespace(threads=args.threads, comments=args.comments, max_depth=args.max_depth)
    room, _, _, _ = room_page.build_benchmark_room(shape, rng)
    room_path = room.get_absolute_url()
    # Planner statistics, as a room that grew over weeks has them (autovacuum keeps them).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    database = connection.settings_dict["NAME"]
    env = server_environment(database_url(connection.settings_dict), workdir / "static", args.workers)
    connection.close()

    collect_static(env)
    headers = {} if args.plain else BROWSER_HEADERS
    results = []
    print(f"Serving with gunicorn, {args.workers} workers, page cache on:", flush=True)
    redis_client.flushdb()
    with Server(env | {"FORUM_CACHE_ROOM_PAGES": "1"}, workdir, "cached") as server:
        for connections in args.connections:
            results.append(
                measure(
                    server, wrk, room_path, connections=connections, seconds=args.seconds, headers=headers, cached=True
                )
            )
    print(f"Serving with gunicorn, {args.workers} workers, page cache off:", flush=True)
    redis_client.flushdb()
    with Server(env | {"FORUM_CACHE_ROOM_PAGES": "0"}, workdir, "uncached") as server:
        results.append(
            measure(
                server,
                wrk,
                room_path,
                connections=args.connections[0],
                seconds=args.uncached_seconds,
                headers=headers,
                cached=False,
            )
        )
    redis_client.flushdb()
    report(results, args=args, room_path=room_path, workers=args.workers, headers=headers, database=database)


def main(argv=None):
    args = parse_args(argv)
    room_page.setup_django()

    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(
            "This benchmark needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/postgres "
            "(the database named there is only used to create and drop bench_load)."
        )
    wrk = ensure_wrk()
    redis_client = check_redis()
    try:
        with throwaway_database(BENCH_DATABASE_NAME, keep=args.keep) as workdir:
            run(args, wrk, redis_client, Path(workdir))
    finally:
        redis_client.flushdb()
    return 0


if __name__ == "__main__":
    sys.exit(main())
