"""A room's denormalised counts, kept so that lists never count rows: the one
place that changes them, and the recount that checks them against the rows.

- `comment_count`: the room's visible comments.
- `thread_count`: threads ever started (top-level comments in any state); new
  threads are numbered from it, so it equals the highest thread number.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from forum.models import Comment, Room


def change_room_counts(room_id: int, *, comments: int = 0, threads: int = 0) -> None:
    """Add to a room's counts in one short statement; a comment shown marks the room active now.
    Called inside the transaction that changes the comments, so both commit together."""
    changes = {}
    if comments:
        changes["comment_count"] = F("comment_count") + comments
        if comments > 0:
            changes["last_activity_at"] = timezone.now()
    if threads:
        changes["thread_count"] = F("thread_count") + threads
    if changes:
        Room.objects.filter(pk=room_id).update(**changes)


@dataclass(frozen=True)
class Miscount:
    """A room whose stored count differed from its rows."""

    room: Room
    field: str
    stored: int
    counted: int


def counted_from_rows(rooms) -> dict[int, dict[str, int]]:
    """Each room's counts as its comment rows give them, by room id (one query)."""
    rows = (
        Comment.objects.filter(room__in=rooms)
        .order_by()
        .values("room_id")
        .annotate(
            comment_count=Count("pk", filter=Q(state=Comment.State.VISIBLE)),
            thread_count=Count("pk", filter=Q(level=0)),
        )
    )
    return {row.pop("room_id"): row for row in rows}


def recount_rooms(rooms=None, *, repair: bool = True) -> list[Miscount]:
    """Compare every room's counts (or these rooms') with its rows and, with `repair`,
    set the right ones; returns what was wrong."""
    rooms = Room.objects.all() if rooms is None else rooms
    wrong = []
    with transaction.atomic():
        # Locked while counted, so no comment lands between the count and the fix.
        locked = list(Room.objects.select_for_update().filter(pk__in=[room.pk for room in rooms]).order_by("pk"))
        counted = counted_from_rows(locked)
        for room in locked:
            actual = counted.get(room.pk, {"comment_count": 0, "thread_count": 0})
            fixes = {name: value for name, value in actual.items() if getattr(room, name) != value}
            wrong.extend(Miscount(room, name, getattr(room, name), value) for name, value in fixes.items())
            if fixes and repair:
                Room.objects.filter(pk=room.pk).update(**fixes)
    return wrong
