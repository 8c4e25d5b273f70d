"""Concurrent replies into one room: how many a second, and how long each waits.

16 posters (threads of this process, each with its own database connection)
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
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.room_page import setup_django  # noqa: E402  (after the path is set)

BENCH_DATABASE_NAME = "bench_concurrent_replies"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Replies per second into one room from concurrent posters.")
    parser.add_argument("--posters", type=int, default=16, help="people replying at once (default 16)")
    parser.add_argument("--threads", type=int, default=10, help="threads they reply into (default 10)")
    parser.add_argument("--replies", type=int, default=20, help="timed replies per poster (default 20)")
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


def run_posters(people, roots, replies: int):
    """Every poster replies `replies` times, all starting together; returns the
    seconds each reply took, the wall time and the errors."""
    from django.db import connection

    from forum import services

    barrier = threading.Barrier(len(people) + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def poster(index, person):
        try:
            # Warm-up: the connection is opened and the code paths loaded before the clock starts.
            services.reply_to_comment(person, parent=roots[index % len(roots)], body="Warm-up reply.")
            barrier.wait(timeout=60)
            for number in range(replies):
                parent = roots[(index + number) % len(roots)]
                started = time.perf_counter()
                services.reply_to_comment(person, parent=parent, body=f"Reply {number} from poster {index}.")
                with lock:
                    latencies.append(time.perf_counter() - started)
        except BaseException as error:  # reported below, the run goes on
            with lock:
                errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    workers = [threading.Thread(target=poster, args=(index, person)) for index, person in enumerate(people)]
    for worker in workers:
        worker.start()
    barrier.wait(timeout=60)
    started = time.perf_counter()
    for worker in workers:
        worker.join(timeout=600)
    return latencies, time.perf_counter() - started, errors


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
        latencies, seconds, errors = run_posters(people, roots, args.replies)
        stored = Comment.objects.filter(room=room, level__gt=0).count()
        expected = args.posters * (args.replies + 1)
        problems = check_trees(Comment.objects.filter(room=room).values_list("tree_id", flat=True).distinct()).broken
        ordered = sorted(latencies)
        print(f"{args.posters} posters, {args.threads} threads of one room, {args.replies} timed replies each")
        print(f"  replies per second   {len(latencies) / seconds:8.1f}   ({len(latencies)} in {seconds:.2f} s)")
        if ordered:
            print(f"  one reply, median    {statistics.median(ordered) * 1000:8.1f} ms")
            print(f"  one reply, 95th pct  {ordered[int(len(ordered) * 0.95) - 1] * 1000:8.1f} ms")
        print(f"  stored {stored} of {expected} replies; trees sound: {not problems}; errors: {len(errors)}")
        for error in errors[:3]:
            print(f"    {type(error).__name__}: {error}")
        return 0 if stored == expected and not problems and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
