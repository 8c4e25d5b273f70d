"""Who may do what. The one place that knows the moderator rota."""

from allauth.account.models import EmailAddress
from django.utils import timezone

from forum.models import Comment, Room, RoomModerator


def has_confirmed_email(user) -> bool:
    """The person has confirmed at least one email address (remembered per request)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_has_confirmed_email"):
        user._has_confirmed_email = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user._has_confirmed_email


def is_room_moderator(user, room: Room, *, day=None) -> bool:
    """Staff, or someone whose rota assignment for this room covers the day (today by default)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    day = day or timezone.localdate()
    return RoomModerator.objects.filter(room=room, user=user).on_duty(day).exists()


def can_view_room(user, room: Room) -> bool:
    """Published rooms of published consultations are public; staff see the rest too."""
    if room.is_published and room.consultation.is_published:
        return True
    return user.is_authenticated and user.is_staff


def can_post_in_room(user, room: Room) -> bool:
    """A signed-in, active person with a confirmed email, in a room that is open."""
    return (
        user.is_authenticated
        and user.is_active
        and can_view_room(user, room)
        and room.is_open
        and has_confirmed_email(user)
    )


def can_reply_to(user, comment: Comment) -> bool:
    """Replies go under visible comments, by people who may post in the room."""
    return comment.is_visible and can_post_in_room(user, comment.room)
