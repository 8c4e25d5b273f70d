"""The statistics the summary pages show, for a room or a consultation.

Statistics count visible comments only (for a consultation, in its published
rooms). Every figure comes from a GROUP BY in the database, in a fixed number of
queries whatever the number of comments; comments themselves are loaded only
for the short lists a page draws. The charts' geometry is forum/charts.py's."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from accounts.models import User
from forum.languages import language_name
from forum.quoting import consent_of
from forum.models import Comment, Consultation, GuidingQuestion, Room

from forum.charts import BarChart, Table, column_chart, horizontal_bar_chart


# How many comments each list draws; the rest are counted ("and 12 more").
ROOM_COMMENTS_PER_QUESTION = 10
CONSULTATION_COMMENTS_PER_QUESTION = 3
HIGHLIGHTED_SHOWN = 20
MOST_DISCUSSED_SHOWN = 10
MOST_ENDORSED_SHOWN = 10


def summary_rooms(consultation: Consultation) -> list[Room]:
    """The published rooms of a consultation, in their order: what its statistics count."""
    return list(consultation.rooms.filter(is_published=True).order_by("position", "pk"))


# --- The figures ------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    comments: int
    threads: int
    participants: int
    # Participants whose account speaks for an organisation (an NGO posting under its own name),
    # and those of them staff have verified; the others only declare it.
    organisations: int
    verified_organisations: int
    individuals: int
    countries: int
    # Languages the comments are written in; comments of unknown language are counted apart.
    languages: int
    unknown_language_comments: int
    # Endorsements of the comments counted, by kind (forum.models.Endorsement.Kind).
    agree: int = 0
    useful: int = 0


@dataclass(frozen=True)
class Share:
    """One line of a breakdown: a country, a kind of participant, a language or a room."""

    key: object
    label: str
    participants: int | None  # None where people are not counted (languages)
    comments: int


@dataclass(frozen=True)
class DayCount:
    day: date
    comments: int


@dataclass
class QuestionSummary:
    """A guiding question, numbered in its room, with the newest comments tagged with it."""

    question: GuidingQuestion
    number: int
    room: Room
    comment_count: int = 0
    comments: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.comment_count - len(self.comments)

    @property
    def filter_url(self) -> str:
        """The room page showing only the comments tagged with this question."""
        return f"{self.room.get_absolute_url()}?question={self.question.pk}"


@dataclass(frozen=True)
class EndorsedComment:
    """A line of "the most endorsed comments", as its author's quoting consent
    allows: `author_name` empty for those quoted anonymously, and neither name
    nor `body_html` for those who may not be quoted at all."""

    url: str
    room: Room
    author_name: str
    body_html: str
    agree: int
    useful: int

    @property
    def quotable(self) -> bool:
        return bool(self.body_html)


@dataclass(frozen=True)
class Statistics:
    totals: Totals
    per_day: list[DayCount]
    by_country: list[Share]
    by_kind: list[Share]
    by_language: list[Share]
    by_room: list[Share]
    questions: list[QuestionSummary]
    highlighted: list
    highlighted_count: int
    # Top-level comments with `replies`, the most replied to first.
    most_discussed: list
    charts: dict[str, BarChart]
    # EndorsedComment lines, the most endorsed first.
    most_endorsed: list = field(default_factory=list)

    @property
    def more_highlighted(self) -> int:
        return self.highlighted_count - len(self.highlighted)


def room_statistics(room: Room) -> Statistics:
    """The summary page's figures for one room (its visible comments), in ten queries."""
    return _statistics(
        Comment.objects.filter(room=room, state=Comment.State.VISIBLE),
        rooms=[room],
        per_question=ROOM_COMMENTS_PER_QUESTION,
        with_rooms=False,
    )


def consultation_statistics(consultation: Consultation, rooms: list[Room]) -> Statistics:
    """The figures for a consultation across `rooms` (its published rooms, see summary_rooms), in ten queries."""
    for room in rooms:
        room.consultation = consultation
    return _statistics(
        Comment.objects.filter(room_id__in=[room.pk for room in rooms], state=Comment.State.VISIBLE),
        rooms=rooms,
        per_question=CONSULTATION_COMMENTS_PER_QUESTION,
        with_rooms=True,
    )


