"""Notification emails: one per notification, or one daily digest, each with a
signed one-click unsubscribe link.

Nothing here runs in the request that caused a notification: the task worker
(forum.tasks) sends each email after the comment's transaction has committed,
and cron runs `send_pending_emails` (retries, and tasks that were lost) and
`send_digests`. A notification is marked sent only once the mail server has
taken the message; until then it stays waiting, with its attempts counted.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import unescape

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from accounts.languages import language_for
from forum import former, permissions, selectors
from forum.invitations import invitation_url
from forum.models import (
    DEFAULT_EMAIL_DELIVERY,
    EmailPreference,
    ModeratorInvitation,
    Notification,
    Rapporteur,
    RoomModerator,
)
from forum.rendering import excerpt_of
from forum.shifts import rota_line_dates

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Email = Notification.Email

# An unsubscribe token names a kind, or this: every kind that goes in the digest.
DIGEST = "digest"

# When each attempt at an email falls due, counted from the notification's
# creation: the first goes with the task queued on commit, the last about two
# days later. After that the email is given up (marked not emailed).
ATTEMPTS_DUE_AFTER = [
    timedelta(0),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(hours=48),
]
MAX_EMAIL_ATTEMPTS = len(ATTEMPTS_DUE_AFTER)

# The sweep leaves a new notification this long to its queued task.
SWEEP_AFTER = timedelta(minutes=1)

# The sender holds the notification's row lock (on SQLite, the database's
# write lock) while it talks to the mail server, so it must never wait for
# long. EMAIL_TIMEOUT wins when it is set.
MAIL_SERVER_TIMEOUT = 10

NOTIFICATION_EXCERPT_LENGTH = 400
DIGEST_EXCERPT_LENGTH = 200

# Moderators and a hidden comment's author may still see it; others are not
# emailed about a comment that is no longer visible.
_KINDS_ABOUT_ANY_COMMENT = {Kind.FLAG, Kind.MODERATION, Kind.REPORT, Kind.HELD, Kind.CITATION_CHANGED}
_MODERATOR_KINDS = {Kind.FLAG, Kind.REPORT, Kind.HELD, Kind.ACTIVITY, Kind.SHIFT}
_REPORT_KINDS = {Kind.CITATION_CHANGED}

_NOTIFICATION_RELATED = ("recipient", "actor", "comment__author", "comment__room__consultation", "room__consultation")


# --- Preferences ------------------------------------------------------------


def email_deliveries(user) -> dict[str, str]:
    """How each kind of notification reaches the person by email (their choice, or the default)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, default) for kind, default in DEFAULT_EMAIL_DELIVERY.items()}


def notification_kinds_for(user) -> list[str]:
    """The kinds the person can receive: those about moderation duties only for
    staff and people on a moderator rota (past, present or future), and those
    about the report's findings for them and rapporteurs."""
    is_moderator = user.is_staff or RoomModerator.objects.filter(user=user).exists()
    writes_report = is_moderator or Rapporteur.objects.filter(user=user).exists()
    return [
        kind
        for kind in Kind.values
        if (is_moderator or kind not in _MODERATOR_KINDS) and (writes_report or kind not in _REPORT_KINDS)
    ]


def describe_email_kind(kind: str) -> str:
    """What an unsubscribe link stops, in words."""
    return str(_("The daily digest")) if kind == DIGEST else Kind(kind).label


# --- Unsubscribe links --------------------------------------------------------

_UNSUBSCRIBE_SALT = "forum.emails.unsubscribe"


def unsubscribe_token(user, kind: str) -> str:
    """A signed token that stops one kind of email (or the digest) for the person.
    It never expires: all it can do is stop mail, and old emails' links should work."""
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign_object([user.pk, kind])


def unsubscribe_url(user, kind: str) -> str:
    return _absolute(reverse("forum:unsubscribe", kwargs={"token": unsubscribe_token(user, kind)}))


def get_unsubscribe_target(token: str) -> tuple:
    """The person and kind an unsubscribe token names; BadSignature when it was
    not made here, was changed, or names someone who no longer exists."""
    user_id, kind = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign_object(token)
    if kind != DIGEST and kind not in Kind.values:
        raise signing.BadSignature("Unknown kind of email.")
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise signing.BadSignature("No such person.")
    return user, kind


# --- Building the messages ----------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def headline(notification: Notification) -> str:
    """The sentence saying what happened, as plain text: the one the notifications page shows."""
    html = render_to_string("forum/partials/notification_text.html", {"notification": notification})
    return " ".join(unescape(strip_tags(html)).split())


