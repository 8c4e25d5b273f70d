"""The summary pages of a room and of a consultation (statistics, for moderators
and staff, public once closed if the consultation says so), and the
moderators' written summaries of a room."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from forum import display, permissions, selectors, summaries
from forum.models import RoomSummary
from forum.services import summaries as summary_services

SUMMARIES_PER_PAGE = 20


class RoomSummaryForm(forms.Form):
    """Reads the form; the service decides what is valid."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=RoomSummary.Kind.choices, widget=forms.RadioSelect)
    period_start = forms.DateField(
        label=gettext_lazy("Covers from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=gettext_lazy("Covers until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    body = forms.CharField(
        label=gettext_lazy("Summary"),
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "You can use **bold**, _italic_, lists, > quotes and links. Paste a comment's permalink "
            "(the link on its time) to cite it: it is shown as a reference to the comment."
        ),
    )


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
    viewer_moderates = permissions.is_room_moderator(request.user, room)
    if not (viewer_moderates or summaries.room_statistics_are_public(room)):
        return _refuse(request)
    summary, comments_since = summaries.latest_room_summary(room)
    stats = summaries.room_statistics(room)
    context = {
        "room": room,
        "consultation": room.consultation,
        "stats": stats,
        **_statistics_cards(request.user, stats, several_rooms=False),
        "summary": summary,
        "comments_since": comments_since,
        "viewer_moderates": viewer_moderates,
        "can_export": viewer_moderates,  # the same people: the room's moderators and staff
    }
    return render(request, "forum/summary_room.html", context)


@require_safe
def consultation_summary(request, consultation_slug):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    rooms = summaries.summary_rooms(consultation)
    # Moderators (and staff) see it and may export; everyone once it is public.
    moderates = permissions.is_consultation_moderator(request.user, consultation)
    if not (moderates or summaries.consultation_statistics_are_public(consultation, rooms)):
        return _refuse(request)
    final_summaries = summaries.final_summaries(consultation)
    summarised = {summary.room_id for summary in final_summaries}
    stats = summaries.consultation_statistics(consultation, rooms)
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
    page = Paginator(summaries.room_summaries(room), SUMMARIES_PER_PAGE).get_page(request.GET.get("page"))
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
    if not permissions.is_room_moderator(request.user, room):
        raise PermissionDenied(_("Only this room's moderators can write and edit its summaries."))
    form = RoomSummaryForm(
        request.POST if request.method == "POST" else None, initial=summaries.new_summary_defaults(room)
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
    if not permissions.is_room_moderator(request.user, room):
        raise PermissionDenied(_("Only this room's moderators can write and edit its summaries."))
    summary = summaries.get_room_summary(room, summary_id)
    initial = {
        "kind": summary.kind,
        "period_start": summary.period_start,
        "period_end": summary.period_end,
        "body": summary.body_source,
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
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                saved = save(form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("The summary has been saved.") if summary is None else _("The summary has been updated.")
                )
                url = reverse(
                    "forum:room-summaries",
                    kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug},
                )
                return redirect(f"{url}#summary-{saved.pk}")
    context = {
        "room": room,
        "consultation": room.consultation,
        "form": form,
        "summary": summary,
    }
    return render(request, "forum/room_summary_form.html", context, status=status)
