"""Comment bodies: from the text a person wrote to the HTML everyone reads.

This module is the only place that parses or sanitises a body. Services call
`render_comment_body` when a comment is posted or edited and store the
result; templates print the stored HTML as it is.

The path: a small Markdown subset (paragraphs, line breaks, bold, italic,
inline code, lists, quotes, links) becomes HTML with raw HTML turned into
text; bare addresses become links; links to other sites get
rel="nofollow ugc noopener" and long addresses are shortened in the text
(never in the href); nh3 has the last word with an allow-list.
"""

from dataclasses import dataclass
from urllib.parse import unquote

import nh3
from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme
from markdown_it import MarkdownIt

# Raise when the output for the same source changes, so stale bodies can be
# found (render_version < RENDER_VERSION) and rendered again.
RENDER_VERSION = 1

EXTERNAL_LINK_REL = "nofollow ugc noopener"
SHORTENED_LINK_TEXT = 60

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "ul", "ol", "li", "blockquote", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class RenderedBody:
    html: str
    version: int = RENDER_VERSION


def is_own_url(url: str) -> bool:
    """True for a relative URL or an absolute one on this site, decided the way
    Django decides safe redirects, so `https:evil.example`, `/\\evil.example`
    and `https://our.site@evil.example` count as other sites."""
    # Judged as written, before the Markdown parser percent-encodes it.
    return url_has_allowed_host_and_scheme(
        unquote(url), allowed_hosts=settings.FORUM_OWN_HOSTS, require_https=False
    )


def shorten_for_display(url: str, limit: int = SHORTENED_LINK_TEXT) -> str:
    """'https://example.org/a/very/long/path' as 'example.org/a/ve…/path'."""
    text = url.split("://", 1)[-1]
    if len(text) <= limit:
        return text
    tail = 15
    return f"{text[: limit - tail - 1]}…{text[-tail:]}"


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


def _render_link_open(renderer, tokens, idx, options, env):
    token = tokens[idx]
    href = token.attrGet("href") or ""
    if not is_own_url(href):
        token.attrSet("rel", EXTERNAL_LINK_REL)
    return renderer.renderToken(tokens, idx, options, env)


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("zero", {"breaks": True, "linkify": True, "html": False})
    md.enable(["newline", "emphasis", "backticks", "list", "blockquote", "link", "autolink", "linkify", "escape"])
    md.core.ruler.push("shorten_bare_links", _shorten_bare_links)
    md.add_render_rule("link_open", _render_link_open)
    return md


_markdown = _build_markdown()


def sanitise(html: str) -> str:
    """The allow-list every body passes through last."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def render_comment_body(source: str) -> RenderedBody:
    """Render a comment's source text to safe HTML."""
    return RenderedBody(html=sanitise(_markdown.render(source)).strip())
