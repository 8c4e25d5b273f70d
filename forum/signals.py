"""Cache busting for changes made outside the services (the Django admin):
rooms, their questions and rota, and consultations show on room pages."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from forum import cache
from forum.models import Consultation, GuidingQuestion, Room, RoomModerator, RoomSummary


@receiver([post_save, post_delete], sender=Room)
def room_saved(sender, instance, **kwargs):
    cache.room_changed(instance.pk)


@receiver([post_save, post_delete], sender=GuidingQuestion)
@receiver([post_save, post_delete], sender=RoomModerator)
@receiver([post_save, post_delete], sender=RoomSummary)
def room_part_saved(sender, instance, **kwargs):
    cache.room_changed(instance.room_id)


@receiver([post_save, post_delete], sender=Consultation)
def consultation_saved(sender, instance, **kwargs):
    cache.room_changed(*instance.rooms.values_list("pk", flat=True))
