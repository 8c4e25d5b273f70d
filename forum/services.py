"""Every change a person causes in the forum goes through here."""

import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from forum import permissions
from forum.models import Comment, Room
from forum.rendering import render_comment_body

# Any constant will do: it names the lock that hands out new tree ids.
_NEW_THREAD_LOCK_KEY = 7_240_001

EMPTY_BODY_MESSAGE = gettext_lazy("Please write something before posting.")


def clean_comment_body(text: str) -> str:
    """The body as it will be stored, or a ValidationError a person can act on."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise ValidationError(EMPTY_BODY_MESSAGE, code="empty")
    limit = settings.FORUM_COMMENT_MAX_LENGTH
    if len(text) > limit:
        raise ValidationError(
            ngettext(
                "Your comment is %(length)d character long; the limit is %(limit)d. Please shorten it.",
                "Your comment is %(length)d characters long; the limit is %(limit)d. Please shorten it.",
                len(text),
            )
            % {"length": len(text), "limit": limit},
            code="too_long",
        )
    return text.strip("\n")


def post_comment(author, *, room: Room, body: str, client_token: uuid.UUID | None = None) -> Comment:
    """Start a new thread in the room. Posting the same form twice stores one comment."""
    refusal = permissions.why_cannot_post(author, room)
    if refusal:
        raise PermissionDenied(refusal)
    body = clean_comment_body(body)
    rendered = render_comment_body(body)
    with transaction.atomic():
        _lock_new_thread_allocation()
        existing = _already_posted(author, client_token)
        if existing:
            return existing
        locked_room = Room.objects.select_for_update().only("thread_count").get(pk=room.pk)
        comment = Comment(
            room=room,
            author=author,
            thread_number=locked_room.thread_count + 1,
            body_source=body,
            body_html=rendered.html,
            render_version=rendered.version,
            client_token=client_token,
        )
        comment.save()
        Room.objects.filter(pk=room.pk).update(
            thread_count=F("thread_count") + 1,
            comment_count=F("comment_count") + 1,
            last_activity_at=comment.created_at,
        )
    return comment


def reply_to_comment(author, *, parent: Comment, body: str, client_token: uuid.UUID | None = None) -> Comment:
    """Reply under a comment. Only the thread's own rows are locked and touched."""
    refusal = permissions.why_cannot_reply(author, parent)
    if refusal:
        raise PermissionDenied(refusal)
    body = clean_comment_body(body)
    rendered = render_comment_body(body)
    with transaction.atomic():
        # django-mptt leaves locking to us: holding the root row makes replies
        # to one thread take turns, so lft/rght stay consistent.
        Comment.objects.select_for_update().filter(tree_id=parent.tree_id, level=0).values_list("pk").get()
        existing = _already_posted(author, client_token)
        if existing:
            return existing
        fresh_parent = Comment.objects.get(pk=parent.pk)
        comment = Comment(
            room_id=fresh_parent.room_id,
            parent=fresh_parent,
            author=author,
            body_source=body,
            body_html=rendered.html,
            render_version=rendered.version,
            client_token=client_token,
        )
        comment.save()
        Room.objects.filter(pk=fresh_parent.room_id).update(
            comment_count=F("comment_count") + 1, last_activity_at=comment.created_at
        )
    return comment


def _already_posted(author, client_token) -> Comment | None:
    if client_token is None:
        return None
    return Comment.objects.filter(author=author, client_token=client_token).first()


def _lock_new_thread_allocation() -> None:
    """django-mptt gives a new tree the highest tree id plus one. On PostgreSQL
    two new threads at once could get the same id, so they take turns here.
    SQLite already runs one write transaction at a time (IMMEDIATE mode)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_NEW_THREAD_LOCK_KEY])
