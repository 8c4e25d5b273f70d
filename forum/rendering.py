"""Comment bodies: from the text a person wrote to the HTML everyone reads.

This module is the only place that parses or sanitises a body. Services call
`render_comment_body` when a comment is posted or edited (and when something
it refers to changes) and store the result; templates print the stored HTML.

The path:
1. A small Markdown subset (paragraphs, line breaks, bold, italic, inline
   code, lists, quotes, links) is parsed into tokens, with raw HTML left as
   text; bare addresses become links, shortened for display.
2. @handles outside links and code become links to profiles showing the
   person's current display name; links to our own comments become
   references ("Comment by … in …" with an excerpt), links to our rooms and
   consultations show their titles. These are built as tokens, so their text
   is escaped like everything else: nothing is spliced into finished HTML.
3. Links to other sites get rel="nofollow ugc noopener"; nh3 has the last
   word with an allow-list.
"""

import html
import re
from dataclasses import dataclass, field
from typing import Protocol

import nh3
from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import override
from markdown_it import MarkdownIt
from markdown_it.token import Token

from accounts.models import User
from forum import former
from forum.addresses import Route, is_own_url, route_of
from forum.models import Comment, Consultation, Room
from forum.place_texts import source_text_of
from forum.quoting import how_to_quote

# Raise when the output for the same source changes, so stale bodies can be
# found (render_version < RENDER_VERSION) and rendered again. 4: permalinks
# pasted without their slash, and room and thread addresses "#comment-N", cite.
RENDER_VERSION = 4

