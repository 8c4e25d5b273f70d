"""The report: its workbench (findings, evidence, coverage, untagged comments,
reviews, publishing) for the consultation's rapporteurs, moderators and staff,
its exports, and its public page once published."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum import display, permissions, policy_report, selectors, services
from forum.languages import language_name
from forum.forms import OTHER_THEMES, EvidenceForm, FindingForm, ReportTagForm, ReviewForm
from forum.models import Evidence, Finding
from forum.report_docx import report_docx
from forum.selectors import synthesis as report_selectors
from forum.services import synthesis as report_services
from forum.views.attempts import attempt

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _consultation_to_work_on(request, consultation_slug):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    refusal = permissions.why_cannot_work_on_report(request.user, consultation)
    if refusal:
        raise PermissionDenied(refusal)
    return consultation


def _workbench_url(consultation, anchor=""):
    return reverse("forum:report-workbench", args=[consultation.slug]) + (f"#{anchor}" if anchor else "")


def _back(request, consultation, anchor=""):
    """Where a workbench form sends the person back: the page they came from, if ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(_workbench_url(consultation, anchor))


@require_safe
@login_required
def workbench(request, consultation_slug):
    consultation = _consultation_to_work_on(request, consultation_slug)
    sections = report_selectors.report_sections(consultation, with_coverage=True)
    untagged, untagged_count = report_selectors.untagged_comments(consultation)
    return render(
        request,
        "forum/report_workbench.html",
        {
            "consultation": consultation,
            "sections": sections,
            "finding_form": FindingForm(sections=sections),
            "coverage_charts": list(report_selectors.coverage_charts(consultation).values()),
            "untagged": untagged,
            "untagged_count": untagged_count,
            "other_themes": OTHER_THEMES,
            "can_publish": permissions.why_cannot_publish_report(request.user, consultation) is None,
            "published": report_selectors.published_reports(consultation)[:1],
        },
    )


def _finding_page(request, consultation, form, *, finding=None, status=200):
    response = render(
        request, "forum/report_finding_form.html", {"consultation": consultation, "form": form, "finding": finding}
    )
    response.status_code = status
    return response


@require_POST
@login_required
def add_finding(request, consultation_slug):
    consultation = _consultation_to_work_on(request, consultation_slug)
    sections = report_selectors.report_sections(consultation)
    form = FindingForm(request.POST, sections=sections)
    done = attempt(
        form,
        lambda form: report_services.add_finding(
            request.user, consultation=consultation, question=form.question(), text=form.cleaned_data["text"]
        ),
        error_field="text",
    )
    if not done.done:
        return _finding_page(request, consultation, form, status=done.status)
    return redirect(_workbench_url(consultation, f"finding-{done.result.pk}"))


@require_http_methods(["GET", "POST"])
@login_required
def edit_finding(request, consultation_slug, finding_id):
    consultation = _consultation_to_work_on(request, consultation_slug)
    finding = get_object_or_404(Finding, consultation=consultation, pk=finding_id)
    sections = report_selectors.report_sections(consultation)
    initial = {"section": str(finding.question_id) if finding.question_id else OTHER_THEMES, "text": finding.text}
    form = FindingForm(request.POST or None, sections=sections, initial=initial)
    done = attempt(
        form,
        lambda form: report_services.edit_finding(
            request.user, finding=finding, question=form.question(), text=form.cleaned_data["text"]
        ),
        error_field="text",
    )
    if not done.done:
        return _finding_page(request, consultation, form, finding=finding, status=done.status)
    return redirect(_workbench_url(consultation, f"finding-{finding.pk}"))


@require_POST
@login_required
def move_finding(request, consultation_slug, finding_id):
    consultation = _consultation_to_work_on(request, consultation_slug)
    finding = get_object_or_404(Finding, consultation=consultation, pk=finding_id)
    report_services.move_finding(request.user, finding=finding, up=request.POST.get("direction") != "down")
    return redirect(_workbench_url(consultation, f"finding-{finding.pk}"))


@require_POST
@login_required
def delete_finding(request, consultation_slug, finding_id):
    consultation = _consultation_to_work_on(request, consultation_slug)
    finding = get_object_or_404(Finding, consultation=consultation, pk=finding_id)
    report_services.delete_finding(request.user, finding=finding)
    messages.success(request, _("The finding was deleted."))
    return redirect(_workbench_url(consultation))


