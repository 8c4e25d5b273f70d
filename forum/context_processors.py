from functools import partial

from forum.selectors import unread_notification_count


def notifications(request):
    """The unread count for the header bell, counted only when a page shows it.
    An error page drawn before the user was loaded (a Host that is not allowed) has none."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": partial(unread_notification_count, user)}