EXTERNAL_LINK_REL = "nofollow ugc noopener"
SHORTENED_LINK_TEXT = 60
EXCERPT_LENGTH = 120
# An excerpt reads no more of a body than this (HTML characters): plenty for a
# line of text, and a long body costs no more than a short one.
EXCERPT_SOURCE_LENGTH = 4_000

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "ul", "ol", "li", "blockquote", "a", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel", "title"}, "ol": {"start"}}
ALLOWED_CLASSES = {"a": {"mention", "reference", "place"}, "span": {"reference__excerpt"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# "@handle" where the @ does not follow a letter, digit, @ or dot (so a@b.org
# is an address, not a mention). ASCII only, like handles themselves.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9_]{1,29})(?![\w@])")
# Who stands in the report's copy of a body for someone who may not be named there.
UNNAMED_PERSON = gettext_lazy("[a participant]")


# --- What the renderer needs to know about the site ------------------------


@dataclass(frozen=True)
class Person:
    user_id: int
    handle: str
    display_name: str


@dataclass(frozen=True)
class CitedComment:
    comment_id: int
    author_name: str
    room_title: str
    # Its start is enough (the first EXCERPT_SOURCE_LENGTH characters): only an excerpt is shown.
    body_html: str
    state: str  # "visible", "hidden" or "deleted"
    # How the report may quote its author (User.QuotingConsent).
    author_consent: str = User.QuotingConsent.BY_NAME
    # Where it is: (consultation slug, room slug), and the id of its thread's
    # first comment, for links to a page "#comment-N" that must really hold it.
    room_key: tuple[str, str] | None = None
    thread_id: int | None = None

    def is_on(self, within: tuple | None) -> bool:
        """Whether the page a link names (addresses.Route.within) shows this comment; True with no page named."""
        if within is None:
            return True
        kind, key = within
        if kind == "room":
            return key == self.room_key
        return self.room_key is not None and key == (*self.room_key, self.thread_id)


class Lookups(Protocol):
    """Batch look-ups, one call each per body. Only public things are returned:
    an unknown handle, or a comment or room that is missing or unpublished,
    is simply absent and stays ordinary text or an ordinary link."""

    def people(self, handles: set[str]) -> dict[str, Person]: ...

    def comments(self, ids: set[int]) -> dict[int, CitedComment]: ...

    def rooms(self, slugs: set[tuple[str, str]]) -> dict[tuple[str, str], str]: ...

    def consultations(self, slugs: set[str]) -> dict[str, str]: ...


class DatabaseLookups:
    """The look-ups against this site's database."""

    def people(self, handles):
        if not handles:
            return {}
        users = User.objects.filter(handle__in=handles, is_active=True).only("id", "handle", "display_name")
        return {user.handle: Person(user.pk, user.handle, user.display_name) for user in users}

    def comments(self, ids):
        if not ids:
            return {}
        thread_root = Comment.objects.filter(tree_id=OuterRef("tree_id"), parent=None).values("pk")[:1]
        comments = (
            Comment.objects.filter(pk__in=ids, room__is_published=True, room__consultation__is_published=True)
            .select_related("author", "room__consultation")
            .only(
                "id",
                "state",
                "written_as_moderator",
                "author__display_name",
                "author__quoting_consent",
                "may_be_quoted",
                "room__slug",
                "room__consultation__slug",
            )
            .annotate(
                body_start=Substr("body_html", 1, EXCERPT_SOURCE_LENGTH),
                thread_id=Subquery(thread_root),
                # A reference is stored HTML, the same for every reader: the room's
                # title in its consultation's language.
                room_title=source_text_of("room__title", language="room__consultation__language"),
            )
        )
        return {
            comment.pk: CitedComment(
                comment.pk,
                former.name_of(comment.author, as_moderator=comment.written_as_moderator),
                comment.room_title,
                comment.body_start,
                comment.state,
                # A deleted account took its consent with it, and "Don't quote this
                # comment" its author's: the report then does not quote it.
                how_to_quote(
                    author_consent=comment.author.quoting_consent if comment.author else None,
                    quotable=comment.may_be_quoted,
                ),
                (comment.room.consultation.slug, comment.room.slug),
                comment.thread_id,
            )
            for comment in comments
        }

    def rooms(self, slugs):
        if not slugs:
            return {}
        matches = Q()
        for consultation_slug, room_slug in slugs:
            matches |= Q(consultation__slug=consultation_slug, slug=room_slug)
        # In the consultation's language, as stored HTML is the same for every reader.
        rooms = (
            Room.objects.published()
            .filter(matches)
            .annotate(source_title=source_text_of("title", language="consultation__language"))
            .values_list("consultation__slug", "slug", "source_title")
        )
        return {(consultation_slug, slug): title for consultation_slug, slug, title in rooms}

    def consultations(self, slugs):
        if not slugs:
            return {}
        return dict(
            Consultation.objects.published()
            .filter(slug__in=slugs)
            .annotate(source_title=source_text_of("title", language="language"))
            .values_list("slug", "source_title")
        )


@dataclass(frozen=True)
class RenderedBody:
    html: str
    # In order of first mention, so callers can notify "the first ten".
    mentioned_user_ids: tuple[int, ...] = ()
    cited_comment_ids: frozenset[int] = field(default_factory=frozenset)
    # Links to other sites, which a spam check counts.
    external_link_count: int = 0
    version: int = RENDER_VERSION


# --- Links -----------------------------------------------------------------


def shorten_for_display(url: str, limit: int = SHORTENED_LINK_TEXT) -> str:
    """'https://example.org/a/very/long/path' as 'example.org/a/ve…/path'."""
    text = url.split("://", 1)[-1]
    if len(text) <= limit:
        return text
    tail = 15
    return f"{text[: limit - tail - 1]}…{text[-tail:]}"


# Bodies are our own sanitised HTML, so a tag is "<", then quoted values or
# anything but ">", then ">": a pattern does what an HTML parser would, faster.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_SPACE = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|blockquote|ul|ol|h[1-6])>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(body_html: str) -> str:
    """A rendered body as plain text: paragraphs apart, line breaks kept, list items as "- item"."""
    # Whitespace in HTML is one space, as a browser shows it; the tags say where lines break.
    text = _SPACE.sub(" ", body_html)
    text = _BLOCK_END.sub("\n\n", _LIST_ITEM.sub("\n- ", _LINE_BREAK.sub("\n", text)))
    text = html.unescape(_TAG.sub("", text))
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()


# A reference as we write it: the link (its text is the label, or the writer's
# own words), then what it shows of the cited comment, text without tags. "$":
# an excerpt reads a body that may have been cut inside it.
_REFERENCE = re.compile(
    r'<a href="([^"]*)" class="reference">(.*?)(?:</a>|$)(?: <span class="reference__excerpt">([^<]*)(?:</span>|$))?',
    re.DOTALL,
)
_CITED_EXCERPT = re.compile(r'<span class="reference__excerpt">[^<]*(?:</span>|$)')
_MENTION_LINK = re.compile(r'<a href="[^"]*/u/([^/"]+)/" class="mention">[^<]*</a>')
# What stands for a nested reference's label where names may not be shown.
NESTED_REFERENCE = "[…]"
_CUT_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*(?:"[^"]*|'[^']*)?$""")
_CUT_ENTITY = re.compile(r"&#?\w*$")


def excerpt_of(body_html: str, length: int = EXCERPT_LENGTH, *, for_report: bool = False) -> str:
    """A comment's own words without markup on one line, cut to a short excerpt.
    What it shows of the comments it cites is left out (a reference stays as its
    label or its linked words), so an excerpt never carries another comment's
    text; `for_report`, a label (which names an author) is left out too. Only
    the start of the body is read (it may be given only that)."""
    start = body_html[:EXCERPT_SOURCE_LENGTH]
    if len(start) == EXCERPT_SOURCE_LENGTH:
        start = _CUT_ENTITY.sub("", _CUT_TAG.sub("", start))

    def own_words(reference):
        words = reference.group(2)
        if for_report and _is_bare_reference(reference):
            return NESTED_REFERENCE
        return words

    # And what is left of one whose link was cut off at the start of the body.
    text = plain_text(_CITED_EXCERPT.sub("", _REFERENCE.sub(own_words, start)))
    return Truncator(" ".join(text.split())).chars(length)


def _is_bare_reference(reference: re.Match) -> bool:
    # A link with the writer's own words is followed by "(label: excerpt)".
    aside = reference.group(3)
    return aside is None or not aside.startswith("(")


def for_the_report(body_html: str, *, cited: dict[int, CitedComment], unnamed_handles: set[str]) -> str:
    """A stored body as the report may show it: each reference drawn again from
    `cited` (the comments as they are now) with its author's quoting consent
    honoured, and mentions of `unnamed_handles` without the person's name. For
    plain_text; nothing of it is shown on a page."""

    def reference(match):
        route = route_of(html.unescape(match.group(1)))
        comment = cited.get(route.key) if route and route.kind == "comment" else None
        bare = _is_bare_reference(match)
        if comment is None:
            return "" if bare else match.group(2)
        label, excerpt = _reference_texts(comment, excerpt_of(comment.body_html, for_report=True), for_report=True)
        if bare:
            return html.escape(" ".join(filter(None, [label, excerpt])))
        return f"{match.group(2)} {html.escape(_aside(label, excerpt))}"

    def mention(match):
        return html.escape(str(UNNAMED_PERSON)) if match.group(1).lower() in unnamed_handles else match.group(0)

    with override(settings.LANGUAGE_CODE):
        return _MENTION_LINK.sub(mention, _REFERENCE.sub(reference, body_html))


def source_for_the_report(source: str, *, unnamed_handles: set[str]) -> str:
    """A body's source with the @handles of `unnamed_handles` replaced, as for_the_report does."""
    with override(settings.LANGUAGE_CODE):
        return MENTION.sub(
            lambda match: str(UNNAMED_PERSON) if match.group(1).lower() in unnamed_handles else match.group(0), source
        )


