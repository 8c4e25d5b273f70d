"""Every read that plans its queries, by topic, as services/ is for writes.
Views and templates never trigger queries of their own: a selector reads what
the page needs, and forum.display turns comments into what is drawn."""

from forum.selectors.moderation import (
    comment_moderation_context,
    get_moderated_comment,
    moderated_rooms,
    moderation_queue_page,
)
from forum.selectors.people import (
    flag_colleagues,
    get_notification,
    mention_suggestions,
    notifications_page,
    profile_comments_page,
    unread_notification_count,
)
from forum.selectors.rooms import (
    consultation_rooms,
    get_consultation,
    get_room,
    get_room_comment,
    get_room_to_read,
    guiding_question_groups,
    moderators_on_duty,
    numbered_questions,
    visible_consultations,
)
from forum.selectors.statistics import consultation_statistics, room_statistics, summary_rooms
from forum.selectors.summaries import (
    comments_since_latest_summary,
    final_summaries,
    get_room_summary,
    latest_room_summary,
    new_summary_defaults,
    room_summaries,
)
from forum.selectors.threads import (
    CommentsPage,
    backlinks_of,
    comment_location,
    get_comment_for_permalink,
    get_thread_root,
    locked_threads_of,
    replies_shown_per_thread,
    room_comments_filtered,
    room_page_count,
    room_threads_page,
    thread_page,
    thread_page_count,
    viewer_follows,
)
from forum.selectors.visits import RoomReading

__all__ = [
    "CommentsPage",
    "RoomReading",
    "backlinks_of",
    "comment_location",
    "comment_moderation_context",
    "comments_since_latest_summary",
    "consultation_rooms",
    "consultation_statistics",
    "final_summaries",
    "flag_colleagues",
    "get_comment_for_permalink",
    "get_consultation",
    "get_moderated_comment",
    "get_notification",
    "get_room",
    "get_room_comment",
    "get_room_to_read",
    "get_room_summary",
    "get_thread_root",
    "guiding_question_groups",
    "latest_room_summary",
    "locked_threads_of",
    "mention_suggestions",
    "moderated_rooms",
    "moderation_queue_page",
    "moderators_on_duty",
    "new_summary_defaults",
    "notifications_page",
    "numbered_questions",
    "profile_comments_page",
    "replies_shown_per_thread",
    "room_comments_filtered",
    "room_page_count",
    "room_statistics",
    "room_summaries",
    "room_threads_page",
    "summary_rooms",
    "thread_page",
    "thread_page_count",
    "unread_notification_count",
    "viewer_follows",
    "visible_consultations",
]