def notification_email(notification: Notification) -> mail.EmailMultiAlternatives:
    """The email for one notification: what happened, an excerpt of the comment,
    its permalink, the note when there is one, and how to stop such emails.
    A shift's start says what waits in the room, with the room's shift notes."""
    comment = notification.comment
    link = unsubscribe_url(notification.recipient, notification.kind)
    if comment is None:
        room = notification.room
        context = {
            "notification": notification,
            "headline": headline(notification),
            "room": room,
            "consultation": room.consultation,
            "notes_url": _absolute(notification.get_absolute_url()),
            "kind_label": notification.get_kind_display(),
        }
        return _message(
            notification.recipient, "emails/shift", context, unsubscribe_link=link, consultation=room.consultation
        )
    context = {
        "notification": notification,
        "headline": headline(notification),
        "comment": comment,
        "room": comment.room,
        "consultation": comment.room.consultation,
        "excerpt": excerpt_of(comment.body_html, NOTIFICATION_EXCERPT_LENGTH),
        "comment_url": _absolute(comment.get_absolute_url()),
        "kind_label": notification.get_kind_display(),
    }
    return _message(
        notification.recipient,
        "emails/notification",
        context,
        unsubscribe_link=link,
        consultation=comment.room.consultation,
    )


@dataclass(frozen=True)
class DigestEntry:
    notification: Notification
    headline: str
    excerpt: str
    comment_url: str


def digest_email(recipient, notifications: list[Notification]) -> mail.EmailMultiAlternatives:
    """One email listing the notifications, grouped by room in the order given."""
    rooms: dict[int, tuple] = {}
    for notification in notifications:
        comment = notification.comment
        entry = DigestEntry(
            notification=notification,
            headline=headline(notification),
            excerpt=excerpt_of(comment.body_html, DIGEST_EXCERPT_LENGTH),
            comment_url=_absolute(comment.get_absolute_url()),
        )
        rooms.setdefault(comment.room_id, (comment.room, []))[1].append(entry)
    context = {"rooms": list(rooms.values()), "count": len(notifications)}
    return _message(
        recipient,
        "emails/digest",
        context,
        unsubscribe_link=unsubscribe_url(recipient, DIGEST),
        consultation=_only_consultation(room for room, _entries in rooms.values()),
    )


def _only_consultation(rooms: Iterable):
    """The consultation of all these rooms, None when they are of several."""
    consultations = {room.consultation_id: room.consultation for room in rooms}
    return next(iter(consultations.values())) if len(consultations) == 1 else None


def recipient_language(notification: Notification) -> str:
    """The language of a notification's email: its recipient's, else its consultation's (language_for)."""
    return language_for(notification.recipient, notification.about_room.consultation)


def _message(
    recipient, template: str, context: dict, *, unsubscribe_link: str, consultation=None
) -> mail.EmailMultiAlternatives:
    context = context | {
        "recipient": recipient,
        "unsubscribe_url": unsubscribe_link,
        "preferences_url": _absolute(reverse("forum:email-preferences")),
        "site_url": settings.SITE_URL,
    }
    return _email(
        recipient.email,
        template,
        context,
        headers={"List-Unsubscribe": f"<{unsubscribe_link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        language=language_for(recipient, consultation),
    )


def _email(to: str, template: str, context: dict, *, headers: dict, language: str) -> mail.EmailMultiAlternatives:
    """The message drawn from `template`'s subject, text and HTML parts, in
    `language` (accounts.languages.language_for the recipient)."""
    # Never the language of whichever request queued the mail: the task worker has none.
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        context = context | {"subject": subject}
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = mail.EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        # Auto-Submitted tells mail servers not to answer with out-of-office replies.
        headers=headers | {"Auto-Submitted": "auto-generated"},
        connection=mail.get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or MAIL_SERVER_TIMEOUT),
    )
    message.attach_alternative(html, "text/html")
    return message


def _deliver(build: Callable[[], mail.EmailMessage], *, what: str, language: str) -> bool:
    """Build the message in `language` (accounts.languages.language_for the
    recipient, as the message itself is) and hand it to the mail server; False
    (and a logged error) when that did not work."""
    try:
        with translation.override(language):
            return build().send() == 1
    except Exception:
        # Whatever went wrong (the server refused, timed out or hung up; a
        # template failed), the notification stays waiting for another attempt.
        logger.exception("Could not send %s", what)
        return False


# --- Sending one email per notification ---------------------------------------


@dataclass
class EmailRun:
    """What one pass of sending did."""

    sent: list[int] = field(default_factory=list)
    # Still waiting after a failed attempt, and when the next one falls due.
    failed: list[int] = field(default_factory=list)
    retry_at: datetime | None = None
    given_up: list[int] = field(default_factory=list)