# --- The Markdown parser and its rules -------------------------------------


def _shorten_bare_links(state) -> None:
    """Core rule: the text of a link made from a bare address is shortened."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        for i, token in enumerate(children[:-1]):
            if token.type == "link_open" and token.markup in {"linkify", "autolink"}:
                text = children[i + 1]
                if text.type == "text":
                    text.content = shorten_for_display(text.content)


def _is_own_link(link_open: Token) -> bool:
    """Judged once per link, on the href as it is written into the page."""
    if "own" not in link_open.meta:
        link_open.meta["own"] = is_own_url(link_open.attrGet("href") or "")
    return link_open.meta["own"]


def _render_link_open(renderer, tokens, idx, options, env):
    token = tokens[idx]
    if not _is_own_link(token):
        token.attrSet("rel", EXTERNAL_LINK_REL)
    return renderer.renderToken(tokens, idx, options, env)


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("zero", {"breaks": True, "linkify": True, "html": False})
    md.enable(["newline", "emphasis", "backticks", "list", "blockquote", "link", "autolink", "linkify", "escape"])
    md.core.ruler.push("shorten_bare_links", _shorten_bare_links)
    md.add_render_rule("link_open", _render_link_open)
    return md


_markdown = _build_markdown()


def _inline_children(tokens):
    for token in tokens:
        if token.type == "inline" and token.children:
            yield token


def _is_bare(link_open: Token, children: list[Token]) -> bool:
    """A link whose text is its own address (typed bare, or as <url>)."""
    return link_open.markup in {"linkify", "autolink"} or (
        len(children) == 1 and children[0].type == "text" and children[0].content == link_open.attrGet("href")
    )


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _link(href: str, css_class: str, content: str) -> list[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrs = {"href": href, "class": css_class}
    return [opening, _text(content), Token("link_close", "a", -1)]


def _excerpt_span(content: str) -> list[Token]:
    opening = Token("span_open", "span", 1)
    opening.attrs = {"class": "reference__excerpt"}
    return [_text(" "), opening, _text(content), Token("span_close", "span", -1)]


class _Collected:
    def __init__(self):
        self.handles: set[str] = set()
        self.routes: dict[str, set] = {"comment": set(), "room": set(), "consultation": set()}


def _collect(inlines, max_references: int) -> _Collected:
    """The handles and our routes the body names. Each link remembers in
    token.meta whether it stays on our site and its route, which is None once
    max_references links to our pages have been seen: those further ones stay
    plain links, never looked up."""
    collected = _Collected()
    routed = 0
    for inline in inlines:
        depth = 0
        for token in inline.children:
            if token.type == "link_open":
                depth += 1
                href = token.attrGet("href") or ""
                token.meta["own"] = is_own_url(href)
                route = route_of(href) if token.meta["own"] and routed < max_references else None
                token.meta["route"] = route
                if route:
                    routed += 1
                    collected.routes[route.kind].add(route.key)
                    if route.within and route.within[0] == "room":
                        # Titled as the room's link if the comment is not on it.
                        collected.routes["room"].add(route.within[1])
            elif token.type == "link_close":
                depth -= 1
            elif token.type == "text" and depth == 0:
                collected.handles.update(handle.lower() for handle in MENTION.findall(token.content))
    return collected


def _with_mentions(token: Token, people: dict[str, Person], mentioned: list[int]) -> list[Token]:
    """A text token split around the @handles of people who exist."""
    pieces, position = [], 0
    for match in MENTION.finditer(token.content):
        person = people.get(match.group(1).lower())
        if person is None:
            continue
        pieces.append(_text(token.content[position : match.start()]))
        pieces.extend(_link(reverse("forum:profile", args=[person.handle]), "mention", f"@{person.display_name}"))
        position = match.end()
        if person.user_id not in mentioned:
            mentioned.append(person.user_id)
    if not pieces:
        return [token]
    pieces.append(_text(token.content[position:]))
    return [piece for piece in pieces if piece.type != "text" or piece.content]


def _reference_texts(cited: CitedComment, excerpt: str, *, for_report: bool) -> tuple[str, str]:
    """The label of a reference and the quoted excerpt ("" when none may be shown).
    `for_report`, the author is named and quoted only as they agreed."""
    room = {"room": cited.room_title}
    if cited.state == "hidden":
        return _("A comment hidden by a moderator, in %(room)s") % room, ""
    if cited.state != "visible":
        return _("A comment no longer available, in %(room)s") % room, ""
    consent = how_to_quote(author_consent=cited.author_consent) if for_report else User.QuotingConsent.BY_NAME
    if consent == User.QuotingConsent.BY_NAME:
        label = _("Comment by %(name)s in %(room)s") % {"name": cited.author_name, "room": cited.room_title}
    else:
        label = _("Comment by a participant in %(room)s") % room
    return label, "" if consent == User.QuotingConsent.NOT_AT_ALL else f"“{excerpt}”"


def _aside(label: str, excerpt: str) -> str:
    """What follows a link written with the writer's own words."""
    return f"({label}{': ' + excerpt if excerpt else ''})"


