"""Who may do what, as one table: every action on room A for every role, asked
with a real request and checked in the database.

Each test builds its own small world: a consultation with room A (the room
under test) and room B, a comment by the author in room A with a reply, and
one person for each role. "allowed" means a 2xx/3xx answer that is not a
redirect to the log-in page and whose effect is in the database; a refusal
(403, 404 or "login") must leave the database as it was.

Export (a summary as CSV or JSON) does not exist yet, so the table has no row
for it: add one, for every role, when it does.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from forum import services
from forum.models import Comment, Endorsement, Finding, ModerationAction, Report, ReportSnapshot, Room, Suspension
from forum.services import synthesis
from tests import factories

Action = ModerationAction.Action

ALLOWED, LOGIN = "allowed", "login"

ROLES = (
    "anonymous",
    "participant",
    "author",
    "suspended",
    "moderator",
    "other_room_moderator",
    "past_moderator",
    "future_moderator",
    "staff",
)

# One row per action, one column per role in the order of ROLES (no export row yet: see above).
_OK, _L = ALLOWED, LOGIN
EXPECTED_ROWS = {
    #             anonymous participant author suspended moderator other_room past future staff
    "view": (_OK, _OK, _OK, _OK, _OK, _OK, _OK, _OK, _OK),
    "post": (_L, _OK, _OK, 403, _OK, _OK, _OK, _OK, _OK),
    "reply": (_L, _OK, _OK, 403, _OK, _OK, _OK, _OK, _OK),
    "edit": (_L, 403, _OK, 403, 403, 403, 403, 403, 403),
    "delete": (_L, 403, _OK, 403, 403, 403, 403, 403, 403),
    # A suspended participant's reports would count towards hiding a comment: they wait too.
    "report": (_L, _OK, 403, 403, _OK, _OK, _OK, _OK, _OK),
    # Endorsing is a voice too: not one's own comment, not while suspended.
    "endorse": (_L, _OK, 403, 403, _OK, _OK, _OK, _OK, _OK),
    "hide": (_L, 403, 403, 403, _OK, 403, 403, 403, _OK),
    "restore": (_L, 403, 403, 403, _OK, 403, 403, 403, _OK),
    "pin": (_L, 403, 403, 403, _OK, 403, 403, 403, _OK),
    "highlight": (_L, 403, 403, 403, _OK, 403, 403, 403, _OK),
    "lock": (_L, 403, 403, 403, _OK, 403, 403, 403, _OK),
    "close": (_L, 403, 403, 403, _OK, 403, 403, 403, _OK),
    # A suspension covers the whole consultation, so whoever is on duty in any
    # of its rooms may suspend; off the rota, nobody but staff.
    "suspend": (_L, 403, 403, 403, _OK, _OK, 403, 403, _OK),
    "tag": (_L, 403, 403, 403, _OK, 403, 403, 403, _OK),
    "flag": (_L, 403, 403, 403, _OK, 403, 403, 403, _OK),
    # The report's workbench is the consultation's: whoever is on duty in any of its rooms, and staff
    # (and its rapporteurs, tests/forum/test_synthesis.py); publishing is for rapporteurs and staff.
    "write_finding": (_L, 403, 403, 403, _OK, _OK, 403, 403, _OK),
    "tag_for_report": (_L, 403, 403, 403, _OK, _OK, 403, 403, _OK),
    "publish_report": (_L, 403, 403, 403, 403, 403, 403, 403, _OK),
}
EXPECTED = {(action, role): answer for action, row in EXPECTED_ROWS.items() for role, answer in zip(ROLES, row)}

NEW_THREAD = "A new thread about court fees."
NEW_REPLY = "A reply about legal aid clinics."
EDITED = "The comment, rewritten by its author."
HIDE_REASON = "Personal attack, against rule 2."


@dataclass
class World:
    consultation: object
    room_a: Room
    room_b: Room
    question_a: object
    question_b: object
    comment: Comment
    reply: Comment
    comment_b: Comment
    people: dict

    def refresh(self):
        self.comment.refresh_from_db()
        self.room_a.refresh_from_db()


@pytest.fixture
def world(db):
    consultation = factories.make_consultation()
    room_a = factories.make_room(consultation, title="Access to justice")
    room_b = factories.make_room(consultation, title="Civic space")
    author = factories.make_user("Ngozi Author")
    people = {
        "anonymous": None,
        "participant": factories.make_user("Amina Participant"),
        "author": author,
        "suspended": factories.make_user("Sergei Suspended"),
        "moderator": factories.make_user("Maria Moderator"),
        "other_room_moderator": factories.make_user("Otto Other-Room"),
        "past_moderator": factories.make_user("Paula Past"),
        "future_moderator": factories.make_user("Felix Future"),
        "staff": factories.make_user("Sam Staff", is_staff=True),
    }
    factories.assign_moderator(room_a, people["moderator"], starts_in_days=-3, ends_in_days=3)
    factories.assign_moderator(room_b, people["other_room_moderator"], starts_in_days=-3, ends_in_days=3)
    factories.assign_moderator(room_a, people["past_moderator"], starts_in_days=-10, ends_in_days=-1)
    factories.assign_moderator(room_a, people["future_moderator"], starts_in_days=1, ends_in_days=10)
    comment = factories.make_comment(room_a, author, body="Legal aid is underfunded in rural areas.")
    reply = factories.make_reply(comment, factories.make_user("Rui Replier"), body="Mobile clinics help.")
    comment_b = factories.make_comment(room_b, factories.make_user("Bea Room-B"), body="Journalists need protection.")
    services.suspend_participant(
        people["staff"], consultation=consultation, person=people["suspended"], reason="Repeated insults."
    )
    return World(
        consultation=consultation,
        room_a=room_a,
        room_b=room_b,
        question_a=factories.make_question(room_a, "What keeps people from court?"),
        question_b=factories.make_question(room_b, "Who protects journalists?"),
        comment=comment,
        reply=reply,
        comment_b=comment_b,
        people=people,
    )


# --- The actions -------------------------------------------------------------------


def room_url(name, room, **kwargs):
    return reverse(
        f"forum:{name}", kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug, **kwargs}
    )


def act_url(comment, action):
    return reverse("forum:act-on-comment", kwargs={"comment_id": comment.pk, "action": action})


@dataclass(frozen=True)
class Step:
    """One action: the request that asks for it, and the rows that exist only once it
    has happened (`by` names the field that must point at the person who acted)."""

    send: Callable
    done: Callable[[World], QuerySet] | None
    by: str | None = None
    prepare: Callable[[World], None] | None = None


def _logged(comment_filter, action):
    """The comment in the wanted state, with its entry in the moderation log."""
    return lambda w: Comment.objects.filter(pk=w.comment.pk, moderation_actions__action=action, **comment_filter)


def _hide_first(w):
    services.hide_comment(w.people["staff"], comment=w.comment, reason="Waiting for a second look.")


def _flag_colleague(w, actor):
    # Nobody can flag a comment to themself: staff flag to the room's moderator.
    return w.people["moderator"] if actor == w.people["staff"] else w.people["staff"]


ACTIONS = {
    "view": Step(send=lambda c, w, actor: c.get(w.room_a.get_absolute_url()), done=None),
    "post": Step(
        send=lambda c, w, actor: c.post(room_url("new-comment", w.room_a), {"body": NEW_THREAD}),
        done=lambda w: Comment.objects.filter(room=w.room_a, level=0, body_source=NEW_THREAD),
        by="author",
    ),
    "reply": Step(
        send=lambda c, w, actor: c.post(room_url("reply", w.room_a, comment_id=w.comment.pk), {"body": NEW_REPLY}),
        done=lambda w: Comment.objects.filter(parent=w.comment, body_source=NEW_REPLY),
        by="author",
    ),
    "edit": Step(
        send=lambda c, w, actor: c.post(reverse("forum:edit-comment", args=[w.comment.pk]), {"body": EDITED}),
        done=lambda w: Comment.objects.filter(pk=w.comment.pk, body_source=EDITED, revisions__isnull=False),
        by="author",
    ),
    "delete": Step(
        send=lambda c, w, actor: c.post(reverse("forum:delete-comment", args=[w.comment.pk])),
        done=lambda w: Comment.objects.filter(pk=w.comment.pk, state=Comment.State.DELETED),
        by="author",
    ),
    "report": Step(
        send=lambda c, w, actor: c.post(
            reverse("forum:report-comment", args=[w.comment.pk]), {"reason": "abusive", "note": "Name-calling."}
        ),
        done=lambda w: Report.objects.filter(comment=w.comment, reason=Report.Reason.ABUSIVE),
        by="reporter",
    ),
    "endorse": Step(
        send=lambda c, w, actor: c.post(reverse("forum:endorse-comment", args=[w.comment.pk]), {"kind": "agree"}),
        done=lambda w: Endorsement.objects.filter(comment=w.comment, kind="agree", comment__agree_count=1),
        by="person",
    ),
    "hide": Step(
        send=lambda c, w, actor: c.post(act_url(w.comment, "hide"), {"reason": HIDE_REASON}),
        done=_logged({"state": Comment.State.HIDDEN, "hidden_reason": HIDE_REASON}, Action.HIDE),
        by="moderation_actions__moderator",
    ),
    "restore": Step(
        send=lambda c, w, actor: c.post(act_url(w.comment, "restore")),
        done=_logged({"state": Comment.State.VISIBLE}, Action.RESTORE),
        by="moderation_actions__moderator",
        prepare=_hide_first,
    ),
    "pin": Step(
        send=lambda c, w, actor: c.post(act_url(w.comment, "pin")),
        done=_logged({"is_pinned": True}, Action.PIN),
        by="moderation_actions__moderator",
    ),
    "highlight": Step(
        send=lambda c, w, actor: c.post(act_url(w.comment, "highlight")),
        done=_logged({"is_highlighted": True}, Action.HIGHLIGHT),
        by="moderation_actions__moderator",
    ),
    "lock": Step(
        send=lambda c, w, actor: c.post(act_url(w.comment, "lock")),
        done=_logged({"is_locked": True}, Action.LOCK),
        by="moderation_actions__moderator",
    ),
    "close": Step(
        send=lambda c, w, actor: c.post(room_url("room-state", w.room_a), {"confirm": "yes"}),
        done=lambda w: Room.objects.filter(
            pk=w.room_a.pk, state=Room.State.CLOSED, moderation_actions__action=Action.CLOSE
        ),
        by="moderation_actions__moderator",
    ),
    "suspend": Step(
        send=lambda c, w, actor: c.post(
            reverse("forum:suspend", args=[w.consultation.slug, w.people["participant"].handle]),
            {"reason": "Insulting other participants.", "days": "7"},
        ),
        done=lambda w: Suspension.objects.filter(
            consultation=w.consultation, user=w.people["participant"], lifted_at__isnull=True
        ),
        by="created_by",
    ),
    "tag": Step(
        send=lambda c, w, actor: c.post(act_url(w.comment, "tag"), {"question": w.question_a.pk}),
        done=lambda w: Comment.objects.filter(
            pk=w.comment.pk, guiding_question=w.question_a, moderation_actions__action=Action.TAG
        ),
        by="moderation_actions__moderator",
    ),
    "flag": Step(
        send=lambda c, w, actor: c.post(
            reverse("forum:flag-comment", args=[w.comment.pk]),
            {"colleague": _flag_colleague(w, actor).pk, "note": "This relates to the civic space room."},
        ),
        done=lambda w: ModerationAction.objects.filter(action=Action.FLAG, comment=w.comment),
        by="moderator",
    ),
    "write_finding": Step(
        send=lambda c, w, actor: c.post(
            reverse("forum:report-add-finding", args=[w.consultation.slug]),
            {"section": str(w.question_a.pk), "text": "Legal aid must come before the hearing."},
        ),
        done=lambda w: Finding.objects.filter(consultation=w.consultation, question=w.question_a),
        by="written_by",
    ),
    "tag_for_report": Step(
        send=lambda c, w, actor: c.post(
            reverse("forum:report-tag", args=[w.consultation.slug]),
            {"comment": w.comment.pk, "question": w.question_a.pk},
        ),
        done=lambda w: Comment.objects.filter(
            pk=w.comment.pk, guiding_question=w.question_a, moderation_actions__action=Action.TAG
        ),
        by="moderation_actions__moderator",
    ),
    "publish_report": Step(
        send=lambda c, w, actor: c.post(
            reverse("forum:report-publish", args=[w.consultation.slug]), {"confirm": "yes"}
        ),
        done=lambda w: ReportSnapshot.objects.filter(consultation=w.consultation),
        by="published_by",
        prepare=lambda w: synthesis.add_finding(
            w.people["staff"], consultation=w.consultation, question=w.question_a, text="A first finding."
        ),
    ),
}


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302) and urlsplit(response["Location"]).path == reverse("account_login")


def answer_given(response, step: Step, world: World) -> str | int:
    """What the application answered, in the table's words."""
    if is_login_redirect(response):
        return LOGIN
    if response.status_code >= 400:
        return response.status_code
    if step.done is None:
        shown = response.status_code == 200 and world.comment.body_source in response.content.decode()
        return ALLOWED if shown else f"{response.status_code} without the comment on the page"
    if step.done(world).exists():
        return ALLOWED
    return f"{response.status_code} but nothing happened"


