"""Rendering stored bodies again when something they show has changed: the
one loop that comments and summaries share."""

from collections.abc import Callable, Iterable

from django.db import transaction

from forum import cache
from forum.rendering import RenderedBody, render_comment_body


def rerender(rows: Iterable, *, model, record: Callable[[object, RenderedBody], None], **options) -> int:
    """Render each row's `body_source` again and store its HTML; `record(row, rendered)`
    keeps what the body refers to in step. Rows need pk, room_id and body_source."""
    count, rooms = 0, set()
    with transaction.atomic():
        for row in rows:
            rendered = render_comment_body(row.body_source, **options)
            model.objects.filter(pk=row.pk).update(body_html=rendered.html, render_version=rendered.version)
            record(row, rendered)
            rooms.add(row.room_id)
            count += 1
        cache.room_changed(*rooms)
    return count
