"""A storm of replies into one thread from separate OS processes (PostgreSQL):
every reply is stored and the tree stays what a rebuild would make.

Threads in one process share the GIL and often take turns; here 8 processes,
each with its own connection, reply at once as 8 app servers would. They are
started with "spawn", so each imports this module afresh before Django is set
up: Django is imported inside the functions.
"""

import multiprocessing
import os
import random
from urllib.parse import quote

import pytest

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

PROCESSES = 8
REPLIES = 200
SECONDS_ALLOWED = 60


def database_url(settings_dict) -> str:
    """The URL of the database the test runs in, for the other processes."""
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def reply_under_random_comments(url, tree_id, author_ids, count, seed, barrier, results):
    """One process's share of the storm: `count` replies, each under a comment
    of the thread picked at random among those stored so far."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "consultation.settings",
            "DATABASE_URL": url,
            "SECRET_KEY": "reply-storm-test-key",
            "REDIS_URL": "",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from accounts.models import User
    from forum import services
    from forum.models import Comment

    # The limits count per person; the storm is about the tree, not about them.
    settings.FORUM_RATE_LIMITS = {}
    rng = random.Random(seed)
    stored, error = [], None
    try:
        authors = list(User.objects.filter(pk__in=author_ids))
        barrier.wait(timeout=SECONDS_ALLOWED)
        for n in range(count):
            in_thread = list(Comment.objects.filter(tree_id=tree_id).values_list("pk", flat=True))
            parent = Comment.objects.get(pk=rng.choice(in_thread))
            reply = services.reply_to_comment(rng.choice(authors), parent=parent, body=f"Storm reply {seed}.{n}")
            stored.append(reply.pk)
    except Exception as failure:  # reported to the test, which asserts there was none
        error = repr(failure)
    finally:
        connection.close()
        results.put((seed, stored, error))


def run_storm(tree_id, author_ids):
    """Start the processes together; return {seed: (stored pks, error)}."""
    from django.db import connection

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    url = database_url(connection.settings_dict)
    shares = [REPLIES // PROCESSES + (1 if n < REPLIES % PROCESSES else 0) for n in range(PROCESSES)]
    processes = [
        context.Process(
            target=reply_under_random_comments, args=(url, tree_id, author_ids, share, seed, barrier, results)
        )
        for seed, share in enumerate(shares)
    ]
    for process in processes:
        process.start()
    try:
        outcomes = {}
        for _ in processes:
            seed, stored, error = results.get(timeout=SECONDS_ALLOWED)
            outcomes[seed] = (stored, error)
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    return outcomes


def test_two_hundred_replies_from_eight_processes_are_all_stored_in_a_sound_tree(room):
    from forum import trees
    from forum.models import Comment
    from tests import factories

    root = factories.make_comment(room, body="How should the programme measure its results?")
    for n in range(3):
        factories.make_reply(root, body=f"An early reply {n}")
    author_ids = [factories.make_user().pk for _ in range(16)]

    outcomes = run_storm(root.tree_id, author_ids)

    assert {seed: error for seed, (_, error) in outcomes.items() if error} == {}
    stored = [pk for pks, _ in outcomes.values() for pk in pks]
    assert len(stored) == len(set(stored)) == REPLIES
    # A storm, not a queue: the processes' replies were written in between each other's.
    spans = sorted((min(pks), max(pks)) for pks, _ in outcomes.values())
    assert any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:]))
    thread = Comment.objects.filter(tree_id=root.tree_id)
    assert set(stored) <= set(thread.values_list("pk", flat=True))
    assert thread.count() == 1 + 3 + REPLIES
    assert trees.check_trees().broken == []

    # What django-mptt's rebuild makes of the parent links is what was stored,
    # and the replies under each comment come in the order they were posted.
    as_stored = list(thread.order_by("pk").values_list("pk", "parent_id", "lft", "rght", "level"))
    Comment.objects.partial_rebuild(root.tree_id)
    assert list(thread.order_by("pk").values_list("pk", "parent_id", "lft", "rght", "level")) == as_stored
    siblings = {}
    for pk, parent_id in thread.order_by("lft").values_list("pk", "parent_id"):
        siblings.setdefault(parent_id, []).append(pk)
    assert all(pks == sorted(pks) for pks in siblings.values())
    room.refresh_from_db()
    assert room.comment_count == 1 + 3 + REPLIES
