"""Comments in their threads: a room's page of threads, a thread's own page, the
room filtered by question or language, and where a permalink leads. Each plans
its own queries, so that drawing the page (forum.display) runs none."""

import dataclasses
from dataclasses import dataclass, field
from math import ceil

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q, Window
from django.db.models.base import ModelState
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from forum import permissions
from forum.memory import LeastRecentlyUsed
from forum.querysets import public_comments
from forum.models import (
    Comment,
    CommentLink,
    Endorsement,
    Follow,
    GuidingQuestion,
    Room,
)
from forum.selectors.orders import FIGURES, NEWEST, OLDEST, Cursor, cursor_at, is_cursor_order


@dataclass(frozen=True)
class CommentsPage:
    """One page of comments in tree order, with what drawing them needs
    (forum.display.draw_threads): the visible public comments citing each
    (`backlinks`, by cited id), parents shown on an earlier page
    (`off_page_parents`, by id), and the threads cut short on this page
    (`continued_thread_ids`, their roots' ids)."""

    comments: list
    number: int
    num_pages: int
    backlinks: dict = field(default_factory=dict)
    off_page_parents: dict = field(default_factory=dict)
    continued_thread_ids: frozenset = frozenset()
    # Machine translations into the reader's language, by comment id, for a
    # reader who reads comments translated (selectors.translations.reading_language).
    translations: dict = field(default_factory=dict)
    # Orders paged by cursor (forum.selectors.orders): the number of pages is
    # not known, and the neighbours are reached by these (None: no such page;
    # page 1 needs no cursor, so `previous_cursor` is "" when it is page 1).
    order: str = OLDEST
    next_cursor: str | None = None
    previous_cursor: str | None = None

    @property
    def by_cursor(self) -> bool:
        return is_cursor_order(self.order)

    @property
    def paginator(self):
        """Mirrors Django's Page, so one pagination partial serves both."""
        return self

    @property
    def has_previous(self):
        return self.previous_cursor is not None if self.by_cursor else self.number > 1

    @property
    def has_next(self):
        return self.next_cursor is not None if self.by_cursor else self.number < self.num_pages

    @property
    def has_other_pages(self):
        return self.has_previous or self.has_next if self.by_cursor else self.num_pages > 1

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


# --- Room page: threads by position --------------------------------------


def _threads_per_page() -> int:
    return settings.FORUM_THREADS_PER_PAGE


def room_page_count(room: Room) -> int:
    return max(1, ceil(room.thread_count / _threads_per_page()))


def _as_read(comments, viewer, translated_into: str | None):
    """The comments with what this viewer's page draws of them, in the same
    query: their endorsements, and their translations when asked for."""
    comments = with_viewer_endorsements(comments, viewer)
    return comments.with_translation(translated_into) if translated_into else comments


def translations_of(comments: list[Comment]) -> dict[int, str]:
    """The translations read with the comments (CommentQuerySet.with_translation), by comment id."""
    return {comment.pk: comment.translation_html for comment in comments if getattr(comment, "translation_html", None)}


def with_viewer_endorsements(comments, viewer):
    """Whether the viewer gave each kind of endorsement to each comment
    (`viewer_endorsed_<kind>`), read in the query that reads the comments: a
    signed-in page costs no query more, an anonymous one asks nothing."""
    if viewer is None or not viewer.is_authenticated:
        return comments
    return comments.annotate(
        **{
            f"viewer_endorsed_{kind}": Exists(
                Endorsement.objects.filter(comment=OuterRef("pk"), person=viewer, kind=kind)
            )
            for kind in Endorsement.Kind.values
        }
    )


def _page_roots(
    room: Room, number: int, *, newest_first: bool, viewer=None, translated_into: str | None = None
) -> list[Comment]:
    """The page's top-level comments: a range of thread numbers, read by index.
    Pinned threads lead page 1 instead of standing in their place."""
    per_page = _threads_per_page()
    if newest_first:
        high = room.thread_count - (number - 1) * per_page
        low = high - per_page + 1
    else:
        low = (number - 1) * per_page + 1
        high = low + per_page - 1
    wanted = Q(thread_number__range=(low, high), is_pinned=False)
    if number == 1:
        wanted |= Q(is_pinned=True)
    roots = list(
        _as_read(
            Comment.objects.filter(wanted, room=room, level=0).shown_in_threads(viewer).select_related("author"),
            viewer,
            translated_into,
        )
    )
    roots.sort(key=lambda root: (not root.is_pinned, -root.thread_number if newest_first else root.thread_number))
    return roots


