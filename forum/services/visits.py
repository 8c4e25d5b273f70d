"""Recording that a signed-in person has read a room (forum.models.RoomVisit)."""

from datetime import datetime

from django.db.models import Value
from django.db.models.functions import Greatest

from forum.models import Room, RoomVisit
from forum.prepared import PreparedUpdate
from forum.querysets import new_after_position, visit_still_going_since
from forum.selectors.visits import RoomReading


def record_room_visit(user, *, room: Room, reading: RoomReading) -> None:
    """The person has seen the room up to its newest visible comment when the page
    was read; a view after a break starts a new visit (selectors.visits)."""
    # One statement, atomic by itself: a transaction around it would only add
    # round trips to every page view.
    if reading.has_visited:
        # The right-hand sides read the row as it was, so two pages read at once
        # (two tabs) agree on the visit, and the position never moves back.
        _MOVE_VISIT.run(
            user_id=user.pk,
            room_id=room.pk,
            visiting_since=visit_still_going_since(reading.read_at),
            newest_id=reading.newest_comment_id,
            seen_at=reading.read_at,
        )
    else:
        # A first visit: nothing before it is new, what comes during it is.
        position = reading.newest_comment_id
        visit = RoomVisit(
            user=user, room=room, last_seen_comment_id=position, new_after_comment_id=position, seen_at=reading.read_at
        )
        RoomVisit.objects.bulk_create([visit], ignore_conflicts=True)


def _move_visit(*, user_id, room_id, visiting_since, newest_id, seen_at):
    changes = {
        "new_after_comment_id": new_after_position(visiting_since=visiting_since),
        "last_seen_comment_id": Greatest("last_seen_comment_id", Value(newest_id)),
        "seen_at": seen_at,
    }
    return RoomVisit.objects.filter(user=user_id, room=room_id), changes


# Every signed-in room page moves its reader's visit: compiled once (forum.prepared).
_MOVE_VISIT = PreparedUpdate(
    _move_visit, user_id=int, room_id=int, visiting_since=datetime, newest_id=int, seen_at=datetime
)
