"""Reads that take more than one filter. Each plans its own queries, so that
templates never trigger new ones."""

from dataclasses import dataclass, field
from math import ceil

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Prefetch, Q, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.text import fold_for_search
from forum import permissions
from forum.querysets import public_comments
from forum.models import (
    Comment,
    CommentLink,
    Consultation,
    Follow,
    GuidingQuestion,
    Notification,
    Report,
    Room,
    RoomModerator,
)


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

    @property
    def paginator(self):
        """Mirrors Django's Page, so one pagination partial serves both."""
        return self

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.num_pages

    @property
    def has_other_pages(self):
        return self.num_pages > 1

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


# --- Consultations and rooms ---------------------------------------------


def visible_consultations(user):
    """Published consultations, newest first; staff also see drafts."""
    consultations = Consultation.objects.all()
    if not (user.is_authenticated and user.is_staff):
        consultations = consultations.published()
    return consultations


def get_consultation(user, slug: str) -> Consultation:
    """The consultation, or 404 when it is missing or not published (staff see drafts)."""
    return get_object_or_404(visible_consultations(user), slug=slug)


def consultation_rooms(user, consultation: Consultation) -> list[Room]:
    """The rooms of a consultation in their order; unpublished ones only for staff."""
    rooms = consultation.rooms.all()
    if not (user.is_authenticated and user.is_staff):
        rooms = rooms.filter(is_published=True)
    return list(rooms)


def get_room(user, consultation_slug: str, room_slug: str) -> Room:
    """The room with its consultation, or 404 for anyone who may not see it."""
    room = get_object_or_404(
        Room.objects.select_related("consultation", "latest_summary__author").annotate(
            comments_since_summary=comments_since_latest_summary()
        ),
        consultation__slug=consultation_slug,
        slug=room_slug,
    )
    if not permissions.can_view_room(user, room):
        raise Http404
    return room


def comments_since_latest_summary():
    """Visible comments in a room after the period its newest summary covers, as a subquery on Room."""
    later = (
        Comment.objects.filter(
            room=OuterRef("pk"),
            state=Comment.State.VISIBLE,
            created_at__gte=OuterRef("latest_summary__period_ends_at"),
        )
        .order_by()
        .values("room")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # Rooms without a summary skip the count; with one, the (room, created_at) index answers it.
    return Case(
        When(latest_summary__isnull=True, then=Value(0)),
        default=Coalesce(Subquery(later, output_field=IntegerField()), Value(0)),
    )


def get_room_comment(room: Room, comment_id: int) -> Comment:
    """A comment of this room (404 for an id from elsewhere)."""
    return get_object_or_404(Comment.objects.select_related("room__consultation", "author"), pk=comment_id, room=room)


def numbered_questions(room: Room) -> list[GuidingQuestion]:
    """The room's guiding questions numbered 1, 2, 3… across groups, each with
    `comment_count`: the visible comments answering it (one query)."""
    questions = list(
        room.questions.annotate(
            comment_count=Count("comments", filter=Q(comments__state=Comment.State.VISIBLE))
        ).order_by("position", "pk")
    )
    for number, question in enumerate(questions, start=1):
        question.number = number
    return questions


def guiding_question_groups(questions: list[GuidingQuestion]) -> list[tuple[str, list[GuidingQuestion]]]:
    """Numbered questions grouped under their headings, in order."""
    groups: list[tuple[str, list[GuidingQuestion]]] = []
    for question in questions:
        if not groups or groups[-1][0] != question.group_heading:
            groups.append((question.group_heading, []))
        groups[-1][1].append(question)
    return groups


def room_comments_filtered(room: Room, *, question: GuidingQuestion | None = None, language: str | None = None, number=1):
    """The room's visible comments answering a question and/or written in a
    language, oldest first, as a flat paginated list."""
    comments = Comment.objects.filter(room=room, state=Comment.State.VISIBLE).select_related("author", "room")
    if question is not None:
        comments = comments.filter(guiding_question=question)
    if language is not None:
        comments = comments.filter(language=language)
    return Paginator(comments.order_by("created_at", "pk"), settings.FORUM_THREADS_PER_PAGE).get_page(number)


def moderators_on_duty(room: Room, day=None) -> list:
    """The people whose rota assignment covers the day (today by default), each once."""
    day = day or timezone.localdate()
    assignments = RoomModerator.objects.filter(room=room).on_duty(day).select_related("user")
    moderators = {assignment.user_id: assignment.user for assignment in assignments}
    return list(moderators.values())


# --- Room page: threads by position --------------------------------------


def _threads_per_page() -> int:
    return settings.FORUM_THREADS_PER_PAGE


def room_page_count(room: Room) -> int:
    return max(1, ceil(room.thread_count / _threads_per_page()))


def _page_roots(room: Room, number: int, *, newest_first: bool, viewer=None) -> list[Comment]:
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
        Comment.objects.filter(wanted, room=room, level=0)
        .shown_in_threads(viewer)
        .select_related("author")
    )
    roots.sort(key=lambda root: (not root.is_pinned, -root.thread_number if newest_first else root.thread_number))
    return roots


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


