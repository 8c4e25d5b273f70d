"""Who may do what. The one place that knows the moderator rota.

`why_cannot_…` predicates return the refusal in words a person can act on
(None when nothing stands in the way); `can_…` predicates are their yes/no.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format

# Refusals are worked out for every comment a page draws and shown for few: lazy, they cost no lookup until shown.
from django.utils.translation import gettext_lazy as _

from accounts.text import names_look_alike
from forum.prepared import PreparedQuery
from forum.models import Comment, Consultation, ModeratorInvitation, Rapporteur, Room, RoomModerator, Suspension


def has_confirmed_email(user) -> bool:
    """The person has confirmed at least one email address (remembered per request)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_has_confirmed_email"):
        user._has_confirmed_email = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user._has_confirmed_email


def remember_confirmed_email(user, confirmed: bool) -> None:
    """What a selector read with the page (selectors.get_room_to_read), so asking costs no query."""
    user._has_confirmed_email = confirmed


def can_be_emailed(user) -> bool:
    """Email goes only to an active person's address they have confirmed: anyone
    can sign up with someone else's address, which must then receive nothing."""
    return (
        user.is_active
        and bool(user.email)
        and EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    )


def active_suspension(user, consultation_id: int) -> Suspension | None:
    """The suspension keeping the person from posting in the consultation, if any (remembered per request)."""
    if not user.is_authenticated:
        return None
    remembered = user.__dict__.setdefault("_suspensions", {})
    if consultation_id not in remembered:
        remembered[consultation_id] = (
            Suspension.objects.filter(consultation_id=consultation_id, user=user)
            .in_force(timezone.now())
            .order_by("until")
            .last()
        )
    return remembered[consultation_id]


def remember_not_suspended(user, consultation_id: int) -> None:
    """What a selector read with the page (selectors.get_room_to_read), so asking costs no query."""
    user.__dict__.setdefault("_suspensions", {})[consultation_id] = None


def read_posting_facts(user, consultation_id: int) -> None:
    """Read in one query what the rules on posting ask about a person (a
    confirmed address, a suspension from the consultation in force, whether
    they are on any rota at all) and remember it for the request, so that
    why_cannot_post and is_room_moderator ask nothing more of most people.
    Someone on a rota has their lines read by rooms_on_duty, as before."""
    if not user.is_authenticated or getattr(user, "_has_confirmed_email", None) is not None:
        return
    facts = _POSTING_FACTS.one(user_id=user.pk, consultation_id=consultation_id, now=timezone.now())
    remember_confirmed_email(user, facts["confirmed"])
    if not facts["suspended"]:
        remember_not_suspended(user, consultation_id)
    if not facts["on_a_rota"] and getattr(user, "_rota_lines", None) is None:
        user._rota_lines = []


def _posting_facts(*, user_id, consultation_id, now):
    return (
        get_user_model()
        .objects.filter(pk=user_id)
        .annotate(
            confirmed=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
            suspended=Exists(
                Suspension.objects.filter(consultation_id=consultation_id, user=OuterRef("pk")).in_force(now)
            ),
            on_a_rota=Exists(RoomModerator.objects.filter(user=OuterRef("pk"))),
        )
        .values("confirmed", "suspended", "on_a_rota")
    )


# Asked before every comment and reply: compiled once (forum.prepared).
_POSTING_FACTS = PreparedQuery(_posting_facts, user_id=int, consultation_id=int, now=datetime)


def rota_today(room: Room):
    """The room's rota lines that cover today in the consultation's time zone,
    but for people suspended from the consultation."""
    suspended = Suspension.objects.filter(consultation_id=room.consultation_id).in_force(timezone.now())
    return (
        RoomModerator.objects.filter(room=room)
        .on_duty(room.consultation.today())
        .exclude(user_id__in=suspended.values("user_id"))
    )


