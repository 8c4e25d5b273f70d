"""Moderators' written summaries of a room: the newest, the list, the final ones, and
the defaults of a new one."""

from datetime import timedelta

from django.db.models import (
    Case,
    When,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from forum.models import Comment, Consultation, Room, RoomSummary


# --- Moderators' written summaries ----------------------------------------


def _visible_comments_since(room, moment):
    """The room's visible comments posted from `moment` on, as a subquery (the
    (room, created_at) index answers it); `room` and `moment` are OuterRefs."""
    later = (
        Comment.objects.filter(room=room, state=Comment.State.VISIBLE, created_at__gte=moment)
        .order_by()
        .values("room")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(later, output_field=IntegerField()), Value(0))


def comments_since_latest_summary():
    """On Room: visible comments after the period its newest summary covers (0 without a summary)."""
    # Rooms without a summary skip the count.
    return Case(
        When(latest_summary__isnull=True, then=Value(0)),
        default=_visible_comments_since(OuterRef("pk"), OuterRef("latest_summary__period_ends_at")),
    )


def _comments_since():
    """On RoomSummary: visible comments in its room after the last day it covers."""
    return _visible_comments_since(OuterRef("room_id"), OuterRef("period_ends_at"))


def latest_room_summary(room: Room) -> tuple[RoomSummary | None, int]:
    """The room's newest summary (the one pinned at the top of the room) and the
    number of visible comments posted after the period it covers, in one query."""
    summary = (
        RoomSummary.objects.filter(room=room)
        .select_related("author", "room__consultation")
        .annotate(comments_since=_comments_since())
        .order_by("-period_end", "-created_at", "-pk")
        .first()
    )
    if summary is None:
        return None, 0
    return summary, summary.comments_since


def room_summaries(room: Room):
    """The room's summaries, newest first, each with `comments_since` (a queryset to paginate)."""
    return (
        RoomSummary.objects.filter(room=room)
        .select_related("author", "room__consultation")
        .annotate(comments_since=_comments_since())
        .order_by("-period_end", "-created_at", "-pk")
    )


def final_summaries(consultation: Consultation) -> list[RoomSummary]:
    """The latest final summary of each published room of the consultation, in room order (one query)."""
    latest_first = [F("period_end").desc(), F("created_at").desc(), F("pk").desc()]
    summaries = list(
        RoomSummary.objects.filter(
            room__consultation=consultation, room__is_published=True, kind=RoomSummary.Kind.FINAL
        )
        .annotate(rank=Window(RowNumber(), partition_by=[F("room_id")], order_by=latest_first))
        .filter(rank=1)
        .select_related("author", "room__consultation")
    )
    return sorted(summaries, key=lambda summary: (summary.room.position, summary.room_id))


def get_room_summary(room: Room, summary_id: int) -> RoomSummary:
    """One summary of this room (404 for an id from elsewhere)."""
    return get_object_or_404(
        RoomSummary.objects.select_related("author", "room__consultation"), pk=summary_id, room=room
    )


def new_summary_defaults(room: Room) -> dict:
    """What the form for a new summary starts with: the days since the last summary
    (or since the room opened) up to today, final once the room is closed."""
    today = timezone.localdate()
    last_end = (
        RoomSummary.objects.filter(room=room).order_by("-period_end").values_list("period_end", flat=True).first()
    )
    if last_end is not None:
        start = min(last_end + timedelta(days=1), today)
    else:
        start = min(room.opens_on or today, today)
    kind = RoomSummary.Kind.FINAL if room.is_closed else RoomSummary.Kind.INTERIM
    return {"kind": kind, "period_start": start, "period_end": today}
