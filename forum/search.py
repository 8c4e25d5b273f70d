"""Search over what people wrote: the text of visible comments in published
rooms, and their authors' names and organisations. Staff see no more here
than anyone else.

On PostgreSQL, migration 0004 keeps `forum_comment.search_vector` (the body
stemmed in the comment's language, then the author's names unstemmed) with a
GIN index. The search words are stemmed in every language we index and ORed,
so "tribunal" finds "tribunales" in a Spanish comment and "court" finds
"courts" in an English one; results are ranked by ts_rank, then newest. The
match is a bare `search_vector @@ <constant tsquery>`, so the GIN index answers
it; ranking and LIMIT/OFFSET happen in SQL over narrow rows, and the count stops
at MAX_RESULTS, so a common word costs little more than a rare one.

On SQLite, migration 0021 keeps an FTS5 table, `forum_comment_search`, of the
body and the author's names; each word must begin a word there, and results
are ranked by bm25, then newest. Words in scripts written without spaces
(Chinese, Japanese) are looked for anywhere in the body instead.

Both fold case, accents and width: "interpretes", "INTÉRPRETES" and full-width
letters find "intérpretes" (migration 0021).

Excerpts are made here, not by the database: plain text from the stored HTML,
escaped, and only then the matching words wrapped in <mark>.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import (
    SearchConfig,
    SearchQueryField,
    SearchRank,
    SearchVectorField,
)
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Expression, ExpressionWrapper, F, FloatField, Func, Q, TextField, Value
from django.db.models.functions import Coalesce
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from forum import former
from forum.languages import language_choices, language_name
from forum.models import Comment, CommentTranslation, Consultation, GuidingQuestion, Room
from forum.selectors.translations import reader_language
from forum.rendering import plain_text

RESULTS_PER_PAGE = 20
# Pages reach this many results (50 pages); a search matching more asks for narrower words.
MAX_RESULTS = 1000
# Longer queries are cut, not refused: a pasted paragraph still finds something.
MAX_WORDS = 12
MAX_QUERY_LENGTH = 200
EXCERPT_LENGTH = 240
# Context kept before the first match when the excerpt does not start the text.
EXCERPT_LEAD = 60
# Dates outside these bounds are typing mistakes, and would overflow timezone arithmetic.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)

# The same table as migrations 0004 and 0021: comments in other languages are indexed with "simple".
# Our copies of them, which pass words through unaccent before stemming (migration 0021).
SEARCH_CONFIGS = {
    "en": "forum_english",
    "es": "forum_spanish",
    "fr": "forum_french",
    "pt": "forum_portuguese",
    "ru": "forum_russian",
}
FALLBACK_CONFIG = "forum_simple"

_WORD = re.compile(r"\w+")
_LEXEME = re.compile(r"(!?)'((?:[^']|'')*)'")


# --- The filters, from the query string --------------------------------------


class SearchForm(forms.Form):
    """The words and filters of /search/, read from the query string."""

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words, a name or an organisation")}),
    )
    consultation = forms.ModelChoiceField(
        label=_("Consultation"),
        queryset=Consultation.objects.published().order_by("title"),
        to_field_name="slug",
        required=False,
        empty_label=_("All consultations"),
        error_messages={"invalid_choice": _("There is no public consultation at that address.")},
    )
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.published()
        .select_related("consultation")
        .order_by("consultation__title", "position", "pk"),
        required=False,
        empty_label=_("All rooms"),
        error_messages={"invalid_choice": _("That room does not exist or is not public.")},
    )
    question = forms.ModelChoiceField(
        label=_("Answering"),
        queryset=GuidingQuestion.objects.filter(room__is_published=True, room__consultation__is_published=True),
        required=False,
        empty_label=_("Any question"),
    )
    author = forms.CharField(
        label=_("Written by"),
        required=False,
        max_length=31,
        help_text=_("A handle, as in @handle."),
        error_messages={"max_length": _("A handle has at most 30 characters.")},
    )
    translated = forms.BooleanField(label=_("Also look in machine translations into my language"), required=False)
    language = forms.ChoiceField(
        label=_("Written in"),
        required=False,
        error_messages={"invalid_choice": _("We do not know that language.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.was_shortened = False
        self.fields["language"].choices = [("", _("Any language")), *language_choices()]
        self.fields["room"].label_from_instance = lambda room: f"{room.title} ({room.consultation.title})"
        question = self.fields["question"]
        question.label_from_instance = lambda question: Truncator(question.text).chars(70)
        room_id = self.data.get("room", "") if self.is_bound else ""
        if room_id.isdigit():
            # The questions on offer are the chosen room's.
            question.queryset = question.queryset.filter(room_id=room_id).in_order()
            question.error_messages["invalid_choice"] = _("That guiding question is not one of this room's.")
        else:
            # Without a room there are too many questions to list; a link may still carry one.
            question.widget = forms.HiddenInput()
            question.error_messages["invalid_choice"] = _("That guiding question does not exist or is not public.")
        date_messages = {"invalid": _("Write the date as YYYY-MM-DD, for example 2026-03-31.")}
        # "from" cannot be an attribute name, and the URL uses it.
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            input_formats=["%Y-%m-%d"],
            error_messages=date_messages,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["to"] = forms.DateField(
            label=_("Until"),
            required=False,
            input_formats=["%Y-%m-%d"],
            error_messages=date_messages,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )

    def clean_q(self):
        words = self.cleaned_data["q"].split()
        kept = []
        for word in words[:MAX_WORDS]:
            if len(" ".join([*kept, word])) > MAX_QUERY_LENGTH:
                break
            kept.append(word)
        if not kept and words:
            kept = [words[0][:MAX_QUERY_LENGTH]]
        query = " ".join(kept)
        self.was_shortened = query != " ".join(words)
        return query

    def clean_author(self):
        handle = self.cleaned_data["author"].strip().lstrip("@").lower()
        if not handle:
            return None
        person = get_user_model().objects.filter(handle=handle).first()
        if person is None:
            raise forms.ValidationError(_("Nobody here has the handle @%(handle)s."), params={"handle": handle})
        return person

    def _clean_date(self, name):
        day = self.cleaned_data[name]
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s."),
                params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            )
        return day

    def clean_from(self):
        return self._clean_date("from")

    def clean_to(self):
        return self._clean_date("to")

    def clean(self):
        cleaned = super().clean()
        consultation, room = cleaned.get("consultation"), cleaned.get("room")
        if consultation and room and room.consultation_id != consultation.pk:
            self.add_error("room", _("This room is not part of the chosen consultation."))
        if cleaned.get("from") and cleaned.get("to") and cleaned["from"] > cleaned["to"]:
            self.add_error("to", _("The end date comes before the start date."))
        return cleaned

    def is_filtering(self) -> bool:
        """Some filter beyond the words was asked for (the filters then show opened)."""
        return any(self.data.get(name) for name in self.fields if name != "q")

    def selection(self) -> dict:
        """The valid form as arguments for `search_comments` (call after is_valid())."""
        cleaned = self.cleaned_data
        return {
            "words": cleaned["q"],
            "consultation": cleaned["consultation"],
            "room": cleaned["room"],
            "question": cleaned["question"],
            "author": cleaned["author"],
            "language": cleaned["language"],
            # The page's language, which a reader reads translations in (forum.machine_translation).
            "translations_in": reader_language(get_language()) if cleaned["translated"] else None,
            "since": _start_of(cleaned["from"]),
            "until": _start_of(cleaned["to"] + timedelta(days=1)) if cleaned["to"] else None,
        }


def _start_of(day: date | None) -> datetime | None:
    """Midnight at the start of the day, in the site's time zone."""
    return None if day is None else timezone.make_aware(datetime.combine(day, time.min))


