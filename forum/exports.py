"""Exports of a room's or a consultation's comments, one row per comment, as
CSV (for spreadsheets) or JSON, streamed so memory stays flat however large.

Two audiences:

- ``FOR_REPORT`` (the default) is what a report may draw on. Each author's
  quoting consent is honoured: "anonymous" rows carry no name, handle or
  organisation; "not at all" rows carry neither those nor any text (body,
  source, mentioned handles), since their words may not be used. Both keep
  country, "speaks for an organisation", ids and counts, which statistics
  need. Comments awaiting moderation are left out; hidden and deleted ones
  keep their row (the discussion's shape) without their text. Mentioned
  handles name only people who agreed to be quoted by name, and so does the
  text: a mention of anyone else reads "[a participant]" in ``body_text`` and
  ``body_source``. References in ``body_text`` are drawn again from the cited
  comments as they are now, with their authors' consent: "Comment by a
  participant in …" with the excerpt for an anonymous author, without it for
  one who refused quoting, and nothing of a third comment that a cited one
  cites.
- ``FOR_MODERATION`` is for staff: every comment in every state with its
  text, consent ignored. Its file name says so.

Columns, in order (``COLUMNS``):

- ``thread_id`` is the id of the thread's top-level comment; ``depth`` is the
  tree level (0 for a top-level comment).
- ``author_moderates_room``: the author has an assignment on the room's rota,
  whatever its dates (they moderated it at some point); staff count only when
  on the rota.
- ``written_as_moderator``: the author wrote it as a moderator of the room (on
  the rota that day, or staff): the comment's Moderator badge.
- ``author_country`` is the ISO 3166 code, language-independent.
- ``author_is_organisation`` is what the account declares;
  ``author_organisation_verified`` that staff have checked it (the badge).
- ``reply_count``: every reply below the comment, direct or indirect, in any
  state, read from the tree (the discussion it drew, even if later removed).
- ``report_count``: every report ever made about it, open or resolved.
- ``agree_count``, ``useful_count``: how many people endorsed it "I agree"
  and "Useful" (forum.models.Endorsement), whoever they are: counts only,
  never who gave them.
- ``body_text`` is the shown text without markup (links as their displayed
  text); ``body_source`` is the text as written.
- ``created``/``edited`` are ISO 8601 in UTC.

The benchmark calls ``rows(rooms, audience=...)`` directly: rooms are read one
after another, each in reading order (threads in order, replies under their
parents), about ``CHUNK_SIZE`` comments at a time with ``QUERIES_PER_CHUNK``
queries per chunk, plus one query per ``CHUNK_SIZE`` threads; memory and
queries grow with chunks, never with the rows of a chunk.
"""

import csv
import unicodedata
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from forum import former
from forum.models import Comment, CommentLink, Mention, Report, Room, RoomModerator
from forum.place_texts import source_text_of
from forum.quoting import how_to_quote
from forum.rendering import EXCERPT_SOURCE_LENGTH, CitedComment, for_the_report, plain_text, source_for_the_report

FOR_REPORT = "report"
FOR_MODERATION = "moderation"

CHUNK_SIZE = 2_000
# The comments, their mentions, their citations and their report counts.
QUERIES_PER_CHUNK = 4
# Rows per piece of the response: fewer, larger writes to the client.
ROWS_PER_WRITE = 200

COLUMNS = (
    "id",
    "permalink",
    "consultation",
    "room",
    "thread_id",
    "parent_id",
    "depth",
    "created",
    "edited",
    "author_name",
    "author_handle",
    "author_organisation",
    "author_country",
    "author_is_organisation",
    "author_organisation_verified",
    "author_moderates_room",
    "written_as_moderator",
    "guiding_question",
    "language",
    "state",
    "body_text",
    "body_source",
    "mentioned_handles",
    "cited_comment_ids",
    "reply_count",
    "report_count",
    "agree_count",
    "useful_count",
    "highlighted",
)

