"""Whole room pages cached for anonymous visitors, the bulk of a consultation's
traffic. Every write that changes what a room shows bumps that room's version
(after its transaction commits), so a cached page is never served stale;
relative times ("3 hours ago") are at most FORUM_ROOM_PAGE_CACHE_SECONDS old,
and the day in the consultation's time zone is part of the key, so the rota
on duty and the room opening or closing by its dates change at midnight.

A page is keyed on the parameters it reads (page, order, question, language;
forum.forms.read_room_page_query), so `?cb=1`, `?cb=2`… share one copy. It is
drawn from those parameters alone, and kept only when it shows what they ask
for: a question of another room, or a page past the last, fills no cache.

It needs a cache shared by every app process (Redis, via REDIS_URL):
FORUM_CACHE_ROOM_PAGES is on by default only then. While Redis does not
answer, pages are drawn afresh (consultation/cache.py); a change made then
cannot drop the copies kept before, so if Redis kept them (frozen or cut off
rather than restarted) they may be served until they expire, at most
FORUM_ROOM_PAGE_CACHE_SECONDS after they were drawn."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, QueryDict

_SITE_VERSION = "forum:site-version"


def _room_key(room_id: int) -> str:
    return f"forum:room-version:{room_id}"


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def room_changed(*room_ids: int) -> None:
    """What these rooms show has changed: their cached pages are dropped once the transaction commits."""
    ids = {room_id for room_id in room_ids if room_id}
    if settings.FORUM_CACHE_ROOM_PAGES and ids:
        transaction.on_commit(lambda: [_bump(_room_key(room_id)) for room_id in ids])


def site_changed() -> None:
    """Something every room may show has changed (a person's name): drop every cached room page."""
    if settings.FORUM_CACHE_ROOM_PAGES:
        transaction.on_commit(lambda: _bump(_SITE_VERSION))


def _page_key(request, room, query: str) -> str:
    versions = cache.get_many([_SITE_VERSION, _room_key(room.pk)])
    return ":".join(
        [
            "forum:room-page",
            str(room.pk),
            str(versions.get(_SITE_VERSION, 0)),
            str(versions.get(_room_key(room.pk), 0)),
            request.LANGUAGE_CODE,
            # The rota on duty and whether the room is open follow the consultation's day.
            room.consultation.today().isoformat(),
            query,
        ]
    )


def _cacheable(request) -> bool:
    # Signed-in pages are personal; a pending message ("You have signed out")
    # belongs to one visitor.
    return (
        settings.FORUM_CACHE_ROOM_PAGES
        and request.method == "GET"
        and not request.user.is_authenticated
        and "messages" not in request.COOKIES
    )


def anonymous_room_page(request, room, render, *, query: str | None):
    """The room page from the cache when it can be, otherwise `render()` (and keep it).
    `query`: the page's own parameters (forum.forms.read_room_page_query), None
    when they cannot key a copy; `render()`'s response says in `room_page_query`
    which parameters it shows (forum.forms.room_page_query)."""
    if query is None or not _cacheable(request):
        return render()
    key = _page_key(request, room, query)
    html = cache.get(key)
    if html is not None:
        response = HttpResponse(html)
        response["X-Room-Cache"] = "hit"
        return response
    # Drawn from its key's parameters alone, the page carries nothing of this
    # visitor's others (the log-in link's `next` repeats the query).
    request.GET = QueryDict(query)
    request.META["QUERY_STRING"] = query
    response = render()
    # A page that handed out a CSRF token or set a cookie is someone's own.
    if (
        response.status_code == 200
        and getattr(response, "room_page_query", None) == query
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    ):
        cache.set(key, response.content, settings.FORUM_ROOM_PAGE_CACHE_SECONDS)
        response["X-Room-Cache"] = "miss"
    return response
