"""The moderators' reads: the rooms they work, their queue, one comment's moderation page."""


from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Min, Prefetch, Q
from django.db.models.functions import Coalesce

from forum import permissions
from forum.models import (
    Comment,
    Report,
    Room,
)


from forum.selectors.threads import get_comment_for_permalink


# --- Moderation ------------------------------------------------------------


def moderated_rooms(user):
    """The rooms whose queue this person works: today's rota, or every room for staff."""
    if user.is_staff:
        return Room.objects.all()
    return Room.objects.filter(pk__in=permissions.rooms_on_duty(user))


def moderation_queue_page(user, *, number=1):
    """Comments with open reports or awaiting approval in the rooms the person
    moderates, the longest-waiting first, each with its open reports, parent and room."""
    open_reports = Q(reports__resolved_at__isnull=True)
    reported = Report.objects.filter(resolved_at__isnull=True).values("comment_id")
    items = (
        Comment.objects.filter(room__in=moderated_rooms(user))
        .filter(Q(state=Comment.State.PENDING) | Q(pk__in=reported))
        .annotate(waiting_since=Coalesce(Min("reports__created_at", filter=open_reports), F("created_at")))
        .select_related("author", "room__consultation", "parent__author")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.filter(resolved_at__isnull=True).select_related("reporter"),
                to_attr="open_reports",
            )
        )
        .order_by("waiting_since", "pk")
    )
    return Paginator(items, settings.FORUM_MODERATION_QUEUE_PER_PAGE).get_page(number)


def get_moderated_comment(user, comment_id) -> Comment:
    """A comment for its room's moderators (404 when the room is hidden from them, 403 when not theirs)."""
    comment = get_comment_for_permalink(user, comment_id)
    if not permissions.is_room_moderator(user, comment.room):
        raise PermissionDenied
    return comment


def comment_moderation_context(comment: Comment) -> dict:
    """What the moderation page shows beside a comment: its parent, open reports,
    earlier versions, the room's questions and recent actions on it."""
    return {
        "parent": comment.parent,
        "open_reports": list(comment.reports.filter(resolved_at__isnull=True).select_related("reporter")),
        "revisions": list(comment.revisions.all()),
        "questions": list(comment.room.questions.all()),
        "actions": list(comment.moderation_actions.select_related("moderator", "target_user")[:20]),
    }
