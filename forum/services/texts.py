"""The texts admins write for consultations and rooms (introduction, objective,
expected outcome), rendered by the comments' renderer once, when they are saved:
pages print the stored HTML and never sanitise. Unlike a comment's body, a text
mentions and cites without notifying anyone or recording backlinks.

Each text is kept in every interface language (forum/translation.py): each
language's source is rendered into that language's HTML."""

from collections.abc import Iterable

from django.db import transaction
from modeltranslation.utils import build_localized_fieldname

from forum import cache
from forum.models import PLACE_TEXT_FIELDS, Consultation, Room
from forum.place_texts import LANGUAGES
from forum.rendering import RENDER_VERSION, Lookups, render_comment_body

Place = Consultation | Room


def localized_text_fields(names: Iterable[str] = PLACE_TEXT_FIELDS) -> list[str]:
    """Every language's column of these fields: 'introduction_en', 'introduction_es'…"""
    return [build_localized_fieldname(name, code) for name in names for code in LANGUAGES]


def render_place_texts(place: Place, *, lookups: Lookups | None = None) -> None:
    """Set the rendered HTML of a consultation's or room's texts, in every
    language, from that language's source (the caller saves)."""
    for name in PLACE_TEXT_FIELDS:
        for code in LANGUAGES:
            source = getattr(place, build_localized_fieldname(name, code)) or ""
            html = render_comment_body(source, lookups).html if source.strip() else ""
            setattr(place, build_localized_fieldname(f"{name}_html", code), html)
    place.texts_render_version = RENDER_VERSION


def rerender_place_texts(places: Iterable[Place]) -> int:
    """Render the texts of these consultations and rooms again and store them,
    dropping the cached pages that show them. Returns how many were rendered."""
    count = 0
    for place in places:
        render_place_texts(place)
        html_fields = localized_text_fields(f"{name}_html" for name in PLACE_TEXT_FIELDS)
        rendered = {name: getattr(place, name) for name in html_fields}
        sources = {name: getattr(place, name) for name in localized_text_fields()}
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
