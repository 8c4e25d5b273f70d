"""Everything the site holds about a person, for them to take away (GDPR art. 15
and 20): `data.json` for machines and `index.html`, a readable copy of the same,
in one zip (`personal_data_zip`).

The download is a list of sections (SECTIONS), each a small function from the
person to what it holds: add one there when a new kind of personal data
appears. Lists a person may have by the thousand are read in chunks of
CHUNK_SIZE, so the queries grow with the chunks, never with the rows.

accounts knows nothing of forum, so this lives here, where both are known.
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Model, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import ConsentChange
from accounts.terms import acceptances_of
from forum import links
from forum.place_texts import source_text
from forum.models import (
    Endorsement,
    Comment,
    CommentRevision,
    EmailPreference,
    Follow,
    Mention,
    Notification,
    Report,
    RoomModerator,
    RoomSummary,
    RoomVisit,
    ShiftNote,
    Suspension,
)

CHUNK_SIZE = 500


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _time(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _chunks(queryset: QuerySet) -> Iterator[list]:
    """The rows in id order, CHUNK_SIZE at a time, each chunk one query (keyset, no OFFSET)."""
    last = 0
    while chunk := list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK_SIZE]):
        yield chunk
        if len(chunk) < CHUNK_SIZE:
            return
        last = chunk[-1].pk


# --- The sections ------------------------------------------------------------


def profile(person) -> dict:
    addresses = EmailAddress.objects.filter(user=person).order_by("pk")
    return {
        "email": person.email,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary} for address in addresses
        ],
        "display_name": person.display_name,
        "handle": person.handle,
        "profile_url": _url(person.get_absolute_url()),
        "organisation": person.organisation,
        "speaks_for_organisation": person.speaks_for_organisation,
        "organisation_verification_requested_at": _time(person.organisation_verification_requested_at),
        "organisation_verified_at": _time(person.organisation_verified_at),
        "title": person.title,
        "country": str(person.country.code or ""),
        "bio": person.bio,
        "languages": person.languages,
        "site_language": person.language,
        "follow_threads_on_post": person.follow_threads_on_post,
        "reads_translations": person.reads_translations,
        "joined_at": _time(person.date_joined),
        "last_login_at": _time(person.last_login),
        "is_staff": person.is_staff,
    }


def quoting_consent(person) -> dict:
    return {
        "value": person.quoting_consent,
        "meaning": str(person.get_quoting_consent_display()),
        "history": [
            {"value": change.consent, "source": change.source, "at": _time(change.changed_at)}
            for change in ConsentChange.objects.filter(user=person)
        ],
    }


def comments(person) -> list[dict]:
    rows = []
    queryset = Comment.objects.filter(author=person).select_related("room__consultation", "guiding_question")
    for chunk in _chunks(queryset):
        revisions: dict[int, list] = {}
        for revision in CommentRevision.objects.filter(comment__in=chunk).order_by("comment_id", "written_at", "pk"):
            revisions.setdefault(revision.comment_id, []).append(
                {
                    "text": revision.body_source,
                    "written_at": _time(revision.written_at),
                    "replaced_at": _time(revision.replaced_at),
                }
            )
        rows.extend(
            {
                "id": comment.pk,
                "url": _url(comment.get_absolute_url()),
                "consultation": comment.room.consultation.title,
                "room": comment.room.title,
                "reply_to": comment.parent_id,
                "answers_question": comment.guiding_question.text if comment.guiding_question else None,
                "state": comment.state,
                "language": comment.language,
                "text": comment.body_source,
                "posted_at": _time(comment.created_at),
                "edited_at": _time(comment.edited_at),
                "earlier_versions": revisions.get(comment.pk, []),
            }
            for comment in chunk
        )
    return rows


def reports(person) -> list[dict]:
    return [
        {
            "comment": _url(report.comment.get_absolute_url()),
            "reason": report.reason,
            "note": report.note,
            "reported_at": _time(report.created_at),
            "resolved_at": _time(report.resolved_at),
            "outcome": report.outcome,
        }
        for chunk in _chunks(Report.objects.filter(reporter=person).select_related("comment"))
        for report in chunk
    ]


def notifications(person) -> list[dict]:
    return [
        {
            "kind": notification.kind,
            "about": _url(notification.comment.get_absolute_url()) if notification.comment_id else None,
            "note": notification.note,
            "created_at": _time(notification.created_at),
            "read_at": _time(notification.read_at),
            "email": notification.email,
            "emailed_at": _time(notification.emailed_at),
        }
        for chunk in _chunks(Notification.objects.filter(recipient=person).select_related("comment"))
        for notification in chunk
    ]


def follows(person) -> list[dict]:
    return [
        {
            "room": follow.room.title if follow.room_id else None,
            "thread": _url(follow.thread.get_absolute_url()) if follow.thread_id else None,
            "since": _time(follow.created_at),
        }
        for follow in Follow.objects.filter(user=person).select_related("room", "thread").order_by("pk")
    ]


def endorsements(person) -> list[dict]:
    return [
        {"comment": _url(links.fill("forum:comment-permalink", comment_id)), "kind": kind, "given_at": _time(at)}
        for comment_id, kind, at in Endorsement.objects.filter(person=person)
        .order_by("pk")
        .values_list("comment_id", "kind", "created_at")
    ]


def mentions(person) -> list[str]:
    """Where others @mentioned the person."""
    return [
        _url(mention.comment.get_absolute_url())
        for chunk in _chunks(Mention.objects.filter(user=person).select_related("comment"))
        for mention in chunk
    ]


def email_preferences(person) -> list[dict]:
    return [
        {"kind": preference.kind, "delivery": preference.delivery}
        for preference in EmailPreference.objects.filter(user=person).order_by("kind")
    ]


def room_visits(person) -> list[dict]:
    return [
        {"room": visit.room.title, "read_up_to_comment": visit.last_seen_comment_id, "seen_at": _time(visit.seen_at)}
        for visit in RoomVisit.objects.filter(user=person).select_related("room").order_by("pk")
    ]


def suspensions(person) -> list[dict]:
    return [
        {
            "consultation": suspension.consultation.title,
            "reason": suspension.reason,
            "since": _time(suspension.created_at),
            "until": _time(suspension.until),
            "lifted_at": _time(suspension.lifted_at),
        }
        for suspension in Suspension.objects.filter(user=person).select_related("consultation").order_by("pk")
    ]


def moderation(person) -> dict:
    """What a moderator holds: rota lines, summaries and shift notes they wrote."""
    return {
        "rota": [
            {"room": line.room.title, "from": _time(line.starts_on), "until": _time(line.ends_on)}
            for line in RoomModerator.objects.filter(user=person).select_related("room").order_by("pk")
        ],
        "summaries": [
            {
                "room": summary.room.title,
                "kind": summary.kind,
                # As written, in the consultation's language (translations are staff's).
                "text": source_text(summary, "body_source"),
                "written_at": _time(summary.created_at),
            }
            for summary in RoomSummary.objects.filter(author=person).select_related("room__consultation").order_by("pk")
        ],
        "shift_notes": [
            {"room": note.room.title, "text": note.body, "written_at": _time(note.created_at)}
            for note in ShiftNote.objects.filter(author=person).select_related("room").order_by("pk")
        ],
    }


# The download's sections, in order: (key in data.json, heading in index.html, builder).
SECTIONS: list[tuple[str, str, Callable[[Model], object]]] = [
    ("profile", _("Profile"), profile),
    ("quoting_consent", _("How the report may quote you"), quoting_consent),
    ("acceptances", _("Terms of use and privacy notice you accepted"), acceptances_of),
    ("comments", _("Comments, with their earlier versions"), comments),
    ("reports", _("Reports you filed"), reports),
    ("notifications", _("Notifications"), notifications),
    ("follows", _("Rooms and threads you follow"), follows),
    ("endorsements", _("Comments you endorsed"), endorsements),
    ("mentions", _("Comments that mention you"), mentions),
    ("email_preferences", _("Email settings"), email_preferences),
    ("room_visits", _("Where you stopped reading each room"), room_visits),
    ("suspensions", _("Suspensions"), suspensions),
    ("moderation", _("Moderation: rota, summaries and shift notes"), moderation),
]


def personal_data(person) -> dict:
    """Every section's data, as data.json holds it."""
    return {
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        **{key: build(person) for key, _heading, build in SECTIONS},
    }


def _label(key: str) -> str:
    """A data.json key as a heading people read: "posted_at" as "Posted at"."""
    return key.replace("_", " ").capitalize()


def _as_html(value) -> SafeString:
    """Any JSON value as escaped HTML: objects as definition lists, lists as lists."""
    if isinstance(value, dict):
        if not value:
            return format_html("<p>{}</p>", _("Nothing."))
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", ((_label(key), _as_html(item)) for key, item in value.items())
            ),
        )
    if isinstance(value, list):
        if not value:
            return format_html("<p>{}</p>", _("Nothing."))
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((_as_html(item),) for item in value)))
    if value is None or value == "":
        return mark_safe('<span class="empty">—</span>')
    return format_html("<span>{}</span>", value)


def personal_data_zip(person) -> bytes:
    """The zip a person downloads: data.json and index.html."""
    data = personal_data(person)
    sections = [(heading, _as_html(data[key])) for key, heading, _build in SECTIONS]
    page = render_to_string(
        "downloads/personal_data.html",
        {
            "person": person,
            "exported_at": data["exported_at"],
            "sections": sections,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("index.html", page)
    return buffer.getvalue()