def rooms_on_duty(user) -> dict[int, int]:
    """The rooms (room id → consultation id) whose rota covers today for this
    person, each today in its consultation's time zone, but for consultations
    they are suspended from. The rota lines are read once per request (one
    query); the day is judged at each call."""
    # getattr, not __dict__: request.user is a lazy object passing attributes on.
    lines = getattr(user, "_rota_lines", None)
    if lines is None:
        suspended_from = Suspension.objects.filter(user=user).in_force(timezone.now()).values("consultation_id")
        lines = user._rota_lines = list(
            RoomModerator.objects.filter(user=user)
            .exclude(room__consultation_id__in=suspended_from)
            .values_list("room_id", "room__consultation_id", "room__consultation__time_zone", "starts_on", "ends_on")
        )
    on_duty = {}
    for room_id, consultation_id, time_zone, starts_on, ends_on in lines:
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(time_zone))
        if (starts_on is None or starts_on <= today) and (ends_on is None or today <= ends_on):
            on_duty[room_id] = consultation_id
    return on_duty


def is_room_moderator(user, room: Room, *, on_duty_ids=None) -> bool:
    """Staff, or someone whose rota assignment for this room covers today (in
    the consultation's time zone) and who is not suspended from its
    consultation. Pages that already hold the ids of today's moderators
    (selectors.room_rota, which leaves out the suspended) pass them
    as `on_duty_ids` to save a query."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    if on_duty_ids is not None:
        return user.pk in on_duty_ids
    return room.pk in rooms_on_duty(user)


def is_moderator_anywhere(user) -> bool:
    """Staff, or someone on today's rota of any room, outside the consultations they are suspended from."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or bool(rooms_on_duty(user))


def is_name_kept_for_moderators(name: str, *, person=None) -> bool:
    """Whether a participant may not take `name` because it reads as the name of
    staff or of someone on a room's rota (ACCOUNTS_DISPLAY_NAME_KEPT_FOR); staff
    may, and so may that person. Not by consultation: a name is shown everywhere."""
    if person is not None and person.is_staff:
        return False
    others = get_user_model().objects.filter(Q(is_staff=True) | Q(pk__in=RoomModerator.objects.values("user_id")))
    if person is not None and person.pk is not None:
        others = others.exclude(pk=person.pk)
    return any(names_look_alike(name, taken) for taken in others.values_list("display_name", flat=True))


def is_consultation_moderator(user, consultation: Consultation) -> bool:
    """Staff, or someone on duty today in one of the consultation's rooms and not suspended from it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or consultation.pk in rooms_on_duty(user).values()


def room_is_public(room: Room) -> bool:
    """Published rooms of published consultations are for everyone."""
    return room.is_published and room.consultation.is_published


def can_view_room(user, room: Room) -> bool:
    """Public rooms are for everyone; staff see the rest too."""
    return room_is_public(room) or (user.is_authenticated and user.is_staff)


def can_read_text(user, comment: Comment, *, moderates: bool) -> bool:
    """Whose eyes a comment's words are for: a visible comment is everyone's, a
    held one its author's and the room's moderators', a removed one only the
    moderators' (`moderates`: the viewer moderates the comment's room)."""
    if comment.state == Comment.State.VISIBLE or moderates:
        return True
    return comment.state == Comment.State.PENDING and user.is_authenticated and comment.author_id == user.pk


def why_cannot_post(user, room: Room) -> str | None:
    """What keeps this person from posting in the room; None when nothing does."""
    if not (user.is_authenticated and user.is_active) or not can_view_room(user, room):
        return _("You cannot post in this room.")
    if room.is_closed:
        return _("This room is closed: the discussion can be read but no longer added to.")
    if not room.is_open:
        if room.opening_date:
            return _("This room opens on %(date)s.") % {"date": date_format(room.opening_date, "DATE_FORMAT")}
        return _("This room has not opened yet.")
    if not has_confirmed_email(user):
        return _("Please confirm your email address before posting: follow the link in the email we sent you.")
    suspension = active_suspension(user, room.consultation_id)
    if suspension is not None:
        if suspension.until:
            return _("A moderator has suspended you from posting in this consultation until %(until)s: %(reason)s") % {
                "until": date_format(timezone.localtime(suspension.until), "DATETIME_FORMAT"),
                "reason": suspension.reason,
            }
        return _("A moderator has suspended you from posting in this consultation: %(reason)s") % {
            "reason": suspension.reason
        }
    return None


@dataclass(frozen=True)
class PageFacts:
    """What a page already knows when it asks the rules about each of its
    comments: whether the person may post in the room, and whether the
    comment's thread is locked. Without it each rule reads them itself."""

    posting_refusal: str | None
    thread_locked: bool
    # viewer_report_refusals(user, room), asked once for the page.
    report_refusals: tuple[str | None, str | None] | None = None


