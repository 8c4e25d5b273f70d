"""A LibreTranslate-compatible HTTP server (LibreTranslate itself, or any
service speaking its API), for deployments that run one.

TRANSLATION_SERVER_URL names it, TRANSLATION_API_KEY is sent when set."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Sequence

from django.conf import settings

from forum.machine_translation import EngineUnavailable

logger = logging.getLogger(__name__)

# How long the server's list of languages is trusted, and how long a server that
# failed to give it is left alone before it is asked again.
PAIRS_KEPT_SECONDS = 3600
PAIRS_RETRY_SECONDS = 60
PAIRS_TIMEOUT_SECONDS = 2


class LibreTranslate:
    name = "libretranslate"

    def __init__(self, url: str | None = None, api_key: str | None = None):
        self.url = (url or settings.TRANSLATION_SERVER_URL).rstrip("/")
        self.api_key = api_key if api_key is not None else settings.TRANSLATION_API_KEY
        self._pairs: frozenset[tuple[str, str]] = frozenset()
        self._pairs_until = 0.0

    def _call(self, path: str, payload: dict | None = None, *, timeout: float | None = None):
        data = None
        if payload is not None:
            if self.api_key:
                payload = {**payload, "api_key": self.api_key}
            data = json.dumps(payload).encode()
        request = urllib.request.Request(
            self.url + path, data=data, headers={"Content-Type": "application/json", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout or settings.TRANSLATION_TIMEOUT_SECONDS) as response:
                return json.load(response)
        except (OSError, ValueError, urllib.error.URLError) as error:
            raise EngineUnavailable(f"{self.url}{path}: {error}") from error

    def pairs(self) -> frozenset[tuple[str, str]]:
        if time.monotonic() < self._pairs_until:
            return self._pairs
        try:
            # Asked while a page is drawn: a server that hangs may delay it this long, no more.
            languages = self._call("/languages", timeout=PAIRS_TIMEOUT_SECONDS)
            self._pairs = frozenset(
                (language["code"], target)
                for language in languages
                for target in language.get("targets", ())
                if target != language["code"]
            )
            self._pairs_until = time.monotonic() + PAIRS_KEPT_SECONDS
        except (EngineUnavailable, KeyError, TypeError) as error:
            # Offer nothing rather than links that would fail; ask again soon.
            logger.warning("The translation server did not list its languages: %s", error)
            self._pairs_until = time.monotonic() + PAIRS_RETRY_SECONDS
        return self._pairs

    def translate(self, fragments: Sequence[str], *, source: str, target: str) -> list[str]:
        answer = self._call("/translate", {"q": list(fragments), "source": source, "target": target, "format": "html"})
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(translated, str):
            translated = [translated]
        if not isinstance(translated, list) or len(translated) != len(fragments):
            raise EngineUnavailable(f"{self.url}/translate answered {str(answer)[:200]}")
        return [str(text) for text in translated]
