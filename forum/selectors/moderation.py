"""The moderators' reads: the rooms they work, their queue, one comment's moderation page."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Min, Prefetch, Q
from django.db.models.functions import Coalesce

from forum import permissions
from forum.models import (
    Comment,
    Report,
    Room,
    ShiftNote,
)


from forum.selectors.threads import get_comment_for_permalink


# --- Moderation ------------------------------------------------------------


def moderated_rooms(user):
    """The rooms whose queue this person works: today's rota, or every room for staff."""
    if user.is_staff:
        return Room.objects.all()
    return Room.objects.filter(pk__in=permissions.rooms_on_duty(user))


def _waiting_in(rooms):
    """Comments of these rooms that wait for a moderator: held, or with an open report."""
    reported = Report.objects.filter(resolved_at__isnull=True).values("comment_id")
    return Comment.objects.filter(room__in=rooms).filter(Q(state=Comment.State.PENDING) | Q(pk__in=reported))


def moderation_waiting_count(user) -> int:
    """How many comments wait in the person's queue (the header's count)."""
    return _waiting_in(moderated_rooms(user)).count()


def moderation_queue_page(user, *, number=1):
    """Comments with open reports or awaiting approval in the rooms the person
    moderates, the longest-waiting first, each with its open reports, parent and room."""
    open_reports = Q(reports__resolved_at__isnull=True)
    items = (
        _waiting_in(moderated_rooms(user))
        .annotate(waiting_since=Coalesce(Min("reports__created_at", filter=open_reports), F("created_at")))
        .select_related("author", "room__consultation", "parent__author")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.filter(resolved_at__isnull=True).select_related("reporter"),
                to_attr="open_reports",
            )
        )
        .order_by("waiting_since", "pk")
    )
    return Paginator(items, settings.FORUM_MODERATION_QUEUE_PER_PAGE).get_page(number)


def get_moderated_comment(user, comment_id) -> Comment:
    """A comment for its room's moderators (404 when the room is hidden from them, 403 when not theirs)."""
    comment = get_comment_for_permalink(user, comment_id)
    if not permissions.is_room_moderator(user, comment.room):
        raise PermissionDenied
    return comment


def comment_moderation_context(comment: Comment) -> dict:
    """What the moderation page shows beside a comment: its parent, open reports,
    earlier versions, the room's questions and recent actions on it."""
    return {
        "parent": comment.parent,
        "open_reports": list(comment.reports.filter(resolved_at__isnull=True).select_related("reporter")),
        "revisions": list(comment.revisions.all()),
        "questions": list(comment.room.questions.all()),
        "actions": list(comment.moderation_actions.select_related("moderator", "target_user")[:20]),
    }


# --- The moderators' daily activity email ------------------------------------

UNANSWERED_AFTER = timedelta(hours=48)
UNANSWERED_WITHIN = timedelta(days=14)


@dataclass(frozen=True)
class RoomActivity:
    """What a moderator on duty should know of a room's last day."""

    room: Room
    new_threads: list
    unanswered: list
    mentioning_moderators: list
    reported: list

    def __bool__(self):
        return bool(self.new_threads or self.unanswered or self.mentioning_moderators or self.reported)


def _unanswered(room: Room, now):
    """Visible comments of the last two weeks that nobody has answered for 48 hours, moderators' own left out."""
    return Comment.objects.filter(
        room=room,
        state=Comment.State.VISIBLE,
        rght=F("lft") + 1,
        written_as_moderator=False,
        created_at__lte=now - UNANSWERED_AFTER,
        created_at__gte=now - UNANSWERED_WITHIN,
    )


def room_activity(room: Room, *, moderator_ids, now) -> RoomActivity:
    """The room's new threads of the last day, comments nobody has answered for
    48 hours (of the last two weeks, moderators' own left out), comments of the
    last day mentioning one of its moderators, and comments with open reports."""
    day_ago = now - timedelta(days=1)
    visible = Comment.objects.filter(room=room, state=Comment.State.VISIBLE).select_related("author")
    return RoomActivity(
        room=room,
        new_threads=list(visible.filter(level=0, created_at__gte=day_ago).order_by("created_at")),
        unanswered=list(_unanswered(room, now).select_related("author").order_by("created_at")),
        mentioning_moderators=list(
            visible.filter(created_at__gte=day_ago, mentions__user_id__in=moderator_ids)
            .distinct()
            .order_by("created_at")
        ),
        reported=list(_waiting_in([room]).exclude(state=Comment.State.PENDING).select_related("author").order_by("pk")),
    )


@dataclass(frozen=True)
class Waiting:
    reported: int
    held: int
    unanswered: int


def room_waiting(room: Room, *, now) -> Waiting:
    """How many comments of the room have open reports, wait for approval, or
    have gone unanswered for 48 hours (as in room_activity)."""
    waiting = _waiting_in([room])
    return Waiting(
        reported=waiting.exclude(state=Comment.State.PENDING).count(),
        held=waiting.filter(state=Comment.State.PENDING).count(),
        unanswered=_unanswered(room, now).count(),
    )


def shift_notes(room: Room):
    """The room's shift notes, newest first, with their authors."""
    return ShiftNote.objects.filter(room=room).select_related("author")