def next_attempt_at(notification: Notification) -> datetime | None:
    """When the notification's next email attempt falls due, or None once they are used up."""
    if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
        return None
    return notification.created_at + ATTEMPTS_DUE_AFTER[notification.email_attempts]


def send_pending_notification_emails(notification_ids: Iterable[int]) -> EmailRun:
    """Email each given notification that is still waiting and due, once."""
    run = EmailRun()
    for pk in sorted(set(notification_ids)):
        _send_notification_email(pk, run)
    return run


def sweep_pending_notification_emails() -> EmailRun:
    """Email the waiting notifications whose attempt is due: retries, and any whose
    queued task was lost. New ones are left a minute to their own task."""
    now = timezone.now()
    waiting = Notification.objects.filter(email=Email.PENDING, created_at__lte=now - SWEEP_AFTER)
    due = [
        pk
        for pk, created_at, attempts in waiting.values_list("pk", "created_at", "email_attempts")
        if attempts >= MAX_EMAIL_ATTEMPTS or created_at + ATTEMPTS_DUE_AFTER[attempts] <= now
    ]
    return send_pending_notification_emails(due)


def _send_notification_email(pk: int, run: EmailRun) -> None:
    with transaction.atomic():
        # The row stays locked until the outcome is written, so two workers (or
        # the worker and the sweep) never send the same email; the second skips it.
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*_NOTIFICATION_RELATED)
            .filter(pk=pk, email=Email.PENDING)
            .first()
        )
        if notification is None:
            return
        due_at = next_attempt_at(notification)
        if due_at is None:
            _give_up(notification, run)
            return
        if due_at > timezone.now():
            return
        if not _still_to_be_emailed(notification):
            notification.email = Email.NONE
            notification.save(update_fields=["email"])
            return
        if _deliver(
            lambda: notification_email(notification),
            what=f"the email for notification {pk}",
            language=recipient_language(notification),
        ):
            notification.email = Email.SENT
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["email", "emailed_at"])
            run.sent.append(pk)
            return
        notification.email_attempts += 1
        retry_at = next_attempt_at(notification)
        if retry_at is None:
            _give_up(notification, run)
            return
        notification.save(update_fields=["email_attempts"])
        run.failed.append(pk)
        run.retry_at = min(run.retry_at or retry_at, retry_at)


def _give_up(notification: Notification, run: EmailRun) -> None:
    logger.warning("Giving up emailing notification %s after %s attempts", notification.pk, notification.email_attempts)
    notification.email = Email.NONE
    notification.save(update_fields=["email", "email_attempts"])
    run.given_up.append(notification.pk)


def _still_to_be_emailed(notification: Notification) -> bool:
    recipient, comment = notification.recipient, notification.comment
    if not permissions.can_be_emailed(recipient) or not permissions.can_view_room(recipient, notification.about_room):
        return False
    return comment is None or comment.is_visible or notification.kind in _KINDS_ABOUT_ANY_COMMENT


# --- Moderator invitations -----------------------------------------------------


def invitation_email(invitation: ModeratorInvitation) -> mail.EmailMultiAlternatives:
    """The invitation to a room's rota: who invites, to which room and when, and the link to accept."""
    with translation.override(invitation_language(invitation)):
        dates = rota_line_dates(invitation.starts_on, invitation.ends_on)
        inviter = invitation.invited_by.display_name if invitation.invited_by else str(_("The organisers"))
    context = {
        "inviter": inviter,
        "room": invitation.room,
        "consultation": invitation.room.consultation,
        "dates": dates,
        "invitation_url": invitation_url(invitation),
        "valid_days": settings.FORUM_INVITATION_DAYS,
    }
    return _email(
        invitation.email, "emails/moderator_invitation", context, headers={}, language=invitation_language(invitation)
    )


def invitation_language(invitation: ModeratorInvitation) -> str:
    """An invitation goes to an address that may have no account yet: the
    account's language if it has one, else the consultation's."""
    person = get_user_model().objects.filter(email__iexact=invitation.email).first()
    return language_for(person, invitation.room.consultation)


