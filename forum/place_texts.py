"""Which language of a consultation's or room's text a reader is shown: the one
home for it. The texts (titles, introductions, objectives, outcomes, guiding
questions, group headings, moderators' summaries) are kept in every interface
language (forum/translation.py); a reader sees their own language's text, and
where it has none, the consultation's own language's (Consultation.language),
marked with that language so the page can say so and set `lang` and `dir` on it.

Reads use the row's own columns (`title_es`…): no query beyond the one that
loaded the object, provided the objects above it (a question's room, a room's
consultation) came with it, as the selectors load them."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, TextField, Value, When
from django.db.models.functions import Coalesce
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

from forum.languages import direction_of
from forum.models import Consultation, GuidingQuestion, QuestionGroup, Room, RoomSummary

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


@dataclass(frozen=True)
class LocalText:
    """A text as shown to one reader: in `language`, which is not the reader's
    when `is_fallback` (no translation yet)."""

    text: str
    language: str
    is_fallback: bool = False

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    @property
    def direction(self) -> str:
        return direction_of(self.language)

    @property
    def attributes(self) -> SafeString:
        """` lang="es" dir="ltr"` for the element holding a text shown in another
        language than the page's; nothing when it is in the page's."""
        if not self.is_fallback:
            return SafeString("")
        return format_html(' lang="{}" dir="{}"', self.language, self.direction)

    @property
    def marked(self) -> SafeString:
        """The text escaped, inside `<span lang dir>` when it is a fallback (for
        a text set among the page's own words: a heading, a list item)."""
        if not self.is_fallback:
            return conditional_escape(self.text)
        return format_html("<span{}>{}</span>", self.attributes, self.text)


def reader_language(language: str | None = None) -> str:
    """The interface language texts are looked up in: the given one, else the active one."""
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    if code in LANGUAGES:
        return code
    base = code.split("-")[0]
    return next((known for known in LANGUAGES if known.split("-")[0] == base), settings.LANGUAGE_CODE)


def source_language(obj) -> str:
    """The language the object's texts are written in first: its consultation's."""
    if isinstance(obj, Consultation):
        return obj.language
    if isinstance(obj, Room):
        return obj.consultation.language
    if isinstance(obj, QuestionGroup | GuidingQuestion | RoomSummary):
        return obj.room.consultation.language
    raise TypeError(f"{type(obj).__name__} has no translated texts")


def stored_text(obj, field: str, language: str) -> str:
    """The text stored for one language ("" when there is none)."""
    return getattr(obj, build_localized_fieldname(field, language), None) or ""


def _has_text(value: str) -> bool:
    return bool(value and value.strip())


def text_in(obj, field: str, language: str | None = None, *, source: str | None = None) -> LocalText:
    """The object's `field` in the reader's language (the active one unless
    given), else in its consultation's language (`source`, when the caller
    knows it), else in any language that has it."""
    reader = reader_language(language)
    own = stored_text(obj, field, reader)
    if _has_text(own):
        return LocalText(own, reader)
    source = source or source_language(obj)
    for code in (source, *LANGUAGES):
        value = stored_text(obj, field, code)
        if _has_text(value):
            return LocalText(value, code, is_fallback=True)
    return LocalText("", reader)


def source_text_of(column: str, *, language: str) -> Coalesce:
    """For a query: the text at `column` (a lookup such as "room__title") in the
    consultation's language at `language` ("room__consultation__language"), as
    the same text for every reader (stored references, exports)."""
    return Coalesce(
        Case(
            *(When(**{language: code}, then=F(build_localized_fieldname(column, code))) for code in LANGUAGES),
            default=Value(""),
            output_field=TextField(),
        ),
        Value(""),
        output_field=TextField(),
    )


def source_text(obj, field: str, *, source: str | None = None) -> str:
    """The text in its consultation's language (`source`, when the caller knows
    it), as written first: for what is the same for every reader (the report)."""
    source = source or source_language(obj)
    return text_in(obj, field, language=source, source=source).text
