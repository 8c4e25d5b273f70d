import functools

from django import template
from django.urls import get_script_prefix, reverse

from forum.languages import language_name as _language_name
from forum.rendering import excerpt_of

register = template.Library()


@register.filter
def excerpt(body_html: str, length: int = 160) -> str:
    """A stored body as a short plain-text excerpt (escaped again when printed)."""
    return excerpt_of(body_html, length)


@register.filter
def language_name(code: str) -> str:
    """'es' as 'Español', for the label on a comment written in another language."""
    return _language_name(code)


# Drawing a page of comments reverses the same few URL patterns hundreds of
# times; each pattern is reversed once, with a marker in place of the id,
# and then filled in. Keyed by the script prefix so a site under a sub-path works.
_MARKER = "8675309123"


@functools.lru_cache(maxsize=256)
def _url_pattern(prefix: str, name: str, fixed: tuple) -> str:
    return reverse(name, args=[*fixed, _MARKER]).replace(_MARKER, "{}")


@register.simple_tag
def fast_url(name, *args):
    """Like {% url %} for patterns whose last argument varies along a page
    (`{% fast_url 'forum:reply' room_slug... comment.pk %}`), at a fraction of the cost."""
    *fixed, last = args
    return _url_pattern(get_script_prefix(), name, tuple(str(arg) for arg in fixed)).format(last)