# A spreadsheet reads a cell starting with one of these as a formula (tab and
# carriage return can smuggle one in). Prefixing an apostrophe, as OWASP
# advises, makes it text; the value stays readable.
# "|" starts a DDE call in some spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r")

# Plain values, not model instances: far cheaper by the hundred thousand.
_COMMENT_FIELDS = (
    "id", "room_id", "parent_id", "tree_id", "lft", "rght", "level", "created_at", "edited_at", "language",
    "state", "body_source", "body_html", "is_highlighted", "author_id", "author__display_name", "author__handle",
    "author__organisation", "author__country", "author__speaks_for_organisation", "author__quoting_consent", "may_be_quoted",
    "author__organisation_verified_at",
    "written_as_moderator", "agree_count", "useful_count",
)  # fmt: skip


def file_name(*slugs: str, audience: str, extension: str) -> str:
    """'review-room-2026-03-01.csv'; a moderation export says it holds everything."""
    parts = [*slugs]
    if audience == FOR_MODERATION:
        parts.append("moderation-all-content")
    parts.append(timezone.localdate().isoformat())
    return f"{'-'.join(parts)}.{extension}"


# --- Rows ---------------------------------------------------------------------


def rows(rooms: Iterable[Room], *, audience: str = FOR_REPORT) -> Iterator[dict]:
    """One dict per comment of the rooms (keys in COLUMNS order), room by room
    in reading order; lazy, reading about CHUNK_SIZE comments at a time."""
    rooms = list(rooms)
    if not rooms:
        return
    with _one_snapshot():
        moderators = set(RoomModerator.objects.filter(room__in=rooms).values_list("room_id", "user_id").distinct())
        for room in rooms:
            yield from _room_rows(room, audience=audience, moderators=moderators)


