"""Who hears about what: notifications recorded in the database, and email queued after commit."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from forum import permissions
from forum.models import DEFAULT_EMAIL_DELIVERY, Comment, EmailPreference, Follow, Mention, Notification
from forum.tasks import send_notification_emails

Kind = Notification.Kind

# When one comment gives someone several reasons to hear about it, they get
# one notification: the most specific.
_PRECEDENCE = [Kind.MENTION, Kind.REPLY, Kind.FOLLOW]


def mentions_to_notify(author) -> int:
    """How many of the people a comment mentions are notified: fewer for new accounts."""
    return settings.FORUM_MENTIONS_NOTIFIED_NEW_ACCOUNT if author.is_new_account else settings.FORUM_MENTIONS_NOTIFIED


def notify_about_new_comment(comment: Comment, *, thread_id: int, mentioned_ids: Iterable[int]) -> list[Notification]:
    """Tell the people mentioned, the author of the parent, and the followers of
    the thread and the room: each once, never the author themself."""
    reasons: dict[int, str] = {}
    for user_id in mentioned_ids:
        reasons.setdefault(user_id, Kind.MENTION)
    if comment.parent_id:
        parent_author_id = Comment.objects.filter(pk=comment.parent_id).values_list("author_id", flat=True).get()
        reasons.setdefault(parent_author_id, Kind.REPLY)
    followers = Follow.objects.filter(Q(thread_id=thread_id) | Q(room_id=comment.room_id)).values_list(
        "user_id", flat=True
    )
    for user_id in followers:
        reasons.setdefault(user_id, Kind.FOLLOW)
    reasons.pop(comment.author_id, None)
    if comment.edited_at:
        # Published again after an edit was held: whoever heard of it already is not told twice.
        told = Notification.objects.filter(comment=comment, kind__in=_PRECEDENCE).values_list("recipient_id", flat=True)
        for user_id in told:
            reasons.pop(user_id, None)
    return notify(reasons, comment=comment, actor=comment.author)


def notify_mentions_added(comment: Comment, *, mentioned_ids: Iterable[int]) -> list[Notification]:
    """After an edit: tell only the people the comment did not mention before
    and who were never told of a mention in it (editing a mention out and back
    in tells nobody twice). Call it before the edit's mentions are recorded."""
    already = set(Mention.objects.filter(comment=comment).values_list("user_id", flat=True))
    already |= set(
        Notification.objects.filter(comment=comment, kind=Kind.MENTION).values_list("recipient_id", flat=True)
    )
    reasons = {
        user_id: Kind.MENTION for user_id in mentioned_ids if user_id != comment.author_id and user_id not in already
    }
    return notify(reasons, comment=comment, actor=comment.author)


def notify_moderators_on_duty(
    comment: Comment, *, kind: str, note: str = "", besides=None, actor=None, reason: str = "", figures=None
) -> list[Notification]:
    """Tell the room's moderators on duty today (but `besides`, who caused it)."""
    moderator_ids = permissions.rota_today(comment.room).values_list("user_id", flat=True)
    recipients = {user_id: kind for user_id in moderator_ids if user_id != getattr(besides, "pk", None)}
    return notify(recipients, comment=comment, note=note, actor=actor, reason=reason, figures=figures)


def notify_held(comment: Comment) -> list[Notification]:
    """A comment waits for approval: the moderators on duty hear of it, and why it waits."""
    return notify_moderators_on_duty(
        comment,
        kind=Kind.HELD,
        reason=comment.held_reason,
        besides=comment.author,
        actor=comment.author,
    )


def notify_about_room(
    room, reasons: dict[int, str], *, note: str = "", reason: str = "", figures=None
) -> list[Notification]:
    """Notifications about a room rather than a comment (a shift starting), with email as each person prefers."""
    return notify(reasons, room=room, note=note, reason=reason, figures=figures)


def notify(
    reasons: dict[int, str],
    *,
    comment: Comment | None = None,
    room=None,
    actor=None,
    note: str = "",
    reason: str = "",
    figures=None,
) -> list[Notification]:
    """Record one notification per person (user id → kind), with email as each
    person prefers, and queue the email once the transaction commits. `note` is
    people's words; what the site says goes as a `reason` code and `figures`,
    written in each reader's language when shown (Notification.explanation)."""
    if not reasons:
        return []
    people = get_user_model().objects.filter(pk__in=reasons, is_active=True)
    if not permissions.room_is_public(comment.room if comment is not None else room):
        # A draft room is for staff: nobody else hears of its title or its words.
        people = people.filter(is_staff=True)
    active = set(people.values_list("pk", flat=True))
    deliveries = _email_deliveries(active, set(reasons.values()))
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            actor=actor,
            kind=kind,
            comment=comment,
            room=room,
            note=note,
            reason=reason,
            figures=figures or {},
            email=_email_state(
                deliveries.get((user_id, kind), DEFAULT_EMAIL_DELIVERY[kind]), about_comment=comment is not None
            ),
        )
        for user_id, kind in reasons.items()
        if user_id in active
    )
    queue_emails([n.pk for n in notifications if n.email == Notification.Email.PENDING])
    return notifications


def _email_deliveries(user_ids, kinds) -> dict[tuple[int, str], str]:
    preferences = EmailPreference.objects.filter(user_id__in=user_ids, kind__in=kinds)
    return {(p.user_id, p.kind): p.delivery for p in preferences}


def _email_state(delivery: str, *, about_comment: bool = True) -> str:
    # The digest lists comments: news about a room (a shift starting) goes at once instead.
    if delivery == EmailPreference.Delivery.DIGEST and not about_comment:
        return Notification.Email.PENDING
    return {
        EmailPreference.Delivery.IMMEDIATELY: Notification.Email.PENDING,
        EmailPreference.Delivery.DIGEST: Notification.Email.DIGEST,
    }.get(delivery, Notification.Email.NONE)


def queue_emails(notification_ids: list[int]) -> None:
    """Hand the emails to the task queue after commit: the comment never waits
    for, or depends on, the mail server."""
    if not notification_ids:
        return
    transaction.on_commit(lambda: send_notification_emails.enqueue(notification_ids))


def mark_read(user, *, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read: the given ones, or all of them."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    with transaction.atomic():
        return unread.update(read_at=timezone.now())


def set_email_preference(user, *, kind: str, delivery: str) -> None:
    """Choose how one kind of notification reaches the person by email."""
    with transaction.atomic():
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})
