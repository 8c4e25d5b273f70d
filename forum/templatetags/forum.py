from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from consultation.site import site_name as _site_name
from forum import drawn, former, links, place_texts
from forum.languages import language_name as _language_name
from forum.rendering import excerpt_of

register = template.Library()


@register.filter
def excerpt(body_html: str, length: int = 160) -> str:
    """A stored body as a short plain-text excerpt (escaped again when printed)."""
    return excerpt_of(body_html, length)


@register.filter
def person_name(person, role: str = "") -> str:
    """A person's display name, or "Former participant" ("Former moderator" with
    role "moderator") once their account is deleted."""
    return former.name_of(person, as_moderator=role == "moderator")


@register.filter
def language_name(code: str) -> str:
    """'es' as 'Español', for the label on a comment written in another language."""
    return _language_name(code)


@register.filter
def bdi(value) -> str:
    """A name set inside a translated sentence, isolated so that an Arabic name in
    an English sentence (or the reverse) keeps its own direction and the sentence's."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def text_in(obj, field: str) -> place_texts.LocalText:
    """A consultation's, room's, question's, group's or summary's text in the page's
    language, else in the consultation's (forum.place_texts): prints as the text;
    `.attributes` gives the element its `lang` and `dir` when it is a fallback."""
    return place_texts.text_in(obj, field)


@register.simple_tag
def untranslated(*texts) -> str:
    """The quiet note under texts shown in the consultation's language because the
    page's has none yet: "Not yet available in Français" (once for several texts)."""
    if not any(getattr(text, "is_fallback", False) for text in texts):
        return ""
    reader = place_texts.reader_language()
    return format_html(
        '<p class="untranslated">{}</p>',
        _("Not yet available in %(language)s") % {"language": _language_name(reader)},
    )


@register.simple_tag
def untranslated_among(objects, field: str, *texts) -> str:
    """The same note, once under a list (guiding questions) where any item's
    `field`, or any of `texts` (their heading), is not in the page's language."""
    return untranslated(*texts, *(place_texts.text_in(obj, field) for obj in objects))


@register.filter
def marked(text: place_texts.LocalText) -> str:
    """A text escaped, inside `<span lang dir>` when shown in another language than the page's."""
    return text.marked


@register.simple_tag
def site_name() -> str:
    """SITE_NAME, or "Public consultations" in the page's language."""
    return _site_name()


@register.simple_tag
def fast_url(name, *args):
    """Like {% url %} for patterns whose last argument varies along a page
    (`{% fast_url 'forum:reply' consultation_slug room_slug comment.pk %}`), at a fraction of the cost."""
    return links.fill(name, *args)


@register.simple_tag
def site_url() -> str:
    """SITE_URL, the address our own links are recognised by (a quote's reference to a comment)."""
    return settings.SITE_URL


@register.simple_tag
def comment_max_length() -> int:
    """The longest comment body accepted, for the character counter."""
    return settings.FORUM_COMMENT_MAX_LENGTH


# Languages that put a no-break space before ":" (French typography).
_SPACE_BEFORE_COLON = {"fr"}


@register.simple_tag
def colon() -> str:
    """ ": " between a label and what follows it, as the page's language writes it
    ("\u00a0: " in French), where the colon is not part of a translated string."""
    language = (get_language() or "").split("-")[0]
    return "\u00a0: " if language in _SPACE_BEFORE_COLON else ": "


@register.simple_tag(takes_context=True)
def drawn_comment(context, card):
    """The comment drawn for `card` (forum.drawn keeps the drawn copies)."""
    return drawn.draw(card, context.get("csrf_token", ""))


@register.simple_tag(takes_context=True)
def drawn_threads(context, cards):
    """A page of threads, drawn flat from its cards (forum.display.draw_threads)."""
    return drawn.draw_all(cards, context.get("csrf_token", ""), template=drawn.IN_THREADS)
