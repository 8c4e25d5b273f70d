from functools import partial

from forum.selectors import unread_notification_count


def notifications(request):
    """The unread count for the header bell, counted only when a page shows it."""
    if not request.user.is_authenticated:
        return {}
    return {"unread_notification_count": partial(unread_notification_count, request.user)}
