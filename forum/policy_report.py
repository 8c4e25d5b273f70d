"""The consultation's policy report as data, and its Markdown.

`report_document` gathers what the report says (each finding with its evidence
quoted as forum.quoting allows, the statistics tables, a methods annex) into
plain JSON-able values. The same document is drawn as the report's page, as
Markdown (here) and as DOCX (forum.report_docx), and frozen when the report is
published: its canonical JSON (`canonical_json`: keys sorted, UTF-8, no spaces)
is what ReportSnapshot stores, and `sha256` its digest. To check a published
report, download its JSON and run `sha256sum` on the file as downloaded.
"""

import hashlib
import json
import re
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from forum import quoting
from forum.models import Comment, Consultation
from forum.place_texts import source_text
from forum.rendering import plain_text
from forum.selectors.statistics import consultation_statistics, summary_rooms
from forum.selectors.synthesis import Section, coverage_charts, report_sections

# How much of a comment cited whole the report quotes.
WHOLE_COMMENT_QUOTED = 400


def permalink(comment_id: int) -> str:
    """The comment's absolute permalink, as the report links to it."""
    return settings.SITE_URL + reverse("forum:comment-permalink", kwargs={"comment_id": comment_id})


def report_document(consultation: Consultation, *, sections: list[Section] | None = None, now=None) -> dict:
    """What the report says now, as plain values (see the module's docstring)."""
    sections = sections if sections is not None else report_sections(consultation)
    now = now or timezone.now()
    rooms = summary_rooms(consultation)
    stats = consultation_statistics(consultation, rooms)
    tables = [
        _table(chart)
        for chart in [
            stats.charts.get("by_country"),
            stats.charts.get("by_kind"),
            stats.charts.get("by_language"),
            *coverage_charts(consultation).values(),
        ]
        if chart is not None
    ]
    per_room = dict(
        Comment.objects.filter(room__in=rooms, state=Comment.State.VISIBLE)
        .order_by()
        .values_list("room_id")
        .annotate(count=Count("pk"))
    )
    return {
        "consultation": {
            "title": source_text(consultation, "title"),
            "url": settings.SITE_URL + consultation.get_absolute_url(),
        },
        "generated_at": now.isoformat(timespec="seconds"),
        "sections": [
            _section(section, consultation.language) for section in sections if section.findings or not section.is_other
        ],
        "statistics": tables,
        "methods": {
            "opens_on": _day(consultation.opens_on),
            "closes_on": _day(consultation.closes_on),
            "rooms": [
                {
                    "title": source_text(room, "title", source=consultation.language),
                    "opens_on": _day(room.opening_date),
                    "closes_on": _day(room.closing_date),
                    "comments": per_room.get(room.pk, 0),
                }
                for room in rooms
            ],
            "participants": stats.totals.participants,
            "organisations": stats.totals.organisations,
            "comments": stats.totals.comments,
            "languages": [share.label for share in stats.by_language],
        },
    }


def _day(day) -> str:
    return day.isoformat() if day else ""


def _table(chart) -> dict:
    return {
        "title": str(chart.title),
        "headings": [str(heading) for heading in chart.table.headings],
        "rows": [[cell if isinstance(cell, int) else str(cell) for cell in row] for row in chart.table.rows],
    }


def _section(section: Section, language: str) -> dict:
    # The consultation's texts as written, in its own language: the report is
    # the same document whoever publishes it.
    if section.is_other:
        title = _("Other themes")
    else:
        title = _("%(room)s, question %(number)s: %(question)s") % {
            "room": source_text(section.room, "title", source=language),
            "number": section.question_number,
            "question": source_text(section.question, "text", source=language),
        }
    group = None if section.is_other else section.question.group
    return {
        "number": section.number,
        "title": title,
        "heading": source_text(group, "heading", source=language) if group else section.heading,
        "findings": [
            {
                "number": finding.number,
                "text": finding.text,
                "evidence": [_evidence(item, language) for item in finding.evidence.all()],
            }
            for finding in section.findings
        ],
    }


def _evidence(evidence, language: str) -> dict:
    comment = evidence.comment
    text = evidence.quote or Truncator(plain_text(comment.body_html)).chars(WHOLE_COMMENT_QUOTED)
    quotation = quoting.quotation(comment, text if comment.is_visible else "")
    return {
        # Hidden or deleted since it was cited: named as its author agreed, never quoted.
        "withdrawn": not comment.is_visible,
        "comment_id": comment.pk,
        "permalink": permalink(comment.pk),
        "how": quotation.how,
        "attribution": quotation.attribution,
        "quote": quotation.text,
        "whole_comment": not evidence.quote,
        "room": source_text(comment.room, "title", source=language),
        "language": comment.language,
        "posted": comment.created_at.date().isoformat(),
    }


