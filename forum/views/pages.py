"""What the pages about one comment share (edit, delete, report, flag, moderate, history)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from forum import display, selectors


def comment_page(request, template, comment, context=None, *, viewer_moderates=False):
    """A page about one comment, drawn as its readers (or, for moderators' pages, its moderators) see it."""
    room = comment.room
    context = {
        "comment": comment,
        "card": display.draw_single(request.user, comment, viewer_moderates=viewer_moderates),
        "room": room,
        "consultation": room.consultation,
        **(context or {}),
    }
    return render(request, template, context)


def comment_for(request, comment_id: int, why_cannot):
    """The comment behind the URL (404 when its room is hidden from this person),
    or 403 with the refusal `why_cannot(user, comment)` gives."""
    comment = selectors.get_comment_for_permalink(request.user, comment_id)
    refusal = why_cannot(request.user, comment)
    if refusal:
        raise PermissionDenied(refusal)
    return comment