def _statistics(scope, *, rooms: list[Room], per_question: int, with_rooms: bool) -> Statistics:
    rooms_by_id = {room.pk: room for room in rooms}
    per_day, by_language, room_comments, comment_totals = _activity(scope)
    by_country, by_kind, room_people, people_totals = _people(scope)
    by_room = (
        [Share(room, room.title, room_people.get(room.pk, 0), room_comments.get(room.pk, 0)) for room in rooms]
        if with_rooms
        else []
    )
    highlighted, highlighted_count = _highlighted(scope, rooms_by_id)
    questions = _questions(scope, rooms, per_question)
    most_discussed = _most_discussed(scope, rooms_by_id)
    endorsed = _most_endorsed(scope, rooms_by_id)
    _attach_authors(
        [*highlighted, *(comment for entry in questions for comment in entry.comments), *most_discussed, *endorsed]
    )
    charts = _charts(
        per_day=per_day,
        by_country=by_country,
        by_kind=by_kind,
        by_language=by_language,
        by_room=by_room,
        questions=questions,
        several_rooms=with_rooms,
    )
    return Statistics(
        totals=Totals(**comment_totals, **people_totals),
        per_day=per_day,
        by_country=by_country,
        by_kind=by_kind,
        by_language=by_language,
        by_room=by_room,
        questions=questions,
        highlighted=highlighted,
        highlighted_count=highlighted_count,
        most_discussed=most_discussed,
        charts=charts,
        most_endorsed=[_endorsed_line(comment) for comment in endorsed],
    )


def _activity(scope) -> tuple[list[DayCount], list[Share], dict[int, int], dict]:
    """Comments per day, per language and per room, and the comment totals."""
    rows = (
        scope.order_by()
        .values_list("language", "room_id")
        .annotate(
            comments=Count("pk"),
            threads=Count("pk", filter=Q(level=0)),
            agree=Sum("agree_count"),
            useful=Sum("useful_count"),
        )
    )
    languages: dict[str, int] = {}
    rooms: dict[int, int] = {}
    comments = threads = agree = useful = 0
    for language, room_id, count, thread_count, agreeing, useful_ones in rows:
        languages[language] = languages.get(language, 0) + count
        rooms[room_id] = rooms.get(room_id, 0) + count
        comments += count
        threads += thread_count
        agree += agreeing or 0
        useful += useful_ones or 0
    by_language = sorted(
        (Share(code, language_name(code) or _("Unknown"), None, count) for code, count in languages.items()),
        key=lambda share: (not share.key, -share.comments, share.label),
    )
    totals = {
        "comments": comments,
        "threads": threads,
        "languages": sum(1 for code in languages if code),
        "unknown_language_comments": languages.get("", 0),
        "agree": agree,
        "useful": useful,
    }
    return _with_quiet_days(_comments_per_day(scope)), by_language, rooms, totals


class _UTCBucket(Func):
    """SQLite only: the UTC hour ("2026-03-05 14") or quarter hour ("2026-03-05 14:45")
    of a stored moment, cut from its text natively."""

    output_field = CharField()

    def __init__(self, expression, *, quarters: bool):
        super().__init__(expression)
        self.quarters = quarters

    def as_sqlite(self, compiler, connection, **extra_context):
        if self.quarters:
            template = "substr(%(expressions)s, 1, 14) || (CAST(substr(%(expressions)s, 15, 2) AS INTEGER) / 15 * 15)"
        else:
            template = "substr(%(expressions)s, 1, 13)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _comments_per_day(scope) -> dict[date, int]:
    """Comments per day as the current time zone counts days. SQLite would call back
    into Python for every comment to convert its time, so there the database counts
    per UTC hour (per quarter hour in zones whose offset is not whole hours: every
    local midnight then falls on a bucket's edge) and the buckets are dated here."""
    zone = timezone.get_current_timezone()
    if connections[scope.db].vendor != "sqlite":
        rows = scope.order_by().annotate(day=TruncDate("created_at", tzinfo=zone)).values_list("day")
        return dict(rows.annotate(comments=Count("pk")))
    quarters = not _whole_hour_offsets(zone)
    rows = scope.order_by().annotate(bucket=_UTCBucket("created_at", quarters=quarters)).values_list("bucket")
    days: dict[date, int] = {}
    for bucket, count in rows.annotate(comments=Count("pk")):
        moment = datetime.strptime(bucket, "%Y-%m-%d %H:%M" if quarters else "%Y-%m-%d %H").replace(
            tzinfo=dt_timezone.utc
        )
        day = moment.astimezone(zone).date()
        days[day] = days.get(day, 0) + count
    return days


