"""Rendering stored bodies again when something they show has changed: the
one loop that comments and summaries share."""

from collections.abc import Callable, Iterable
from itertools import islice

from django.db import transaction

from forum import cache
from forum.rendering import RenderedBody, render_comment_body

# Rows rendered per transaction: a comment cited a thousand times never holds
# the write lock (all of it, on SQLite) for the whole refresh.
BATCH_SIZE = 50


def rerender(rows: Iterable, *, model, record: Callable[[object, RenderedBody], None], **options) -> int:
    """Render each row's `body_source` again and store its HTML; `record(row, rendered)`
    keeps what the body refers to in step. Rows need pk, room_id and body_source.
    A row whose source changed since it was read (edited meanwhile, and so
    rendered by the edit) is left as it is."""
    count, rows = 0, iter(rows)
    while batch := list(islice(rows, BATCH_SIZE)):
        rooms = set()
        with transaction.atomic():
            for row in batch:
                rendered = render_comment_body(row.body_source, **options)
                stored = model.objects.filter(pk=row.pk, body_source=row.body_source)
                if not stored.update(body_html=rendered.html, render_version=rendered.version):
                    continue
                record(row, rendered)
                rooms.add(row.room_id)
                count += 1
            cache.room_changed(*rooms)
    return count
