"""What a drawn comment shows: the contract between the selectors, which read
the rows, and `templates/forum/partials/comment.html`, which draws them.

Every page that draws comments builds its cards here, from the rows its
selector read and the rules of `forum/permissions.py`; the partial reads only
the card. To show something new on a comment, add a field to `CommentCard` and
fill it in `_card`. Building cards runs no query: what they need (the page's
threads, their locks, backlinks, the moderators on duty) is read beforehand.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.functional import LazyObject
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.text import names_look_alike
from forum import former, links, machine_translation, permissions
from forum.languages import comment_language_of, language_name
from forum.place_texts import text_in
from forum.models import Comment, Endorsement, HeldReason, Room
from forum.selectors.translations import (
    State,
    Translation,
    may_be_translated,
    reader_language,
    translation_url,
)


HIDDEN_AFTER_REPORTS = gettext_lazy("waiting for a moderator after several reports")


@dataclass(frozen=True)
class Author:
    name: str
    # Empty, like the url, for a former participant (an account deleted since).
    handle: str
    # Empty when it is the name itself (an organisation account filling both), so it shows once.
    organisation: str
    url: str
    # Checked by staff; a self-declared organisation shows no badge.
    verified_organisation: bool = False


@dataclass(frozen=True)
class Place:
    """The room a comment is in, named on pages that gather several rooms."""

    title: str
    url: str


@dataclass(frozen=True)
class ReplyingTo:
    """The parent named above a reply whose indentation no longer shows it.
    `name` is empty when the parent was removed."""

    pk: int
    name: str


@dataclass(frozen=True)
class Backlink:
    url: str
    author_name: str
    room_title: str


@dataclass(frozen=True)
class EndorsementCount:
    """One kind of endorsement on a comment: its name, how many gave it, and whether the viewer did."""

    kind: str
    label: str
    count: int
    given: bool = False

    @property
    def name(self) -> str:
        """What a screen reader says for its button: "I agree, 3"."""
        return endorsement_name(self.label, self.count)


def endorsement_name(label: str, count: int) -> str:
    return _("%(kind)s, %(count)s") % {"kind": label, "count": count}


@dataclass(frozen=True)
class Answers:
    """ "Answers question 2", linking to the room filtered by that question."""

    number: int
    url: str


@dataclass(frozen=True)
class ReportCitation:
    """ "Cited in the report, finding 3.2": the findings of the published report citing it."""

    findings: str
    # The report's public page; empty where the page did not read the consultation.
    url: str


@dataclass(frozen=True)
class Actions:
    """The links and forms this viewer may use on the comment; None where not allowed."""

    reply_url: str | None = None
    edit_url: str | None = None
    delete_url: str | None = None
    report_url: str | None = None
    # Thread roots: where to post to follow or unfollow, and which it is now.
    follow_url: str | None = None
    followed: bool = False
    moderate_url: str | None = None
    flag_url: str | None = None
    # Where to post to give or withdraw an endorsement (forum.permissions.why_cannot_endorse).
    endorse_url: str | None = None


@dataclass(frozen=True)
class CommentCard:
    """Everything comment.html draws for one comment, for one viewer."""

    pk: int
    url: str
    level: int
    # Indentation, capped at FORUM_MAX_DISPLAY_DEPTH.
    depth: int
    state: str
    # None when this viewer may not know who wrote a removed comment.
    author: Author | None
    # Written as a moderator of the room: the badge it keeps, whatever the rota says later.
    author_moderates: bool
    created_at: datetime
    # Shown only on visible comments.
    edited_at: datetime | None
    # The text readers see: visible comments, and held ones to their author.
    body_html: str
    # The removed text, for moderators only.
    removed_body_html: str
    hidden_reason: str
    # Why a held comment waits, for those who may read it.
    held_reason: str
    language: str
    # "Español" when the comment is in another language than the page.
    language_label: str
    is_pinned: bool
    is_locked: bool
    is_highlighted: bool
    place: Place | None = None
    replying_to: ReplyingTo | None = None
    backlinks: tuple[Backlink, ...] = ()
    actions: Actions | None = None
    # Where its thread starts and ends in a list drawn flat, and where a cut-off one continues.
    starts_thread: bool = True
    ends_thread: bool = True
    continue_thread_url: str | None = None
    # Drawn higher up the same page (summaries): a link instead of a second copy.
    shown_above: bool = False
    # Posted by someone else since the viewer's last visit to the room (Drawing.new_after_id).
    is_new: bool = False
    # "Translate to Español": the reader's language, for a visible comment in
    # another one the engine can translate (forum.machine_translation).
    translate_url: str | None = None
    translate_to: str = ""
    # Its translation, drawn at once for a reader who chose so (Drawing.translations).
    translation: Translation | None = None
    # Threads drawn flat still fold: the replies drawn right after a comment form a
    # group the reader can collapse. None when none follow it here; otherwise how
    # many of them this viewer can read (placeholders of removed ones don't count).
    replies: int | None = None
    # How many of those groups, this card's and its ancestors', end after it.
    closes_replies: int = 0
    # Visible comments only, every kind in order; the viewer's own are marked `given`.
    endorsements: tuple[EndorsementCount, ...] = ()
    # For anonymous readers of a room's page: log in, then come back to this comment.
    log_in_to_endorse_url: str | None = None
    answers: Answers | None = None
    cited_in_report: ReportCitation | None = None
    # For those writing the report: the workbench's form citing this comment ("Use as evidence").
    evidence_url: str | None = None

    @property
    def is_visible(self) -> bool:
        return self.state == Comment.State.VISIBLE

    @property
    def closed_reply_groups(self) -> range:
        """One step per group of replies to close after this card (a template loops over it)."""
        return range(self.closes_replies)

    @property
    def is_pending(self) -> bool:
        return self.state == Comment.State.PENDING

    @property
    def is_hidden(self) -> bool:
        return self.state == Comment.State.HIDDEN

    @property
    def is_deleted(self) -> bool:
        return self.state == Comment.State.DELETED


@dataclass(frozen=True)
class Drawing:
    """How a page draws its comments, the same for every card on it.

    `room` draws the actions (room and thread pages); `viewer` is the person
    looking;
    `viewer_moderates` shows removed text and the moderators' links;
    `followed_thread_ids` the page's threads the viewer follows (None: no
    follow buttons); `name_rooms` names each comment's room."""

    viewer: object
    room: Room | None = None
    viewer_moderates: bool = False
    followed_thread_ids: frozenset[int] | None = None
    name_rooms: bool = False
    # The locked threads among the page's comments (selectors.locked_threads_of).
    locked_tree_ids: frozenset[int] = frozenset()
    posting_refusal: str | None = None
    # Visible comments by others after this id are new to the viewer
    # (selectors.visits); None marks nothing.
    new_after_id: int | None = None
    # Translations into the viewer's language (HTML by comment id), for a viewer
    # who reads comments translated at once (CommentsPage.translations).
    translations: dict | None = None
    # The room's guiding questions by id → their number (selectors.numbered_questions): "Answers question 2".
    question_numbers: dict[int, int] | None = None
    # Set for someone who works on the consultation's report (permissions.can_work_on_report).
    evidence_url: str | None = None
    # What every card of the page would otherwise work out again: the page's
    # language, the endorsements' names, each author as drawn (_memo).
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        # Every card asks the viewer a dozen things: through request.user's lazy
        # wrapper each question costs three calls more, thousands on a page.
        object.__setattr__(self, "viewer", _unwrapped(self.viewer))


