"""Handover between moderators' shifts: notes left in a room for the next
shift, and, when a shift starts, a notification to its moderators with the
notes and what is waiting for them."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import former, permissions, selectors
from forum.models import Notification, RoomModerator, ShiftNote, ShiftStart
from forum.services.notifications import notify_about_room

NOTE_MAX_LENGTH = 2000


def write_shift_note(moderator, *, room, body: str) -> ShiftNote:
    """A note for the colleagues of the next shifts, seen by the room's moderators and staff."""
    refusal = permissions.why_cannot_read_shift_notes(moderator, room)
    if refusal:
        raise PermissionDenied(refusal)
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError(_("Please write the note before saving it."))
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError(_("Please keep the note under %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH})
    with transaction.atomic():
        return ShiftNote.objects.create(room=room, author=moderator, body=body)


def start_shifts() -> int:
    """Tell each moderator whose rota line starts today (in the consultation's
    time zone) of the room's latest shift notes and what waits: open reports,
    held comments, comments nobody has answered. Each line is told once, so
    this can run every hour; returns how many were told."""
    told = 0
    lines = (
        RoomModerator.objects.maybe_on_duty()
        .filter(starts_on__isnull=False, starts_on__gte=timezone.localdate() - timedelta(days=1))
        .select_related("room__consultation", "user")
    )
    for line in lines.exclude(pk__in=ShiftStart.objects.values("assignment_id")):
        if line.starts_on != line.room.consultation.today() or not line.user.is_active:
            continue
        with transaction.atomic():
            _, created = ShiftStart.objects.get_or_create(assignment=line)
            if created:
                notify_about_room(
                    line.room,
                    {line.user_id: Notification.Kind.SHIFT},
                    note=handover_note(line.room),
                    reason=Notification.HANDOVER,
                    figures=handover_figures(line.room),
                )
                told += 1
    return told


def handover_figures(room) -> dict:
    """What waits in the room (Notification.explanation writes it in the reader's language)."""
    waiting = selectors.room_waiting(room, now=timezone.now())
    return {"reported": waiting.reported, "held": waiting.held, "unanswered": waiting.unanswered}


def handover_note(room) -> str:
    """The room's latest shift notes, in the words of those who wrote them."""
    return "\n".join(
        f"{former.name_of(note.author, as_moderator=True)}: {note.body}" for note in selectors.shift_notes(room)[:3]
    )[:500]