# --- The query ----------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    """A found comment, with its excerpt and its author's name and organisation
    highlighted (escaped HTML, safe to print)."""

    comment: Comment
    excerpt: SafeString
    author_name: SafeString
    organisation: SafeString
    language_name: str
    # Found through its machine translation into the reader's language only:
    # the excerpt is then the translation's, in `excerpt_language`.
    in_translation: bool = False
    excerpt_language: str = ""


def search_comments(
    *,
    words: str,
    consultation: Consultation | None = None,
    room: Room | None = None,
    question: GuidingQuestion | None = None,
    author=None,
    language: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    translations_in: str | None = None,
    page_number=1,
) -> Page | None:
    """A page of visible comments in published rooms matching the words and
    filters, best match first, each a SearchResult. With `translations_in`,
    comments whose machine translation into that language matches come too,
    after those matched as written, marked as such. None when there are no
    words to look for. Two queries: a count and the page."""
    # Full-width letters and ligatures as their plain forms, as the documents are.
    words = unicodedata.normalize("NFKC", words)
    if not _WORD.search(words):
        return None
    comments = Comment.objects.public()
    if consultation is not None:
        comments = comments.filter(room__consultation=consultation)
    if room is not None:
        comments = comments.filter(room=room)
    if question is not None:
        comments = comments.filter(guiding_question=question)
    if author is not None:
        comments = comments.filter(author=author)
    if language:
        comments = comments.filter(language=language)
    if since is not None:
        comments = comments.filter(created_at__gte=since)
    if until is not None:
        comments = comments.filter(created_at__lt=until)

    # Words of scripts written without spaces are looked for anywhere in the
    # body: both databases would take a whole run of them for one word.
    indexed = []
    for word in _WORD.findall(words)[:MAX_WORDS]:
        if _UNSPACED.search(word):
            comments = comments.filter(body_source__contains=word)
        else:
            indexed.append(word)
    matching, ranking, shown, ordering = comments, {}, {}, ("-created_at", "-pk")
    original = translated = None
    if indexed and connection.vendor == "postgresql":
        query, vector = _tsquery(" ".join(indexed), language), _SearchVectorColumn()
        original = _Matches(vector, query)
        if translations_in:
            translated = _translation_matches(translations_in, _tsquery(" ".join(indexed), translations_in))
        ranking = {"rank": SearchRank(vector, query)}
        # The stems the query looked for, to mark them in excerpts (a constant, computed once).
        shown = {"search_lexemes": Func(query, function="querytree", output_field=TextField())}
        ordering = ("-rank", "-created_at", "-pk")
    elif indexed:
        fts_query = " ".join(f'"{word}"*' for word in indexed)
        original = _SqliteMatches(fts_query)
        if translations_in:
            translated = Q(pk__in=RawSQL(_FTS_TRANSLATION_MATCH, [translations_in, fts_query]))
        # bm25: lower is better; found only in a translation, last.
        ranking = {"rank": Coalesce(_Bm25(fts_query), Value(0.0))}
        ordering = ("rank", "-created_at", "-pk")
    if original is not None:
        matching = comments.filter(Q(original) | translated if translated is not None else Q(original))
        if translated is not None:
            shown |= {"matched_as_written": ExpressionWrapper(Q(original), output_field=BooleanField())}

    # Ranking reads narrow rows only; the page's full rows then come by id, in the same query.
    ranked_ids = matching.annotate(**ranking).order_by(*ordering).values_list("pk", flat=True)
    page = _CappedPaginator(ranked_ids, RESULTS_PER_PAGE).get_page(page_number)
    rows = (
        Comment.objects.filter(pk__in=page.object_list)
        .select_related("author", "room__consultation", "guiding_question")
        .annotate(**ranking, **shown)
        .order_by(*ordering)
    )
    if "matched_as_written" in shown:
        rows = rows.with_translation(translations_in)
    rows = list(rows)
    terms = _terms(words, getattr(rows[0], "search_lexemes", "") if rows else "")
    page.object_list = [_result(comment, terms, translated_into=translations_in) for comment in rows]
    return page


def _translation_matches(language: str, query) -> Q:
    """Comments whose translation into `language` matches (PostgreSQL: migration 0023's index)."""
    document = Func(
        Func(F("language"), function="forum_search_config"),
        Func(F("body_html"), template="normalize(%(expressions)s, NFKC)", output_field=TextField()),
        function="to_tsvector",
        output_field=SearchVectorField(),
    )
    found = CommentTranslation.objects.filter(_Matches(document, query), language=language, status="done")
    return Q(pk__in=found.values("comment_id"))


class _CappedPaginator(Paginator):
    """Counts no further than MAX_RESULTS: past that, nobody reads on, and
    counting every match of a common word would cost more than the page."""

    @cached_property
    def _matches_counted(self) -> int:
        return self.object_list.order_by()[: MAX_RESULTS + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._matches_counted, MAX_RESULTS)

    @property
    def is_capped(self) -> bool:
        """More comments match than the pages reach."""
        return self._matches_counted > MAX_RESULTS


class _SearchVectorColumn(Expression):
    """forum_comment.search_vector, the PostgreSQL-only column of migration 0004.
    Qualified with the query's alias for the comment table, and relabelled with
    it, so it also works inside a subquery."""

    def __init__(self, alias=None):
        super().__init__(output_field=SearchVectorField())
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return _SearchVectorColumn(query.get_initial_alias())

    def relabeled_clone(self, change_map):
        return _SearchVectorColumn(change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.alias)}.search_vector", []


