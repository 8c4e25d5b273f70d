"""Authors' own actions on their comments (edit, delete), reports, and the
moderators' tools: the queue, one comment's moderation page, room and
participant actions."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum import display, permissions, selectors, services
from forum.forms import CommentForm, HideForm, ReportForm, SuspendForm, TagForm
from forum.models import Suspension
from forum.views.attempts import attempt


def _comment_page(request, template, comment, context=None, *, viewer_moderates=False):
    """A page about one comment, drawn as its readers (or, for moderators' pages, its moderators) see it."""
    room = comment.room
    context = {
        "comment": comment,
        "card": display.draw_single(request.user, comment, viewer_moderates=viewer_moderates),
        "room": room,
        "consultation": room.consultation,
        **(context or {}),
    }
    return render(request, template, context)


# --- The author's own comment ----------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def edit_comment(request, comment_id):
    comment = selectors.get_comment_for_permalink(request.user, comment_id)
    refusal = permissions.why_cannot_edit(request.user, comment)
    if refusal:
        raise PermissionDenied(refusal)
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        initial={"body": comment.body_source, "language": comment.language or "auto"},
    )
    outcome = attempt(
        form, lambda form: services.edit_comment(request.user, comment=comment, **form.service_arguments()), error_field="body"
    )
    if outcome.done:
        messages.success(request, _("Your comment has been updated."))
        return redirect(comment.get_absolute_url())
    return outcome.respond(_comment_page(request, "forum/comment_edit.html", comment, {"form": form}))


@require_http_methods(["GET", "POST"])
@login_required
def delete_comment(request, comment_id):
    comment = selectors.get_comment_for_permalink(request.user, comment_id)
    refusal = permissions.why_cannot_delete(request.user, comment)
    if refusal:
        raise PermissionDenied(refusal)
    if request.method == "POST":
        services.delete_comment(request.user, comment=comment)
        messages.success(request, _("Your comment has been deleted."))
        return redirect(comment.room.get_absolute_url())
    return _comment_page(request, "forum/comment_delete.html", comment)


@require_http_methods(["GET", "POST"])
@login_required
def report_comment(request, comment_id):
    comment = selectors.get_comment_for_permalink(request.user, comment_id)
    refusal = permissions.why_cannot_report(request.user, comment)
    if refusal:
        raise PermissionDenied(refusal)
    form = ReportForm(request.POST if request.method == "POST" else None)
    outcome = attempt(
        form,
        lambda form: services.report_comment(
            request.user, comment=comment, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        ),
    )
    if outcome.done:
        messages.success(request, _("Thank you. The moderators have been told and will look at it."))
        return redirect(comment.get_absolute_url())
    return outcome.respond(_comment_page(request, "forum/comment_report.html", comment, {"form": form}))


@require_safe
@login_required
def comment_history(request, comment_id):
    comment = selectors.get_moderated_comment(request.user, comment_id)
    return _comment_page(
        request, "forum/comment_history.html", comment, {"revisions": comment.revisions.all()}, viewer_moderates=True
    )


# --- Moderators --------------------------------------------------------------


@require_safe
@login_required
def moderation_queue(request):
    if not permissions.is_moderator_anywhere(request.user):
        raise PermissionDenied(_("The moderation queue is for moderators on duty and staff."))
    page = selectors.moderation_queue_page(request.user, number=request.GET.get("page"))
    items = [
        (
            comment,
            display.draw_single(request.user, comment, viewer_moderates=True),
            display.draw_single(request.user, comment.parent, viewer_moderates=True) if comment.parent else None,
        )
        for comment in page.object_list
    ]
    return render(request, "forum/moderation_queue.html", {"page": page, "items": items, "hide_form": HideForm()})


@require_safe
@login_required
def moderate_comment(request, comment_id):
    comment = selectors.get_moderated_comment(request.user, comment_id)
    context = selectors.comment_moderation_context(comment) | {
        "hide_form": HideForm(),
        "tag_form": TagForm(room=comment.room, initial={"question": comment.guiding_question_id}),
    }
    if context["parent"] is not None:
        context["parent_card"] = display.draw_single(request.user, context["parent"], viewer_moderates=True)
    return _comment_page(request, "forum/comment_moderate.html", comment, context, viewer_moderates=True)


