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
# Chinese and Japanese put no spaces between words: there, about two characters make a word.
_HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

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
    spaced_words = [word for word in _WORD.findall(plain) if not _HAN_OR_KANA.search(word)]
    if len(spaced_words) + len(_HAN_OR_KANA.findall(plain)) // 2 < MIN_WORDS:
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


# A comment's language is ISO 639-1, so Chinese is "zh" in whichever script it
# is written; the interface is in simplified Chinese, which Django calls by its
# script, "zh-hans". The two are kept apart and translated here only.
_INTERFACE_LANGUAGE_OF = {"zh": "zh-hans"}


def comment_language_of(interface_language: str) -> str:
    """The comment language an interface language is written in: 'zh-hans' is 'zh', 'fr' is 'fr'."""
    return interface_language.lower().split("-")[0]


@functools.cache
def language_name(code: str) -> str:
    """'es' as 'Español', 'zh' as '中文' (as the footer names them); an empty code stays empty."""
    if not code:
        return ""
    interface = _INTERFACE_LANGUAGE_OF.get(code, code)
    named = dict(settings.LANGUAGES).get(interface)
    if named:
        return named
    try:
        name = get_language_info(interface)["name_local"]
        return name[:1].upper() + name[1:]
    except KeyError:
        return code


def direction_of(code: str) -> str:
    """ "rtl" for a language written right to left (Arabic), else "ltr"."""
    try:
        return "rtl" if get_language_info(code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"