def _ranked_roots(
    room: Room, order: str, cursor: Cursor | None, *, viewer=None, translated_into: str | None = None
) -> tuple[list[Comment], bool]:
    """A page of top-level comments in a cursor order, read by keyset from the
    order's index, and whether there are more beyond it (in the cursor's direction)."""
    per_page = _threads_per_page()
    roots = (
        Comment.objects.filter(room=room, level=0)
        .shown_in_threads(viewer)
        .annotate(order_figure=FIGURES[order])
        .select_related("author")
    )
    # A row comparison, (pinned, figure, id) < (…), which PostgreSQL reads from the
    # index. Django's tuple lookups (made for composite keys, not yet public API)
    # write it; on SQLite they write the equivalent ORs.
    key = Tuple(F("is_pinned"), F("order_figure"), F("pk"))
    backwards = cursor is not None and not cursor.after
    if cursor is not None:
        roots = roots.filter((TupleGreaterThan if backwards else TupleLessThan)(key, cursor.key))
    ordering = ["is_pinned", "order_figure", "pk"]
    roots = roots.order_by(*(ordering if backwards else [f"-{name}" for name in ordering]))
    found = list(_as_read(roots, viewer, translated_into)[: per_page + 1])
    more = len(found) > per_page
    found = found[:per_page]
    if backwards:
        found.reverse()
    return found, more


def replies_shown_per_thread(reply_counts: list[int], budget: int) -> int:
    """The largest per-thread number of replies to show, such that the page
    stays within its budget: short threads are shown whole, and long threads
    share what is left equally."""
    remaining = budget
    counts = sorted(reply_counts)
    for index, count in enumerate(counts):
        share = remaining // (len(counts) - index)
        if count > share:
            return share
        remaining -= count
    return counts[-1] if counts else 0


def _room_page_reply_cap(roots: list[Comment]) -> int:
    budget = settings.FORUM_COMMENTS_PER_ROOM_PAGE - len(roots)
    return max(0, replies_shown_per_thread([root.reply_count for root in roots], budget))


# Pages of threads as anyone reads them, kept in each process's memory under
# the room's stamp (forum.cache.stamp_of), which every process shares.
_kept_pages = LeastRecentlyUsed()


def room_threads_page(room: Room, *, viewer=None, translated_into: str | None = None, **where) -> CommentsPage:
    """A page of the room's threads as read_room_threads_page reads it (`where`:
    its number, newest_first, order and cursor). For a room read by
    get_room_to_read with the rooms kept (FORUM_CACHE_ROOMS), the page as
    anyone reads it is kept under the room's stamp, and a viewer's own
    endorsements are read for it in one query. A viewer with comments of their
    own awaiting a moderator, or who reads comments translated, reads it afresh."""
    stamp = getattr(room, "stamp", None)
    limit = settings.FORUM_THREAD_PAGES_KEPT
    signed_in = viewer is not None and viewer.is_authenticated
    if stamp is None or not limit or translated_into or (signed_in and getattr(room, "viewer_has_pending", True)):
        return read_room_threads_page(room, viewer=viewer, translated_into=translated_into, **where)
    cursor = where.get("cursor")
    key = (stamp, *(where.get(name) for name in ("number", "newest_first", "order")), cursor and cursor.encode())
    page = _kept_pages.get(key)
    if page is None:
        page = read_room_threads_page(room, **where)
        _kept_pages.put(key, page, limit)
    comments = [_own_copy(comment, room) for comment in page.comments]
    if signed_in:
        _mark_viewer_endorsements(comments, viewer)
    return dataclasses.replace(page, comments=comments)


def _own_copy(comment: Comment, room: Room) -> Comment:
    """A kept comment's copy for one request, which may mark it (the viewer's
    endorsements, its room): its attributes and cached relations copied, not
    shared. Made directly, since copy.copy goes through Django's pickling
    support (Model.__reduce__), which costs several times as much."""
    clone = Comment.__new__(Comment)
    clone.__dict__.update(comment.__dict__)
    clone._state = ModelState()
    clone._state.db = comment._state.db
    clone._state.adding = False
    clone._state.fields_cache = {**comment._state.fields_cache, "room": room}
    return clone


def _mark_viewer_endorsements(comments: list[Comment], viewer) -> None:
    """What with_viewer_endorsements reads with the comments, read for them (one query)."""
    given = set(
        Endorsement.objects.filter(person=viewer, comment_id__in=[comment.pk for comment in comments]).values_list(
            "comment_id", "kind"
        )
    )
    for comment in comments:
        for kind in Endorsement.Kind.values:
            setattr(comment, f"viewer_endorsed_{kind}", (comment.pk, kind) in given)


