"""Reads for the report's workbench and the report itself: the outline
(guiding questions numbered across the consultation, then "other themes"), the
findings with their evidence, the coverage figures and the untagged comments
with a suggested question. Each is a fixed number of queries whatever the
number of comments (the suggestions read the untagged comments' text once)."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _
from django_countries import countries

from forum import quoting, similarity
from forum.charts import BarChart, Table, horizontal_bar_chart
from forum.languages import language_name
from forum.models import (
    Comment,
    CommentReview,
    Consultation,
    Evidence,
    Finding,
    GuidingQuestion,
    Rapporteur,
    ReportSnapshot,
    Room,
)
from forum.rendering import excerpt_of, plain_text
from forum.selectors.statistics import summary_rooms

UNTAGGED_SHOWN = 100


@dataclass
class Section:
    """A part of the report: one guiding question (numbered in its room), or "other themes"."""

    number: int
    room: Room | None
    question: GuidingQuestion | None
    question_number: int | None = None
    heading: str = ""
    findings: list = field(default_factory=list)
    # Coverage, for the workbench: visible comments answering it, cited, not reviewed yet.
    answering: int = 0
    cited: int = 0
    unreviewed: int = 0

    @property
    def is_other(self) -> bool:
        return self.question is None

    @property
    def filter_url(self) -> str:
        if self.question is None:
            return ""
        return f"{self.room.get_absolute_url()}?question={self.question.pk}"


def _visible_in(rooms: list[Room]):
    return Comment.objects.filter(room_id__in=[room.pk for room in rooms], state=Comment.State.VISIBLE)


def _cited_in(consultation: Consultation):
    return Evidence.objects.filter(comment=OuterRef("pk"), finding__consultation=consultation)


def report_sections(consultation: Consultation, *, with_coverage: bool = False) -> list[Section]:
    """The outline with each section's findings in order (each with `number`
    "3.2" and its `evidence`, comments and authors loaded): the questions of
    the published rooms in their order, numbered across the consultation, then
    "other themes". Three queries, four with the coverage."""
    rooms = summary_rooms(consultation)
    for room in rooms:
        room.consultation = consultation
    rooms_by_id = {room.pk: room for room in rooms}
    questions = GuidingQuestion.objects.filter(room__in=rooms).in_order()
    if with_coverage:
        visible = Q(comments__state=Comment.State.VISIBLE)
        questions = questions.annotate(
            answering=Count("comments", filter=visible, distinct=True),
            cited=Count(
                "comments", filter=visible & Q(comments__evidence__finding__consultation=consultation), distinct=True
            ),
            reviewed=Count("comments", filter=visible & Q(comments__reviews__isnull=False), distinct=True),
        )
    ordered = sorted(questions, key=lambda question: [room.pk for room in rooms].index(question.room_id))
    sections, by_question, in_room = [], {}, {}
    for question in ordered:
        in_room[question.room_id] = in_room.get(question.room_id, 0) + 1
        section = Section(
            len(sections) + 1,
            rooms_by_id[question.room_id],
            question,
            in_room[question.room_id],
            question.group.heading if question.group else "",
        )
        if with_coverage:
            section.answering, section.cited = question.answering, question.cited
            section.unreviewed = question.answering - question.reviewed
        sections.append(section)
        by_question[question.pk] = section
    other = Section(len(sections) + 1, None, None)
    sections.append(other)
    findings = (
        Finding.objects.filter(consultation=consultation)
        .order_by("position", "pk")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("comment__author", "comment__room").order_by("pk"),
            )
        )
    )
    for finding in findings:
        section = by_question.get(finding.question_id, other)
        section.findings.append(finding)
        finding.section = section
        finding.number = f"{section.number}.{len(section.findings)}"
        for evidence in finding.evidence.all():
            # As the report will show it: the author as they agreed, the words or none.
            evidence.quotation = quoting.quotation(
                evidence.comment, evidence.quote or excerpt_of(evidence.comment.body_html)
            )
    return sections


def finding_numbers(consultation: Consultation) -> dict[int, str]:
    """Each finding's number ("3.2") as the report shows it now."""
    return {finding.pk: finding.number for section in report_sections(consultation) for finding in section.findings}


def report_comment(consultation: Consultation, comment_id: int) -> Comment | None:
    """A comment of one of the consultation's rooms, with its author and room; None when there is none."""
    return (
        Comment.objects.select_related("author", "room__consultation")
        .filter(room__consultation=consultation, pk=comment_id)
        .first()
    )


def rapporteur_ids(consultation: Consultation) -> list[int]:
    return list(Rapporteur.objects.filter(consultation=consultation).values_list("user_id", flat=True))


def published_reports(consultation: Consultation) -> list[ReportSnapshot]:
    """The published versions of the report, newest first."""
    return list(ReportSnapshot.objects.filter(consultation=consultation).order_by("-version"))


# --- Coverage ------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    """Cited comments against all comments, along one line (languages, countries, kinds of participant)."""

    label: str
    comments: int
    cited: int

    @property
    def cited_share(self) -> int:
        return round(100 * self.cited / self.comments) if self.comments else 0


