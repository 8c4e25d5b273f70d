"""What moderators do, each step written to the moderation log."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forum import permissions
from forum.models import Comment, ModerationAction, Notification
from forum.services.notifications import notify

FLAG_NOTE_MAX_LENGTH = 500


def flag_comment(moderator, *, comment: Comment, colleague, note: str = "") -> ModerationAction:
    """Draw a colleague's attention to a comment, with a short note."""
    if not permissions.is_room_moderator(moderator, comment.room):
        raise PermissionDenied(_("Only this room's moderators can flag its comments."))
    note = " ".join(note.split())
    if len(note) > FLAG_NOTE_MAX_LENGTH:
        raise ValidationError(_("Please keep the note under %(limit)d characters.") % {"limit": FLAG_NOTE_MAX_LENGTH})
    if colleague.pk == moderator.pk or not permissions.is_moderator_anywhere(colleague):
        raise ValidationError(_("Choose a moderator or staff member other than yourself."))
    with transaction.atomic():
        action = ModerationAction.objects.create(
            moderator=moderator,
            action=ModerationAction.Action.FLAG,
            room=comment.room,
            comment=comment,
            target_user=colleague,
            note=note,
        )
        notify({colleague.pk: Notification.Kind.FLAG}, comment=comment, actor=moderator, note=note)
    return action
