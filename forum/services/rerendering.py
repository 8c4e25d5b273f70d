"""Rendering stored bodies again when something they show has changed: the
one loop that comments and summaries share."""

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from django.db import transaction

from forum import cache
from forum.rendering import RENDER_VERSION, RenderedBody, render_comment_body

# Rows rendered per transaction: a comment cited a thousand times never holds
# the write lock (all of it, on SQLite) for the whole refresh.
BATCH_SIZE = 50


def rerender(
    rows: Iterable,
    *,
    model,
    record: Callable[[object, RenderedBody], None],
    bodies: Sequence[tuple[str, str]] = (("body_source", "body_html"),),
    **options,
) -> int:
    """Render each row's bodies again (`bodies`: source and HTML fields, one pair
    per language for a translated summary) and store their HTML; `record(row,
    rendered)` keeps what the bodies refer to in step. Rows need pk, room_id and
    the sources. A row whose sources changed since it was read (edited meanwhile,
    and so rendered by the edit) is left as it is."""
    count, rows = 0, iter(rows)
    while batch := list(islice(rows, BATCH_SIZE)):
        rooms = set()
        with transaction.atomic():
            for row in batch:
                sources = {source: getattr(row, source) for source, _html in bodies}
                renders = {html: render_comment_body(sources[source] or "", **options) for source, html in bodies}
                stored = model.objects.filter(pk=row.pk, **sources)
                if not stored.update(
                    **{html: rendered.html for html, rendered in renders.items()}, render_version=RENDER_VERSION
                ):
                    continue
                # One record for all the bodies (a summary's languages): what any of them cites.
                first, *others = renders.values()
                rendered = dataclasses.replace(
                    first, cited_comment_ids=first.cited_comment_ids.union(*(each.cited_comment_ids for each in others))
                )
                record(row, rendered)
                rooms.add(row.room_id)
                count += 1
            cache.room_changed(*rooms)
    return count
