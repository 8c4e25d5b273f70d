"""A room's stored counts, and each comment's own (endorsements, a thread's
latest activity), always equal what the rows say, whatever happens to them;
`manage.py recount` finds and repairs counts that drifted."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum import services
from forum.counts import recount_rooms
from forum.models import Room
from forum.trees import check_trees
from tests import factories

pytestmark = pytest.mark.django_db

LINKS = " ".join(f"https://example.org/{n}" for n in range(6))

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "post",
                "post_links",
                "reply",
                "edit",
                "edit_links",
                "delete",
                "hide",
                "restore",
                "approve",
                "delete_account_keeping_texts",
                "delete_account_removing_texts",
                "endorse",
                "withdraw",
            ]
        ),
        st.integers(min_value=0, max_value=30),
        st.integers(min_value=0, max_value=2),
    ),
    min_size=1,
    max_size=20,
)


class _Rollback(Exception):
    pass


def _act(step, comments, people, moderator, room):
    action, index, who = step
    target = comments[index % len(comments)] if comments else None
    if action.startswith("delete_account"):
        person = people[who]
        services.delete_account(person, person=person, keep_texts=action.endswith("keeping_texts"))
        people[who] = factories.make_user()  # someone new takes their place in the next steps
    elif action in {"post", "post_links"}:
        body = f"Thread {len(comments)}" + (f" {LINKS}" if action == "post_links" else "")
        comments.append(services.post_comment(people[who], room=room, body=body))
    elif target is None or (target.author_id is None and action in {"edit", "edit_links", "delete"}):
        return
    elif action == "reply":
        comments.append(services.reply_to_comment(people[who], parent=target, body=f"Reply {len(comments)}"))
    elif action in {"edit", "edit_links"}:
        body = f"Edited {index}" + (f" {LINKS}" if action == "edit_links" else "")
        services.edit_comment(target.author, comment=target, body=body)
    elif action == "delete":
        services.delete_comment(target.author, comment=target)
    elif action == "hide":
        services.hide_comment(moderator, comment=target, reason="Off-topic")
    elif action == "restore":
        services.restore_comment(moderator, comment=target)
    elif action == "approve":
        services.approve_comment(moderator, comment=target)
    elif action in {"endorse", "withdraw"}:
        kind = ["agree", "useful"][index % 2]
        services.set_endorsement(people[who], comment=target, kind=kind, endorsed=action == "endorse")
    for comment in comments:
        comment.refresh_from_db()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_counts_equal_a_recount_after_every_post_reply_edit_delete_hide_restore_approval_endorsement_and_account_deletion(
    steps, consultation
):
    try:
        with transaction.atomic():
            # New accounts' link-heavy comments are held: approvals have work.
            room = factories.make_room(consultation)
            moderator = factories.make_user("Maria Moderator")
            factories.assign_moderator(room, moderator)
            people = [factories.make_user() for _ in range(3)]
            comments = []
            for step in steps:
                try:
                    _act(step, comments, people, moderator, room)
                except (PermissionDenied, ValidationError):
                    pass  # refused, as a person would be: the counts must still hold
                assert recount_rooms([room], repair=False) == [], step
                assert check_trees().broken == [], step
            raise _Rollback
    except _Rollback:
        pass


def test_recount_repairs_drifted_counts_and_says_what_it_fixed(room, participant, capsys):
    first = factories.make_comment(room, participant)
    factories.make_reply(first, participant)
    Room.objects.filter(pk=room.pk).update(comment_count=7, thread_count=0)

    call_command("recount")

    room.refresh_from_db()
    assert (room.comment_count, room.thread_count) == (2, 1)
    out = capsys.readouterr().out
    assert "comment_count fixed: stored 7, counted 2" in out
    assert "thread_count fixed: stored 0, counted 1" in out


def test_recount_check_only_reports_and_fails(room, participant, capsys):
    factories.make_comment(room, participant)
    Room.objects.filter(pk=room.pk).update(comment_count=0)

    with pytest.raises(CommandError):
        call_command("recount", "--check")

    room.refresh_from_db()
    assert room.comment_count == 0
    assert "comment_count is wrong: stored 0, counted 1" in capsys.readouterr().out


def test_recount_of_right_counts_changes_nothing(room, participant, capsys):
    factories.make_comment(room, participant)

    call_command("recount")

    assert "Every room's counts match its comments." in capsys.readouterr().out
