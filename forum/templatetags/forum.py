from django import template

from forum.rendering import excerpt_of

register = template.Library()


@register.filter
def excerpt(body_html: str, length: int = 160) -> str:
    """A stored body as a short plain-text excerpt (escaped again when printed)."""
    return excerpt_of(body_html, length)
