"""Concurrent replies into one room: how many a second, and how long each waits.

16 posters (processes of their own, each with its own database connection)
reply at once into 10 threads of one room through forum.services.reply_to_comment,
as many replies each as --replies, after a warm-up reply each. Replies to
different threads should not take turns: only the thread being replied to is
locked for the whole transaction, and the room's counters are changed in one
short statement at its end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        python benchmarks/concurrent_replies.py [--posters 16] [--threads 10] [--replies 20]

PostgreSQL only (SQLite runs one write at a time whatever the code does). The
run uses a throwaway database, `bench_concurrent_replies`, dropped at the end.
Prints replies per second, the median and 95th percentile time of one reply,
and checks that every reply was stored and every thread's tree is sound.
"""

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.outages import TcpProxy  # noqa: E402  (after the path is set)
from benchmarks.room_page import setup_django  # noqa: E402

BENCH_DATABASE_NAME = "bench_concurrent_replies"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Replies per second into one room from concurrent posters.")
    parser.add_argument("--posters", type=int, default=16, help="people replying at once (default 16)")
    parser.add_argument("--threads", type=int, default=10, help="threads they reply into (default 10)")
    parser.add_argument("--replies", type=int, default=20, help="timed replies per poster (default 20)")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=1.0,
        help="delay of each message to the database, as across a network (default 1; 0: direct)",
    )
    return parser.parse_args(argv)


def build(posters: int, threads: int):
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from forum import services
    from forum.models import Consultation, Room

    consultation = Consultation.objects.create(title="Concurrent replies", slug="concurrent", is_published=True)
    room = Room.objects.create(
        consultation=consultation, title="One busy room", slug="busy", is_published=True, state=Room.State.OPEN
    )
    people = []
    for index in range(posters):
        person = User.objects.create_user(
            email=f"poster{index}@bench.example.org", password=None, display_name=f"Poster {index}"
        )
        EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
        people.append(person)
    roots = [
        services.post_comment(people[index % posters], room=room, body=f"Thread {index}: what works?")
        for index in range(threads)
    ]
    return room, people, roots


def _poster(index, person_id, root_ids, replies, start_at, results):
    """One poster, in a process of its own: a warm-up reply, then the timed ones
    from `start_at` on; puts (seconds of each reply, error) on `results`."""
    from django.db import connection

    from accounts.models import User
    from forum import services
    from forum.models import Comment

    connection.close()  # never share the parent's connection
    latencies, error = [], None
    try:
        person = User.objects.get(pk=person_id)
        roots = list(Comment.objects.filter(pk__in=root_ids).order_by("pk"))
        services.reply_to_comment(person, parent=roots[index % len(roots)], body="Warm-up reply.")
        time.sleep(max(0.0, start_at - time.time()))
        for number in range(replies):
            parent = roots[(index + number) % len(roots)]
            started = time.perf_counter()
            services.reply_to_comment(person, parent=parent, body=f"Reply {number} from poster {index}.")
            latencies.append(time.perf_counter() - started)
    except BaseException as failure:  # reported by the parent
        error = f"{type(failure).__name__}: {failure}"
    finally:
        connection.close()
    results.put((latencies, error))


def run_posters(people, roots, replies: int):
    """Every poster, each a process of its own (so Python's lock on the
    interpreter does not make them take turns), replies `replies` times, all
    starting together; returns the seconds each reply took, the wall time
    from the start to the last reply, and the errors."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    # Time for every process to start, connect and warm up before the clock starts.
    start_at = time.time() + 5 + len(people) * 0.25
    processes = [
        context.Process(
            target=_poster, args=(index, person.pk, [root.pk for root in roots], replies, start_at, results)
        )
        for index, person in enumerate(people)
    ]
    for process in processes:
        process.start()
    latencies, errors = [], []
    for _ in processes:
        found, error = results.get(timeout=600)
        latencies.extend(found)
        if error:
            errors.append(error)
    finished = time.time()
    for process in processes:
        process.join(timeout=60)
    return latencies, finished - start_at, errors


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    from django.conf import settings
    from django.db import connection

    from benchmarks.harness import throwaway_database
    from forum.models import Comment
    from forum.trees import check_trees

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    settings.FORUM_RATE_LIMITS = {}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with throwaway_database(BENCH_DATABASE_NAME):
        room, people, roots = build(args.posters, args.threads)
        connection.close()
        proxy = None
        if args.latency_ms:
            # The posters reach the database through a proxy that delays each message.
            database = connection.settings_dict
            proxy = TcpProxy(
                database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432), delay=args.latency_ms / 1000
            )
            direct = (database["HOST"], database["PORT"])
            database["HOST"], database["PORT"] = "127.0.0.1", proxy.port
        try:
            latencies, seconds, errors = run_posters(people, roots, args.replies)
        finally:
            if proxy is not None:
                proxy.close()
                database["HOST"], database["PORT"] = direct
        stored = Comment.objects.filter(room=room, level__gt=0).count()
        expected = args.posters * (args.replies + 1)
        problems = check_trees(Comment.objects.filter(room=room).values_list("tree_id", flat=True).distinct()).broken
        ordered = sorted(latencies)
        print(
            f"{args.posters} posters, {args.threads} threads of one room, {args.replies} timed replies each, "
            f"{args.latency_ms:g} ms to the database"
        )
        print(f"  replies per second   {len(latencies) / seconds:8.1f}   ({len(latencies)} in {seconds:.2f} s)")
        if ordered:
            print(f"  one reply, median    {statistics.median(ordered) * 1000:8.1f} ms")
            print(f"  one reply, 95th pct  {ordered[int(len(ordered) * 0.95) - 1] * 1000:8.1f} ms")
        print(f"  stored {stored} of {expected} replies; trees sound: {not problems}; errors: {len(errors)}")
        for error in errors[:3]:
            print(f"    {error}")
        return 0 if stored == expected and not problems and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
