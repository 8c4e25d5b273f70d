"""Concurrent writers on PostgreSQL: the trees stay exactly what a rebuild would make.

These run in the PostgreSQL pass (bin/test deselects them on SQLite, where
writes take turns anyway)."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from forum import services
from forum.counts import recount_rooms
from forum.models import Comment
from forum.trees import check_trees
from tests import factories

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def run_at_once(jobs):
    """Start every job together, each on its own connection; return the errors."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=30)
            job()
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def tree_snapshot(tree_id):
    return list(
        Comment.objects.filter(tree_id=tree_id).order_by("pk").values_list("pk", "parent_id", "lft", "rght", "level")
    )


def test_the_tests_run_on_postgresql():
    assert connection.vendor == "postgresql"


def test_twenty_concurrent_replies_are_all_stored_and_the_tree_is_valid(room):
    root = factories.make_comment(room, body="Where should the programme invest?")
    first_replies = [factories.make_reply(root) for _ in range(3)]
    parents = [root, *first_replies]
    authors = [factories.make_user() for _ in range(20)]
    jobs = [
        (lambda author=author, n=n: services.reply_to_comment(author, parent=parents[n % 4], body=f"Reply {n}"))
        for n, author in enumerate(authors)
    ]

    errors = run_at_once(jobs)

    assert errors == []
    assert Comment.objects.filter(tree_id=root.tree_id).count() == 24
    before = tree_snapshot(root.tree_id)
    Comment.objects.partial_rebuild(root.tree_id)
    assert tree_snapshot(root.tree_id) == before
    root.refresh_from_db()
    assert (root.lft, root.rght) == (1, 48)
    room.refresh_from_db()
    assert room.comment_count == 24


def test_concurrent_new_threads_get_their_own_trees_and_numbers(consultation):
    rooms = [factories.make_room(consultation), factories.make_room(consultation)]
    authors = [factories.make_user() for _ in range(16)]
    jobs = [
        (lambda author=author, n=n: services.post_comment(author, room=rooms[n % 2], body=f"Thread {n}"))
        for n, author in enumerate(authors)
    ]

    errors = run_at_once(jobs)

    assert errors == []
    roots = list(Comment.objects.roots())
    assert len(roots) == 16
    assert len({root.tree_id for root in roots}) == 16
    for room in rooms:
        numbers = sorted(root.thread_number for root in roots if root.room_id == room.pk)
        assert numbers == list(range(1, 9))
        room.refresh_from_db()
        assert room.thread_count == 8


def test_the_same_form_sent_twice_at_once_stores_one_comment(room):
    author = factories.make_user()
    parent = factories.make_comment(room)
    token = "0f6d3c52-5a9e-4c3e-8b1e-6f1f9a0f2b44"
    jobs = [
        (lambda: services.reply_to_comment(author, parent=parent, body="Double click", client_token=token))
        for _ in range(2)
    ]

    errors = run_at_once(jobs)

    assert errors == []
    assert Comment.objects.filter(parent=parent).count() == 1


def test_one_form_s_token_sent_to_two_threads_at_once_stores_one_reply_and_refuses_the_other(room):
    author = factories.make_user()
    first, second = factories.make_comment(room), factories.make_comment(room)
    token = "3e2b4f0c-8d1a-4d6e-9c55-0b7a2f6d9e11"
    jobs = [
        (lambda parent=parent: services.reply_to_comment(author, parent=parent, body="Two tabs", client_token=token))
        for parent in (first, second)
    ]

    errors = run_at_once(jobs)

    assert [getattr(error, "code", type(error).__name__) for error in errors] == ["token_used_elsewhere"]
    assert Comment.objects.filter(author=author).count() == 1
    room.refresh_from_db()
    assert room.comment_count == 3


def test_one_form_s_token_sent_as_a_thread_and_a_reply_at_once_never_deadlocks(room):
    author = factories.make_user()
    parent = factories.make_comment(room)
    token = "7a1c9e24-2b6d-4f8a-a3e0-5d4c1b9f8e22"
    jobs = [
        lambda: services.post_comment(author, room=room, body="As a thread", client_token=token),
        lambda: services.reply_to_comment(author, parent=parent, body="As a reply", client_token=token),
    ]

    errors = run_at_once(jobs)

    assert [getattr(error, "code", type(error).__name__) for error in errors] == ["token_used_elsewhere"]
    assert Comment.objects.filter(author=author).count() == 1


def test_an_account_deleted_while_others_reply_and_a_moderator_hides_keeps_trees_and_counts(room, moderator):
    person = factories.make_user("Leaving Soon")
    root = factories.make_comment(room, person, body="A thread that will lose its author.")
    theirs = [root, *(factories.make_reply(root, person, body=f"More from them {n}") for n in range(3))]
    others = [factories.make_user() for _ in range(8)]
    jobs = [
        lambda: services.delete_account(person, person=person, keep_texts=False),
        # A double click: the second finds nobody left to delete.
        lambda: services.delete_account(person, person=person, keep_texts=False),
        lambda: services.hide_comment(moderator, comment=theirs[2], reason="Off-topic"),
        *(
            (lambda author=author, n=n: services.reply_to_comment(author, parent=theirs[n % 4], body=f"Reply {n}"))
            for n, author in enumerate(others)
        ),
    ]

    errors = run_at_once(jobs)

    # Replying to, or hiding, a comment whose text is gone is refused; nothing else fails.
    assert [error for error in errors if not isinstance(error, PermissionDenied | ValidationError)] == []
    assert not type(person).objects.filter(pk=person.pk).exists()
    assert check_trees().broken == []
    before = tree_snapshot(root.tree_id)
    Comment.objects.partial_rebuild(root.tree_id)
    assert tree_snapshot(root.tree_id) == before
    assert recount_rooms(repair=False) == []