def footnote_text(evidence: dict) -> str:
    """One footnote's words, before its link: who, and what they wrote (or why it is not quoted)."""
    if evidence.get("withdrawn"):
        return _("A comment by %(who)s (%(room)s, %(day)s), since withdrawn or hidden: not quoted.") % {
            "who": evidence["attribution"],
            "room": evidence["room"],
            "day": evidence["posted"],
        }
    if evidence["quote"]:
        return _("%(who)s: “%(quote)s” (%(room)s, %(day)s).") % {
            "who": evidence["attribution"][:1].upper() + evidence["attribution"][1:],
            "quote": evidence["quote"],
            "room": evidence["room"],
            "day": evidence["posted"],
        }
    return _("A comment by %(who)s (%(room)s, %(day)s), paraphrased: its author did not agree to be quoted.") % {
        "who": evidence["attribution"],
        "room": evidence["room"],
        "day": evidence["posted"],
    }


# --- Freezing -------------------------------------------------------------------


def canonical_json(document: dict) -> str:
    """The one serialisation that is hashed: keys sorted, no spaces, non-ASCII as is (UTF-8)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


# --- Markdown ---------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")


def _md(text: str) -> str:
    """User text as literal Markdown: markup characters escaped, lines kept."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def markdown(document: dict, *, version: int | None = None, digest: str = "") -> str:
    """The report as Markdown, evidence as footnotes ([^1]) linking to the comments' permalinks."""
    lines = [f"# {_md(_('Report of the consultation'))}: {_md(document['consultation']['title'])}", ""]
    if version:
        lines.append(_("Version %(version)s, published %(when)s. SHA-256: `%(digest)s`") % {
            "version": version, "when": document["generated_at"], "digest": digest,
        })  # fmt: skip
    else:
        lines.append(_("Draft, generated %(when)s.") % {"when": document["generated_at"]})
    lines.append("")
    notes = []
    for section in document["sections"]:
        lines += [f"## {section['number']}. {_md(section['title'])}", ""]
        if not section["findings"]:
            lines += [_md(_("No findings yet.")), ""]
        for finding in section["findings"]:
            marks = ""
            for evidence in finding["evidence"]:
                notes.append(evidence)
                marks += f"[^{len(notes)}]"
            lines += [f"**{finding['number']}** {_md(finding['text'])}{marks}", ""]
    lines += [f"## {_md(_('Statistics'))}", ""]
    for table in document["statistics"]:
        lines += [f"### {_md(table['title'])}", ""]
        lines.append("| " + " | ".join(_md(heading) for heading in table["headings"]) + " |")
        lines.append("|" + "---|" * len(table["headings"]))
        lines += ["| " + " | ".join(_md(str(cell)) for cell in row) + " |" for row in table["rows"]]
        lines.append("")
    lines += [f"## {_md(_('Methods'))}", ""]
    lines += [f"- {_md(line)}" for line in methods_lines(document["methods"])]
    lines.append("")
    for number, evidence in enumerate(notes, start=1):
        lines.append(f"[^{number}]: {_md(footnote_text(evidence))} <{evidence['permalink']}>")
    return "\n".join(lines).rstrip() + "\n"


def methods_lines(methods: dict) -> list[str]:
    """The methods annex in sentences: dates, rooms, people, comments, languages."""
    lines = [
        _("The consultation ran from %(opens)s to %(closes)s.") % {
            "opens": methods["opens_on"] or "?", "closes": methods["closes_on"] or "?",
        },
        _("%(participants)s participants (%(organisations)s of them organisations) wrote %(comments)s comments.")
        % {
            "participants": methods["participants"],
            "organisations": methods["organisations"],
            "comments": methods["comments"],
        },
    ]  # fmt: skip
    for room in methods["rooms"]:
        lines.append(
            _("Room “%(room)s”, from %(opens)s to %(closes)s: %(comments)s comments.")
            % {
                "room": room["title"],
                "opens": room["opens_on"] or "?",
                "closes": room["closes_on"] or "?",
                "comments": room["comments"],
            }
        )
    if methods["languages"]:
        lines.append(_("Languages of the comments: %(languages)s.") % {"languages": ", ".join(methods["languages"])})
    lines.append(
        _(
            "Quotes follow each author's choice: by name, anonymously, or not at all "
            "(the finding then paraphrases the comment)."
        )
    )
    return lines


def generated_at(document: dict) -> datetime:
    return datetime.fromisoformat(document["generated_at"])