def _on(request) -> bool:
    return request.POST.get("on", "on") != "off"


def _question(request, comment):
    question_id = request.POST.get("question") or None
    if question_id is None:
        return None
    form = TagForm({"question": question_id}, room=comment.room)
    if not form.is_valid():
        raise Http404
    return form.cleaned_data["question"]


# Each moderator action on a comment: the service call, and what to say after it.
COMMENT_ACTIONS = {
    "hide": (
        lambda request, comment: services.hide_comment(request.user, comment=comment, reason=request.POST.get("reason", "")),
        _("The comment is hidden; its author has been told."),
    ),
    "restore": (
        lambda request, comment: services.restore_comment(request.user, comment=comment),
        _("The comment is shown again."),
    ),
    "approve": (
        lambda request, comment: services.approve_comment(request.user, comment=comment),
        _("The comment is published."),
    ),
    "dismiss": (
        lambda request, comment: services.dismiss_reports(request.user, comment=comment),
        _("The reports are dismissed."),
    ),
    "pin": (
        lambda request, comment: services.pin_thread(request.user, comment=comment, pinned=_on(request)),
        _("Done: the thread's place in the room is updated."),
    ),
    "lock": (
        lambda request, comment: services.lock_thread(request.user, comment=comment, locked=_on(request)),
        _("Done: the thread is updated."),
    ),
    "highlight": (
        lambda request, comment: services.highlight_comment(request.user, comment=comment, highlighted=_on(request)),
        _("Done: the highlight is updated."),
    ),
    "tag": (
        lambda request, comment: services.tag_comment(request.user, comment=comment, question=_question(request, comment)),
        _("The guiding question is saved."),
    ),
}


@require_POST
@login_required
def act_on_comment(request, comment_id, action):
    if action not in COMMENT_ACTIONS:
        raise Http404
    comment = selectors.get_moderated_comment(request.user, comment_id)
    perform, success = COMMENT_ACTIONS[action]
    try:
        perform(request, comment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(_next_or(request, "forum:moderate-comment", comment_id=comment.pk))


def _next_or(request, fallback, **kwargs):
    """Back where the moderator came from (the queue, the room), when that is on this site."""
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return reverse(fallback, kwargs=kwargs)


@require_POST
@login_required
def set_room_state(request, consultation_slug, room_slug):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    closed = _on(request)
    services.close_room(request.user, room=room, closed=closed)
    messages.success(request, _("The room is closed: it can be read but not added to.") if closed else _("The room is open again."))
    return redirect(room.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def suspend_participant(request, consultation_slug, handle):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    if not permissions.is_consultation_moderator(request.user, consultation):
        raise PermissionDenied(_("Only this consultation's moderators can suspend participants."))
    person = get_object_or_404(get_user_model(), handle=handle.lower())
    form = SuspendForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.suspend_participant(
                request.user,
                consultation=consultation,
                person=person,
                reason=form.cleaned_data["reason"],
                until=form.until(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s can no longer post in this consultation.") % {"name": person.display_name})
            return redirect(consultation.get_absolute_url())
    suspensions = Suspension.objects.filter(consultation=consultation, user=person, lifted_at__isnull=True)
    return render(
        request,
        "forum/suspend.html",
        {"consultation": consultation, "person": person, "form": form, "suspensions": suspensions},
        status=400 if form.is_bound else 200,
    )


@require_POST
@login_required
def lift_suspension(request, consultation_slug, suspension_id):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    suspension = get_object_or_404(Suspension.objects.select_related("user", "consultation"), pk=suspension_id, consultation=consultation)
    services.lift_suspension(request.user, suspension=suspension)
    messages.success(request, _("%(name)s can post again.") % {"name": suspension.user.display_name})
    return redirect(consultation.get_absolute_url())
