"""Every change a person causes in the forum goes through here, by topic."""

from forum.services.comments import (
    EMPTY_BODY_MESSAGE,
    clean_comment_body,
    delete_comment,
    edit_comment,
    follow_renamed_person,
    post_comment,
    preview_comment,
    record_mentions_and_citations,
    refresh_citations_of,
    reply_to_comment,
    rerender_comments,
)
from forum.services.erasure import delete_account
from forum.services.endorsements import EndorsementState, set_endorsement
from forum.services.follows import follow_room, follow_thread, unfollow_room, unfollow_thread
from forum.services.moderation import (
    approve_comment,
    close_room,
    dismiss_reports,
    flag_comment,
    hide_comment,
    highlight_comment,
    lift_suspension,
    lock_thread,
    pin_thread,
    report_comment,
    restore_comment,
    suspend_participant,
    tag_comment,
)
from forum.services.invitations import accept_invitation, clean_invitation_email, invite_moderator
from forum.services.notifications import mark_read, set_email_preference
from forum.services.rooms import add_guiding_questions
from forum.services.shifts import start_shifts, write_shift_note
from forum.services.visits import record_room_visit

__all__ = [
    "start_shifts",
    "write_shift_note",
    "EMPTY_BODY_MESSAGE",
    "accept_invitation",
    "add_guiding_questions",
    "approve_comment",
    "clean_comment_body",
    "clean_invitation_email",
    "close_room",
    "delete_account",
    "delete_comment",
    "dismiss_reports",
    "edit_comment",
    "EndorsementState",
    "set_endorsement",
    "flag_comment",
    "follow_renamed_person",
    "follow_room",
    "follow_thread",
    "hide_comment",
    "invite_moderator",
    "highlight_comment",
    "lift_suspension",
    "lock_thread",
    "mark_read",
    "pin_thread",
    "post_comment",
    "record_mentions_and_citations",
    "record_room_visit",
    "refresh_citations_of",
    "reply_to_comment",
    "report_comment",
    "preview_comment",
    "rerender_comments",
    "restore_comment",
    "set_email_preference",
    "suspend_participant",
    "tag_comment",
    "unfollow_room",
    "unfollow_thread",
]