def _whole_hour_offsets(zone) -> bool:
    year = timezone.now().year
    moments = (datetime(year, month, 1, tzinfo=dt_timezone.utc) for month in (1, 7))
    return all(moment.astimezone(zone).utcoffset().total_seconds() % 3600 == 0 for moment in moments)


def _with_quiet_days(days: dict[date, int]) -> list[DayCount]:
    """Every day from the first to the last, with zero for the days nobody wrote."""
    if not days:
        return []
    first, last = min(days), max(days)
    every_day = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    return [DayCount(day, days.get(day, 0)) for day in every_day]


def _people(scope) -> tuple[list[Share], list[Share], dict[int, int], dict]:
    """Participants by country, by kind and by room, and the people totals, from one
    GROUP BY with a row per participant and room (a hash aggregate: counting distinct
    authors in the database would sort every comment)."""
    rows = (
        scope.order_by()
        .values_list(
            "author_id",
            "room_id",
            "author__country",
            "author__speaks_for_organisation",
            "author__organisation_verified_at",
        )
        .annotate(comments=Count("pk"))
    )
    countries_found: dict[str, tuple[set, list]] = {}
    kinds: dict[bool, tuple[set, list]] = {False: (set(), [0]), True: (set(), [0])}
    rooms: dict[int, int] = {}
    verified: set[int] = set()
    for author, room_id, code, for_organisation, verified_at, comments in rows:
        if author is None:
            # A deleted account's comments still count; the person is no longer anyone.
            kinds[False][1][0] += comments
            countries_found.setdefault("", (set(), [0]))[1][0] += comments
            continue
        if for_organisation and verified_at is not None:
            verified.add(author)
        country = countries_found.get(code or "")
        if country is None:
            country = countries_found[code or ""] = (set(), [0])
        kind = kinds[bool(for_organisation)]
        country[0].add(author)
        country[1][0] += comments
        kind[0].add(author)
        kind[1][0] += comments
        rooms[room_id] = rooms.get(room_id, 0) + 1
    by_country = sorted(
        (
            Share(code, countries.name(code) if code else _("Not given"), len(people), comments[0])
            for code, (people, comments) in countries_found.items()
        ),
        key=lambda share: (not share.key, -share.participants, -share.comments, share.label),
    )
    by_kind = [
        Share("individual", _("Individuals"), len(kinds[False][0]), kinds[False][1][0]),
        Share("organisation", _("Organisations"), len(kinds[True][0]), kinds[True][1][0]),
    ]
    totals = {
        "participants": len(kinds[False][0]) + len(kinds[True][0]),
        "organisations": len(kinds[True][0]),
        "verified_organisations": len(verified),
        "individuals": len(kinds[False][0]),
        "countries": sum(1 for code in countries_found if code),
    }
    return by_country, by_kind, rooms, totals


def _attach_authors(comments: list[Comment]) -> None:
    """The authors of every comment the page draws, in one query. (Joining them to
    each list instead lets SQLite's planner walk the whole user table first.)"""
    ids = {comment.author_id for comment in comments} - {None}
    authors = get_user_model().objects.in_bulk(ids) if ids else {}
    for comment in comments:
        comment.author = authors.get(comment.author_id)


def _with_rooms(comments, rooms_by_id: dict[int, Room]) -> list[Comment]:
    """Give each comment its room, already loaded, so drawing it costs no query."""
    for comment in comments:
        comment.room = rooms_by_id[comment.room_id]
    return comments


def _highlighted(scope, rooms_by_id) -> tuple[list[Comment], int]:
    comments = list(
        scope.filter(is_highlighted=True)
        .annotate(total=Window(Count("pk")))
        .order_by("-created_at", "-pk")[:HIGHLIGHTED_SHOWN]
    )
    return _with_rooms(comments, rooms_by_id), comments[0].total if comments else 0