class _Matches(Func):
    """`document @@ query`, as a condition for filter()."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _tsquery(words: str, language: str) -> Func:
    """The words as each indexed language would stem them, ORed (by
    forum_search_query, from migration 0004). Its arguments are constants, so
    PostgreSQL computes it once and the GIN index answers `@@`."""
    configs = [SEARCH_CONFIGS.get(language, FALLBACK_CONFIG)] if language else list(SEARCH_CONFIGS.values())
    if FALLBACK_CONFIG not in configs:
        # Names are indexed unstemmed, and so are comments in other languages.
        configs.append(FALLBACK_CONFIG)
    return Func(
        Value(words),
        *(SearchConfig(config) for config in configs),
        function="forum_search_query",
        output_field=SearchQueryField(),
    )


# Scripts written without spaces between words: unicode61 makes a whole run one token.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


_FTS_TRANSLATION_MATCH = (
    "SELECT comment_id FROM forum_commenttranslation WHERE language = %s AND status = 'done' "
    "AND id IN (SELECT rowid FROM forum_translation_search WHERE forum_translation_search MATCH %s)"
)


class _SqliteMatches(Expression):
    """Whether the comment matches the FTS5 query (SQLite), as a condition;
    qualified with the query's alias for the comment table, like _Bm25."""

    conditional = True

    def __init__(self, fts_query: str, alias=None):
        super().__init__(output_field=BooleanField())
        self.fts_query, self.alias = fts_query, alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return _SqliteMatches(self.fts_query, query.get_initial_alias())

    def relabeled_clone(self, change_map):
        return _SqliteMatches(self.fts_query, change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        row = f"{compiler.quote_name_unless_alias(self.alias)}.id"
        return f"{row} IN (SELECT rowid FROM forum_comment_search WHERE forum_comment_search MATCH %s)", [
            self.fts_query
        ]


class _Bm25(Expression):
    """The comment's bm25 rank for the FTS5 query (SQLite). Qualified with the
    query's alias for the comment table, as _SearchVectorColumn is, so it also
    works inside a subquery."""

    def __init__(self, fts_query: str, alias=None):
        super().__init__(output_field=FloatField())
        self.fts_query, self.alias = fts_query, alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return _Bm25(self.fts_query, query.get_initial_alias())

    def relabeled_clone(self, change_map):
        return _Bm25(self.fts_query, change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        row = f"{compiler.quote_name_unless_alias(self.alias)}.id"
        sql = "(SELECT rank FROM forum_comment_search WHERE forum_comment_search MATCH %s AND rowid = " + row + ")"
        return sql, [self.fts_query]


# --- Highlighting ---------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _fold(word: str) -> str:
    """Lowercase without accents, in any script: 'Tribunales' and 'tribunáles' alike."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _terms(words: str, lexemes: str) -> frozenset[str]:
    """What to mark: the words as typed, and on PostgreSQL the stems the query
    looked for (PostgreSQL's querytree text; stems are mostly prefixes of the
    words they come from)."""
    terms = {_fold(word) for word in _WORD.findall(words)}
    terms.update(_fold(lexeme.replace("''", "'")) for negated, lexeme in _LEXEME.findall(lexemes) if not negated)
    return frozenset(term for term in terms if term)


def _matches(word: str, terms: frozenset[str]) -> bool:
    folded = _fold(word)
    # Short terms ("a", "de") only mark themselves, not every word they start.
    return any(folded == term or (len(term) >= 3 and folded.startswith(term)) for term in terms)


def highlight(text: str, terms: frozenset[str]) -> SafeString:
    """The text escaped, with the words matching a term wrapped in <mark>."""
    pieces, position = [], 0
    for match in _WORD.finditer(text):
        if _matches(match.group(), terms):
            pieces.append(escape(text[position : match.start()]))
            pieces.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))


def highlighted_excerpt(body_html: str, terms: frozenset[str], length: int = EXCERPT_LENGTH) -> SafeString:
    """About `length` characters of the comment's plain text around its first
    match (from the start when nothing matches), escaped and highlighted."""
    text = " ".join(plain_text(body_html).split())
    first = next((match for match in _WORD.finditer(text) if _matches(match.group(), terms)), None)
    start = 0
    if first is not None and first.end() > length:
        start = text.rfind(" ", 0, max(0, first.start() - EXCERPT_LEAD)) + 1
    end = len(text)
    if end - start > length:
        end = text.rfind(" ", start, start + length)
        if end <= start:
            end = start + length
    before = "… " if start else ""
    after = " …" if end < len(text) else ""
    return mark_safe(before + highlight(text[start:end], terms) + after)


def _result(comment: Comment, terms: frozenset[str], *, translated_into: str | None = None) -> SearchResult:
    in_translation = not getattr(comment, "matched_as_written", True) and bool(
        getattr(comment, "translation_html", None)
    )
    return SearchResult(
        comment=comment,
        excerpt=highlighted_excerpt(comment.translation_html if in_translation else comment.body_html, terms),
        author_name=highlight(former.name_of(comment.author, as_moderator=comment.written_as_moderator), terms),
        organisation=highlight(comment.author.organisation if comment.author else "", terms),
        language_name=language_name(comment.language),
        in_translation=in_translation,
        excerpt_language=translated_into if in_translation else comment.language,
    )
