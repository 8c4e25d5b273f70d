"""Every change a person causes in the forum goes through here, by topic."""

from forum.services.comments import (
    EMPTY_BODY_MESSAGE,
    clean_comment_body,
    follow_renamed_person,
    post_comment,
    record_mentions_and_citations,
    refresh_citations_of,
    rerender_comments,
    reply_to_comment,
)
from forum.services.follows import follow_room, follow_thread, unfollow_room, unfollow_thread
from forum.services.moderation import flag_comment
from forum.services.notifications import mark_read, set_email_preference

__all__ = [
    "EMPTY_BODY_MESSAGE",
    "clean_comment_body",
    "flag_comment",
    "follow_renamed_person",
    "follow_room",
    "follow_thread",
    "mark_read",
    "post_comment",
    "record_mentions_and_citations",
    "refresh_citations_of",
    "rerender_comments",
    "reply_to_comment",
    "set_email_preference",
    "unfollow_room",
    "unfollow_thread",
]