def _unwrapped(person):
    """The person behind a lazy request.user (what it holds once evaluated)."""
    if isinstance(person, LazyObject):
        person.is_authenticated  # noqa: B018 (evaluates the wrapper, as any page has by now)
        return person._wrapped
    return person


def _memo(drawing: Drawing, key, make):
    """`make()`, worked out once per page."""
    try:
        return drawing.memo[key]
    except KeyError:
        value = drawing.memo[key] = make()
        return value


@dataclass(frozen=True)
class NewComments:
    """Above a room's comments, for someone coming back: how many are new since
    their last visit, and where the first is (on this page, or its permalink)."""

    count: int
    first_url: str


def new_comments(cards: list[CommentCard], *, count: int, first_new_id: int | None) -> NewComments | None:
    """What is new in the room, from the page's cards and the room's `count` of new
    comments and oldest new one (selectors.RoomReading); None when nothing is new."""
    first_here = next((card for card in cards if card.is_new), None)
    if first_here is not None:
        # At least what the page marks: a comment posted between the room's read and the page's.
        return NewComments(max(count, sum(card.is_new for card in cards)), f"#comment-{first_here.pk}")
    if first_new_id is None:
        return None
    return NewComments(count, links.fill("forum:comment-permalink", first_new_id))


def draw_single(viewer, comment: Comment, *, viewer_moderates: bool = False, name_room: bool = False) -> CommentCard:
    """One comment on a page of its own (edit, delete, report, flag, moderate): no actions, no thread."""
    return draw_list(viewer, [comment], viewer_moderates=viewer_moderates, name_rooms=name_room)[0]


