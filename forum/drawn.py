"""Comments drawn once and kept: the HTML of `partials/comment.html` for a card.

A page of a hundred comments spends most of its time in the template engine,
and most comments look the same from one request to the next. A drawn comment
depends only on its card (forum.display: everything it shows, for this viewer),
the page's language and time zone, and how old it is at the precision its
relative times show ("3 hours ago" changes once an hour). That whole tuple is
the key, compared field by field, so a copy can never be stale or another
comment's: any write that changes what a comment shows changes its card, and
so its key. Nothing is ever invalidated; old copies fall out of a bounded,
least-recently-used store in each process's memory.

The viewer's CSRF token is not in the kept copy: it is drawn as a placeholder
and put back per request, and only read when the comment has a form, so an
anonymous page still hands out no token (forum.cache keeps such pages)."""

from datetime import datetime

from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from forum.memory import LeastRecentlyUsed

COMMENT = "forum/partials/comment.html"
# A card in a page of threads: the comment and where its thread and groups of replies open and close.
IN_THREADS = "forum/partials/comment_in_list.html"
# Neither markup nor the sanitiser ever lets a NUL through, so it cannot come from a comment.
_CSRF_PLACEHOLDER = "\x00csrf\x00"


store = LeastRecentlyUsed()


def _age_step(moment: datetime | None, now: datetime) -> tuple[int, int] | None:
    """How old `moment` is, at the precision Django's naturaltime shows it:
    seconds under a minute, minutes under an hour, hours beyond."""
    if moment is None:
        return None
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return (1, seconds)
    if seconds < 3600:
        return (60, seconds // 60)
    return (3600, seconds // 3600)


def draw(card, csrf_token="", *, template: str = COMMENT) -> SafeString:
    """The comment drawn for `card` in the active language and time zone, with
    `csrf_token` (a string, or a lazy one read only if a form needs it)."""
    return draw_all([card], csrf_token, template=template)


def draw_all(cards, csrf_token="", *, template: str = COMMENT) -> SafeString:
    """Cards drawn one after the other by `template` (COMMENT or IN_THREADS)."""
    limit = settings.FORUM_DRAWN_COMMENTS_KEPT
    now = timezone.now()
    language, time_zone = translation.get_language(), timezone.get_current_timezone_name()
    drawn = []
    for card in cards:
        key = (template, card, language, time_zone, _age_step(card.created_at, now), _age_step(card.edited_at, now))
        html = store.get(key) if limit else None
        if html is None:
            html = get_template(template).render({"card": card, "csrf_token": _CSRF_PLACEHOLDER})
            if limit:
                store.put(key, html, limit)
        drawn.append(html)
    html = "".join(drawn)
    if _CSRF_PLACEHOLDER in html:
        html = html.replace(_CSRF_PLACEHOLDER, str(csrf_token or ""))
    return mark_safe(html)