def thread_is_locked(comment: Comment) -> bool:
    """Whether the comment's thread is locked."""
    if comment.level == 0:
        return comment.is_locked
    return Comment.objects.filter(tree_id=comment.tree_id, level=0, is_locked=True).exists()


def why_cannot_reply(user, comment: Comment, *, facts: PageFacts | None = None) -> str | None:
    """What keeps this person from replying to the comment; None when nothing does."""
    refusal = facts.posting_refusal if facts else why_cannot_post(user, comment.room)
    if refusal is None and not comment.is_visible:
        refusal = _("This comment has been removed, so it cannot be replied to.")
    if refusal is None and (facts.thread_locked if facts else thread_is_locked(comment)):
        refusal = _("A moderator has locked this thread: no more replies can be added.")
    return refusal


def can_reply_to(user, comment: Comment, *, facts: PageFacts | None = None) -> bool:
    """Replies go under visible comments of unlocked threads, by people who may post in the room."""
    return why_cannot_reply(user, comment, facts=facts) is None


def why_cannot_edit(user, comment: Comment, *, facts: PageFacts | None = None) -> str | None:
    """Authors edit their own visible or held comments while they may post in the room."""
    if not user.is_authenticated or comment.author_id != user.pk:
        return _("Only the author can edit a comment.")
    if comment.state not in {Comment.State.VISIBLE, Comment.State.PENDING}:
        return _("This comment has been removed, so it cannot be edited.")
    return facts.posting_refusal if facts else why_cannot_post(user, comment.room)


def can_edit(user, comment: Comment, *, facts: PageFacts | None = None) -> bool:
    return why_cannot_edit(user, comment, facts=facts) is None


def why_cannot_delete(user, comment: Comment) -> str | None:
    """Authors delete their own comments, even in a closed room or while suspended."""
    if not user.is_authenticated or not user.is_active or comment.author_id != user.pk:
        return _("Only the author can delete a comment.")
    if comment.state not in {Comment.State.VISIBLE, Comment.State.PENDING}:
        return _("This comment has already been removed.")
    return None


def can_delete(user, comment: Comment) -> bool:
    return why_cannot_delete(user, comment) is None


def viewer_report_refusals(user, room: Room) -> tuple[str | None, str | None]:
    """What keeps the person from reporting any comment of the room: checked
    before "your own comment", and after it (see why_cannot_report)."""
    if not (user.is_authenticated and user.is_active) or not can_view_room(user, room):
        return _("You cannot report this comment."), None
    if not has_confirmed_email(user):
        return None, _("Please confirm your email address before reporting: follow the link in the email we sent you.")
    if user.date_joined > timezone.now() - timedelta(hours=settings.FORUM_REPORT_MIN_ACCOUNT_AGE_HOURS):
        return None, _("Your account is too new to report comments. Please try again in an hour or two.")
    if active_suspension(user, room.consultation_id) is not None:
        # Reports count towards hiding a comment, so they are a voice like posting.
        return None, _("While you are suspended from this consultation you cannot report comments.")
    return None, None


def why_cannot_report(user, comment: Comment, *, facts: PageFacts | None = None) -> str | None:
    """Any signed-in, unsuspended participant with a confirmed email address and an
    account at least FORUM_REPORT_MIN_ACCOUNT_AGE_HOURS old who can see a visible
    comment may report it, except their own."""
    first, later = (facts and facts.report_refusals) or viewer_report_refusals(user, comment.room)
    if first:
        return first
    if comment.author_id == user.pk:
        return _("You cannot report your own comment; you can edit or delete it.")
    if later:
        return later
    if not comment.is_visible:
        return _("This comment is no longer shown, so there is nothing to report.")
    return None


