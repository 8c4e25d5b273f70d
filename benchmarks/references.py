"""References benchmark: the worst case a comment of links may cost.

Builds, in a throwaway database of its own, one comment of the longest length
allowed (settings.FORUM_COMMENT_MAX_LENGTH) whose HTML is as long as such a
comment's can get, then comments of the same length made of nothing but links
to it, posted through forum.services. It measures, with their queries: posting
one of those citing comments, and editing, hiding and restoring the cited
comment; then the task the worker runs afterwards to render the citing
comments again.

    python benchmarks/references.py [--citing 50] [--repeat 5]

DATABASE_URL chooses the server as it does for the site (SQLite by default).
The benchmark never writes into that database: on PostgreSQL it creates
`bench_references` (dropped first if it exists, and again at the end unless
--keep); on SQLite it uses a temporary file.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.harness import throwaway_database  # noqa: E402
from benchmarks.room_page import (  # noqa: E402
    build_room,
    database_version,
    median,
    print_misses,
    print_table,
    setup_django,
    verdict,
)

BENCH_DATABASE_NAME = "bench_references"

# Targets from the issue: a person never waits a second for any of these.
POST_SECONDS = 1.0
CHANGE_SECONDS = 1.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Measure what comments full of references cost.")
    parser.add_argument("--citing", type=int, default=50, help="citing comments of links, all posted (default 50)")
    parser.add_argument("--repeat", type=int, default=5, help="timed posts, edits, hides and restores (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args(argv)
    if args.citing < args.repeat or args.repeat < 1:
        parser.error("--repeat must be at least 1, and --citing at least --repeat")
    return args


def longest_cited_body(length: int, n: int) -> str:
    """`length` characters whose HTML is about as long as a body's can be: list
    items of emphasis and bare addresses (each becomes a link with its rel)."""
    line = "- **{n}** *x* a{n}.io\n"
    lines, size, index = [], len(f"Version {n}.\n\n"), 0
    while size + len(line.format(n=index)) <= length:
        lines.append(line.format(n=index))
        size += len(lines[-1])
        index += 1
    return f"Version {n}.\n\n" + "".join(lines)


def citing_body(length: int, permalink: str) -> str:
    """`length` characters of links to one comment, as many as fit."""
    link = f"[see]({permalink}) "
    return (link * (length // len(link))).strip()


def timed(action):
    """(seconds, queries, result) of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
    return seconds, len(captured.captured_queries), result


def run_queued_refreshes():
    """Run the refresh tasks queued so far, as the worker would: (seconds, queries, bodies rendered)."""
    from django_tasks_db.models import DBTaskResult

    from forum.services.comments import refresh_citing_comments

    queued = list(DBTaskResult.objects.filter(task_path__endswith="refresh_citing_comments"))
    DBTaskResult.objects.filter(pk__in=[task.pk for task in queued]).delete()
    total_seconds, total_queries, total_rendered = 0.0, 0, 0
    for task in queued:
        seconds, queries, rendered = timed(lambda: refresh_citing_comments.call(*task.args_kwargs["args"]))
        total_seconds, total_queries, total_rendered = (
            total_seconds + seconds,
            total_queries + queries,
            total_rendered + rendered,
        )
    return total_seconds, total_queries, total_rendered, len(queued)


def build(args):
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from forum.models import RoomModerator

    room, _ = build_room()
    people = {}
    for key, name in (("writer", "Ngozi Okafor"), ("citer", "Jean Dupont"), ("moderator", "Maria Moderator")):
        user = User.objects.create_user(email=f"{key}@bench.example.org", password=None, display_name=name)
        # Old enough accounts: a brand-new one's links would be held for a moderator.
        User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        people[key] = User.objects.get(pk=user.pk)
    RoomModerator.objects.create(room=room, user=people["moderator"])
    return room, people, settings.FORUM_COMMENT_MAX_LENGTH