def send_invitation_email(invitation_id: int) -> bool:
    """Email the invitation unless it was accepted or withdrawn meanwhile; False
    (and a logged error) when the mail server did not take it."""
    invitation = (
        ModeratorInvitation.objects.select_related("room__consultation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    if not _deliver(
        lambda: invitation_email(invitation),
        what=f"moderator invitation {invitation_id}",
        language=invitation_language(invitation),
    ):
        return False
    ModeratorInvitation.objects.filter(pk=invitation_id).update(emailed_at=timezone.now())
    return True


# --- The daily digest ---------------------------------------------------------


@dataclass
class DigestRun:
    """What one run of the daily digest did."""

    people: int = 0
    notifications: int = 0
    failed_people: int = 0


def send_digests() -> DigestRun:
    """Send each person one email listing their notifications waiting for the
    digest, and mark those sent. Notifications already read on the site are
    left out: the person has seen them."""
    run = DigestRun()
    recipient_ids = (
        Notification.objects.filter(email=Email.DIGEST).order_by().values_list("recipient_id", flat=True).distinct()
    )
    for recipient_id in list(recipient_ids):
        _send_digest(recipient_id, run)
    return run


def _send_digest(recipient_id: int, run: DigestRun) -> None:
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*_NOTIFICATION_RELATED)
            .filter(recipient_id=recipient_id, email=Email.DIGEST)
            .order_by(
                "comment__room__consultation_id", "comment__room__position", "comment__room_id", "created_at", "pk"
            )
        )
        if not waiting:
            return
        recipient = waiting[0].recipient
        listed = [n for n in waiting if n.is_unread and _still_to_be_emailed(n)]
        left_out = [n.pk for n in waiting if n not in listed]
        Notification.objects.filter(pk__in=left_out).update(email=Email.NONE)
        if not listed:
            return
        if _deliver(
            lambda: digest_email(recipient, listed),
            what=f"the digest for person {recipient_id}",
            language=language_for(recipient, _only_consultation(n.comment.room for n in listed if n.comment)),
        ):
            Notification.objects.filter(pk__in=[n.pk for n in listed]).update(
                email=Email.SENT, emailed_at=timezone.now()
            )
            run.people += 1
            run.notifications += len(listed)
            return
        # Tomorrow's digest tries again, until the attempts are used up.
        run.failed_people += 1
        for notification in listed:
            notification.email_attempts += 1
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email = Email.NONE
        Notification.objects.bulk_update(listed, ["email_attempts", "email"])


# --- The moderators' daily activity email ---------------------------------------


def send_room_activity(*, now=None) -> int:
    """Email each moderator on duty today the activity of their rooms (new
    threads, comments nobody has answered for 48 hours, comments mentioning a
    moderator, open reports), unless they chose never to get it; nothing when
    nothing happened. Returns how many emails were sent."""
    now = now or timezone.now()
    rooms_by_moderator: dict[int, list] = {}
    people = {}
    for line in RoomModerator.objects.maybe_on_duty().select_related("user", "room__consultation").order_by("room_id"):
        if line.user.pk not in people:
            people[line.user.pk] = line.user
        if line.room_id in permissions.rooms_on_duty(people[line.user.pk]):
            rooms_by_moderator.setdefault(line.user.pk, []).append(line.room)
    stopped = set(
        EmailPreference.objects.filter(kind=Kind.ACTIVITY, delivery=EmailPreference.Delivery.NEVER).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    for user_id, rooms in rooms_by_moderator.items():
        person = people[user_id]
        if user_id in stopped or not permissions.can_be_emailed(person):
            continue
        activity = [
            found
            for room in rooms
            if (found := selectors.room_activity(room, moderator_ids=_on_duty_ids(room), now=now))
        ]
        if activity and _deliver(
            lambda: room_activity_email(person, activity),
            what=f"the room activity for {user_id}",
            language=language_for(person, _only_consultation(found.room for found in activity)),
        ):
            sent += 1
    return sent


def _on_duty_ids(room) -> list[int]:
    return list(permissions.rota_today(room).values_list("user_id", flat=True))


@dataclass(frozen=True)
class ActivityEntry:
    author_name: str
    excerpt: str
    url: str


def room_activity_email(recipient, activity: list) -> mail.EmailMultiAlternatives:
    """One email: each room's sections, each comment with its author, an excerpt and its link."""

    def entries(comments):
        return [
            ActivityEntry(
                former.name_of(c.author, as_moderator=c.written_as_moderator),
                excerpt_of(c.body_html, DIGEST_EXCERPT_LENGTH),
                _absolute(c.get_absolute_url()),
            )
            for c in comments
        ]

    rooms = [
        (
            found.room,
            [
                (_("New threads"), entries(found.new_threads)),
                (_("Nobody has answered for 48 hours"), entries(found.unanswered)),
                (_("Mentioning a moderator"), entries(found.mentioning_moderators)),
                (_("Open reports"), entries(found.reported)),
            ],
        )
        for found in activity
    ]
    context = {"rooms": rooms, "queue_url": _absolute(reverse("forum:moderation-queue"))}
    return _message(
        recipient,
        "emails/room_activity",
        context,
        unsubscribe_link=unsubscribe_url(recipient, Kind.ACTIVITY),
        consultation=_only_consultation(found.room for found in activity),
    )
