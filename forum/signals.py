"""Decoupled extras: cache busting for changes made outside the services (the
Django admin), since rooms, their question groups, questions and rota, and
consultations show on room pages; and following what accounts announce."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.signals import person_renamed
from forum import cache, services
from forum.models import Consultation, GuidingQuestion, QuestionGroup, Room, RoomModerator, RoomSummary


@receiver([post_save, post_delete], sender=Room)
def room_saved(sender, instance, **kwargs):
    cache.room_changed(instance.pk)


@receiver([post_save, post_delete], sender=QuestionGroup)
@receiver([post_save, post_delete], sender=GuidingQuestion)
@receiver([post_save, post_delete], sender=RoomModerator)
@receiver([post_save, post_delete], sender=RoomSummary)
def room_part_saved(sender, instance, **kwargs):
    cache.room_changed(instance.room_id)


@receiver([post_save, post_delete], sender=Consultation)
def consultation_saved(sender, instance, **kwargs):
    cache.room_changed(*instance.rooms.values_list("pk", flat=True))


@receiver(person_renamed)
def person_renamed_everywhere(sender, person, old_handle, **kwargs):
    """Mentions and references show a person's current name and handle."""
    services.follow_renamed_person(person, old_handle=old_handle)