def run(args):
    from django.conf import settings
    from django.db import connection

    from forum import services
    from forum.models import Comment, CommentLink

    room, people, length = build(args)
    cited = services.post_comment(people["writer"], room=room, body=longest_cited_body(length, 0))
    body = citing_body(length, cited.get_absolute_url())
    links = body.count("](")

    print(f"Posting {args.citing} comments of {links} links each to one comment...", flush=True)
    posts = []
    for index in range(args.citing):
        posts.append(timed(lambda: services.post_comment(people["citer"], room=room, body=body)))
    citing = posts[0][2]
    timed_posts = posts[-args.repeat :]
    run_queued_refreshes()

    changes = {"edit": [], "hide": [], "restore": []}
    refreshes = {"edit": [], "hide": [], "restore": []}
    for n in range(1, args.repeat + 1):
        cited = Comment.objects.get(pk=cited.pk)
        new_body = longest_cited_body(length, n)
        changes["edit"].append(timed(lambda: services.edit_comment(people["writer"], comment=cited, body=new_body)))
        refreshes["edit"].append(run_queued_refreshes())
        changes["hide"].append(
            timed(lambda: services.hide_comment(people["moderator"], comment=cited, reason="Checking a claim."))
        )
        refreshes["hide"].append(run_queued_refreshes())
        changes["restore"].append(timed(lambda: services.restore_comment(people["moderator"], comment=cited)))
        refreshes["restore"].append(run_queued_refreshes())

    cited.refresh_from_db()
    citing.refresh_from_db()
    references = citing.body_html.count('class="reference"')
    if f"Version {args.repeat}." not in citing.body_html:
        raise SystemExit("The citing comment does not show the cited comment's latest excerpt.")

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    print()
    print(
        f"References benchmark on {connection.display_name} {database_version(connection)} "
        f"(database {connection.settings_dict['NAME']})"
    )
    print(f"Machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min)")
    print(
        f"Cited comment: {len(cited.body_source):,} characters, {len(cited.body_html):,} of HTML. "
        f"Citing comments: {args.citing}, each {len(body):,} characters of {links} links to it; "
        f"each stores {len(citing.body_html):,} characters of HTML with "
        f"{references} references "
        f"(FORUM_MAX_REFERENCES_PER_COMMENT = {settings.FORUM_MAX_REFERENCES_PER_COMMENT}); "
        f"{CommentLink.objects.filter(target=cited).count()} backlinks."
    )
    print(f"Medians of {args.repeat} timed calls; the refresh is what the task worker then does.")
    print()
    rows = [("Measure", "Result", "Target", "")]
    post_seconds = median([seconds for seconds, _, _ in timed_posts])
    rows += [
        (
            "Post a citing comment: median",
            f"{post_seconds * 1000:.0f} ms",
            f"<= {POST_SECONDS:.0f} s",
            verdict(post_seconds, POST_SECONDS),
        ),
        ("Post a citing comment: queries", median([queries for _, queries, _ in timed_posts]), "", ""),
    ]
    for action, samples in changes.items():
        seconds = median([seconds for seconds, _, _ in samples])
        rows += [
            (
                f"{action.capitalize()} the cited comment: median",
                f"{seconds * 1000:.0f} ms",
                f"<= {CHANGE_SECONDS:.0f} s",
                verdict(seconds, CHANGE_SECONDS),
            ),
            (f"{action.capitalize()} the cited comment: queries", median([q for _, q, _ in samples]), "", ""),
        ]
        work = refreshes[action]
        rows += [
            (
                "  then the refresh task: median",
                f"{median([w[0] for w in work]) * 1000:.0f} ms for {median([w[2] for w in work])} bodies",
                "",
                "",
            ),
            ("  then the refresh task: queries", median([w[1] for w in work]), "", ""),
        ]
    print_table(rows)
    print()
    print_misses(rows)


def main(argv=None):
    args = parse_args(argv)
    setup_django()

    from django.conf import settings

    # The real queue, so posting and changing pay for queueing the refresh as
    # they do on the site; the benchmark then runs the queued tasks itself.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    with throwaway_database(BENCH_DATABASE_NAME, keep=args.keep):
        run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
