"""The texts admins write for consultations and rooms (introduction, objective,
expected outcome), rendered by the comments' renderer once, when they are saved:
pages print the stored HTML and never sanitise. Unlike a comment's body, a text
mentions and cites without notifying anyone or recording backlinks."""

from collections.abc import Iterable

from django.db import transaction

from forum import cache
from forum.models import PLACE_TEXT_FIELDS, Consultation, Room
from forum.rendering import RENDER_VERSION, Lookups, render_comment_body

Place = Consultation | Room


def render_place_texts(place: Place, *, lookups: Lookups | None = None) -> None:
    """Set the rendered HTML of a consultation's or room's texts from their sources (the caller saves)."""
    for name in PLACE_TEXT_FIELDS:
        source = getattr(place, name) or ""
        setattr(place, f"{name}_html", render_comment_body(source, lookups).html if source.strip() else "")
    place.texts_render_version = RENDER_VERSION


def rerender_place_texts(places: Iterable[Place]) -> int:
    """Render the texts of these consultations and rooms again and store them,
    dropping the cached pages that show them. Returns how many were rendered."""
    count = 0
    for place in places:
        render_place_texts(place)
        rendered = {f"{name}_html": getattr(place, f"{name}_html") for name in PLACE_TEXT_FIELDS}
        sources = {name: getattr(place, name) for name in PLACE_TEXT_FIELDS}
        with transaction.atomic():
            # A text edited meanwhile was rendered by its own save.
            if (
                type(place)
                .objects.filter(pk=place.pk, **sources)
                .update(**rendered, texts_render_version=place.texts_render_version)
            ):
                count += 1
                rooms = [place.pk] if isinstance(place, Room) else place.rooms.values_list("pk", flat=True)
                cache.room_changed(*rooms)
    return count