def _questions(scope, rooms: list[Room], cap: int) -> list[QuestionSummary]:
    """Every guiding question of the rooms with its count of visible tagged comments and
    the newest of them (three queries: the questions, the ranking, the comments)."""
    rooms_by_id = {room.pk: room for room in rooms}
    by_question: dict[int, QuestionSummary] = {}
    numbers: dict[int, int] = {}
    for question in GuidingQuestion.objects.filter(room_id__in=rooms_by_id).in_order():
        numbers[question.room_id] = numbers.get(question.room_id, 0) + 1
        by_question[question.pk] = QuestionSummary(question, numbers[question.room_id], rooms_by_id[question.room_id])
    # Ranking over narrow rows, then loading the few winners, costs far less than
    # ranking whole comments.
    newest = (
        scope.filter(guiding_question__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("guiding_question_id")], order_by=[F("created_at").desc(), F("pk").desc()]
            ),
            tagged=Window(Count("pk"), partition_by=[F("guiding_question_id")]),
        )
        .filter(rank__lte=cap)
        .values_list("pk", "guiding_question_id", "tagged")
    )
    shown_ids = []
    for comment_id, question_id, tagged in newest:
        if question_id in by_question:  # tagging keeps comment and question in one room
            by_question[question_id].comment_count = tagged
            shown_ids.append(comment_id)
    tagged_comments = Comment.objects.filter(pk__in=shown_ids).order_by("-created_at", "-pk") if shown_ids else []
    for comment in _with_rooms(list(tagged_comments), rooms_by_id):
        by_question[comment.guiding_question_id].comments.append(comment)
    order = {room.pk: index for index, room in enumerate(rooms)}
    return sorted(by_question.values(), key=lambda summary: (order[summary.room.pk], summary.number))


def _most_discussed(scope, rooms_by_id) -> list[Comment]:
    """Threads with the most replies, read from the tree values of visible top-level comments."""
    replies = ExpressionWrapper((F("rght") - F("lft") - 1) / 2, output_field=IntegerField())
    roots = list(
        scope.filter(level=0)
        .annotate(replies=replies)
        .filter(replies__gt=0)
        .order_by("-replies", "created_at", "pk")[:MOST_DISCUSSED_SHOWN]
    )
    for root in _with_rooms(roots, rooms_by_id):
        room = root.room
        root.thread_url = reverse(
            "forum:thread",
            kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug, "comment_id": root.pk},
        )
    return roots


def _most_endorsed(scope, rooms_by_id) -> list[Comment]:
    """The visible comments, top-level or replies, with the most endorsements of any kind."""
    total = ExpressionWrapper(F("agree_count") + F("useful_count"), output_field=IntegerField())
    comments = list(
        scope.annotate(endorsement_total=total)
        .filter(endorsement_total__gt=0)
        .order_by("-endorsement_total", "created_at", "pk")[:MOST_ENDORSED_SHOWN]
    )
    return _with_rooms(comments, rooms_by_id)


def _endorsed_line(comment: Comment) -> EndorsedComment:
    consent = consent_of(comment)
    return EndorsedComment(
        url=comment.get_absolute_url(),
        room=comment.room,
        author_name=comment.author.display_name if consent == User.QuotingConsent.BY_NAME else "",
        body_html=comment.body_html if consent != User.QuotingConsent.NOT_AT_ALL else "",
        agree=comment.agree_count,
        useful=comment.useful_count,
    )


def _share_table(first_heading: str, shares: list[Share], *, comments_first: bool = False) -> Table:
    if comments_first:
        return Table(
            (first_heading, _("Comments"), _("Participants")),
            [(share.label, share.comments, share.participants) for share in shares],
        )
    if shares and shares[0].participants is None:
        return Table((first_heading, _("Comments")), [(share.label, share.comments) for share in shares])
    return Table(
        (first_heading, _("Participants"), _("Comments")),
        [(share.label, share.participants, share.comments) for share in shares],
    )


def _largest(shares: list[Share], value) -> Share | None:
    return max(shares, key=value, default=None)


