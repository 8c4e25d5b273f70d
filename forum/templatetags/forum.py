from django import template
from django.utils.html import format_html

from consultation.site import site_name as _site_name
from forum import links
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


@register.filter
def bdi(value) -> str:
    """A name set inside a translated sentence, isolated so that an Arabic name in
    an English sentence (or the reverse) keeps its own direction and the sentence's."""
    return format_html("<bdi>{}</bdi>", value)


@register.simple_tag
def site_name() -> str:
    """SITE_NAME, or "Public consultations" in the page's language."""
    return _site_name()


@register.simple_tag
def fast_url(name, *args):
    """Like {% url %} for patterns whose last argument varies along a page
    (`{% fast_url 'forum:reply' consultation_slug room_slug comment.pk %}`), at a fraction of the cost."""
    return links.fill(name, *args)
