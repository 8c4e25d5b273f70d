"""What an engine is given of a comment, and how its answer becomes a body again.

The engine translates words. Everything else in a rendered body is taken out
first and put back afterwards, untouched: mentions, links and reference cards
(with their excerpts of other comments), code, hashtags, and the names of the
people taking part (Apertium turns "Álvaro Herrero" into "Álvaro Smith" when
it reads a name as words). Each is replaced by a made-up word the engine keeps
as an unknown word, so the sentence around it still reads as one."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from forum.rendering import sanitise

# Whole elements that are never translated. Bodies are sanitised HTML, so these
# are well-formed and never nested in one another.
_KEPT_ELEMENTS = re.compile(
    r'<a\b[^>]*>.*?</a>|<span class="reference__excerpt">.*?</span>|<code>.*?</code>', re.DOTALL
)
# Words that are names or addresses, written in the text itself.
_KEPT_WORDS = re.compile(r"(?<![\w&])[#@][\w.-]*\w|\b[\w.+-]+@[\w-]+\.[\w.-]+\b|https?://\S+")
_TEXT_BETWEEN_TAGS = re.compile(r"(<[^>]*>)")
# Marks Apertium may leave before words it could not handle ("#", "@"; "*" is
# switched off with -u): never shown. The lookbehind keeps entities such as &#39;.
_ENGINE_MARKS = re.compile(r"(?<![\w&#])[*#@](?=\w)")
_PLACEHOLDER_PREFIX = "qxz"


@dataclass(frozen=True)
class Shielded:
    html: str
    kept: tuple[str, ...]
    prefix: str


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _placeholder(prefix: str, index: int) -> str:
    """qxzaaa, qxzaab…: letters only, so engines treat it as one unknown word."""
    return prefix + _LETTERS[index // 676 % 26] + _LETTERS[index // 26 % 26] + _LETTERS[index % 26]


def _index(code: str) -> int:
    return sum(_LETTERS.index(letter) * 26**power for power, letter in enumerate(reversed(code.lower())))


def _free_prefix(html: str) -> str:
    prefix = _PLACEHOLDER_PREFIX
    while prefix in html.lower():
        prefix += "x"
    return prefix


def shield(body_html: str, *, names: Iterable[str] = ()) -> Shielded:
    """The body with what must not be translated replaced by placeholders."""
    prefix = _free_prefix(body_html)
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match[0])
        return _placeholder(prefix, len(kept) - 1)

    html = _KEPT_ELEMENTS.sub(keep, body_html)
    name_pattern = _names_pattern(names)

    def keep_in_text(piece: str) -> str:
        if piece.startswith("<"):
            return piece
        piece = _KEPT_WORDS.sub(keep, piece)
        return name_pattern.sub(keep, piece) if name_pattern else piece

    html = "".join(keep_in_text(piece) for piece in _TEXT_BETWEEN_TAGS.split(html))
    return Shielded(html=html, kept=tuple(kept), prefix=prefix)


def _names_pattern(names: Iterable[str]) -> re.Pattern | None:
    # Longest first, so "Ana María López" is kept whole rather than as "Ana María".
    wanted = sorted({n.strip() for n in names if len(n.strip()) > 1}, key=len, reverse=True)
    if not wanted:
        return None
    # Names appear in the body as HTML text: "&" is "&amp;" there.
    escaped = (re.escape(n.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) for n in wanted)
    return re.compile(r"(?<!\w)(?:" + "|".join(escaped) + r")(?!\w)")


class LostMarkup(Exception):
    """The engine dropped or repeated something it was asked to keep."""


def unshield(translated: str, shielded: Shielded) -> str:
    """The engine's answer with what was kept put back, sanitised like any body."""
    placeholder = re.compile(re.escape(shielded.prefix) + r"([a-z]{3})", re.IGNORECASE)
    seen: list[int] = []

    def restore(match: re.Match) -> str:
        index = _index(match[1])
        if index >= len(shielded.kept):
            raise LostMarkup(match[0])
        seen.append(index)
        return shielded.kept[index]

    words = "".join(
        piece if piece.startswith("<") else _ENGINE_MARKS.sub("", piece)
        for piece in _TEXT_BETWEEN_TAGS.split(translated)
    )
    restored = placeholder.sub(restore, words)
    if sorted(seen) != list(range(len(shielded.kept))):
        raise LostMarkup("the engine lost or repeated a kept element")
    return sanitise(restored).strip()
