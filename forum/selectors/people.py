"""Reads about people: notifications and the header's counts, colleagues to
flag to, profiles and mention suggestions."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.text import fold_for_search
from forum import permissions
from forum.models import (
    Comment,
    Notification,
    Room,
    RoomModerator,
)
from forum.selectors.moderation import moderation_waiting_count


# --- Notifications and colleagues ----------------------------------------


def _notifications_of(user, *, staff: bool | None = None):
    """The person's notifications about rooms they can see: one from a room
    unpublished since is kept, but not shown to someone who cannot open it.
    `user` may be their id, when `staff` says whether they are staff."""
    notifications = Notification.objects.filter(recipient=user)
    if not (user.is_staff if staff is None else staff):
        notifications = notifications.filter(
            Q(comment__room__is_published=True, comment__room__consultation__is_published=True)
            | Q(comment__isnull=True, room__is_published=True, room__consultation__is_published=True)
        )
    return notifications


def notifications_page(user, *, number=1):
    """The person's notifications, newest first, with what each needs to be drawn."""
    notifications = _notifications_of(user).select_related(
        "actor", "comment__author", "comment__room__consultation", "room__consultation"
    )
    return Paginator(notifications, settings.FORUM_NOTIFICATIONS_PER_PAGE).get_page(number)


def get_notification(user, notification_id) -> Notification:
    """One of the person's own notifications (404 for anyone else's)."""
    return get_object_or_404(
        _notifications_of(user).select_related("comment", "room__consultation"), pk=notification_id
    )


@dataclass(frozen=True)
class Header:
    """What the page header counts for a signed-in person: unread notifications
    and, for anyone moderating today, what waits in their queue (None otherwise)."""

    unread: int
    waiting: int | None


def header_facts(user, *, staff: bool | None = None, duty_days=None) -> dict:
    """What header_counts reads, as annotations for any query of one row (they
    ask about `user` alone), so a page's own query can carry them. `user` may
    be an id (see _notifications_of); `duty_days`: see maybe_on_duty."""
    unread = (
        _notifications_of(user, staff=staff)
        .filter(read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return {
        "header_unread": Coalesce(Subquery(unread), 0),
        "header_might_moderate": Exists(RoomModerator.objects.maybe_on_duty(duty_days).filter(user=user)),
    }


def remember_header_facts(user, row) -> None:
    """header_facts read with a page's own query (selectors.get_room_to_read)."""
    user._header_facts = (row.header_unread, row.header_might_moderate)


def header_counts(user) -> Header:
    """One query for most people (none when the page's query read header_facts):
    the unread count, and whether they might be on a rota today (a day either
    side, whatever the time zones); only those who might be (and staff) pay for
    the precise rota and the queue's count."""
    facts = getattr(user, "_header_facts", None)
    if facts is None:
        facts = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(**header_facts(user))
            .values_list("header_unread", "header_might_moderate")
            .get()
        )
    count, might_moderate = facts
    waiting = None
    if user.is_staff or (might_moderate and permissions.is_moderator_anywhere(user)):
        waiting = moderation_waiting_count(user)
    return Header(unread=count, waiting=waiting)


def flag_colleagues(*, exclude=None):
    """Moderators on duty today in any room, and staff: the people a comment can be flagged to."""
    today = timezone.localdate()
    on_duty = RoomModerator.objects.on_duty(today).values("user_id")
    people = get_user_model().objects.filter(Q(is_staff=True) | Q(pk__in=on_duty), is_active=True)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return people.order_by("display_name")


# --- Profiles ------------------------------------------------------------


def profile_comments_page(author, *, number=1):
    """The person's visible comments in public rooms, newest first."""
    comments = (
        Comment.objects.public()
        .filter(author=author)
        .select_related("room__consultation", "author")
        .order_by("-created_at", "-pk")
    )
    return Paginator(comments, settings.FORUM_PROFILE_COMMENTS_PER_PAGE).get_page(number)


# --- Mention suggestions ---------------------------------------------------


def mention_suggestions(query: str, *, room: Room | None = None, thread_id: int | None = None, limit: int = 8):
    """People whose name or handle contains the query (accents ignored), ranked:
    people in this thread, then this room's moderators and participants, then everyone."""
    folded = fold_for_search(query.lstrip("@"))
    if len(folded) < 2:
        return []
    people = get_user_model().objects.filter(is_active=True, search_name__contains=folded)
    ranks = []
    if thread_id is not None:
        in_thread = Comment.objects.filter(tree_id__in=Comment.objects.filter(pk=thread_id).values("tree_id"))
        ranks.append(When(pk__in=in_thread.values("author_id"), then=0))
    if room is not None:
        ranks.append(When(pk__in=RoomModerator.objects.filter(room=room).values("user_id"), then=1))
        ranks.append(When(pk__in=Comment.objects.filter(room=room).values("author_id"), then=1))
    people = people.annotate(rank=Case(*ranks, default=2)) if ranks else people.annotate(rank=Value(2))
    return list(
        people.order_by("rank", "display_name", "handle").only("display_name", "handle", "organisation")[:limit]
    )