def draw_list(
    viewer,
    comments: Iterable[Comment],
    *,
    viewer_moderates: bool = False,
    name_rooms: bool = False,
    shown_above: Iterable[int] = (),
    evidence_url: str | None = None,
) -> list[CommentCard]:
    """Comments listed one by one (profiles, summaries, the moderation queue), each its own thread;
    `evidence_url` (the report's workbench) offers each as evidence."""
    drawing = Drawing(
        viewer=viewer,
        viewer_moderates=viewer_moderates,
        name_rooms=name_rooms,
        evidence_url=evidence_url,
    )
    above = set(shown_above)
    return [_card(comment, drawing, depth=0, shown_above=comment.pk in above) for comment in comments]


def draw_room_list(drawing: Drawing, comments: list[Comment]) -> list[CommentCard]:
    """A room's comments listed one by one (the room filtered by question or language), with their actions."""
    return [_card(comment, drawing, depth=0) for comment in comments]


def draw_threads(
    drawing: Drawing,
    comments: list[Comment],
    *,
    backlinks: dict | None = None,
    off_page_parents: dict | None = None,
    continued_thread_ids: Iterable[int] = (),
) -> list[CommentCard]:
    """Threads in tree order, drawn in one flat loop: each card knows its
    indentation, whether it starts or ends its thread, and, when indentation
    no longer shows it or the parent is on another page, whom it replies to.
    The last comment shown of a cut-off thread links to the thread's own page."""
    backlinks = backlinks or {}
    off_page_parents = off_page_parents or {}
    continued = set(continued_thread_ids)
    by_id = {comment.pk: comment for comment in comments}
    max_depth = settings.FORUM_MAX_DISPLAY_DEPTH
    roots = {comment.tree_id: comment.pk for comment in comments if comment.level == 0}
    groups = _reply_groups(comments, drawing)
    cards = []
    for index, comment in enumerate(comments):
        parent = by_id.get(comment.parent_id) or off_page_parents.get(comment.parent_id)
        named_parent = parent if parent and (comment.level > max_depth or comment.parent_id not in by_id) else None
        previous = comments[index - 1] if index else None
        following = comments[index + 1] if index + 1 < len(comments) else None
        ends = following is None or following.tree_id != comment.tree_id
        root_id = roots.get(comment.tree_id)
        cards.append(
            _card(
                comment,
                drawing,
                depth=min(comment.level, max_depth),
                backlinks=backlinks.get(comment.pk, ()),
                replying_to=named_parent,
                starts_thread=previous is None or previous.tree_id != comment.tree_id,
                ends_thread=ends,
                continue_thread_id=root_id if ends and root_id in continued else None,
                replies=groups.replies.get(index),
                closes_replies=groups.closes[index],
            )
        )
    return cards


@dataclass
class _ReplyGroups:
    # By index in the page's comments: the readable replies grouped under it, and
    # how many groups end after it.
    replies: dict[int, int]
    closes: list[int]


def _reply_groups(comments: list[Comment], drawing: Drawing) -> _ReplyGroups:
    """Where the groups of replies open and close in a flat list in tree order.
    A group opens after a comment followed by a deeper one (its descendant) and
    closes before the next comment no deeper than its owner, or at the thread's
    end; ancestors missing from the page (a thread's later pages) open none."""
    replies: dict[int, int] = {}
    closes = [0] * len(comments)
    open_groups: list[tuple[int, int]] = []  # (level of the owner, index of the owner)
    for index, comment in enumerate(comments):
        if open_groups and permissions.can_read_text(drawing.viewer, comment, moderates=drawing.viewer_moderates):
            for _level, owner in open_groups:
                replies[owner] += 1
        following = comments[index + 1] if index + 1 < len(comments) else None
        same_thread = following is not None and following.tree_id == comment.tree_id
        if same_thread and following.level > comment.level:
            open_groups.append((comment.level, index))
            replies[index] = 0
            continue
        while open_groups and (not same_thread or open_groups[-1][0] >= following.level):
            open_groups.pop()
            closes[index] += 1
    return _ReplyGroups(replies, closes)