def room_threads_page(room: Room, *, number: int = 1, newest_first: bool = False, viewer=None) -> CommentsPage:
    """A page of the room's threads with their first replies, in two queries
    whatever the room's size: the page's roots, then their replies. The viewer
    sees their own comments that await moderation."""
    num_pages = room_page_count(room)
    if not 1 <= number <= num_pages:
        raise Http404
    roots = _page_roots(room, number, newest_first=newest_first, viewer=viewer)
    cap = _room_page_reply_cap(roots)
    replies_by_tree: dict[int, list[Comment]] = {}
    if roots and cap:
        replies = (
            Comment.objects.filter(tree_id__in=[root.tree_id for root in roots])
            .replies()
            .shown_in_threads(viewer)
            .annotate(rank=Window(RowNumber(), partition_by=[F("tree_id")], order_by=F("lft").asc()))
            .filter(rank__lte=cap)
            .select_related("author")
            .order_by("tree_id", "lft")
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
    )


# --- A thread's own page -------------------------------------------------


def _thread_position(comment: Comment) -> int:
    """Where a comment stands in its thread's reading order (the root is 0),
    read from its tree values: every earlier comment is either an ancestor
    (one number before lft) or closed (two numbers)."""
    return (comment.lft - 1 + comment.level) // 2


def thread_page_count(root: Comment) -> int:
    return max(1, ceil(root.reply_count / settings.FORUM_COMMENTS_PER_THREAD_PAGE))


def get_thread_root(room: Room, comment_id: int, viewer=None) -> Comment:
    """The top-level comment that starts a thread of this room (404 otherwise)."""
    return get_object_or_404(
        Comment.objects.roots().shown_in_threads(viewer).select_related("author"), pk=comment_id, room=room
    )


def thread_page(root: Comment, *, number: int = 1, viewer=None) -> CommentsPage:
    """The thread's root and one page of its replies in reading order."""
    num_pages = thread_page_count(root)
    if not 1 <= number <= num_pages:
        raise Http404
    per_page = settings.FORUM_COMMENTS_PER_THREAD_PAGE
    first, last = (number - 1) * per_page + 1, number * per_page
    # Position p means lft + level == 2p + 1 (see _thread_position).
    replies = list(
        Comment.objects.filter(tree_id=root.tree_id)
        .replies()
        .shown_in_threads(viewer)
        .alias(position_key=F("lft") + F("level"))
        .filter(position_key__range=(2 * first + 1, 2 * last + 1))
        .select_related("author")
        .order_by("lft")
    )
    shown_ids = {root.pk} | {reply.pk for reply in replies}
    missing_parent_ids = {reply.parent_id for reply in replies if reply.parent_id not in shown_ids}
    off_page_parents = {
        parent.pk: parent
        for parent in Comment.objects.filter(pk__in=missing_parent_ids).select_related("author")
    } if missing_parent_ids else {}
    comments = [root, *replies]
    return CommentsPage(
        comments=comments,
        number=number,
        num_pages=num_pages,
        backlinks=backlinks_of(comments),
        off_page_parents=off_page_parents,
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
    """The tree ids of locked threads among these comments' threads whose root is not
    among them (one query, none when every root is there)."""
    roots_present = {comment.tree_id for comment in comments if comment.level == 0}
    missing = {comment.tree_id for comment in comments} - roots_present
    if not missing:
        return frozenset()
    return frozenset(
        Comment.objects.roots().filter(tree_id__in=missing, is_locked=True).values_list("tree_id", flat=True)
    )


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


# --- Notifications and colleagues ----------------------------------------


def notifications_page(user, *, number=1):
    """The person's notifications, newest first, with what each needs to be drawn."""
    notifications = Notification.objects.filter(recipient=user).select_related(
        "actor", "comment__author", "comment__room__consultation"
    )
    return Paginator(notifications, settings.FORUM_NOTIFICATIONS_PER_PAGE).get_page(number)


def get_notification(user, notification_id) -> Notification:
    """One of the person's own notifications (404 for anyone else's)."""
    return get_object_or_404(Notification.objects.select_related("comment"), pk=notification_id, recipient=user)


def unread_notification_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


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


# --- Moderation ------------------------------------------------------------


def moderated_rooms(user):
    """The rooms whose queue this person works: today's rota, or every room for staff."""
    if user.is_staff:
        return Room.objects.all()
    on_duty = RoomModerator.objects.filter(user=user).on_duty(timezone.localdate()).values("room_id")
    return Room.objects.filter(pk__in=on_duty)


def moderation_queue_page(user, *, number=1):
    """Comments with open reports or awaiting approval in the rooms the person
    moderates, the longest-waiting first, each with its open reports, parent and room."""
    open_reports = Q(reports__resolved_at__isnull=True)
    reported = Report.objects.filter(resolved_at__isnull=True).values("comment_id")
    items = (
        Comment.objects.filter(room__in=moderated_rooms(user))
        .filter(Q(state=Comment.State.PENDING) | Q(pk__in=reported))
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
