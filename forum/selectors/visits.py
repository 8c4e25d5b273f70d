"""What is new to a signed-in person since their last visit to a room, read with
the rooms themselves (forum.models.RoomVisit holds their position).

The rule, as a participant sees it: a comment is new to you when someone else
wrote it, it is visible, and it was posted after your previous visit to the
room; on your first visit nothing is. A visit is your views of the room's
pages and thread pages with no pause longer than FORUM_VISIT_ENDS_AFTER_MINUTES.
When it ends, everything the room had at your last view counts as seen,
whichever page it was on: one position per person and room, like Discourse's
"last visit" line rather than its per-post reading times. Throughout a visit
every page marks the same comments, and those posted while you read, so that
"Jump to the first new comment" to another page still finds them marked. The
consultation page counts per room what was posted after your latest view of
it, so a room you have just read shows none.

Comment ids stand for time: a comment held for a moderator and approved after
later ones were seen is not marked new."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from forum.models import Comment, Room
from forum.querysets import new_after_position, visit_still_going_since


@dataclass(frozen=True)
class RoomReading:
    """A signed-in person reading a page of a room, as it was read with the room.

    `new_after_id`: comments after it (visible, by others) are new to them;
    None on their first visit, when nothing is. `newest_comment_id`: the room's
    newest visible comment as the page was read, what this view has seen.
    `new_count` and `first_new_id`: the room's new comments, and the oldest."""

    read_at: datetime
    has_visited: bool
    new_after_id: int | None
    newest_comment_id: int
    new_count: int
    first_new_id: int | None


def _new_to(user, room, after) -> QuerySet:
    return Comment.objects.filter(room=room, state=Comment.State.VISIBLE, pk__gt=after).exclude(author=user)


def _count_new(user, after) -> Coalesce:
    """On Room: its visible comments by others after the position `after` (an OuterRef)."""
    new = _new_to(user, OuterRef("pk"), after).order_by().values("room").annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(new, output_field=IntegerField()), Value(0))


def _with_visit(rooms: QuerySet, user) -> QuerySet:
    return rooms.annotate(visit=FilteredRelation("visits", condition=Q(visits__user=user)))


def with_reading(rooms: QuerySet, user, *, now: datetime, visiting_since: datetime | None = None) -> QuerySet:
    """Rooms with what `reading_of` needs, in the same query: the person's visit
    (a join on its unique index) and three index-range subqueries. `user` may
    be a person or their id; `visiting_since`: visit_still_going_since(now),
    when the caller has worked it out (forum.prepared)."""
    newest = Comment.objects.filter(room=OuterRef("pk"), state=Comment.State.VISIBLE).order_by("-pk").values("pk")
    return _with_visit(rooms, user).annotate(
        reading_visit_id=F("visit__id"),
        reading_new_after=new_after_position("visit__", visiting_since=visiting_since or visit_still_going_since(now)),
        reading_newest_id=Subquery(newest[:1]),
        reading_new_count=_count_new(user, OuterRef("reading_new_after")),
        reading_first_new_id=Subquery(
            _new_to(user, OuterRef("pk"), OuterRef("reading_new_after")).order_by("pk").values("pk")[:1]
        ),
    )


def reading_of(room: Room, *, now: datetime) -> RoomReading:
    """The reading of a room fetched `with_reading`."""
    return RoomReading(
        read_at=now,
        has_visited=room.reading_visit_id is not None,
        new_after_id=room.reading_new_after,
        newest_comment_id=room.reading_newest_id or 0,
        new_count=room.reading_new_count,
        first_new_id=room.reading_first_new_id,
    )


def with_new_comment_counts(rooms: QuerySet, user) -> QuerySet:
    """Rooms with `new_comment_count`: the comments posted since the person last
    looked at each (0 for rooms they never opened), in the same query."""
    return _with_visit(rooms, user).annotate(
        visit_last_seen_id=F("visit__last_seen_comment_id"),
        new_comment_count=_count_new(user, OuterRef("visit_last_seen_id")),
    )
