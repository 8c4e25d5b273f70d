"""Machine translation of comments, behind one small interface.

An engine translates HTML fragments from one language to another. Which engine
the site uses is a setting (TRANSLATION_BACKEND, a dotted path to a class, or
"none"); Apertium, offline from Debian's packages, is the default, and
`libretranslate.LibreTranslate` speaks to any LibreTranslate-compatible server.
What is sent to an engine, and what comes back, is `markup`'s business: the
engine only ever sees the comment's words, never its mentions, links or names."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class EngineUnavailable(Exception):
    """The engine could not answer now (not installed, down, too slow): try later."""


class Engine(Protocol):
    # Stored with each translation, so a reader can be told what made it.
    name: str

    def pairs(self) -> frozenset[tuple[str, str]]:
        """The (source, target) language codes it can translate, as ISO 639-1 codes."""

    def translate(self, fragments: Sequence[str], *, source: str, target: str) -> list[str]:
        """The fragments (HTML) translated, in order. Raises EngineUnavailable."""


class NoEngine:
    """Machine translation switched off (TRANSLATION_BACKEND=none)."""

    name = "none"

    def pairs(self) -> frozenset[tuple[str, str]]:
        return frozenset()

    def translate(self, fragments: Sequence[str], *, source: str, target: str) -> list[str]:
        raise EngineUnavailable("machine translation is switched off")


@functools.cache
def _engine_for(path: str) -> Engine:
    if path.lower() in ("", "none"):
        return NoEngine()
    return import_string(path)()


def engine() -> Engine:
    """The configured engine, made once per process."""
    return _engine_for(settings.TRANSLATION_BACKEND)


def can_translate(source: str, target: str) -> bool:
    return bool(source) and source != target and (source, target) in engine().pairs()
