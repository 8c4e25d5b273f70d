from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from forum import permissions, ratelimits, selectors
from forum.models import Comment, Room

# Typing "@alvaro" asks once per pause, so a few mentions a minute take
# tens of requests; this stops scraping the member list, not writing.
SUGGESTIONS_PER_MINUTE = 60
SUGGESTIONS_SHOWN = 8
LONGEST_QUERY = 60


@require_safe
def suggest_people(request):
    """People to @mention, as JSON for the comment box: {"results": [{display_name, handle, organisation}]}.

    Query: `q`, the text typed after "@" (fewer than 2 letters finds no one);
    `room`, the room's id (ignored unless the person may view it); `thread`,
    any comment of the thread being written in, its root or the comment
    replied to (ignored unless it is in that room). Signed-in people only:
    anyone else gets 403 with an error in the JSON body, and someone asking
    too fast gets 429 with Retry-After. Email addresses are never sent.
    """
    if not request.user.is_authenticated:
        return _json({"error": _("Sign in to see suggestions."), "results": []}, status=403)
    wait = ratelimits.hit(
        ratelimits.user_key("mention-suggestions", request.user), limit=SUGGESTIONS_PER_MINUTE, period=60
    )
    if wait is not None:
        response = _json({"error": _("Too many requests: please wait a moment."), "results": []}, status=429)
        response["Retry-After"] = str(wait)
        return response

    query = request.GET.get("q", "")[:LONGEST_QUERY]
    if len(query.strip()) < 2:
        return _json({"results": []})
    room = _viewable_room(request.user, request.GET.get("room"))
    thread_id = _comment_in_room(room, request.GET.get("thread"))
    people = selectors.mention_suggestions(query, room=room, thread_id=thread_id, limit=SUGGESTIONS_SHOWN)
    return _json(
        {
            "results": [
                {"display_name": person.display_name, "handle": person.handle, "organisation": person.organisation}
                for person in people
            ]
        }
    )


def _json(data, *, status=200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    # Answers depend on who asks: no shared cache may keep them.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _id(value) -> int | None:
    # Short ASCII digits only: anything else could not be a row id.
    return int(value) if value and len(value) <= 18 and value.isascii() and value.isdigit() else None


def _viewable_room(user, room_id) -> Room | None:
    room_id = _id(room_id)
    if room_id is None:
        return None
    room = Room.objects.select_related("consultation").filter(pk=room_id).first()
    return room if room is not None and permissions.can_view_room(user, room) else None


def _comment_in_room(room: Room | None, comment_id) -> int | None:
    comment_id = _id(comment_id)
    if room is None or comment_id is None:
        return None
    return comment_id if Comment.objects.filter(pk=comment_id, room=room).exists() else None
