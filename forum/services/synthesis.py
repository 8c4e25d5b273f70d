"""The report's workbench: findings, their evidence, reviews, publishing, and
what happens to findings when a comment they cite changes."""

import hashlib
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import cache, permissions, policy_report
from forum.models import (
    Comment,
    CommentReview,
    Consultation,
    Evidence,
    Finding,
    GuidingQuestion,
    Notification,
    ReportSnapshot,
)
from forum.rendering import plain_text
from forum.selectors.synthesis import rapporteur_ids, report_sections
from forum.services import notifications

FINDING_MAX_LENGTH = 4000
Kind = Notification.Kind


def _require(refusal: str | None) -> None:
    if refusal:
        raise PermissionDenied(refusal)


def _clean_finding(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the finding: one claim the discussion supports."))
    if len(text) > FINDING_MAX_LENGTH:
        raise ValidationError(
            _("A finding has at most %(limit)d characters; this one has %(count)d.")
            % {"limit": FINDING_MAX_LENGTH, "count": len(text)}
        )
    return text


def _check_question(consultation: Consultation, question: GuidingQuestion | None) -> None:
    if question is not None and question.room.consultation_id != consultation.pk:
        raise ValidationError(_("Choose one of this consultation's guiding questions."))


def text_digest(comment: Comment) -> str:
    """SHA-256 of the comment's plain text: which version of it a span was taken from."""
    return hashlib.sha256(plain_text(comment.body_html).encode()).hexdigest()


# --- Findings ---------------------------------------------------------------------


def add_finding(user, *, consultation: Consultation, question: GuidingQuestion | None, text: str) -> Finding:
    """A new finding at the end of its question's findings (or of "other themes")."""
    _require(permissions.why_cannot_work_on_report(user, consultation))
    _check_question(consultation, question)
    text = _clean_finding(text)
    with transaction.atomic():
        last = Finding.objects.filter(consultation=consultation, question=question).aggregate(last=Max("position"))
        return Finding.objects.create(
            consultation=consultation,
            question=question,
            text=text,
            position=(last["last"] or 0) + 1,
            written_by=user,
        )


def edit_finding(user, *, finding: Finding, text: str, question: GuidingQuestion | None) -> Finding:
    """New words for a finding, or another question (it goes last there)."""
    _require(permissions.why_cannot_work_on_report(user, finding.consultation))
    _check_question(finding.consultation, question)
    text = _clean_finding(text)
    with transaction.atomic():
        fields = ["text", "updated_at"]
        if (question.pk if question else None) != finding.question_id:
            last = Finding.objects.filter(consultation=finding.consultation, question=question).aggregate(
                last=Max("position")
            )
            finding.question, finding.position = question, (last["last"] or 0) + 1
            fields += ["question", "position"]
        finding.text, finding.updated_at = text, timezone.now()
        finding.save(update_fields=fields)
    return finding


def move_finding(user, *, finding: Finding, up: bool) -> Finding:
    """One place up or down among its question's findings."""
    _require(permissions.why_cannot_work_on_report(user, finding.consultation))
    with transaction.atomic():
        siblings = list(
            Finding.objects.select_for_update()
            .filter(consultation=finding.consultation, question_id=finding.question_id)
            .order_by("position", "pk")
        )
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == finding.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            if sibling.position != position:
                Finding.objects.filter(pk=sibling.pk).update(position=position)
    return finding


def delete_finding(user, *, finding: Finding) -> None:
    """The finding goes, with its evidence (the comments stay as they are)."""
    _require(permissions.why_cannot_work_on_report(user, finding.consultation))
    with transaction.atomic():
        finding.delete()


# --- Evidence ---------------------------------------------------------------------


def locate_span(text: str, quote: str, *, near: int | None = None) -> tuple[int, int] | None:
    """Where `quote` is in `text`, spaces and line breaks read as any whitespace
    (a selection across paragraphs, a span typed by hand); the occurrence
    nearest `near` when it is there several times. None when it is not there."""
    words = quote.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    found = [(match.start(), match.end()) for match in pattern.finditer(text)]
    if not found:
        return None
    if near is None:
        return found[0]
    return min(found, key=lambda span: abs(span[0] - near))


def add_evidence(user, *, finding: Finding, comment: Comment, quote: str = "", start: int | None = None) -> Evidence:
    """A comment supporting the finding, whole or by an exact span of its text as it reads now."""
    consultation = finding.consultation
    _require(permissions.why_cannot_work_on_report(user, consultation))
    if comment.room.consultation_id != consultation.pk:
        raise ValidationError(_("This comment is not part of this consultation."))
    if not comment.is_visible:
        raise ValidationError(_("Only visible comments can be cited: this one is hidden, deleted or waiting."))
    text = plain_text(comment.body_html)
    quote = (quote or "").strip()
    span_start = span_end = None
    if quote:
        span = locate_span(text, quote, near=start)
        if span is None:
            raise ValidationError(
                _("These words are not in comment %(id)s as it reads now. Copy them from the comment exactly.")
                % {"id": comment.pk}
            )
        span_start, span_end = span
        quote = text[span_start:span_end]
    with transaction.atomic():
        existing = Evidence.objects.filter(finding=finding, comment=comment, quote_start=span_start).first()
        if existing is not None:
            return existing
        return Evidence.objects.create(
            finding=finding,
            comment=comment,
            quote=quote,
            quote_start=span_start,
            quote_end=span_end,
            render_version=comment.render_version,
            text_digest=hashlib.sha256(text.encode()).hexdigest(),
            added_by=user,
        )


def remove_evidence(user, *, evidence: Evidence) -> None:
    _require(permissions.why_cannot_work_on_report(user, evidence.finding.consultation))
    with transaction.atomic():
        evidence.delete()


def mark_reviewed(user, *, comment: Comment, reviewed: bool = True) -> None:
    """The person has read this comment for the report (or takes the mark back)."""
    _require(permissions.why_cannot_work_on_report(user, comment.room.consultation))
    with transaction.atomic():
        if reviewed:
            CommentReview.objects.get_or_create(comment=comment, user=user)
        else:
            CommentReview.objects.filter(comment=comment, user=user).delete()


# --- Publishing -------------------------------------------------------------------


def publish_report(user, *, consultation: Consultation) -> ReportSnapshot:
    """Freeze the findings as the report's next version: its canonical JSON and
    SHA-256 stored, each cited comment labelled with its findings ("3.2"), and
    the authors of newly cited comments told."""
    _require(permissions.why_cannot_publish_report(user, consultation))
    sections = report_sections(consultation)
    if not any(section.findings for section in sections):
        raise ValidationError(_("The report has no findings yet: write at least one before publishing."))
    now = timezone.now()
    document = policy_report.report_document(consultation, sections=sections, now=now)
    content = policy_report.canonical_json(document)
    labels: dict[int, list[str]] = {}
    for section in sections:
        for finding in section.findings:
            for evidence in finding.evidence.all():
                numbers = labels.setdefault(evidence.comment_id, [])
                if finding.number not in numbers:
                    numbers.append(finding.number)
    with transaction.atomic():
        last = ReportSnapshot.objects.filter(consultation=consultation).aggregate(last=Max("version"))["last"] or 0
        snapshot = ReportSnapshot.objects.create(
            consultation=consultation,
            version=last + 1,
            content=content,
            sha256=policy_report.sha256(content),
            published_at=now,
            published_by=user,
        )
        in_consultation = Comment.objects.filter(room__consultation=consultation)
        before = set(in_consultation.exclude(report_citation="").values_list("pk", flat=True))
        in_consultation.filter(pk__in=before).exclude(pk__in=labels).update(report_citation="")
        for comment_id, numbers in labels.items():
            Comment.objects.filter(pk=comment_id).update(report_citation=", ".join(numbers)[:200])
        _rooms_changed(in_consultation.filter(pk__in=before | set(labels)))
        for comment in Comment.objects.filter(pk__in=set(labels) - before).select_related("room__consultation"):
            notifications.notify(
                {comment.author_id: Kind.CITED},
                comment=comment,
                actor=user,
                note=_("Finding %(numbers)s") % {"numbers": ", ".join(labels[comment.pk])},
            )
    return snapshot


def _rooms_changed(comments) -> None:
    # Cached anonymous room pages show the label: they are drawn again.
    for room_id in set(comments.values_list("room_id", flat=True)):
        cache.room_changed(room_id)


# --- When a cited comment changes ---------------------------------------------------


def cited_comment_changed(comment: Comment) -> list[Evidence]:
    """A comment cited as evidence was edited, hidden, deleted (or restored): its
    evidence is flagged when its text or state no longer matches, and the
    consultation's rapporteurs (and the findings' writers) hear which findings it affects."""
    evidence = list(
        Evidence.objects.filter(comment_id=comment.pk, changed_at__isnull=True).select_related("finding__consultation")
    )
    if not evidence:
        return []
    current = Comment.objects.filter(pk=comment.pk).select_related("room__consultation").get()
    digest = text_digest(current)
    changed = [item for item in evidence if not current.is_visible or item.text_digest != digest]
    if not changed:
        return []
    Evidence.objects.filter(pk__in=[item.pk for item in changed]).update(changed_at=timezone.now())
    consultation = changed[0].finding.consultation
    numbers = policy_report_numbers(consultation, {item.finding_id for item in changed})
    # The rapporteurs, and whoever wrote an affected finding (a moderator, staff).
    writers = {item.finding.written_by_id for item in changed} - {None}
    recipients = {user_id: Kind.CITATION_CHANGED for user_id in {*rapporteur_ids(consultation), *writers}}
    notifications.notify(
        recipients, comment=current, note=_("Findings affected: %(numbers)s") % {"numbers": ", ".join(numbers)}
    )
    return changed


def policy_report_numbers(consultation: Consultation, finding_ids: set[int]) -> list[str]:
    numbers = []
    for section in report_sections(consultation):
        numbers += [finding.number for finding in section.findings if finding.pk in finding_ids]
    return numbers
