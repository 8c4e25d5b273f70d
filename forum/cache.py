"""Whole room pages cached for anonymous visitors, the bulk of a consultation's
traffic. Every write that changes what a room shows bumps that room's version
(after its transaction commits), so a cached page is never served stale;
relative times ("3 hours ago") are at most FORUM_ROOM_PAGE_CACHE_SECONDS old,
and a copy is drawn for one day in the consultation's time zone, so the rota
on duty and the room opening or closing by its dates change at midnight.

A page is keyed on its URL: the parameters it reads (page, order, question,
language; forum.forms.read_room_page_query), so `?cb=1`, `?cb=2`… share one
copy, and the language the visitor's browser asks for. It is drawn from those
parameters alone, and kept only when it shows what they ask for: a question of
another room, or a page past the last, fills no cache.

RoomPageCacheMiddleware, second of all, serves a copy before anything else
reads the request: no session, no query, and the bytes compressed once, when
kept. Beside each copy lie the versions it was drawn at and its day, checked
on every hit. A visitor with a session cookie is drawn a page afresh.

It needs a cache shared by every app process (Redis, via REDIS_URL):
FORUM_CACHE_ROOM_PAGES is on by default only then. While Redis does not
answer, pages are drawn afresh (consultation/cache.py); a change made then
cannot drop the copies kept before, so if Redis kept them (frozen or cut off
rather than restarted) they may be served until they expire, at most
FORUM_ROOM_PAGE_CACHE_SECONDS after they were drawn."""

import functools
import gzip
import re
import time
import zoneinfo
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, QueryDict
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

_SITE_VERSION = "forum:site-version"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Set by the compression inside, or by us: never kept, chosen per visitor.
_PER_VISITOR_HEADERS = {"content-encoding", "content-length"}


def _room_key(room_id: int) -> str:
    return f"forum:room-version:{room_id}"


def _fresh_version() -> int:
    # Never one a version had before: a Redis restarted empty must not bring back
    # a version that copies kept in a process's memory were stamped with.
    return time.time_ns()


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, _fresh_version(), None)


def _versions(keys: list[str]) -> dict | None:
    """The versions under these keys, each given one the first time it is asked
    for; None while the cache does not answer, when nothing may be kept or served."""
    versions = cache.get_many(keys)
    if missing := [key for key in keys if key not in versions]:
        for key in missing:
            cache.add(key, _fresh_version(), None)
        versions |= cache.get_many(missing)
        if any(key not in versions for key in keys):
            return None
    return versions


def _versions_kept() -> bool:
    return settings.FORUM_CACHE_ROOM_PAGES or settings.FORUM_CACHE_ROOMS


def kept_room(key: str):
    """What `keep_room` kept under `key` and its stamp, while the room's
    versions and day are those it was read at; else None."""
    kept = cache.get(key)
    return kept if kept is not None and kept[0].is_current() else None


def keep_room(key: str, stamp: "_Stamp | None", value) -> None:
    """Keep `value`, read after `stamp` (stamp_of) was, until its room changes."""
    if stamp is not None:
        cache.set(key, (stamp, value), settings.FORUM_ROOM_PAGE_CACHE_SECONDS)


def room_changed(*room_ids: int) -> None:
    """What these rooms show has changed: their cached pages are dropped once the transaction commits."""
    ids = {room_id for room_id in room_ids if room_id}
    if _versions_kept() and ids:
        transaction.on_commit(lambda: [_bump(_room_key(room_id)) for room_id in ids])


def site_changed() -> None:
    """Something every room may show has changed (a person's name): drop every cached room page."""
    if _versions_kept():
        transaction.on_commit(lambda: _bump(_SITE_VERSION))


@dataclass(frozen=True)
class _Stamp:
    """What a kept page was drawn from: checked before it is served again."""

    room_id: int
    site_version: int
    room_version: int
    time_zone: str
    day: date

    def is_current(self) -> bool:
        return self == stamp_of(self.room_id, self.time_zone)


@dataclass(frozen=True)
class _Copy:
    stamp: _Stamp
    headers: tuple
    # Compressed only: nearly every visitor takes it so, and a hit moves a fifth of the bytes.
    gzipped: bytes
    # The headers of a compressed hit, ready made, as WSGI takes them.
    gzipped_headers: tuple