def can_report(user, comment: Comment, *, facts: PageFacts | None = None) -> bool:
    return why_cannot_report(user, comment, facts=facts) is None


def why_cannot_endorse(user, comment: Comment, *, facts: PageFacts | None = None) -> str | None:
    """People who may post in the room endorse others' visible comments (giving
    or withdrawing): not their own, not while suspended, not once the room is
    closed, when its figures are what the summary reports. A locked thread
    takes no more replies but may still be endorsed."""
    if not (user.is_authenticated and user.is_active) or not can_view_room(user, comment.room):
        return _("You cannot endorse this comment.")
    if comment.author_id == user.pk:
        return _("You cannot endorse your own comment.")
    if not comment.is_visible:
        return _("This comment is no longer shown, so it cannot be endorsed.")
    return facts.posting_refusal if facts else why_cannot_post(user, comment.room)


def can_endorse(user, comment: Comment, *, facts: PageFacts | None = None) -> bool:
    return why_cannot_endorse(user, comment, facts=facts) is None


def can_follow_thread(user, comment: Comment) -> bool:
    """Signed-in people follow threads by their visible first comment."""
    return user.is_authenticated and user.is_active and comment.level == 0 and comment.is_visible


# --- Moderators' work -------------------------------------------------------


def why_cannot_open_queue(user) -> str | None:
    """The moderation queue is for people on today's rota and staff."""
    if is_moderator_anywhere(user):
        return None
    return _("The moderation queue is for moderators on duty and staff.")


def why_cannot_moderate(user, room: Room) -> str | None:
    """Hiding, restoring, approving, pinning, locking, highlighting, tagging, closing: the room's moderators and staff."""
    return None if is_room_moderator(user, room) else _("Only this room's moderators can do this.")


def why_cannot_flag(user, comment: Comment) -> str | None:
    """Flagging a comment to a colleague is for the room's moderators and staff."""
    return None if is_room_moderator(user, comment.room) else _("Only this room's moderators can flag its comments.")


def why_cannot_read_shift_notes(user, room: Room) -> str | None:
    """Shift notes are for the room's moderators on duty and staff, who also write them."""
    if is_room_moderator(user, room):
        return None
    return _("Shift notes are for this room's moderators.")


def why_cannot_write_summary(user, room: Room) -> str | None:
    """The room's moderators and staff write and edit its summaries."""
    if is_room_moderator(user, room):
        return None
    return _("Only this room's moderators can write and edit its summaries.")


def why_cannot_suspend(user, consultation: Consultation) -> str | None:
    """Any moderator on duty in one of the consultation's rooms, and staff, may suspend in it."""
    if is_consultation_moderator(user, consultation):
        return None
    return _("Only this consultation's moderators can suspend participants.")


def why_cannot_lift_suspension(user, suspension: Suspension) -> str | None:
    """The consultation's moderators and staff lift suspensions."""
    if is_consultation_moderator(user, suspension.consultation):
        return None
    return _("Only this consultation's moderators can lift suspensions.")


# --- The report ---------------------------------------------------------------


def remember_rapporteur(user, consultation_id: int, is_rapporteur: bool) -> None:
    """What a selector read with the page (selectors.get_room_to_read), so asking costs no query."""
    user.__dict__.setdefault("_rapporteur_of", {})[consultation_id] = is_rapporteur


def is_rapporteur(user, consultation: Consultation) -> bool:
    """Assigned in the admin to write this consultation's report (remembered per request)."""
    if not user.is_authenticated or not user.is_active:
        return False
    remembered = user.__dict__.setdefault("_rapporteur_of", {})
    if consultation.pk not in remembered:
        remembered[consultation.pk] = Rapporteur.objects.filter(consultation=consultation, user=user).exists()
    return remembered[consultation.pk]


def why_cannot_work_on_report(user, consultation: Consultation) -> str | None:
    """The workbench (findings, evidence, reviews, tagging for the report): the
    consultation's rapporteurs, its moderators on duty, and staff."""
    if is_rapporteur(user, consultation) or is_consultation_moderator(user, consultation):
        return None
    return _("Only this consultation's rapporteurs, moderators and staff work on its report.")