@require_http_methods(["GET", "POST"])
@login_required
def add_evidence(request, consultation_slug):
    consultation = _consultation_to_work_on(request, consultation_slug)
    sections = report_selectors.report_sections(consultation)
    initial = {key: request.GET[key] for key in ("comment", "quote", "start", "finding") if request.GET.get(key)}
    form = EvidenceForm(request.POST or None, sections=sections, initial=initial)

    def cite(form):
        comment = report_selectors.report_comment(consultation, form.cleaned_data["comment"])
        if comment is None:
            form.add_error("comment", _("There is no comment with this number in this consultation."))
            raise _Kept
        finding = get_object_or_404(Finding, consultation=consultation, pk=form.cleaned_data["finding"])
        return report_services.add_evidence(
            request.user,
            finding=finding,
            comment=comment,
            quote=form.cleaned_data["quote"],
            start=form.cleaned_data["start"],
        )

    try:
        done = attempt(form, cite, error_field="quote")
    except _Kept:
        done = None
    if done is not None and done.done:
        number = report_selectors.finding_numbers(consultation).get(done.result.finding_id, "")
        messages.success(request, _("The comment now supports finding %(number)s.") % {"number": number})
        return redirect(_workbench_url(consultation, f"finding-{done.result.finding_id}"))
    comment_id = form.data.get("comment") if form.is_bound else initial.get("comment")
    preview = None
    if comment_id and str(comment_id).isdigit():
        comment = report_selectors.report_comment(consultation, int(comment_id))
        if comment is not None and comment.is_visible:
            preview = display.draw_single(request.user, comment, name_room=True)
    response = render(
        request,
        "forum/report_evidence_form.html",
        {
            "consultation": consultation,
            "form": form,
            "preview": preview,
            "has_findings": bool(form.fields["finding"].choices),
        },
    )
    response.status_code = 400 if form.is_bound else 200
    return response


class _Kept(Exception):
    """A refusal already written into the form."""


@require_POST
@login_required
def remove_evidence(request, consultation_slug, evidence_id):
    consultation = _consultation_to_work_on(request, consultation_slug)
    evidence = get_object_or_404(
        Evidence.objects.select_related("finding"), finding__consultation=consultation, pk=evidence_id
    )
    report_services.remove_evidence(request.user, evidence=evidence)
    return redirect(_workbench_url(consultation, f"finding-{evidence.finding_id}"))


@require_POST
@login_required
def mark_reviewed(request, consultation_slug):
    consultation = _consultation_to_work_on(request, consultation_slug)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise Http404
    comment = report_selectors.report_comment(consultation, form.cleaned_data["comment"])
    if comment is None:
        raise Http404
    report_services.mark_reviewed(request.user, comment=comment, reviewed=form.cleaned_data["reviewed"])
    return _back(request, consultation, f"comment-{comment.pk}")


@require_POST
@login_required
def tag_for_report(request, consultation_slug):
    consultation = _consultation_to_work_on(request, consultation_slug)
    form = ReportTagForm(request.POST)
    if not form.is_valid():
        raise Http404
    comment = report_selectors.report_comment(consultation, form.cleaned_data["comment"])
    question = comment.room.questions.filter(pk=form.cleaned_data["question"]).first() if comment else None
    if question is None:
        raise Http404
    services.tag_comment(request.user, comment=comment, question=question, for_report=True)
    messages.success(request, _("Comment %(id)s now answers this question.") % {"id": comment.pk})
    return redirect(_workbench_url(consultation, "untagged"))


