from django.utils.functional import SimpleLazyObject

from forum.selectors import header_counts


def notifications(request):
    """The header's counts (unread notifications, the moderation queue), read
    only when a page draws the header. An error page drawn before the user was
    loaded (a Host that is not allowed) has none."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"header": SimpleLazyObject(lambda: header_counts(user))}