def can_work_on_report(user, consultation: Consultation) -> bool:
    return why_cannot_work_on_report(user, consultation) is None


def offers_evidence_in_room(user, room: Room, *, moderates: bool) -> bool:
    """Whether a room page offers "Use as evidence": to its moderators (`moderates`, known
    to the page) and the consultation's rapporteurs, without asking the rota again."""
    return moderates or is_rapporteur(user, room.consultation)


def why_cannot_publish_report(user, consultation: Consultation) -> str | None:
    """Publishing the report, which speaks for the consultation: its rapporteurs and staff."""
    if user.is_authenticated and user.is_active and (user.is_staff or is_rapporteur(user, consultation)):
        return None
    return _("Only this consultation's rapporteurs and staff publish its report.")


# --- Statistics and exports -------------------------------------------------


def room_statistics_are_public(room: Room) -> bool:
    """Once a room is closed, its summary page is public if the consultation says so."""
    return room.is_closed and room.consultation.summaries_public_when_closed


def consultation_statistics_are_public(consultation: Consultation, rooms: list[Room]) -> bool:
    """Public once every published room is closed, if the consultation says so."""
    return consultation.summaries_public_when_closed and bool(rooms) and all(room.is_closed for room in rooms)


def can_view_consultation_statistics(user, consultation: Consultation, rooms: list[Room]) -> bool:
    """Staff and moderators on duty in any of its rooms; everyone once the summary is public."""
    return consultation_statistics_are_public(consultation, rooms) or is_consultation_moderator(user, consultation)


def can_export_room(user, room: Room, *, everything: bool) -> bool:
    """The room's moderators on today's rota and staff export for the report; only staff export everything."""
    if everything:
        return user.is_authenticated and user.is_active and user.is_staff
    return is_room_moderator(user, room)


def can_export_consultation(user, consultation: Consultation, *, everything: bool) -> bool:
    """Anyone on today's rota of one of its rooms and staff export for the report; only staff export everything."""
    if everything:
        return user.is_authenticated and user.is_active and user.is_staff
    return is_consultation_moderator(user, consultation)


# --- Moderator invitations --------------------------------------------------


def holds_address(user, email: str) -> bool:
    """The address is the person's: their log-in address or one they added."""
    return user.email.lower() == email.lower() or EmailAddress.objects.filter(user=user, email__iexact=email).exists()


def why_cannot_invite_moderators(user) -> str | None:
    """Staff put people on a rota, from the room's page in the admin."""
    if user.is_authenticated and user.is_active and user.is_staff:
        return None
    return _("Only staff can invite moderators.")


def why_cannot_accept_invitation(user, invitation: ModeratorInvitation) -> str | None:
    """An invitation is for whoever holds the address it was sent to, once: the
    link came to that address, so following it proves the address is theirs."""
    if invitation.is_accepted:
        return _("This invitation has already been accepted.")
    if not (user.is_authenticated and user.is_active):
        return _("Sign in or sign up with %(email)s to accept this invitation.") % {"email": invitation.email}
    if not holds_address(user, invitation.email):
        return _(
            "This invitation was sent to %(email)s, but you are signed in as %(you)s. "
            "Sign out, then open the link in the email again."
        ) % {"email": invitation.email, "you": user.email}
    return None


def why_cannot_delete_account(actor, person) -> str | None:
    """People delete their own account; staff delete others' on request, and only a
    superuser deletes a staff account. The last active superuser stays, so the
    site always keeps someone who can run it."""
    if not (actor.is_authenticated and actor.is_active):
        return _("You cannot delete this account.")
    own = actor.pk == person.pk
    if not own and not actor.is_staff:
        return _("You cannot delete this account.")
    if not own and person.is_staff and not actor.is_superuser:
        return _("Only a superuser can delete the account of a staff member.")
    if person.is_superuser:
        others = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(pk=person.pk)
        if not others.exists():
            return _("This is the site's last superuser account: make someone else a superuser before deleting it.")
    return None
