"""The moderators' tools: the queue, one comment's moderation page and its
history, the one-click actions on a comment, flagging to a colleague, closing
a room, suspending a participant."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum import display, permissions, selectors, services
from forum.forms import FlagForm, HideForm, ModerationActionForm, ShiftNoteForm, SuspendForm, TagForm
from forum.models import Suspension
from forum.views.attempts import attempt
from forum.views.pages import comment_for, comment_page


@require_safe
@login_required
def comment_history(request, comment_id):
    comment = selectors.get_moderated_comment(request.user, comment_id)
    return comment_page(
        request, "forum/comment_history.html", comment, {"revisions": comment.revisions.all()}, viewer_moderates=True
    )


# --- Moderators --------------------------------------------------------------


@require_safe
@login_required
def moderation_queue(request):
    refusal = permissions.why_cannot_open_queue(request.user)
    if refusal:
        raise PermissionDenied(refusal)
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
    return comment_page(request, "forum/comment_moderate.html", comment, context, viewer_moderates=True)


# Each one-click action on a comment: the service it calls with the button's
# form (ModerationActionForm), and what to say once it is done.
COMMENT_ACTIONS = {
    "hide": (
        lambda user, comment, form: services.hide_comment(user, comment=comment, reason=form.cleaned_data["reason"]),
        _("The comment is hidden; its author has been told."),
    ),
    "restore": (
        lambda user, comment, form: services.restore_comment(user, comment=comment),
        _("The comment is shown again."),
    ),
    "approve": (
        lambda user, comment, form: services.approve_comment(user, comment=comment),
        _("The comment is published."),
    ),
    "dismiss": (
        lambda user, comment, form: services.dismiss_reports(user, comment=comment),
        _("The reports are dismissed."),
    ),
    "pin": (
        lambda user, comment, form: services.pin_thread(user, comment=comment, pinned=form.turns_on()),
        _("Done: the thread's place in the room is updated."),
    ),
    "lock": (
        lambda user, comment, form: services.lock_thread(user, comment=comment, locked=form.turns_on()),
        _("Done: the thread is updated."),
    ),
    "highlight": (
        lambda user, comment, form: services.highlight_comment(user, comment=comment, highlighted=form.turns_on()),
        _("Done: the highlight is updated."),
    ),
    "tag": (
        lambda user, comment, form: services.tag_comment(user, comment=comment, question=form.cleaned_data["question"]),
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
    form = ModerationActionForm(request.POST, room=comment.room)
    outcome = attempt(form, lambda form: perform(request.user, comment, form))
    if outcome.done:
        messages.success(request, success)
    else:
        # A one-click button has no page of its own to come back to: the refusal is said where it was pressed.
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect(_next_or(request, "forum:moderate-comment", comment_id=comment.pk))


def _next_or(request, fallback, **kwargs):
    """Back where the moderator came from (the queue, the room), when that is on this site."""
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return reverse(fallback, kwargs=kwargs)


@require_http_methods(["GET", "POST"])
@login_required
def set_room_state(request, consultation_slug, room_slug):
    """Close the room (after the moderator confirms it), or open it again."""
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    refusal = permissions.why_cannot_moderate(request.user, room)
    if refusal:
        raise PermissionDenied(refusal)
    closed = request.POST.get("on", "on") != "off"
    if request.method == "GET" or (closed and request.POST.get("confirm") != "yes"):
        return render(request, "forum/room_close.html", {"room": room, "consultation": room.consultation})
    services.close_room(request.user, room=room, closed=closed)
    messages.success(
        request, _("The room is closed: it can be read but not added to.") if closed else _("The room is open again.")
    )
    return redirect(room.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def suspend_participant(request, consultation_slug, handle):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    refusal = permissions.why_cannot_suspend(request.user, consultation)
    if refusal:
        raise PermissionDenied(refusal)
    person = get_object_or_404(get_user_model(), handle=handle.lower())
    form = SuspendForm(request.POST if request.method == "POST" else None)
    outcome = attempt(
        form,
        lambda form: services.suspend_participant(
            request.user,
            consultation=consultation,
            person=person,
            reason=form.cleaned_data["reason"],
            until=form.until(),
        ),
    )
    if outcome.done:
        messages.success(
            request, _("%(name)s can no longer post in this consultation.") % {"name": person.display_name}
        )
        return redirect(consultation.get_absolute_url())
    suspensions = Suspension.objects.filter(consultation=consultation, user=person, lifted_at__isnull=True)
    context = {"consultation": consultation, "person": person, "form": form, "suspensions": suspensions}
    return outcome.respond(render(request, "forum/suspend.html", context))


@require_POST
@login_required
def lift_suspension(request, consultation_slug, suspension_id):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    suspension = get_object_or_404(
        Suspension.objects.select_related("user", "consultation"), pk=suspension_id, consultation=consultation
    )
    services.lift_suspension(request.user, suspension=suspension)
    messages.success(request, _("%(name)s can post again.") % {"name": suspension.user.display_name})
    return redirect(consultation.get_absolute_url())


@require_http_methods(["GET", "POST"])
@login_required
def flag_comment(request, comment_id):
    comment = comment_for(request, comment_id, permissions.why_cannot_flag)
    form = FlagForm(request.POST if request.method == "POST" else None, moderator=request.user)
    outcome = attempt(
        form,
        lambda form: services.flag_comment(
            request.user, comment=comment, colleague=form.cleaned_data["colleague"], note=form.cleaned_data["note"]
        ),
    )
    if outcome.done:
        messages.success(
            request,
            _("%(name)s has been told about this comment.") % {"name": form.cleaned_data["colleague"].display_name},
        )
        return redirect(comment.get_absolute_url())
    return outcome.respond(comment_page(request, "forum/flag_comment.html", comment, {"form": form}))


@require_http_methods(["GET", "POST"])
@login_required
def shift_notes(request, consultation_slug, room_slug):
    """The room's shift notes, and a form to leave one, for its moderators and staff."""
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    refusal = permissions.why_cannot_read_shift_notes(request.user, room)
    if refusal:
        raise PermissionDenied(refusal)
    form = ShiftNoteForm(request.POST if request.method == "POST" else None)
    outcome = attempt(
        form,
        lambda form: services.write_shift_note(request.user, room=room, body=form.cleaned_data["body"]),
        error_field="body",
    )
    if outcome.done:
        messages.success(request, _("Your note is saved for the next shifts."))
        return redirect("forum:shift-notes", consultation_slug=consultation_slug, room_slug=room_slug)
    context = {
        "room": room,
        "consultation": room.consultation,
        "notes": selectors.shift_notes(room),
        "waiting": selectors.room_waiting(room, now=timezone.now()),
        "form": form,
    }
    return outcome.respond(render(request, "forum/shift_notes.html", context))