def test_the_table_covers_every_action_for_every_role():
    assert set(EXPECTED_ROWS) == set(ACTIONS)
    assert all(len(row) == len(ROLES) for row in EXPECTED_ROWS.values())


@pytest.mark.parametrize(("action", "role"), list(EXPECTED), ids=[f"{a}-{r}" for a, r in EXPECTED])
def test_each_role_gets_exactly_the_answer_the_table_gives_for_each_action(client, world, action, role):
    step = ACTIONS[action]
    expected = EXPECTED[action, role]
    if step.prepare:
        step.prepare(world)
    actor = world.people[role]
    if actor is not None:
        client.force_login(actor)

    response = step.send(client, world, actor)

    assert answer_given(response, step, world) == expected, (
        f"{role} asking to {action}: status {response.status_code} {response.get('Location', '')}"
    )
    if step.done is None:
        return
    if expected == ALLOWED:
        assert step.done(world).filter(**{step.by: actor}).exists(), f"the {action} is not recorded as {role}'s"
    else:
        assert not step.done(world).exists(), f"{role} was refused to {action}, yet it happened"


# --- Wrong methods -------------------------------------------------------------------


WRONG_METHODS = [
    ("get", lambda w: act_url(w.comment, "hide"), "POST"),
    ("put", lambda w: room_url("room-state", w.room_a), "GET, POST"),
    ("get", lambda w: room_url("follow-room", w.room_a), "POST"),
    ("put", lambda w: room_url("new-comment", w.room_a), "GET, POST"),
    ("delete", lambda w: w.comment.get_absolute_url(), "GET, HEAD"),
]


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    WRONG_METHODS,
    ids=["get-act-on-comment", "put-room-state", "get-follow-room", "put-new-comment", "delete-permalink"],
)
@pytest.mark.parametrize("role", ["anonymous", "moderator"])
def test_a_wrong_method_gets_405_and_changes_nothing(client, world, method, url, allow, role):
    if world.people[role] is not None:
        client.force_login(world.people[role])

    response = client.generic(method.upper(), url(world), "body=Sent+the+wrong+way.")

    assert response.status_code == 405
    assert response["Allow"] == allow
    world.refresh()
    assert world.comment.is_visible
    assert world.room_a.is_open
    assert not ModerationAction.objects.exclude(action=Action.SUSPEND).exists()
    assert not Comment.objects.filter(body_source__contains="Sent the wrong way").exists()
    assert not world.room_a.follows.exists()


