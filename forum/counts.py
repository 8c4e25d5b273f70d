"""A room's denormalised counts, kept so that lists never count rows: the one
place that changes them, and the recount that checks them against the rows.

- `comment_count`: the room's visible comments.
- `thread_count`: threads ever started (top-level comments in any state); new
  threads are numbered from it, so it equals the highest thread number.

And each comment's own:

- `agree_count`, `useful_count`: its Endorsement rows of each kind.
- `thread_activity_at` (top-level comments): when the thread's newest visible
  reply was posted, or the thread itself when it has none.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Case, Count, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.lookups import GreaterThan
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from forum.models import Comment, Endorsement, Room
from forum.prepared import PreparedUpdate


def change_room_counts(room_id: int, *, comments: int = 0, threads: int = 0) -> None:
    """Add to a room's counts in one short statement; a comment shown marks the room active now.
    Called inside the transaction that changes the comments, so both commit together."""
    if comments or threads:
        _CHANGE_ROOM_COUNTS.run(room_id=room_id, comments=comments, threads=threads, now=timezone.now())


def _room_counts_changed(*, room_id, comments, threads, now):
    return Room.objects.filter(pk=room_id), {
        "comment_count": F("comment_count") + Value(comments),
        "thread_count": F("thread_count") + Value(threads),
        "last_activity_at": Case(When(GreaterThan(Value(comments), 0), then=Value(now)), default=F("last_activity_at")),
    }


# Every comment posted, hidden or shown again moves them: compiled once (forum.prepared).
_CHANGE_ROOM_COUNTS = PreparedUpdate(_room_counts_changed, room_id=int, comments=int, threads=int, now=datetime)


def change_endorsement_count(comment_id: int, kind: str, *, by: int) -> None:
    """Add `by` (1 or -1) to a comment's count of one kind of endorsement, in one
    UPDATE that never goes below zero; called in the transaction that adds or
    removes the Endorsement row, so both commit together."""
    field = f"{kind}_count"
    comments = Comment.objects.filter(pk=comment_id)
    if by < 0:
        comments = comments.filter(**{f"{field}__gte": -by})
    comments.update(**{field: F(field) + by})


def thread_activity_changed(comment: Comment, *, shown: bool) -> None:
    """A comment of a thread was shown (posted visible, approved, restored) or
    stopped being shown: move the thread's latest activity. Showing only ever
    moves it later (GREATEST, safe beside concurrent replies); a comment no
    longer shown may have been the newest, so the thread's figure is read again."""
    if shown:
        _THREAD_SHOWS.run(tree_id=comment.tree_id, moment=comment.created_at)
    else:
        refresh_thread_activity([comment.tree_id])


def _thread_shows(*, tree_id, moment):
    return Comment.objects.filter(tree_id=tree_id, level=0), {
        "thread_activity_at": Greatest(F("thread_activity_at"), Value(moment))
    }


_THREAD_SHOWS = PreparedUpdate(_thread_shows, tree_id=int, moment=datetime)


def refresh_thread_activity(tree_ids) -> None:
    """Read the threads' latest activity again from their rows: after comments
    stopped being shown (one, or all of a deleted account's)."""
    Comment.objects.filter(tree_id__in=tree_ids, level=0).update(thread_activity_at=_thread_activity())


def _thread_activity():
    """The expression for a root's latest activity, as counted from its thread's rows."""
    newest_reply = (
        Comment.objects.filter(tree_id=OuterRef("tree_id"), level__gt=0, state=Comment.State.VISIBLE)
        .order_by()
        .values("tree_id")
        .annotate(newest=Max("created_at"))
        .values("newest")
    )
    return Greatest(Coalesce(Subquery(newest_reply), F("created_at")), F("created_at"))


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
        wrong.extend(_recount_comments(locked, repair=repair))
    return wrong


def _recount_comments(rooms: list[Room], *, repair: bool) -> list[Miscount]:
    """The comments' own figures (endorsements, threads' latest activity) against their rows.
    Only comments with a figure to check are read: those endorsed or said to be, and the roots."""
    by_room = {room.pk: room for room in rooms}
    counted = {
        (row["comment_id"], row["kind"]): row["n"]
        for row in Endorsement.objects.filter(comment__room__in=rooms)
        .order_by()
        .values("comment_id", "kind")
        .annotate(n=Count("pk"))
    }
    endorsed_ids = {comment_id for comment_id, _ in counted}
    fields = [f"{kind}_count" for kind in Endorsement.Kind.values]
    comments = (
        Comment.objects.filter(room__in=rooms)
        .filter(reduce(or_, [Q(pk__in=endorsed_ids), Q(level=0), *(Q(**{f"{name}__gt": 0}) for name in fields)]))
        .annotate(activity=_thread_activity())
        .only("pk", "room_id", "level", "thread_activity_at", *fields)
    )
    wrong = []
    for comment in comments:
        fixes = {}
        for kind in Endorsement.Kind.values:
            stored, actual = getattr(comment, f"{kind}_count"), counted.get((comment.pk, kind), 0)
            if stored != actual:
                fixes[f"{kind}_count"] = actual
        if comment.level == 0 and comment.thread_activity_at != comment.activity:
            fixes["thread_activity_at"] = comment.activity
        room = by_room[comment.room_id]
        wrong.extend(
            Miscount(room, f"comment {comment.pk} {name}", getattr(comment, name), value)
            for name, value in fixes.items()
        )
        if fixes and repair:
            Comment.objects.filter(pk=comment.pk).update(**fixes)
    return wrong