def read_room_threads_page(
    room: Room,
    *,
    number: int = 1,
    newest_first: bool = False,
    order: str = OLDEST,
    cursor: Cursor | None = None,
    viewer=None,
    translated_into: str | None = None,
) -> CommentsPage:
    """A page of the room's threads in an order (forum.selectors.orders) with
    their first replies, in two queries whatever the room's size and the page:
    the page's roots, then their replies. Oldest and newest first are paged by
    `number`, the other orders by `cursor` (None: their first page). The viewer
    sees their own comments that await moderation; `translated_into` reads each
    comment's translation into that language in the same two queries."""
    order = NEWEST if newest_first else order
    num_pages = room_page_count(room)
    neighbours = {}
    if is_cursor_order(order):
        roots, more = _ranked_roots(room, order, cursor, viewer=viewer, translated_into=translated_into)
        number = cursor.number if cursor else 1
        if cursor is not None and not roots:
            raise Http404
        if cursor is not None and not cursor.after and not more:
            number = 1  # went back as far as the start
        neighbours = _neighbour_cursors(roots, number, more=more, came_back=cursor is not None and not cursor.after)
    else:
        if not 1 <= number <= num_pages:
            raise Http404
        roots = _page_roots(room, number, newest_first=order == NEWEST, viewer=viewer, translated_into=translated_into)
    cap = _room_page_reply_cap(roots)
    replies_by_tree: dict[int, list[Comment]] = {}
    if roots and cap:
        replies = _as_read(
            Comment.objects.filter(tree_id__in=[root.tree_id for root in roots])
            .replies()
            .shown_in_threads(viewer)
            .annotate(rank=Window(RowNumber(), partition_by=[F("tree_id")], order_by=F("lft").asc()))
            .filter(rank__lte=cap)
            .select_related("author")
            .order_by("tree_id", "lft"),
            viewer,
            translated_into,
        )
        for reply in replies:
            replies_by_tree.setdefault(reply.tree_id, []).append(reply)

    comments, continued = [], set()
    for root in roots:
        replies = replies_by_tree.get(root.tree_id, [])
        if len(replies) < root.reply_count and len(replies) == cap:
            continued.add(root.pk)
        comments.extend([root, *replies])
    return CommentsPage(
        comments=comments,
        number=number,
        num_pages=num_pages,
        backlinks=backlinks_of(comments),
        continued_thread_ids=frozenset(continued),
        translations=translations_of(comments),
        order=order,
        **neighbours,
    )


def _neighbour_cursors(roots: list[Comment], number: int, *, more: bool, came_back: bool) -> dict:
    """The cursors of the pages either side of a page of a cursor order. `more`
    says whether threads lie beyond it in the direction it was read."""
    has_next = more if not came_back else bool(roots)
    has_previous = number > 1
    return {
        "next_cursor": cursor_at(roots[-1], number=number + 1, after=True) if has_next and roots else None,
        "previous_cursor": (cursor_at(roots[0], number=number - 1, after=False) if number > 2 else "")
        if has_previous
        else None,
    }


def room_comments_filtered(
    room: Room, *, question: GuidingQuestion | None = None, language: str | None = None, number=1, viewer=None
):
    """The room's visible comments answering a question and/or written in a
    language, oldest first, as a flat paginated list."""
    comments = with_viewer_endorsements(
        Comment.objects.filter(room=room, state=Comment.State.VISIBLE).select_related("author", "room"), viewer
    )
    if question is not None:
        comments = comments.filter(guiding_question=question)
    if language is not None:
        comments = comments.filter(language=language)
    return Paginator(comments.order_by("created_at", "pk"), settings.FORUM_THREADS_PER_PAGE).get_page(number)


# --- A thread's own page -------------------------------------------------


def _thread_position(comment: Comment) -> int:
    """Where a comment stands in its thread's reading order (the root is 0),
    read from its tree values: every earlier comment is either an ancestor
    (one number before lft) or closed (two numbers)."""
    return (comment.lft - 1 + comment.level) // 2


def thread_page_count(root: Comment) -> int:
    return max(1, ceil(root.reply_count / settings.FORUM_COMMENTS_PER_THREAD_PAGE))


def get_thread_root(room: Room, comment_id: int, viewer=None, translated_into: str | None = None) -> Comment:
    """The top-level comment that starts a thread of this room (404 otherwise)."""
    return get_object_or_404(
        _as_read(Comment.objects.roots().shown_in_threads(viewer).select_related("author"), viewer, translated_into),
        pk=comment_id,
        room=room,
    )