def coverage_charts(consultation: Consultation) -> dict[str, BarChart]:
    """How the cited comments compare with all comments, by language, by
    country and by organisations against individuals: one query, charts with their tables."""
    rooms = summary_rooms(consultation)
    rows = (
        _visible_in(rooms)
        .annotate(is_cited=Exists(_cited_in(consultation)))
        .order_by()
        .values_list("language", "author__country", "author__speaks_for_organisation", "is_cited")
        .annotate(count=Count("pk"))
    )
    lines: dict[str, dict] = {"language": {}, "country": {}, "kind": {}}
    for language, country, for_organisation, is_cited, count in rows:
        for line, key in (("language", language or ""), ("country", country or ""), ("kind", bool(for_organisation))):
            entry = lines[line].setdefault(key, [0, 0])
            entry[0] += count
            if is_cited:
                entry[1] += count
    labels = {
        "language": lambda code: language_name(code) if code else _("Unknown"),
        "country": lambda code: countries.name(code) if code else _("Not given"),
        "kind": lambda is_org: _("Organisations") if is_org else _("Individuals"),
    }
    titles = {
        "language": (_("Cited comments by language"), _("Language")),
        "country": (_("Cited comments by country"), _("Country")),
        "kind": (_("Cited comments: organisations and individuals"), _("Participants")),
    }
    charts = {}
    for line, entries in lines.items():
        if not entries:
            continue
        balances = sorted(
            (Balance(labels[line](key), comments, cited) for key, (comments, cited) in entries.items()),
            key=lambda balance: (-balance.comments, balance.label),
        )
        title, heading = titles[line]
        all_comments = sum(balance.comments for balance in balances) or 1
        all_cited = sum(balance.cited for balance in balances) or 1
        table = Table(
            (heading, _("Comments"), _("Share of comments"), _("Cited"), _("Share of the cited")),
            [
                (
                    balance.label,
                    balance.comments,
                    f"{round(100 * balance.comments / all_comments)} %",
                    balance.cited,
                    f"{round(100 * balance.cited / all_cited)} %",
                )
                for balance in balances
            ],
        )
        charts[line] = horizontal_bar_chart(
            f"cited-by-{line}",
            title,
            _("The share of each group's comments cited as evidence in the report, in percent."),
            [(balance.label, balance.cited_share) for balance in balances],
            table,
        )
    return charts


# --- Untagged comments -----------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    comment: Comment
    text: str
    # None when no question shares enough words with it.
    question: GuidingQuestion | None
    question_number: int | None
    score: float


def untagged_comments(consultation: Consultation, *, limit: int = UNTAGGED_SHOWN) -> tuple[list[Suggestion], int]:
    """Visible comments answering no guiding question (the oldest first, up to
    `limit`) with the question of their room whose words they share most
    (forum.similarity), and how many there are in all. Three queries."""
    rooms = summary_rooms(consultation)
    for room in rooms:
        room.consultation = consultation
    rooms_by_id = {room.pk: room for room in rooms}
    untagged = _visible_in(rooms).filter(guiding_question__isnull=True)
    total = untagged.count()
    comments = list(untagged.select_related("author").order_by("pk")[:limit])
    questions: dict[int, list[GuidingQuestion]] = {}
    for question in GuidingQuestion.objects.filter(room__in=rooms).in_order():
        questions.setdefault(question.room_id, []).append(question)
    suggestions = []
    for room_id, room_questions in questions.items():
        in_room = [comment for comment in comments if comment.room_id == room_id]
        texts = [plain_text(comment.body_html) for comment in in_room]
        matches = similarity.best_matches(
            [f"{question.group.heading if question.group else ''} {question.text}" for question in room_questions],
            texts,
        )
        for comment, text, match in zip(in_room, texts, matches, strict=True):
            comment.room = rooms_by_id[room_id]
            question = room_questions[match[0]] if match else None
            suggestions.append(
                Suggestion(comment, text, question, match[0] + 1 if match else None, match[1] if match else 0.0)
            )
    for comment in comments:
        if comment.room_id not in questions:
            comment.room = rooms_by_id[comment.room_id]
            suggestions.append(Suggestion(comment, plain_text(comment.body_html), None, None, 0.0))
    suggestions.sort(key=lambda suggestion: suggestion.comment.pk)
    return suggestions, total


REVIEW_PAGE_SIZE = 50


@dataclass(frozen=True)
class ReviewPage:
    """A page of the comments answering a question, for reading them one by one."""

    comments: list
    # Those the viewer has marked reviewed, among them.
    reviewed_ids: frozenset[int]
    # The last comment id shown when more follow (the next page starts after it).
    next_after: int | None
    languages: list[str]


def comments_to_review(
    section: Section,
    viewer,
    *,
    after: int = 0,
    unreviewed_only: bool = False,
    language: str = "",
    size: int = REVIEW_PAGE_SIZE,
) -> ReviewPage:
    """The visible comments answering the section's question, oldest first from
    after the id `after` (keyset: the last page costs what the first does),
    optionally only those nobody marked reviewed, or in one language. Three queries."""
    answering = Comment.objects.filter(guiding_question=section.question, state=Comment.State.VISIBLE)
    languages = sorted(set(answering.order_by().values_list("language", flat=True).distinct()) - {""})
    shown = answering.filter(pk__gt=after)
    if unreviewed_only:
        shown = shown.exclude(Exists(CommentReview.objects.filter(comment=OuterRef("pk"))))
    if language:
        shown = shown.filter(language=language)
    comments = list(shown.select_related("author", "room__consultation").order_by("pk")[: size + 1])
    more = len(comments) > size
    comments = comments[:size]
    reviewed = CommentReview.objects.filter(user=viewer, comment__in=comments).values_list("comment_id", flat=True)
    return ReviewPage(comments, frozenset(reviewed), comments[-1].pk if more else None, languages)