def _reference(link_open: Token, children: list[Token], cited: CitedComment, excerpt: str, for_report: bool):
    """A link to one of our comments, shown as what it is (with `excerpt` of it, if it may be shown)."""
    link_open.attrSet("class", "reference")
    label, excerpt = _reference_texts(cited, excerpt, for_report=for_report)
    if _is_bare(link_open, children):
        inner = [_text(label)]
        after = _excerpt_span(excerpt) if excerpt else []
    else:
        # The writer's own words stay the link; what it cites follows.
        inner = children
        after = _excerpt_span(_aside(label, excerpt))
    return [link_open, *inner, Token("link_close", "a", -1), *after]


def _transform(inline: Token, found: dict, mentioned: list[int], cited_ids: set[int]) -> None:
    out, children, index = [], inline.children, 0
    while index < len(children):
        token = children[index]
        if token.type == "link_open":
            close = index + 1
            depth = 1
            while close < len(children):
                depth += {"link_open": 1, "link_close": -1}.get(children[close].type, 0)
                if depth == 0:
                    break
                close += 1
            inner = children[index + 1 : close]
            out.extend(_transform_link(token, inner, found, cited_ids))
            index = close + 1
            continue
        if token.type == "text":
            out.extend(_with_mentions(token, found["people"], mentioned))
        else:
            out.append(token)
        index += 1
    inline.children = out


