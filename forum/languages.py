"""The language a comment is written in: detected on write with lingua (offline),
overridable by its author. Short or mixed texts are "unknown" (an empty code)
rather than a confident mistake."""

import functools
import re

from django.conf import settings
from django.utils.translation import get_language_info

# Mentions, addresses and Markdown marks say nothing about the language.
_NOISE = re.compile(r"@\w+|https?://\S+|www\.\S+|[*_`>#\[\]()]")
_WORD = re.compile(r"[^\W\d_]{2,}")

# Fewer words than this cannot be told apart reliably ("ok", "I agree", "Merci !").
MIN_WORDS = 3
# A second language covering at least this share of the words makes the text mixed.
MIXED_SHARE = 0.3


@functools.cache
def _detector():
    # lingua loads its language models on import (about a second): only processes that detect pay for it.
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in settings.FORUM_COMMENT_LANGUAGES
    ]
    return LanguageDetectorBuilder.from_languages(*languages).with_minimum_relative_distance(0.5).build()


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language, or "" when it cannot be told."""
    plain = _NOISE.sub(" ", text)
    words = _WORD.findall(plain)
    if len(words) < MIN_WORDS:
        return ""
    detector = _detector()
    language = detector.detect_language_of(plain)
    if language is None:
        return ""
    sections = detector.detect_multiple_languages_of(plain)
    if len(sections) > 1:
        main_words = sum(s.word_count for s in sections if s.language == language)
        other_words = sum(s.word_count for s in sections if s.language != language)
        if other_words >= MIXED_SHARE * (main_words + other_words):
            return ""
    return language.iso_code_639_1.name.lower()


def language_choices() -> list[tuple[str, str]]:
    """The languages a comment may be marked as, named in their own language."""
    return [(code, language_name(code)) for code in settings.FORUM_COMMENT_LANGUAGES]


@functools.cache
def language_name(code: str) -> str:
    """'es' as 'Español'; an empty code stays empty."""
    if not code:
        return ""
    try:
        # Django knows Chinese by its scripts only.
        name = get_language_info("zh-hans" if code == "zh" else code)["name_local"]
        return name[:1].upper() + name[1:]
    except KeyError:
        return code


def written_language(interface_code: str) -> str:
    """The code a text in this interface language is marked with: "zh" for the
    "zh-hans" interface, "pt" for "pt-br"; comments and translations use these."""
    return interface_code.split("-")[0].lower() if interface_code else ""