# --- Forged ids ----------------------------------------------------------------------


def test_replying_through_room_a_to_a_comment_of_room_b_is_not_found(client, world):
    client.force_login(world.people["participant"])

    response = client.post(room_url("reply", world.room_a, comment_id=world.comment_b.pk), {"body": NEW_REPLY})

    assert response.status_code == 404
    assert not Comment.objects.filter(body_source=NEW_REPLY).exists()


def test_a_thread_of_room_b_is_not_found_under_room_a(client, world):
    response = client.get(room_url("thread", world.room_a, comment_id=world.comment_b.pk))

    assert response.status_code == 404
    assert client.get(room_url("thread", world.room_b, comment_id=world.comment_b.pk)).status_code == 200


@pytest.mark.parametrize("role", ["moderator", "staff"])
def test_tagging_with_a_question_of_another_room_is_not_found_and_changes_nothing(client, world, role):
    client.force_login(world.people[role])

    response = client.post(act_url(world.comment, "tag"), {"question": world.question_b.pk})

    assert response.status_code == 404
    world.refresh()
    assert world.comment.guiding_question_id is None
    assert not ModerationAction.objects.filter(action=Action.TAG).exists()


@pytest.mark.parametrize("role", ["moderator", "staff"])
def test_lifting_a_suspension_of_another_consultation_is_not_found_and_lifts_nothing(client, world, role):
    elsewhere = factories.make_room(title="Elsewhere")
    other_admin = factories.make_user("Olga Elsewhere", is_staff=True)
    suspension = services.suspend_participant(
        other_admin, consultation=elsewhere.consultation, person=world.people["participant"], reason="Spam."
    )
    client.force_login(world.people[role])

    response = client.post(reverse("forum:lift-suspension", args=[world.consultation.slug, suspension.pk]))

    assert response.status_code == 404
    suspension.refresh_from_db()
    assert suspension.lifted_at is None
    assert not ModerationAction.objects.filter(action=Action.UNSUSPEND).exists()