def stamp_of(room_id: int, time_zone: str) -> _Stamp | None:
    """The room's versions and its consultation's day now, or None while the
    cache does not answer. Read before what it stamps is read: a change made
    meanwhile bumps past it."""
    versions = _versions([_SITE_VERSION, _room_key(room_id)])
    if versions is None:
        return None
    return _Stamp(
        room_id=room_id,
        site_version=versions[_SITE_VERSION],
        room_version=versions[_room_key(room_id)],
        time_zone=time_zone,
        day=timezone.localdate(timezone=zoneinfo.ZoneInfo(time_zone)),
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
    """`render()`, drawn so that RoomPageCacheMiddleware can keep it when it can be.
    `query`: the page's own parameters (forum.forms.read_room_page_query), None
    when they cannot key a copy; `render()`'s response says in `room_page_query`
    which parameters it shows (forum.forms.room_page_query)."""
    if query is None or not _cacheable(request) or not getattr(request, "room_page_key", None):
        return render()
    stamp = stamp_of(room.pk, room.consultation.time_zone)
    if stamp is None:
        return render()
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
        response.room_page_stamp = stamp
        response["X-Room-Cache"] = "miss"
    return response


@functools.lru_cache(maxsize=8)
def _room_path(prefix: str) -> re.Pattern:
    """The room page's path, as a pattern: cheaper than resolving every URL. It
    also matches a few other pages' paths (/c/<slug>/summary/), which were never
    kept, so they only miss."""
    slug, marker = "[-a-zA-Z0-9_]+", "8675309"
    path = reverse("forum:room", kwargs={"consultation_slug": f"c{marker}", "room_slug": f"r{marker}"})
    return re.compile(re.escape(path).replace(f"c{marker}", slug).replace(f"r{marker}", slug) + r"\Z")


@functools.cache
def _plain_query() -> str:
    from forum.forms import read_room_page_query  # forms import the models, loaded after this module

    return read_room_page_query(QueryDict())


def _page_key(request) -> str | None:
    """The key of the copy this request may be served, from its URL and headers
    alone; None when it may not be served one."""
    from forum.forms import read_room_page_query  # forms import the models, loaded after the middleware

    if not settings.FORUM_CACHE_ROOM_PAGES or request.method != "GET":
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    if not _room_path(get_script_prefix()).match(request.path):
        return None
    # Most visitors come without parameters: that page's query is worked out once.
    query = read_room_page_query(request.GET) if request.META.get("QUERY_STRING") else _plain_query()
    if query is None:
        return None
    language = translation.get_language_from_request(request)
    # A Host header not allowed is refused here, as it would be later. The page
    # names the site by SITE_URL, never by the Host it was asked under.
    request.get_host()
    return ":".join(["forum:room-page", request.scheme, request.path, language, query])


def _keep(key: str, response) -> None:
    if response.cookies or response.status_code != 200:
        return
    content = response.content
    gzipped = content if _ACCEPTS_GZIP.search(response.get("Content-Encoding", "")) else gzip.compress(content, mtime=0)
    patch_vary_headers(response, ("Accept-Encoding",))
    headers = tuple((name, value) for name, value in response.items() if name.lower() not in _PER_VISITOR_HEADERS)
    gzipped_headers = tuple(
        (
            dict(headers) | {"Content-Encoding": "gzip", "Content-Length": str(len(gzipped)), "X-Room-Cache": "hit"}
        ).items()
    )
    copy = _Copy(response.room_page_stamp, headers, gzipped, gzipped_headers)
    cache.set(key, copy, settings.FORUM_ROOM_PAGE_CACHE_SECONDS)


def _served(request, copy: _Copy) -> HttpResponse:
    if _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        return HttpResponse(copy.gzipped, headers=dict(copy.gzipped_headers))
    response = HttpResponse(gzip.decompress(copy.gzipped))
    for name, value in copy.headers:
        response[name] = value
    response["Content-Length"] = str(len(response.content))
    response["X-Room-Cache"] = "hit"
    return response


# The room behind each kept path, learned from the copies: a hit then asks for
# the copy and its room's versions at once. One learned wrongly (a slug given to
# another room) costs a second round trip, never a stale page.
_room_of_path: dict[str, int] = {}


def _kept_copy(key: str, path: str) -> _Copy | None:
    room_id = _room_of_path.get(path)
    found = cache.get_many([key, _SITE_VERSION, *([_room_key(room_id)] if room_id else [])])
    copy = found.get(key)
    if copy is None:
        return None
    stamp = copy.stamp
    if stamp.room_id != room_id:
        _room_of_path[path] = stamp.room_id
        return copy if stamp.is_current() else None
    current = (
        found.get(_SITE_VERSION) == stamp.site_version
        and found.get(_room_key(room_id)) == stamp.room_version
        and timezone.localdate(timezone=zoneinfo.ZoneInfo(stamp.time_zone)) == stamp.day
    )
    return copy if current else None


def _copy_for(request) -> _Copy | None:
    """The kept copy this request may be served, or None; then
    `request.room_page_key` says where the page drawn for it may be kept."""
    key = _page_key(request)
    if key is None:
        return None
    if (copy := _kept_copy(key, request.path)) is not None:
        return copy
    request.room_page_key = key
    return None


def kept_response(request) -> HttpResponse | None:
    """The response a kept copy gives this request, or None (see _copy_for)."""
    copy = _copy_for(request)
    return _served(request, copy) if copy is not None else None


class RoomPageCacheMiddleware:
    """Serves kept anonymous room pages, and keeps the ones the view marks
    (anonymous_room_page). Placed right after the health check: a copy was kept
    with every header the middleware below it added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (response := kept_response(request)) is not None:
            return response
        response = self.get_response(request)
        key = getattr(request, "room_page_key", None)
        if key is not None and getattr(response, "room_page_stamp", None) is not None:
            _keep(key, response)
        return response


class ServeKeptRoomPages:
    """In front of Django's handler (consultation/wsgi.py): a kept page goes out
    without the handler's signals and middleware chain, a sixth of a hit's cost.
    Anything else, and any request Django should refuse (a Host not allowed),
    goes on to Django, where RoomPageCacheMiddleware asks again."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and settings.FORUM_CACHE_ROOM_PAGES:
            request = WSGIRequest(environ)
            try:
                copy = _copy_for(request)
            except SuspiciousOperation:
                copy = None
            if copy is not None:
                if _ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")):
                    start_response("200 OK", list(copy.gzipped_headers))
                    return [copy.gzipped]
                response = _served(request, copy)
                start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
                return [response.content]
        return self.application(environ, start_response)
