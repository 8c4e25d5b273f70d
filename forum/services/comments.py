"""Posting comments and replies."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from forum import permissions
from forum.models import Comment, CommentLink, Follow, Mention, Room
from forum.rendering import RenderedBody, render_comment_body
from forum.services import notifications

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
    """Start a new thread in the room. Posting the same form twice stores one comment.

    The returned comment carries `mentions_not_notified`: how many mentioned
    people were beyond the notification limit (their mentions still show)."""
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
        comment = _new_comment(
            author, room_id=room.pk, rendered=rendered, body=body, client_token=client_token,
            thread_number=locked_room.thread_count + 1,
        )
        Room.objects.filter(pk=room.pk).update(
            thread_count=F("thread_count") + 1,
            comment_count=F("comment_count") + 1,
            last_activity_at=comment.created_at,
        )
        _after_posting(comment, rendered=rendered, thread_id=comment.pk)
    return comment


def reply_to_comment(author, *, parent: Comment, body: str, client_token: uuid.UUID | None = None) -> Comment:
    """Reply under a comment. Only the thread's own rows are locked and touched.

    Like post_comment, the returned reply carries `mentions_not_notified`."""
    refusal = permissions.why_cannot_reply(author, parent)
    if refusal:
        raise PermissionDenied(refusal)
    body = clean_comment_body(body)
    rendered = render_comment_body(body)
    with transaction.atomic():
        # django-mptt leaves locking to us: holding the root row makes replies
        # to one thread take turns, so lft/rght stay consistent.
        thread_id = (
            Comment.objects.select_for_update().filter(tree_id=parent.tree_id, level=0).values_list("pk", flat=True).get()
        )
        existing = _already_posted(author, client_token)
        if existing:
            return existing
        fresh_parent = Comment.objects.get(pk=parent.pk)
        comment = _new_comment(
            author, room_id=fresh_parent.room_id, rendered=rendered, body=body, client_token=client_token,
            parent=fresh_parent,
        )
        Room.objects.filter(pk=fresh_parent.room_id).update(
            comment_count=F("comment_count") + 1, last_activity_at=comment.created_at
        )
        _after_posting(comment, rendered=rendered, thread_id=thread_id)
    return comment


def _new_comment(author, *, room_id, rendered: RenderedBody, body, client_token, **tree) -> Comment:
    comment = Comment(
        room_id=room_id,
        author=author,
        body_source=body,
        body_html=rendered.html,
        render_version=rendered.version,
        client_token=client_token,
        **tree,
    )
    comment.save()
    return comment


def _after_posting(comment: Comment, *, rendered: RenderedBody, thread_id: int) -> None:
    """What a new comment sets going: its mentions and citations are recorded,
    its author follows the thread (if they wish), and people are notified."""
    record_mentions_and_citations(comment, rendered)
    if comment.author.follow_threads_on_post:
        Follow.objects.get_or_create(user=comment.author, thread_id=thread_id)
    limit = notifications.mentions_to_notify(comment.author)
    notifications.notify_about_new_comment(
        comment, thread_id=thread_id, mentioned_ids=rendered.mentioned_user_ids[:limit]
    )
    comment.mentions_not_notified = max(0, len(rendered.mentioned_user_ids) - limit)


def record_mentions_and_citations(comment: Comment, rendered: RenderedBody) -> None:
    """Make the Mention and CommentLink rows match what the body now says."""
    Mention.objects.filter(comment=comment).exclude(user_id__in=rendered.mentioned_user_ids).delete()
    Mention.objects.bulk_create(
        [Mention(comment=comment, user_id=user_id) for user_id in rendered.mentioned_user_ids],
        ignore_conflicts=True,
    )
    CommentLink.objects.filter(source=comment).exclude(target_id__in=rendered.cited_comment_ids).delete()
    CommentLink.objects.bulk_create(
        [CommentLink(source=comment, target_id=target_id) for target_id in rendered.cited_comment_ids],
        ignore_conflicts=True,
    )


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


def rerender_comments(comments) -> int:
    """Render stored bodies again (after a mentioned name, or a cited comment, changed)."""
    count = 0
    with transaction.atomic():
        for comment in comments:
            rendered = render_comment_body(comment.body_source)
            Comment.objects.filter(pk=comment.pk).update(body_html=rendered.html, render_version=rendered.version)
            record_mentions_and_citations(comment, rendered)
            count += 1
    return count


def refresh_citations_of(comment: Comment) -> int:
    """Comments citing this one show its author, room, state and excerpt: render them again."""
    return rerender_comments(Comment.objects.filter(links_out__target=comment).only("pk", "body_source"))


def follow_renamed_person(user, *, old_handle: str) -> int:
    """After someone changes their name or handle, every mention of them shows the
    new one: sources that wrote the old handle are rewritten to the new one (as
    Discourse does), so that the mention keeps pointing at them, then rendered again."""
    mentioning = Comment.objects.filter(mentions__user=user).only("pk", "body_source")
    if old_handle != user.handle:
        old_mention = re.compile(rf"(?<![\w@.])@{re.escape(old_handle)}(?![\w@])", re.IGNORECASE)
        for comment in mentioning:
            new_source = old_mention.sub(f"@{user.handle}", comment.body_source)
            if new_source != comment.body_source:
                Comment.objects.filter(pk=comment.pk).update(body_source=new_source)
                comment.body_source = new_source
    return rerender_comments(mentioning)