def _card(
    comment: Comment,
    drawing: Drawing,
    *,
    depth: int,
    backlinks=(),
    replying_to: Comment | None = None,
    starts_thread: bool = True,
    ends_thread: bool = True,
    continue_thread_id: int | None = None,
    shown_above: bool = False,
    replies: int | None = None,
    closes_replies: int = 0,
) -> CommentCard:
    readable = permissions.can_read_text(drawing.viewer, comment, moderates=drawing.viewer_moderates)
    removed = comment.is_hidden or comment.is_deleted
    author = (
        _memo(
            drawing,
            ("author", comment.author_id, comment.written_as_moderator),
            lambda: _author(comment.author, as_moderator=comment.written_as_moderator),
        )
        if readable
        else None
    )
    page_language, target = _memo(drawing, "languages", _page_languages)
    room = comment.room if drawing.name_rooms else None
    translatable = (
        readable and may_be_translated(comment, target) and machine_translation.can_translate(comment.language, target)
    )
    return CommentCard(
        pk=comment.pk,
        url=comment.get_absolute_url(),
        level=comment.level,
        depth=depth,
        state=comment.state,
        author=author,
        author_moderates=comment.written_as_moderator,
        created_at=comment.created_at,
        edited_at=comment.edited_at if comment.is_visible else None,
        body_html=comment.body_html if readable and not removed else "",
        removed_body_html=comment.body_html if readable and removed else "",
        hidden_reason=(str(HIDDEN_AFTER_REPORTS) if comment.hidden_after_reports else comment.hidden_reason)
        if comment.is_hidden
        else "",
        held_reason=HeldReason.explain(comment.held_reason, drawing.room or comment.room)
        if comment.is_pending and readable
        else "",
        language=comment.language,
        language_label=_memo(drawing, ("language", comment.language), lambda: language_name(comment.language))
        if comment.language and comment.language != page_language
        else "",
        is_pinned=comment.level == 0 and comment.is_pinned,
        is_locked=comment.level == 0 and comment.is_locked,
        is_highlighted=comment.is_highlighted,
        place=Place(text_in(room, "title").text, room.get_absolute_url()) if room is not None else None,
        replying_to=(
            ReplyingTo(
                replying_to.pk,
                former.name_of(replying_to.author, as_moderator=replying_to.written_as_moderator)
                if replying_to.is_visible
                else "",
            )
            if replying_to is not None
            else None
        ),
        backlinks=tuple(
            Backlink(
                citing.get_absolute_url(),
                former.name_of(citing.author, as_moderator=citing.written_as_moderator),
                text_in(citing.room, "title").text,
            )
            for citing in backlinks
        ),
        actions=_actions(comment, drawing),
        starts_thread=starts_thread,
        ends_thread=ends_thread,
        continue_thread_url=_thread_url(drawing.room, continue_thread_id) if continue_thread_id else None,
        shown_above=shown_above,
        endorsements=_endorsements(comment, _memo(drawing, "endorsement kinds", _endorsement_kinds))
        if comment.is_visible
        else (),
        log_in_to_endorse_url=_log_in_url(comment.pk)
        if comment.is_visible and drawing.room is not None and not drawing.viewer.is_authenticated
        else None,
        is_new=(
            drawing.new_after_id is not None
            and comment.pk > drawing.new_after_id
            and comment.is_visible
            and comment.author_id != drawing.viewer.pk
        ),
        translate_url=translation_url(comment.pk, target) if translatable else None,
        translate_to=_memo(drawing, ("language", target), lambda: language_name(target)) if translatable else "",
        translation=_translation(comment, target, drawing.translations) if translatable else None,
        replies=replies,
        closes_replies=closes_replies,
        answers=_answers(comment, drawing),
        cited_in_report=_cited_in_report(comment, drawing) if comment.report_citation and comment.is_visible else None,
        evidence_url=f"{drawing.evidence_url}?comment={comment.pk}"
        if drawing.evidence_url and comment.is_visible
        else None,
    )


def _translation(comment: Comment, target: str, translations: dict | None) -> Translation | None:
    html = (translations or {}).get(comment.pk)
    if not html:
        return None
    return Translation(
        state=State.READY,
        source=comment.language,
        source_name=language_name(comment.language),
        target=target,
        target_name=language_name(target),
        html=html,
    )


