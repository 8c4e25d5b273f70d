"""The orders a room's threads can be read in, and the cursors that page them.

Oldest and newest first are ranges of thread numbers (`?page=N`). The others
rank threads by a figure kept on each thread's root: its latest activity, its
size (rght - lft counts its replies in any state, as the page shows them), and
its own endorsements (the root's, not the thread's: what a thread is ranked
for is the comment that opens it, and a sum over the thread would rank long
threads first, which "most replies" already does). They are read by keyset on
(pinned, figure, id), all descending, from an index per order
(forum.models.Comment.Meta.indexes), so the hundredth page costs what the
first does. A page links to the next by a cursor naming the last thread it
showed, and to the previous by one naming its first.
"""

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import F
from django.utils.translation import gettext_lazy as _

OLDEST, NEWEST, ACTIVITY, REPLIES, ENDORSED = "oldest", "newest", "activity", "replies", "endorsed"

# In the order the page offers them; the first is the default.
ORDERS = {
    OLDEST: _("Oldest first"),
    NEWEST: _("Newest first"),
    ACTIVITY: _("Latest activity"),
    REPLIES: _("Most replies"),
    ENDORSED: _("Most endorsed"),
}

# The orders paged by cursor, and the figure each ranks threads by: the same
# expressions as the indexes, so PostgreSQL reads those.
FIGURES = {
    ACTIVITY: F("thread_activity_at"),
    REPLIES: F("rght") - F("lft"),
    ENDORSED: F("agree_count") + F("useful_count"),
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"([ab])([1-9][0-9]{0,6})\.([01])\.(-?[0-9]{1,20})\.([1-9][0-9]{0,18})")


def is_cursor_order(order: str) -> bool:
    return order in FIGURES


@dataclass(frozen=True)
class Cursor:
    """Where a page of a cursor order starts: the page's number (for "Page N"),
    whether its threads come after or before the key, and the key itself
    (pinned, figure, id) of the thread next to it on the neighbouring page."""

    number: int
    after: bool
    pinned: bool
    figure: int | datetime
    pk: int

    @property
    def key(self) -> tuple:
        return (self.pinned, self.figure, self.pk)

    def encode(self) -> str:
        figure = self.figure
        if isinstance(figure, datetime):
            figure = (figure - _EPOCH) // timedelta(microseconds=1)
        text = f"{'a' if self.after else 'b'}{self.number}.{int(self.pinned)}.{figure}.{self.pk}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, order: str) -> "Cursor | None":
        """The cursor a link carries, or None when it is not one we wrote."""
        if not is_cursor_order(order) or not token or len(token) > 80:
            return None
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        found = _CURSOR.fullmatch(text)
        if not found:
            return None
        direction, number, pinned, figure, pk = found.groups()
        figure = int(figure)
        if order == ACTIVITY:
            try:
                figure = _EPOCH + timedelta(microseconds=figure)
            except OverflowError:
                return None
        return cls(number=int(number), after=direction == "a", pinned=pinned == "1", figure=figure, pk=int(pk))


def cursor_at(comment, *, number: int, after: bool) -> str:
    """The cursor of the page `number` that starts after (or ends before) this root."""
    return Cursor(
        number=number, after=after, pinned=comment.is_pinned, figure=comment.order_figure, pk=comment.pk
    ).encode()