def _charts(*, per_day, by_country, by_kind, by_language, by_room, questions, several_rooms) -> dict[str, BarChart]:
    charts: dict[str, BarChart] = {}
    if per_day:
        busiest = max(per_day, key=lambda entry: entry.comments)
        long_date = lambda day: date_format(day, "DATE_FORMAT")  # noqa: E731
        charts["per_day"] = column_chart(
            "per-day",
            _("Comments per day"),
            ngettext(
                "Comments per day from %(first)s to %(last)s; the busiest day was %(busiest)s, with %(count)d comment.",
                "Comments per day from %(first)s to %(last)s; the busiest day was %(busiest)s, with %(count)d comments.",
                busiest.comments,
            )
            % {
                "first": long_date(per_day[0].day),
                "last": long_date(per_day[-1].day),
                "busiest": long_date(busiest.day),
                "count": busiest.comments,
            },
            [(long_date(entry.day), entry.comments) for entry in per_day],
            [date_format(entry.day, "M j") for entry in per_day],
            Table((_("Day"), _("Comments")), [(long_date(entry.day), entry.comments) for entry in per_day]),
        )
    if by_country:
        known = [share for share in by_country if share.key]
        if known:
            largest = _largest(known, lambda share: share.participants)
            description = ngettext(
                "Participants from %(count)d country; the most from %(largest)s (%(people)d).",
                "Participants from %(count)d countries; the most from %(largest)s (%(people)d).",
                len(known),
            ) % {"count": len(known), "largest": largest.label, "people": largest.participants}
        else:
            description = _("No participant has said which country they are in.")
        charts["by_country"] = horizontal_bar_chart(
            "by-country",
            _("Participants by country"),
            description,
            [(share.label, share.participants) for share in by_country],
            _share_table(_("Country"), by_country),
        )
        individuals, organisations = by_kind
        charts["by_kind"] = horizontal_bar_chart(
            "by-kind",
            _("Individuals and organisations"),
            _(
                "%(individuals)d individuals wrote %(individual_comments)d comments; "
                "%(organisations)d organisations wrote %(organisation_comments)d."
            )
            % {
                "individuals": individuals.participants,
                "individual_comments": individuals.comments,
                "organisations": organisations.participants,
                "organisation_comments": organisations.comments,
            },
            [(share.label, share.participants) for share in by_kind],
            _share_table(_("Participants"), by_kind),
        )
    if by_language:
        known = [share for share in by_language if share.key]
        largest = _largest(known, lambda share: share.comments)
        if largest is None:
            description = _("The language of the comments could not be told.")
        else:
            description = ngettext(
                "Comments in %(count)d language; the most in %(largest)s (%(comments)d).",
                "Comments in %(count)d languages; the most in %(largest)s (%(comments)d).",
                len(known),
            ) % {"count": len(known), "largest": largest.label, "comments": largest.comments}
        charts["by_language"] = horizontal_bar_chart(
            "by-language",
            _("Comments by language"),
            description,
            [(share.label, share.comments) for share in by_language],
            _share_table(_("Language"), by_language),
        )
    if by_room:
        largest = _largest(by_room, lambda share: share.comments)
        charts["by_room"] = horizontal_bar_chart(
            "by-room",
            _("Comments by room"),
            _("Comments in %(count)d rooms; the most in %(largest)s (%(comments)d).")
            % {"count": len(by_room), "largest": largest.label, "comments": largest.comments},
            [(share.label, share.comments) for share in by_room],
            _share_table(_("Room"), by_room, comments_first=True),
            limit=len(by_room),
        )
    if questions and any(summary.comment_count for summary in questions):

        def name(summary):
            if several_rooms:
                return _("%(room)s, question %(number)d") % {"room": summary.room.title, "number": summary.number}
            return _("Question %(number)d") % {"number": summary.number}

        def short_name(summary):
            # The number first, so that cutting a long room title keeps it.
            if several_rooms:
                return _("Q%(number)d · %(room)s") % {"room": summary.room.title, "number": summary.number}
            return name(summary)

        charts["by_question"] = horizontal_bar_chart(
            "by-question",
            _("Comments per guiding question"),
            ngettext(
                "Comments tagged by the moderators with the %(count)d guiding question.",
                "Comments tagged by the moderators with each of the %(count)d guiding questions.",
                len(questions),
            )
            % {"count": len(questions)},
            [(short_name(summary), summary.comment_count) for summary in questions],
            Table(
                (_("Question"), _("Text"), _("Tagged comments")),
                [(name(summary), summary.question.text, summary.comment_count) for summary in questions],
            ),
            limit=len(questions),
        )
    return charts
