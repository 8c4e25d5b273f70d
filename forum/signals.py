"""Decoupled extras: cache busting for changes made outside the services (the
Django admin), since rooms, their question groups, questions and rota, and
consultations show on room pages; the rendered HTML of consultations' and
rooms' texts kept in step with their sources, in every language; and following what accounts
announce."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.signals import person_renamed, quoting_consent_changed
from forum import cache, services
from forum.models import (
    PLACE_TEXT_FIELDS,
    Comment,
    Consultation,
    GuidingQuestion,
    QuestionGroup,
    Room,
    RoomDocument,
    RoomModerator,
    RoomSummary,
    Suspension,
)
from forum.services import summaries, texts

# A save of any language's source renders the HTML again.
_PLACE_TEXT_COLUMNS = {*PLACE_TEXT_FIELDS, *texts.localized_text_fields()}


@receiver(pre_save, sender=Consultation)
@receiver(pre_save, sender=Room)
def place_texts_rendered(sender, instance, update_fields=None, **kwargs):
    """Texts are written in the admin, its inlines, seed_demo and the shell: every
    save renders them, so no door can leave the HTML behind its source."""
    if update_fields is None or set(update_fields) & _PLACE_TEXT_COLUMNS:
        texts.render_place_texts(instance)


@receiver([post_save, post_delete], sender=Room)
def room_saved(sender, instance, **kwargs):
    cache.room_changed(instance.pk)


@receiver([post_save, post_delete], sender=RoomDocument)
@receiver([post_save, post_delete], sender=QuestionGroup)
@receiver([post_save, post_delete], sender=GuidingQuestion)
@receiver([post_save, post_delete], sender=RoomModerator)
@receiver([post_save, post_delete], sender=RoomSummary)
def room_part_saved(sender, instance, **kwargs):
    cache.room_changed(instance.room_id)


@receiver(post_delete, sender=RoomDocument)
def document_deleted(sender, instance, **kwargs):
    """A deleted document's file goes too, once the deletion is sure."""
    file = instance.file
    transaction.on_commit(lambda: file.delete(save=False))


@receiver([post_save, post_delete], sender=Consultation)
def consultation_saved(sender, instance, **kwargs):
    cache.room_changed(*instance.rooms.values_list("pk", flat=True))


@receiver([post_save, post_delete], sender=Suspension)
def suspension_saved(sender, instance, **kwargs):
    """A suspended moderator leaves the rota on duty of every room of the consultation."""
    cache.room_changed(*Room.objects.filter(consultation_id=instance.consultation_id).values_list("pk", flat=True))


@receiver(person_renamed)
def person_renamed_everywhere(sender, person, old_handle, **kwargs):
    """Mentions and references show a person's current name and handle."""
    services.follow_renamed_person(person, old_handle=old_handle)


@receiver(quoting_consent_changed)
def quoting_consent_changed_in_summaries(sender, person, **kwargs):
    """Summaries name and quote the authors they cite only as those agreed."""
    summaries.rerender_summaries(summaries.summaries_citing(Comment.objects.filter(author=person)))
