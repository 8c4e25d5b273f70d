from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from forum import selectors, services


@require_POST
@login_required
def follow_room(request, consultation_slug, room_slug):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    if request.POST.get("follow") == "off":
        services.unfollow_room(request.user, room=room)
    else:
        services.follow_room(request.user, room=room)
    return redirect(room.get_absolute_url())


@require_POST
@login_required
def follow_thread(request, consultation_slug, room_slug, comment_id):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    thread = selectors.get_thread_root(room, comment_id)
    if request.POST.get("follow") == "off":
        services.unfollow_thread(request.user, thread=thread)
    else:
        services.follow_thread(request.user, thread=thread)
    return redirect(selectors.comment_location(thread))