def _transform_link(link_open: Token, inner: list[Token], found: dict, cited_ids: set[int]) -> list[Token]:
    route = link_open.meta.get("route")
    closing = Token("link_close", "a", -1)
    if route is None:
        return [link_open, *inner, closing]
    if route.kind == "comment":
        cited = found["comments"].get(route.key)
        if cited is not None and cited.is_on(route.within):
            cited_ids.add(route.key)
            return _reference(link_open, inner, cited, found["excerpts"].get(route.key, ""), found["for_report"])
        # A room's address naming a comment it does not hold is only the room's link.
        route = Route("room", route.within[1]) if route.within and route.within[0] == "room" else route
    titles = {"room": found["rooms"], "consultation": found["consultations"]}.get(route.kind, {})
    title = titles.get(route.key)
    if title and _is_bare(link_open, inner):
        link_open.attrSet("class", "place")
        return [link_open, _text(title), closing]
    return [link_open, *inner, closing]


def sanitise(html_text: str) -> str:
    """The allow-list every body passes through last."""
    return nh3.clean(
        html_text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def render_comment_body(
    source: str, lookups: Lookups | None = None, *, max_references: int | None = None, for_report: bool = False
) -> RenderedBody:
    """Render a comment's source text to safe HTML, resolving mentions and
    references with one batch of look-ups.

    Only the first `max_references` links to our comments, rooms and
    consultations (settings.FORUM_MAX_REFERENCES_PER_COMMENT unless given) are
    looked up and drawn as references or titles; further ones stay plain links
    to our site and are not cited (no CommentLink). Each cited comment's excerpt
    is made once, however often it is cited, so a body costs about what its
    length does.

    `for_report` renders what the report may draw on (moderators' summaries):
    a cited comment's author is named and quoted only as they agreed."""
    lookups = lookups or DatabaseLookups()
    if max_references is None:
        max_references = settings.FORUM_MAX_REFERENCES_PER_COMMENT
    tokens = _markdown.parse(source)
    inlines = list(_inline_children(tokens))
    collected = _collect(inlines, max_references)
    cited = lookups.comments(collected.routes["comment"])
    found = {
        "people": lookups.people(collected.handles),
        "comments": cited,
        "excerpts": {
            pk: excerpt_of(comment.body_html, for_report=for_report)
            for pk, comment in cited.items()
            if comment.state == "visible"
        },
        "for_report": for_report,
        "rooms": lookups.rooms(collected.routes["room"]),
        "consultations": lookups.consultations(collected.routes["consultation"]),
    }
    mentioned: list[int] = []
    cited_ids: set[int] = set()
    # References are written in the site's language, whoever triggers the rendering.
    with override(settings.LANGUAGE_CODE):
        for inline in inlines:
            _transform(inline, found, mentioned, cited_ids)
    rendered = _markdown.renderer.render(tokens, _markdown.options, {})
    external_links = sum(
        1 for inline in inlines for token in inline.children if token.type == "link_open" and not _is_own_link(token)
    )
    return RenderedBody(
        html=sanitise(rendered).strip(),
        mentioned_user_ids=tuple(mentioned),
        cited_comment_ids=frozenset(cited_ids),
        external_link_count=external_links,
    )
