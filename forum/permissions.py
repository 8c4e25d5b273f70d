"""Who may do what. The one place that knows the moderator rota."""

from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Comment, Room, RoomModerator


def has_confirmed_email(user) -> bool:
    """The person has confirmed at least one email address (remembered per request)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_has_confirmed_email"):
        user._has_confirmed_email = EmailAddress.objects.filter(user=user, verified=True).exists()
    return user._has_confirmed_email


def is_room_moderator(user, room: Room, *, day=None, on_duty_ids=None) -> bool:
    """Staff, or someone whose rota assignment for this room covers the day (today
    by default). Pages that already hold the ids of today's moderators pass them
    as `on_duty_ids` to save a query."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    if on_duty_ids is not None and day is None:
        return user.pk in on_duty_ids
    day = day or timezone.localdate()
    return RoomModerator.objects.filter(room=room, user=user).on_duty(day).exists()


def is_moderator_anywhere(user, *, day=None) -> bool:
    """Staff, or someone on the rota of any room on the day (today by default)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    day = day or timezone.localdate()
    return RoomModerator.objects.filter(user=user).on_duty(day).exists()


def can_view_room(user, room: Room) -> bool:
    """Published rooms of published consultations are public; staff see the rest too."""
    if room.is_published and room.consultation.is_published:
        return True
    return user.is_authenticated and user.is_staff


def why_cannot_post(user, room: Room) -> str | None:
    """What keeps this person from posting in the room, in words they can act on; None when nothing does."""
    if not (user.is_authenticated and user.is_active) or not can_view_room(user, room):
        return _("You cannot post in this room.")
    if room.is_closed:
        return _("This room is closed: the discussion can be read but no longer added to.")
    if not room.is_open:
        return _("This room has not opened yet.")
    if not has_confirmed_email(user):
        return _("Please confirm your email address before posting: follow the link in the email we sent you.")
    return None


def can_post_in_room(user, room: Room) -> bool:
    """A signed-in, active person with a confirmed email, in a room that is open."""
    return why_cannot_post(user, room) is None


def why_cannot_reply(user, comment: Comment) -> str | None:
    """What keeps this person from replying to the comment; None when nothing does."""
    refusal = why_cannot_post(user, comment.room)
    if refusal is None and not comment.is_visible:
        refusal = _("This comment has been removed, so it cannot be replied to.")
    return refusal


def can_reply_to(user, comment: Comment) -> bool:
    """Replies go under visible comments, by people who may post in the room."""
    return why_cannot_reply(user, comment) is None
