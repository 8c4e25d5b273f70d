from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from forum import display, selectors, services


@require_safe
@login_required
def notification_list(request):
    page = selectors.notifications_page(request.user, number=request.GET.get("page"))
    notifications = list(page.object_list)
    about_comments = [notification.comment for notification in notifications if notification.comment_id]
    cards = dict(zip([comment.pk for comment in about_comments], display.draw_list(request.user, about_comments)))
    items = [(notification, cards.get(notification.comment_id)) for notification in notifications]
    return render(request, "forum/notifications.html", {"page": page, "items": items})


@require_safe
@login_required
def open_notification(request, notification_id):
    """Mark the notification read on the way to its comment (or its room's shift notes)."""
    notification = selectors.get_notification(request.user, notification_id)
    services.mark_read(request.user, notification_ids=[notification.pk])
    return redirect(notification.get_absolute_url())


@require_POST
@login_required
def mark_all_read(request):
    services.mark_read(request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("forum:notifications")
