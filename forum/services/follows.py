"""Following rooms and threads."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from forum import permissions
from forum.models import Comment, Follow, Room


def follow_room(user, *, room: Room) -> None:
    """Hear about every new comment in the room."""
    _follow(user, room_to_view=room, room=room)


def unfollow_room(user, *, room: Room) -> None:
    """Stop hearing about new comments in the room."""
    Follow.objects.filter(user=user, room=room).delete()


def follow_thread(user, *, thread: Comment) -> None:
    """Hear about every new reply in the thread (given by its top-level comment)."""
    _follow(user, room_to_view=thread.room, thread=thread)


def unfollow_thread(user, *, thread: Comment) -> None:
    """Stop hearing about new replies in the thread."""
    Follow.objects.filter(user=user, thread=thread).delete()


def _follow(user, *, room_to_view: Room, **target) -> None:
    if not user.is_authenticated or not permissions.can_view_room(user, room_to_view):
        raise PermissionDenied(_("You cannot follow this."))
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(user=user, **target)
    except IntegrityError:
        pass  # followed twice at once: one row is enough