def thread_page(root: Comment, *, number: int = 1, viewer=None, translated_into: str | None = None) -> CommentsPage:
    """The thread's root and one page of its replies in reading order."""
    num_pages = thread_page_count(root)
    if not 1 <= number <= num_pages:
        raise Http404
    per_page = settings.FORUM_COMMENTS_PER_THREAD_PAGE
    first, last = (number - 1) * per_page + 1, number * per_page
    # Position p means lft + level == 2p + 1 (see _thread_position).
    replies = list(
        _as_read(
            Comment.objects.filter(tree_id=root.tree_id)
            .replies()
            .shown_in_threads(viewer)
            .alias(position_key=F("lft") + F("level"))
            .filter(position_key__range=(2 * first + 1, 2 * last + 1))
            .select_related("author")
            .order_by("lft"),
            viewer,
            translated_into,
        )
    )
    shown_ids = {root.pk} | {reply.pk for reply in replies}
    missing_parent_ids = {reply.parent_id for reply in replies if reply.parent_id not in shown_ids}
    off_page_parents = (
        {parent.pk: parent for parent in Comment.objects.filter(pk__in=missing_parent_ids).select_related("author")}
        if missing_parent_ids
        else {}
    )
    comments = [root, *replies]
    return CommentsPage(
        comments=comments,
        number=number,
        num_pages=num_pages,
        backlinks=backlinks_of(comments),
        off_page_parents=off_page_parents,
        translations=translations_of(comments),
    )


def backlinks_of(comments: list[Comment]) -> dict[int, list[Comment]]:
    """The visible, public comments citing each of these, by cited id, oldest first (one query)."""
    if not comments:
        return {}
    links = (
        CommentLink.objects.filter(public_comments("source__"), target_id__in=[comment.pk for comment in comments])
        .select_related("source__author", "source__room")
        .order_by("source__created_at", "source_id")
    )
    cited: dict[int, list[Comment]] = {}
    for link in links:
        cited.setdefault(link.target_id, []).append(link.source)
    return cited


def locked_threads_of(comments: list[Comment]) -> frozenset[int]:
    """The tree ids of the locked threads these comments belong to: read from the
    roots among them, and in one query for threads whose root is not among them."""
    roots = [comment for comment in comments if comment.level == 0]
    locked = {root.tree_id for root in roots if root.is_locked}
    missing = {comment.tree_id for comment in comments} - {root.tree_id for root in roots}
    if missing:
        locked.update(
            Comment.objects.roots().filter(tree_id__in=missing, is_locked=True).values_list("tree_id", flat=True)
        )
    return frozenset(locked)


def viewer_follows(user, room: Room, comments: list[Comment]) -> tuple[bool, set[int]]:
    """Whether the person follows the room, and which of the page's threads they follow (one query)."""
    if not user.is_authenticated:
        return False, set()
    thread_ids = [comment.pk for comment in comments if comment.level == 0]
    follows = Follow.objects.filter(Q(room=room) | Q(thread_id__in=thread_ids), user=user)
    room_followed, followed_threads = False, set()
    for room_id, thread_id in follows.values_list("room_id", "thread_id"):
        if room_id:
            room_followed = True
        else:
            followed_threads.add(thread_id)
    return room_followed, followed_threads


# --- Permalinks ----------------------------------------------------------


def _page_query(number: int) -> str:
    return f"?page={number}" if number > 1 else ""


def comment_location(comment: Comment) -> str:
    """The URL of the page that shows the comment, with its #comment-<id> anchor:
    the room page holding its thread, or the thread's own page when the room
    page shows only the thread's first replies."""
    room = comment.room
    anchor = f"#comment-{comment.pk}"
    root = comment if comment.level == 0 else Comment.objects.roots().get(tree_id=comment.tree_id)
    room_page_number = 1 if root.is_pinned else ceil(root.thread_number / _threads_per_page())
    room_url = room.get_absolute_url()
    if comment.level == 0:
        return f"{room_url}{_page_query(room_page_number)}{anchor}"
    reply_index = _thread_position(comment) - 1
    cap = _room_page_reply_cap(_page_roots(room, room_page_number, newest_first=False))
    if reply_index < cap:
        return f"{room_url}{_page_query(room_page_number)}{anchor}"
    thread_page_number = reply_index // settings.FORUM_COMMENTS_PER_THREAD_PAGE + 1
    thread_url = reverse(
        "forum:thread",
        kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug, "comment_id": root.pk},
    )
    return f"{thread_url}{_page_query(thread_page_number)}{anchor}"


def get_comment_for_permalink(user, comment_id: int) -> Comment:
    """The comment behind a permalink, or 404 when its room is not for this person."""
    comment = get_object_or_404(Comment.objects.select_related("room__consultation"), pk=comment_id)
    if not permissions.can_view_room(user, comment.room):
        raise Http404
    return comment