@contextmanager
def _one_snapshot():
    """On PostgreSQL every chunk reads the same snapshot: a reply posted during
    the export shifts its thread's lft values, which would otherwise repeat or
    skip rows between chunks. SQLite is left as it is, because a transaction
    there takes the write lock (IMMEDIATE) and would hold up posting."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _room_rows(room: Room, *, audience: str, moderators: set) -> Iterator[dict]:
    comments = Comment.objects.all()
    if audience == FOR_REPORT:
        comments = comments.exclude(state=Comment.State.PENDING)
    context = {
        "audience": audience,
        "consultation": room.consultation.slug,
        "room": room.slug,
        "moderators": moderators,
        "permalink": _permalink_format(),
    }
    # The question as the consultation wrote it, the same text for every reader of the export.
    question = source_text_of("guiding_question__text", language="room__consultation__language")
    for chunk, thread_ids in _chunks(room, comments.values(*_COMMENT_FIELDS, guiding_question_text=question)):
        if not chunk:
            continue
        extras = _chunk_extras([comment["id"] for comment in chunk], audience=audience)
        for comment in chunk:
            yield _row(comment, thread_id=thread_ids[comment["tree_id"]], extras=extras, **context)


def _chunks(room: Room, comments) -> Iterator[tuple[list[dict], dict[int, int]]]:
    """The room's comments in reading order, about CHUNK_SIZE at a time, each
    chunk with its threads' top-level comment ids by tree_id. Whole threads are
    packed together; a thread longer than a chunk is read in slices.

    Threads are found by the room's thread numbers and comments by tree, both
    through their indexes: never a sort of the whole room per chunk, which
    would make a large export quadratic."""
    batch: dict[int, int] = {}
    batch_size = 0
    for tree_id, root_id, size in _threads(room):
        if batch and batch_size + size > CHUNK_SIZE:
            yield list(comments.filter(tree_id__in=batch).order_by("tree_id", "lft")), batch
            batch, batch_size = {}, 0
        if size <= CHUNK_SIZE:
            batch[tree_id] = root_id
            batch_size += size
            continue
        after = 0
        while after is not None:
            part = list(comments.filter(tree_id=tree_id, lft__gt=after).order_by("lft")[:CHUNK_SIZE])
            yield part, {tree_id: root_id}
            after = part[-1]["lft"] if len(part) == CHUNK_SIZE else None
    if batch:
        yield list(comments.filter(tree_id__in=batch).order_by("tree_id", "lft")), batch


def _threads(room: Room) -> Iterator[tuple[int, int, int]]:
    """(tree_id, top-level comment id, number of comments) of each of the room's
    threads in order, read CHUNK_SIZE threads at a time."""
    after = 0
    while True:
        roots = list(
            Comment.objects.filter(room=room, thread_number__gt=after)
            .order_by("thread_number")
            .values_list("thread_number", "tree_id", "pk", "rght")[:CHUNK_SIZE]
        )
        for _, tree_id, root_id, rght in roots:
            # A root's lft is 1, so its tree holds rght / 2 comments.
            yield tree_id, root_id, rght // 2
        if len(roots) < CHUNK_SIZE:
            return
        after = roots[-1][0]


def _permalink_format() -> str:
    """The absolute permalink with '{}' for the id, so rows need no URL reversing each."""
    marker = "2147483647"
    return (settings.SITE_URL + reverse("forum:comment-permalink", kwargs={"comment_id": marker})).replace(marker, "{}")


def _chunk_extras(ids: list[int], *, audience: str) -> dict:
    """Mentioned handles, cited ids (with the cited comments, for the report) and
    report counts for a chunk of comments (three queries)."""
    mentions, unnamed = defaultdict(list), defaultdict(set)
    mentioned = Mention.objects.filter(comment_id__in=ids).order_by("comment_id", "user__handle")
    for comment_id, handle, consent in mentioned.values_list("comment_id", "user__handle", "user__quoting_consent"):
        if audience == FOR_MODERATION or consent == User.QuotingConsent.BY_NAME:
            mentions[comment_id].append(handle)
        else:
            unnamed[comment_id].add(handle.lower())
    citations, cited = defaultdict(list), {}
    links = CommentLink.objects.filter(source_id__in=ids).order_by("source_id", "target_id")
    if audience == FOR_MODERATION:
        for source_id, target_id in links.values_list("source_id", "target_id"):
            citations[source_id].append(target_id)
    else:
        targets = links.annotate(
            body_start=Substr("target__body_html", 1, EXCERPT_SOURCE_LENGTH),
            target_room_title=source_text_of("target__room__title", language="target__room__consultation__language"),
        ).values_list(
            "source_id", "target_id", "target__author__display_name", "target_room_title", "body_start",
            "target__state", "target__author__quoting_consent",
        )  # fmt: skip
        for source_id, target_id, name, room_title, body_start, state, consent in targets:
            citations[source_id].append(target_id)
            # A deleted account took its consent with it: the report no longer quotes it.
            consent = consent or User.QuotingConsent.NOT_AT_ALL
            cited[target_id] = CitedComment(
                target_id, name or former.name_of(None), room_title, body_start, state, consent
            )
    reports = dict(
        Report.objects.filter(comment_id__in=ids)
        .order_by()
        .values("comment_id")
        .annotate(count=Count("pk"))
        .values_list("comment_id", "count")
    )
    return {"mentions": mentions, "unnamed": unnamed, "citations": citations, "cited": cited, "reports": reports}


def _row(comment: dict, *, audience, consultation, room, moderators, permalink, thread_id, extras) -> dict:
    pk = comment["id"]
    consent = (
        how_to_quote(author_consent=comment["author__quoting_consent"], quotable=comment["may_be_quoted"])
        if audience == FOR_REPORT
        else User.QuotingConsent.BY_NAME
    )
    gone = comment["author_id"] is None
    if gone and audience == FOR_REPORT:
        # A deleted account took its consent with it: the report no longer quotes it.
        consent = User.QuotingConsent.NOT_AT_ALL
    named = consent == User.QuotingConsent.BY_NAME and not gone
    text_shown = consent != User.QuotingConsent.NOT_AT_ALL and (
        audience == FOR_MODERATION or comment["state"] == Comment.State.VISIBLE
    )
    return {
        "id": pk,
        "permalink": permalink.format(pk),
        "consultation": consultation,
        "room": room,
        "thread_id": thread_id,
        "parent_id": comment["parent_id"],
        "depth": comment["level"],
        "created": _utc(comment["created_at"]),
        "edited": _utc(comment["edited_at"]),
        "author_name": comment["author__display_name"]
        if named
        else (
            former.name_of(None, as_moderator=comment["written_as_moderator"])
            if gone and audience != FOR_REPORT
            else ""
        ),
        "author_handle": comment["author__handle"] if named else "",
        "author_organisation": comment["author__organisation"] if named else "",
        "author_country": comment["author__country"] or "",
        "author_is_organisation": bool(comment["author__speaks_for_organisation"]),
        # Checked by staff, where author_is_organisation is only what the account says.
        "author_organisation_verified": bool(comment["author__speaks_for_organisation"])
        and comment["author__organisation_verified_at"] is not None,
        "author_moderates_room": (comment["room_id"], comment["author_id"]) in moderators,
        "written_as_moderator": comment["written_as_moderator"],
        "guiding_question": comment["guiding_question_text"] or "",
        "language": comment["language"],
        "state": comment["state"],
        "body_text": _body_text(comment, audience=audience, extras=extras) if text_shown else "",
        "body_source": _body_source(comment, audience=audience, extras=extras) if text_shown else "",
        "mentioned_handles": extras["mentions"].get(pk, []) if text_shown else [],
        "cited_comment_ids": extras["citations"].get(pk, []),
        # Every reply below it, in any state, read from the tree.
        "reply_count": (comment["rght"] - comment["lft"] - 1) // 2,
        "report_count": extras["reports"].get(pk, 0),
        "agree_count": comment["agree_count"],
        "useful_count": comment["useful_count"],
        "highlighted": comment["is_highlighted"],
    }


def _body_text(comment: dict, *, audience: str, extras: dict) -> str:
    pk, body_html = comment["id"], comment["body_html"]
    if audience == FOR_REPORT and (extras["citations"].get(pk) or extras["unnamed"].get(pk)):
        body_html = for_the_report(body_html, cited=extras["cited"], unnamed_handles=extras["unnamed"].get(pk, set()))
    return plain_text(body_html)


def _body_source(comment: dict, *, audience: str, extras: dict) -> str:
    unnamed = extras["unnamed"].get(comment["id"])
    if audience == FOR_REPORT and unnamed:
        return source_for_the_report(comment["body_source"], unnamed_handles=unnamed)
    return comment["body_source"]


def _utc(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


# --- Encodings ----------------------------------------------------------------


def neutralise_formula(value: str) -> str:
    """Text a spreadsheet will not run, as OWASP's CSV-injection guidance says: a
    cell whose first character (after any spaces, with full-width forms such as
    '＝' read as their ASCII twins) starts a formula gets an apostrophe before it."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    first = unicodedata.normalize("NFKC", value.lstrip()[:1])
    return "'" + value if first and first in FORMULA_STARTS else value


def _csv_cell(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)
    if isinstance(value, str):
        return neutralise_formula(value)
    return "" if value is None else value


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, line):
        return line


def csv_chunks(export_rows: Iterable[dict]) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads accents) and a header row."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(COLUMNS)).encode()
    for lines in _batched(writer.writerow([_csv_cell(row[column]) for column in COLUMNS]) for row in export_rows):
        yield "".join(lines).encode()


def json_chunks(export_rows: Iterable[dict]) -> Iterator[bytes]:
    """A JSON array of row objects, written as it is read."""
    yield b"["
    separator = "\n"
    for rows_ in _batched(json.dumps(row, ensure_ascii=False) for row in export_rows):
        yield (separator + ",\n".join(rows_)).encode()
        separator = ",\n"
    yield b"\n]\n"


def _batched(items: Iterable[str]) -> Iterator[list[str]]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= ROWS_PER_WRITE:
            yield batch
            batch = []
    if batch:
        yield batch
