"""Apertium, the offline rule-based engine (Debian: apertium, apertium-eng-spa,
apertium-fr-es). Pairs without a package of their own go through a language
both sides have one with: English and French through Spanish."""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
from collections.abc import Sequence

from django.conf import settings

from forum.machine_translation import EngineUnavailable

logger = logging.getLogger(__name__)

# Apertium names its pairs with two- or three-letter codes, sometimes both.
_ISO_639_1 = {
    "en": "en", "eng": "en", "es": "es", "spa": "es", "fr": "fr", "fra": "fr",
    "ca": "ca", "cat": "ca", "pt": "pt", "por": "pt", "it": "it", "ita": "it",
    "ar": "ar", "ara": "ar", "ru": "ru", "rus": "ru", "zh": "zh", "zho": "zh",
}  # fmt: skip
# Only the plain "xx-yy" modes: not variants such as spa-eng_US or eco-es-fr.
_MODE = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")
# Between the fragments of one batch: a tag Apertium keeps as it is, that no
# sanitised comment contains.
_SEPARATOR = '<hr class="fragment-end">'


class Apertium:
    name = "apertium"

    def __init__(self, command: str = "apertium"):
        self.command = command

    @functools.cached_property
    def _modes(self) -> dict[tuple[str, str], str]:
        """The installed modes by (source, target), read once."""
        if not shutil.which(self.command):
            logger.warning("Apertium is not installed: comments are not translated")
            return {}
        try:
            listing = subprocess.run([self.command, "-l"], capture_output=True, text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            logger.exception("Could not list Apertium's language pairs")
            return {}
        modes = {}
        for line in listing.stdout.split():
            match = _MODE.match(line.strip())
            if match and match[1] in _ISO_639_1 and match[2] in _ISO_639_1:
                modes[(_ISO_639_1[match[1]], _ISO_639_1[match[2]])] = line.strip()
        return modes

    def _route(self, source: str, target: str) -> list[str]:
        """The modes to run one after the other, or [] when none leads there."""
        modes = self._modes
        if (source, target) in modes:
            return [modes[source, target]]
        for (start, middle), first in sorted(modes.items()):
            if start == source and (middle, target) in modes:
                return [first, modes[middle, target]]
        return []

    def pairs(self) -> frozenset[tuple[str, str]]:
        return self._pairs

    @functools.cached_property
    def _pairs(self) -> frozenset[tuple[str, str]]:
        languages = {code for pair in self._modes for code in pair}
        return frozenset((a, b) for a in languages for b in languages if a != b and self._route(a, b))

    def translate(self, fragments: Sequence[str], *, source: str, target: str) -> list[str]:
        route = self._route(source, target)
        if not route:
            raise EngineUnavailable(f"Apertium has no way from {source} to {target}")
        text = _SEPARATOR.join(fragments)
        for mode in route:
            text = self._run(mode, text)
        translated = text.split(_SEPARATOR)
        if len(translated) != len(fragments):
            raise EngineUnavailable("Apertium did not keep the fragments apart")
        return translated

    def _run(self, mode: str, html: str) -> str:
        # -u: no "*" before unknown words; -f html: tags pass through untouched.
        try:
            done = subprocess.run(
                [self.command, "-u", "-f", "html", mode],
                input=html,
                capture_output=True,
                text=True,
                timeout=settings.TRANSLATION_TIMEOUT_SECONDS,
                check=True,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise EngineUnavailable(f"Apertium failed on {mode}: {error}") from error
        return done.stdout
