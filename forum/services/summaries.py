"""Moderators' written summaries of a room: weekly ones while it runs, a final
one at the end. Bodies use the comments' Markdown subset and are rendered by
the same module, so a comment's permalink becomes a reference to it. Summaries
feed the report, so their references name and quote each cited author only as
that person agreed (quoting consent).

A summary is written in its consultation's language (Consultation.language);
staff add its translations in the admin (translate_summary). Each language's
text is rendered into that language's HTML (forum/translation.py)."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from modeltranslation.utils import build_localized_fieldname

from forum import cache, permissions
from forum.models import Room, RoomSummary
from forum.place_texts import LANGUAGES, stored_text
from forum.rendering import RenderedBody, render_comment_body
from forum.services.rerendering import rerender

# A final summary can run longer than a comment, and cite more comments.
SUMMARY_MAX_LENGTH = 20_000
SUMMARY_MAX_REFERENCES = 100
# How every summary is rendered: it feeds the report, so cited authors are
# named and quoted only as they agreed.
SUMMARY_RENDERING = {"max_references": SUMMARY_MAX_REFERENCES, "for_report": True}


def _require_moderator(moderator, room: Room) -> None:
    refusal = permissions.why_cannot_write_summary(moderator, room)
    if refusal:
        raise PermissionDenied(refusal)


def clean_summary(*, kind: str, period_start: date | None, period_end: date | None, body: str) -> str:
    """The body as it will be stored; every problem with the form at once as a ValidationError by field."""
    errors = {}
    if kind not in RoomSummary.Kind.values:
        errors["kind"] = _("Choose whether this is a summary so far or the final summary.")
    if period_start is None:
        errors["period_start"] = _("Give the first day the summary covers.")
    today = timezone.localdate()
    if period_end is None:
        errors["period_end"] = _("Give the last day the summary covers.")
    elif period_end > today:
        errors["period_end"] = _(
            "A summary cannot cover days to come: the period can end on %(today)s at the latest."
        ) % {"today": date_format(today, "DATE_FORMAT")}
    elif period_start is not None and period_end < period_start:
        errors["period_end"] = _("The period must end on or after the day it starts.")
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not body.strip():
        errors["body"] = _("Please write the summary before saving it.")
    elif len(body) > SUMMARY_MAX_LENGTH:
        errors["body"] = _("The summary is %(length)d characters long; the limit is %(limit)d. Please shorten it.") % {
            "length": len(body),
            "limit": SUMMARY_MAX_LENGTH,
        }
    if errors:
        raise ValidationError(errors)
    return body.strip("\n")


def _body_fields(language: str) -> tuple[str, str]:
    return build_localized_fieldname("body_source", language), build_localized_fieldname("body_html", language)


def write_summary(
    moderator,
    *,
    room: Room,
    kind: str,
    period_start: date,
    period_end: date,
    body: str,
    language: str | None = None,
) -> RoomSummary:
    """A moderator of the room (or staff) adds a summary covering a period up to
    today, written in `language` (by default the consultation's)."""
    _require_moderator(moderator, room)
    body = clean_summary(kind=kind, period_start=period_start, period_end=period_end, body=body)
    rendered = render_comment_body(body, **SUMMARY_RENDERING)
    source_field, html_field = _body_fields(language or room.consultation.language)
    with transaction.atomic():
        summary = RoomSummary.objects.create(
            room=room,
            author=moderator,
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            period_ends_at=end_of_period(period_end),
            render_version=rendered.version,
            **{source_field: body, html_field: rendered.html},
        )
        _record_citations(summary, rendered)
        # The newest summary is pinned at the top of the room page.
        _pin_newest(room.pk)
        cache.room_changed(room.pk)
    return summary


def edit_summary(
    moderator,
    *,
    summary: RoomSummary,
    kind: str,
    period_start: date,
    period_end: date,
    body: str,
    language: str | None = None,
) -> RoomSummary:
    """Any moderator of the room (or staff) corrects a summary's text in `language`
    (by default the consultation's); it is marked as edited. The author stays
    the person who wrote it."""
    _require_moderator(moderator, summary.room)
    body = clean_summary(kind=kind, period_start=period_start, period_end=period_end, body=body)
    language = language or summary.room.consultation.language
    source_field, html_field = _body_fields(language)
    unchanged = (
        summary.kind,
        summary.period_start,
        summary.period_end,
        stored_text(summary, "body_source", language),
    ) == (
        kind,
        period_start,
        period_end,
        body,
    )
    if unchanged:
        return summary
    rendered = render_comment_body(body, **SUMMARY_RENDERING)
    with transaction.atomic():
        summary.kind = kind
        summary.period_start = period_start
        summary.period_end = period_end
        summary.period_ends_at = end_of_period(period_end)
        setattr(summary, source_field, body)
        setattr(summary, html_field, rendered.html)
        summary.render_version = rendered.version
        summary.edited_at = timezone.now()
        summary.save(
            update_fields=[
                "kind",
                "period_start",
                "period_end",
                "period_ends_at",
                source_field,
                html_field,
                "render_version",
                "edited_at",
            ]
        )
        _record_citations(summary, rendered)
        _pin_newest(summary.room_id)
        cache.room_changed(summary.room_id)
    return summary


def translate_summary(staff, *, summary: RoomSummary, texts: dict[str, str]) -> RoomSummary:
    """Staff store a summary's text in other languages ({language: text}; an empty
    text removes that language's); each is rendered as the summary is."""
    if not staff.is_staff:
        raise PermissionDenied(_("Only staff translate summaries."))
    changed, cited = [], set()
    for language, body in texts.items():
        if language not in LANGUAGES:
            raise ValidationError(_("%(language)s is not one of the site's languages.") % {"language": language})
        body = (body or "").replace("\r\n", "\n").strip("\n")
        if body == stored_text(summary, "body_source", language):
            continue
        if len(body) > SUMMARY_MAX_LENGTH:
            raise ValidationError(
                _("The summary is %(length)d characters long; the limit is %(limit)d. Please shorten it.")
                % {"length": len(body), "limit": SUMMARY_MAX_LENGTH}
            )
        rendered = render_comment_body(body, **SUMMARY_RENDERING) if body.strip() else None
        source_field, html_field = _body_fields(language)
        setattr(summary, source_field, body)
        setattr(summary, html_field, rendered.html if rendered else "")
        cited |= rendered.cited_comment_ids if rendered else set()
        changed += [source_field, html_field]
    if changed:
        with transaction.atomic():
            summary.save(update_fields=changed)
            # Kept for the re-rendering when a cited comment changes; the next one sorts out any excess.
            summary.cited_comments.add(*cited)
            cache.room_changed(summary.room_id)
    return summary


def end_of_period(period_end: date) -> datetime:
    """The first moment after the period's last day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(period_end + timedelta(days=1), time.min))


def _pin_newest(room_id: int) -> None:
    newest = RoomSummary.objects.filter(room_id=room_id).order_by("-period_end", "-created_at", "-pk").values("pk")[:1]
    Room.objects.filter(pk=room_id).update(latest_summary=Subquery(newest))


# --- Keeping rendered summaries current ----------------------------------------


def rerender_summaries(summaries) -> int:
    """Render stored summaries again (after a comment they cite, or its author, changed)."""
    return rerender(
        summaries,
        model=RoomSummary,
        record=_record_citations,
        bodies=[_body_fields(language) for language in LANGUAGES],
        **SUMMARY_RENDERING,
    )


def _record_citations(summary: RoomSummary, rendered: RenderedBody) -> None:
    summary.cited_comments.set(rendered.cited_comment_ids)


def summaries_citing(comments) -> QuerySet:
    """The summaries whose references show any of these comments."""
    return RoomSummary.objects.filter(cited_comments__in=comments).distinct().only("pk", "room_id", "body_source")
