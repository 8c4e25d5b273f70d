"""The summary pages of a room and of a consultation (statistics, for moderators
and staff, public once closed if the consultation says so), and the
moderators' written summaries of a room."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from forum import display, permissions, selectors
from forum.forms import RoomSummaryForm
from forum.place_texts import source_text
from forum.services import summaries as summary_services
from forum.views.attempts import attempt

SUMMARIES_PER_PAGE = 20


def _refuse(request):
    """Visitors are asked to log in; signed-in people who may not see the page are refused."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(_("Only the moderators and staff can see this summary page."))


def _statistics_cards(user, stats, *, several_rooms: bool) -> dict:
    """The summary page's comments as cards: the highlighted ones, then each question's,
    where a comment already shown among the highlighted is only linked to."""
    highlighted = [comment.pk for comment in stats.highlighted]
    return {
        "highlighted_cards": display.draw_list(user, stats.highlighted, name_rooms=several_rooms),
        "question_cards": [
            (entry, display.draw_list(user, entry.comments, name_rooms=several_rooms, shown_above=highlighted))
            for entry in stats.questions
        ],
    }


@require_safe
def room_summary(request, consultation_slug, room_slug):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    # One rota look-up serves both rules: who may see the page, and who may export (moderators and staff).
    viewer_moderates = permissions.is_room_moderator(request.user, room)
    if not (viewer_moderates or permissions.room_statistics_are_public(room)):
        return _refuse(request)
    summary, comments_since = selectors.latest_room_summary(room)
    stats = selectors.room_statistics(room)
    context = {
        "room": room,
        "consultation": room.consultation,
        "stats": stats,
        **_statistics_cards(request.user, stats, several_rooms=False),
        "summary": summary,
        "comments_since": comments_since,
        "viewer_moderates": viewer_moderates,
        "can_export": viewer_moderates,
    }
    return render(request, "forum/summary_room.html", context)


@require_safe
def consultation_summary(request, consultation_slug):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    rooms = selectors.summary_rooms(consultation)
    # As for a room: moderators (and staff) see it and may export; everyone once it is public.
    moderates = permissions.is_consultation_moderator(request.user, consultation)
    if not (moderates or permissions.consultation_statistics_are_public(consultation, rooms)):
        return _refuse(request)
    final_summaries = selectors.final_summaries(consultation)
    summarised = {summary.room_id for summary in final_summaries}
    stats = selectors.consultation_statistics(consultation, rooms)
    context = {
        "consultation": consultation,
        "rooms": rooms,
        "stats": stats,
        **_statistics_cards(request.user, stats, several_rooms=True),
        "final_summaries": final_summaries,
        "rooms_without_final_summary": [room for room in rooms if room.pk not in summarised],
        "several_rooms": True,
        "can_export": moderates,
    }
    return render(request, "forum/summary_consultation.html", context)


@require_safe
def room_summary_list(request, consultation_slug, room_slug):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    page = Paginator(selectors.room_summaries(room), SUMMARIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "room": room,
        "consultation": room.consultation,
        "page": page,
        "viewer_moderates": permissions.is_room_moderator(request.user, room),
    }
    return render(request, "forum/room_summaries.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def write_room_summary(request, consultation_slug, room_slug):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    refusal = permissions.why_cannot_write_summary(request.user, room)
    if refusal:
        raise PermissionDenied(refusal)
    form = RoomSummaryForm(
        request.POST if request.method == "POST" else None, initial=selectors.new_summary_defaults(room)
    )
    return _summary_form_view(
        request,
        room,
        form,
        summary=None,
        save=lambda data: summary_services.write_summary(request.user, room=room, **data),
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit_room_summary(request, consultation_slug, room_slug, summary_id):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    refusal = permissions.why_cannot_write_summary(request.user, room)
    if refusal:
        raise PermissionDenied(refusal)
    summary = selectors.get_room_summary(room, summary_id)
    initial = {
        "kind": summary.kind,
        "period_start": summary.period_start,
        "period_end": summary.period_end,
        # The text in the consultation's language, which the form edits (translations are the admin's).
        "body": source_text(summary, "body_source"),
    }
    form = RoomSummaryForm(request.POST if request.method == "POST" else None, initial=initial)
    return _summary_form_view(
        request,
        room,
        form,
        summary=summary,
        save=lambda data: summary_services.edit_summary(request.user, summary=summary, **data),
    )


def _summary_form_view(request, room, form, *, summary, save):
    """The form for writing or editing a summary; a refused one comes back with its text kept."""
    outcome = attempt(form, lambda form: save(form.cleaned_data))
    if outcome.done:
        messages.success(
            request, _("The summary has been saved.") if summary is None else _("The summary has been updated.")
        )
        url = reverse(
            "forum:room-summaries", kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug}
        )
        return redirect(f"{url}#summary-{outcome.result.pk}")
    context = {"room": room, "consultation": room.consultation, "form": form, "summary": summary}
    return outcome.respond(render(request, "forum/room_summary_form.html", context))