def _author(person, *, as_moderator: bool) -> Author:
    if person is None:
        return Author(name=former.name_of(None, as_moderator=as_moderator), handle="", organisation="", url="")
    return Author(
        name=person.display_name,
        handle=person.handle,
        organisation="" if names_look_alike(person.organisation, person.display_name) else person.organisation,
        url=links.fill("forum:profile", person.handle),
        verified_organisation=person.is_verified_organisation,
    )


def _page_languages() -> tuple[str, str | None]:
    """The page's language as comments are marked, and the one they are offered translated into."""
    page_language = comment_language_of(translation.get_language() or settings.LANGUAGE_CODE)
    return page_language, reader_language(page_language)


def _endorsement_kinds() -> list[tuple[str, str]]:
    return [(kind, str(label)) for kind, label in Endorsement.Kind.choices]


def _endorsements(comment: Comment, kinds: list[tuple[str, str]]) -> tuple[EndorsementCount, ...]:
    """The comment's counts (its own columns) and the viewer's endorsements, which
    the selector folded into its query (selectors.threads.with_viewer_endorsements)."""
    return tuple(
        EndorsementCount(
            kind=kind,
            label=label,
            count=getattr(comment, f"{kind}_count"),
            given=getattr(comment, f"viewer_endorsed_{kind}", False),
        )
        for kind, label in kinds
    )


def _log_in_url(comment_id: int) -> str:
    return f"{_log_in_page(get_script_prefix())}?next={quote(links.fill('forum:comment-permalink', comment_id))}"


@functools.lru_cache(maxsize=8)
def _log_in_page(prefix: str) -> str:
    return reverse("account_login")


def _answers(comment: Comment, drawing: Drawing) -> Answers | None:
    number = (drawing.question_numbers or {}).get(comment.guiding_question_id)
    if number is None or drawing.room is None:
        return None
    return Answers(number, f"{drawing.room.get_absolute_url()}?question={comment.guiding_question_id}")


def _cited_in_report(comment: Comment, drawing: Drawing) -> ReportCitation:
    room = drawing.room
    if room is None and Comment.room.is_cached(comment) and Room.consultation.is_cached(comment.room):
        room = comment.room
    first = comment.report_citation.split(",")[0].strip()
    url = f"{links.fill('forum:policy-report', room.consultation.slug)}#finding-{first}" if room is not None else ""
    return ReportCitation(comment.report_citation, url)


def _thread_url(room: Room, root_id: int) -> str:
    return links.fill("forum:thread", room.consultation.slug, room.slug, root_id)


def _actions(comment: Comment, drawing: Drawing) -> Actions | None:
    """The rules of forum.permissions, asked with what the page already knows."""
    room, viewer = drawing.room, drawing.viewer
    if room is None or not viewer.is_authenticated:
        return None
    comment.room = room  # the rules read the room; the page has it already
    facts = permissions.PageFacts(
        posting_refusal=drawing.posting_refusal,
        thread_locked=comment.tree_id in drawing.locked_tree_ids,
        report_refusals=_memo(drawing, "report refusals", lambda: permissions.viewer_report_refusals(viewer, room)),
    )
    consultation, slug = room.consultation.slug, room.slug
    follows = drawing.followed_thread_ids is not None and permissions.can_follow_thread(viewer, comment)
    return Actions(
        reply_url=links.fill("forum:reply", consultation, slug, comment.pk)
        if permissions.can_reply_to(viewer, comment, facts=facts)
        else None,
        edit_url=comment.edit_url if permissions.can_edit(viewer, comment, facts=facts) else None,
        delete_url=comment.delete_url if permissions.can_delete(viewer, comment) else None,
        report_url=comment.report_url if permissions.can_report(viewer, comment, facts=facts) else None,
        follow_url=links.fill("forum:follow-thread", consultation, slug, comment.pk) if follows else None,
        followed=follows and comment.pk in drawing.followed_thread_ids,
        moderate_url=comment.moderate_url if drawing.viewer_moderates else None,
        flag_url=comment.flag_url if drawing.viewer_moderates else None,
        endorse_url=links.fill("forum:endorse-comment", comment.pk)
        if permissions.can_endorse(viewer, comment, facts=facts)
        else None,
    )
