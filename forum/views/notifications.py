from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forum import display, permissions, selectors, services
from forum.forms import FlagForm


@require_safe
@login_required
def notification_list(request):
    page = selectors.notifications_page(request.user, number=request.GET.get("page"))
    notifications = list(page.object_list)
    cards = display.draw_list(request.user, [notification.comment for notification in notifications])
    return render(request, "forum/notifications.html", {"page": page, "items": list(zip(notifications, cards))})


@require_safe
@login_required
def open_notification(request, notification_id):
    """Mark the notification read on the way to its comment."""
    notification = selectors.get_notification(request.user, notification_id)
    services.mark_read(request.user, notification_ids=[notification.pk])
    return redirect(notification.get_absolute_url())


@require_POST
@login_required
def mark_all_read(request):
    services.mark_read(request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("forum:notifications")


@require_http_methods(["GET", "POST"])
@login_required
def flag_comment(request, comment_id):
    comment = selectors.get_comment_for_permalink(request.user, comment_id)
    if not permissions.is_room_moderator(request.user, comment.room):
        raise PermissionDenied(_("Only this room's moderators can flag its comments."))
    form = FlagForm(request.POST if request.method == "POST" else None, moderator=request.user)
    if form.is_bound and form.is_valid():
        try:
            services.flag_comment(
                request.user, comment=comment, colleague=form.cleaned_data["colleague"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s has been told about this comment.") % {"name": form.cleaned_data["colleague"].display_name},
            )
            return redirect(comment.get_absolute_url())
    return render(
        request,
        "forum/flag_comment.html",
        {
            "comment": comment,
            "card": display.draw_single(request.user, comment),
            "form": form,
            "room": comment.room,
            "consultation": comment.room.consultation,
        },
        status=400 if form.is_bound else 200,
    )
