"""Where a link in a comment body takes the reader: to this site, or elsewhere.

Judged on the href exactly as it is written into the HTML, read the way a
browser reads it (the WHATWG URL standard), never on a decoded or tidied
copy: `http://our.site%2F@evil.example/` is evil.example to a browser, so it
is evil.example here. Where a browser could go elsewhere, or where we cannot
be sure it would not, the link is another site's.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

from django.conf import settings
from django.urls import Resolver404, resolve

DEFAULT_PORTS = {"http": 80, "https": 443}

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# Leading and trailing C0 controls and spaces are dropped by the browser.
_EDGES = "".join(chr(code) for code in range(0x21))
_SLASHES = "/\\"
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
_SINGLE_DOT = {".", "%2e"}
_DOUBLE_DOT = {"..", ".%2e", "%2e.", "%2e%2e"}


@dataclass(frozen=True)
class Destination:
    """Whether a link stays on this site and, when the browser would ask our site
    for a path it can tell from the link alone, that path (still percent-encoded)."""

    is_own: bool
    path: str | None = None


ELSEWHERE = Destination(is_own=False)


def _as_browser_reads(href: str) -> str:
    return _TAB_OR_NEWLINE.sub("", href.strip(_EDGES))


def destination_of(href: str) -> Destination:
    """Where a browser following `href` from one of our pages would go."""
    url = _as_browser_reads(href)
    scheme = _SCHEME.match(url)
    if scheme:
        name = scheme.group(1).lower()
        rest = url[scheme.end() :]
        # "https:evil.example" and "http:/x" depend on the page's own scheme:
        # a host on one, a path on the other. Only "scheme://" is certain.
        if name not in DEFAULT_PORTS or not _starts_with_two_slashes(rest):
            return ELSEWHERE
        return _after_authority(name, rest.lstrip(_SLASHES))
    if _starts_with_two_slashes(url):
        # "//host/…" (and "\\host", "/\host"): another host, on our scheme.
        return _after_authority(_site_scheme(), url.lstrip(_SLASHES))
    if url[:1] and url[0] in _SLASHES:
        return Destination(is_own=True, path=_browser_path(url))
    # A path relative to the page it is shown on: our site, but which page
    # depends on where the comment is drawn.
    return Destination(is_own=True)


def is_own_url(href: str) -> bool:
    """True when a browser following `href` stays on this site."""
    return destination_of(href).is_own


def _starts_with_two_slashes(text: str) -> bool:
    # For http(s) a browser reads a backslash as a slash.
    return len(text) >= 2 and text[0] in _SLASHES and text[1] in _SLASHES


def _after_authority(scheme: str, rest: str) -> Destination:
    end = next((i for i, char in enumerate(rest) if char in "/\\?#"), len(rest))
    origin = _origin(scheme, rest[:end])
    if origin is None or origin not in _own_origins():
        return ELSEWHERE
    return Destination(is_own=True, path=_browser_path(rest[end:]))


def _origin(scheme: str, authority: str) -> tuple[str, int | None] | None:
    """(host, port) with the scheme's default port as None, or None for an
    authority that names another site or that a browser would refuse."""
    # User-info ("someone@host") and percent-escapes (a browser decodes them in
    # the host, and "%2F" or "%23" there end it) are never how we link to ourselves.
    if "@" in authority or "%" in authority or not authority.isascii():
        return None
    return _host_and_port(authority.lower(), DEFAULT_PORTS.get(scheme))


def _host_and_port(authority: str, default_port: int | None) -> tuple[str, int | None] | None:
    if authority.rfind(":") > authority.rfind("]"):
        host, _, port = authority.rpartition(":")
    else:
        host, port = authority, ""
    if not _HOST.fullmatch(host) or (port and not port.isdigit()):
        return None
    number = int(port) if port else None
    if number is not None and number > 65535:
        return None
    return host, None if number == default_port else number


def _own_origins() -> set[tuple[str, int | None]]:
    """settings.FORUM_OWN_HOSTS ("host" or "host:port") as (host, port)."""
    origins = set()
    for host in settings.FORUM_OWN_HOSTS:
        # A host named without a port is ours on the default port of either scheme.
        origin = _host_and_port(host.lower(), None)
        if origin:
            origins.add(origin)
    return origins


def _site_scheme() -> str:
    return settings.SITE_URL.partition(":")[0].lower()


def _browser_path(rest: str) -> str:
    """The path a browser asks for: up to the query or fragment, backslashes as
    slashes, "." and ".." segments (also written %2e) resolved."""
    end = next((i for i, char in enumerate(rest) if char in "?#"), len(rest))
    segments = rest[:end].replace("\\", "/").split("/")[1:]
    path: list[str] = []
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        folded = segment.lower()
        if folded in _DOUBLE_DOT:
            if path:
                path.pop()
            if last:
                path.append("")
        elif folded in _SINGLE_DOT:
            if last:
                path.append("")
        else:
            path.append(segment)
    return "/" + "/".join(path)


@dataclass(frozen=True)
class Route:
    """What one of our own URLs points to. A comment named by the fragment of a
    room or thread page's address is `within` that page ("room", (consultation
    slug, room slug)) or ("thread", (consultation slug, room slug, root id)):
    it is that comment only if the page really holds it."""

    kind: str  # "comment", "room" or "consultation"
    key: object
    within: tuple | None = None


# The fragment a permalink's redirect adds, and that the address bar then shows.
_COMMENT_FRAGMENT = re.compile(r"comment-([1-9][0-9]{0,17})")


def route_of(href: str) -> Route | None:
    """What the page a browser would open from `href` shows, when it is one of ours.
    The host was judged on the href as written; only the path is decoded, as our
    server decodes it before routing. A permalink may be pasted with or without
    its trailing slash (our server adds it), with a query or a fragment; a room
    or thread page's address with "#comment-N" names that comment."""
    path = destination_of(href).path
    if path is None:
        return None
    match = _resolve(unquote(path))
    if match is None or match.namespace != "forum":
        return None
    if match.url_name == "comment-permalink":
        return Route("comment", match.kwargs["comment_id"])
    if match.url_name in {"room", "thread"}:
        fragment = _COMMENT_FRAGMENT.fullmatch(_as_browser_reads(href).partition("#")[2])
        place = (match.kwargs["consultation_slug"], match.kwargs["room_slug"])
        if fragment:
            if match.url_name == "thread":
                return Route("comment", int(fragment.group(1)), within=("thread", (*place, match.kwargs["comment_id"])))
            return Route("comment", int(fragment.group(1)), within=("room", place))
    if match.url_name == "room":
        return Route("room", (match.kwargs["consultation_slug"], match.kwargs["room_slug"]))
    if match.url_name == "consultation":
        return Route("consultation", match.kwargs["consultation_slug"])
    return None


def _resolve(path: str):
    """The route of `path`, or of `path/` as our server's redirect (APPEND_SLASH) would make it."""
    for candidate in (path, path + "/") if not path.endswith("/") else (path,):
        try:
            return resolve(candidate)
        except Resolver404:
            continue
    return None