@require_safe
@login_required
def question_comments(request, consultation_slug, question_id):
    consultation = _consultation_to_work_on(request, consultation_slug)
    sections = report_selectors.report_sections(consultation)
    section = next((s for s in sections if s.question and s.question.pk == question_id), None)
    if section is None:
        raise Http404
    after = request.GET.get("after", "0")
    unreviewed_only = request.GET.get("unreviewed") == "1"
    language = request.GET.get("language", "")[:16]
    page = report_selectors.comments_to_review(
        section,
        request.user,
        after=int(after) if after.isdigit() else 0,
        unreviewed_only=unreviewed_only,
        language=language,
    )
    evidence_url = reverse("forum:report-add-evidence", args=[consultation.slug])
    cards = display.draw_list(request.user, page.comments, evidence_url=evidence_url)
    filters = {
        key: value for key, value in (("unreviewed", "1" if unreviewed_only else ""), ("language", language)) if value
    }
    return render(
        request,
        "forum/report_question_comments.html",
        {
            "consultation": consultation,
            "section": section,
            "entries": [(card, card.pk in page.reviewed_ids) for card in cards],
            "page": page,
            "unreviewed_only": unreviewed_only,
            "language": language,
            "languages": [(code, language_name(code)) for code in page.languages],
            "next_query": urlencode(filters | {"after": page.next_after}) if page.next_after else "",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def publish(request, consultation_slug):
    consultation = _consultation_to_work_on(request, consultation_slug)
    refusal = permissions.why_cannot_publish_report(request.user, consultation)
    if refusal:
        raise PermissionDenied(refusal)
    error = None
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            snapshot = report_services.publish_report(request.user, consultation=consultation)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request, _("Version %(version)s of the report is published.") % {"version": snapshot.version}
            )
            return redirect("forum:policy-report", consultation.slug)
    elif request.method == "POST":
        error = _("Tick the box to confirm that this version is to be published.")
    response = render(request, "forum/report_publish.html", {"consultation": consultation, "error": error})
    response.status_code = 400 if error else 200
    return response


# --- Exports and the public page ----------------------------------------------------


def _download(content, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@login_required
def draft_export(request, consultation_slug, extension):
    if extension not in {"docx", "md"}:
        raise Http404
    consultation = _consultation_to_work_on(request, consultation_slug)
    document = policy_report.report_document(consultation)
    name = f"{consultation.slug}-report-draft.{extension}"
    if extension == "docx":
        return _download(report_docx(document), name=name, content_type=DOCX_TYPE)
    return _download(policy_report.markdown(document), name=name, content_type="text/markdown; charset=utf-8")


def _published(request, consultation_slug, version=None) -> tuple:
    consultation = selectors.get_consultation(request.user, consultation_slug)
    snapshots = report_selectors.published_reports(consultation)
    if version is not None:
        snapshot = next((s for s in snapshots if s.version == version), None)
    else:
        snapshot = snapshots[0] if snapshots else None
    if snapshot is None:
        raise Http404
    return consultation, snapshot, snapshots


@require_safe
def report_page(request, consultation_slug, version=None):
    consultation, snapshot, snapshots = _published(request, consultation_slug, version)
    document = json.loads(snapshot.content)
    notes = []
    for section in document["sections"]:
        for finding in section["findings"]:
            finding["notes"] = []
            for evidence in finding["evidence"]:
                notes.append(evidence)
                finding["notes"].append(len(notes))
    return render(
        request,
        "forum/report_page.html",
        {
            "consultation": consultation,
            "snapshot": snapshot,
            "snapshots": snapshots,
            "document": document,
            "notes": [
                (number, evidence, policy_report.footnote_text(evidence)) for number, evidence in enumerate(notes, 1)
            ],
            "methods": policy_report.methods_lines(document["methods"]),
            "can_work": permissions.can_work_on_report(request.user, consultation),
        },
    )


@require_safe
def report_download(request, consultation_slug, version, extension):
    if extension not in {"docx", "md", "json"}:
        raise Http404
    consultation, snapshot, _snapshots = _published(request, consultation_slug, version)
    name = f"{consultation.slug}-report-v{snapshot.version}.{extension}"
    if extension == "json":
        # The stored bytes themselves: their SHA-256 is the one the page shows.
        return _download(snapshot.content.encode(), name=name, content_type="application/json")
    document = json.loads(snapshot.content)
    if extension == "docx":
        content = report_docx(document, version=snapshot.version, digest=snapshot.sha256)
        return _download(content, name=name, content_type=DOCX_TYPE)
    content = policy_report.markdown(document, version=snapshot.version, digest=snapshot.sha256)
    return _download(content, name=name, content_type="text/markdown; charset=utf-8")
