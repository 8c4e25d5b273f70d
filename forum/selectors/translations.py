"""What a reader is offered of a comment in another language: a machine
translation into theirs, ready, on its way, or not to be had."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from forum import machine_translation
from forum.languages import language_name, comment_language_of
from forum.models import Comment, CommentTranslation


class State:
    READY = "ready"
    # Queued, or the engine could not answer yet.
    PENDING = "pending"
    # The engine cannot translate this pair at all.
    UNSUPPORTED = "unsupported"
    # The engine's answer lost part of the comment; nothing is shown.
    FAILED = "failed"


@dataclass(frozen=True)
class Translation:
    """A comment's body in the reader's language, as a machine made it."""

    state: str
    # ISO 639-1 codes and the languages' names in their own words.
    source: str
    source_name: str
    target: str
    target_name: str
    html: str = ""
    engine: str = ""


def reader_language(interface_code: str) -> str | None:
    """The language a reader of this interface reads comments in, if the site offers it."""
    offered = {comment_language_of(code) for code, _name in settings.LANGUAGES}
    code = comment_language_of(interface_code)
    return code if code in offered else None


def translation_url(comment_id: int, target: str) -> str:
    return reverse("forum:comment-translation", args=[comment_id, target])


def may_be_translated(comment: Comment, target: str | None) -> bool:
    """Whether a comment is one to offer in `target`: visible, of a known language, another one."""
    return bool(target) and comment.is_visible and bool(comment.language) and comment.language != target


def translation_of(comment: Comment, target: str) -> Translation:
    """The comment's translation into `target` (one query), as it stands."""
    names = {
        "source": comment.language,
        "source_name": language_name(comment.language),
        "target": target,
        "target_name": language_name(target),
    }
    if not machine_translation.can_translate(comment.language, target):
        return Translation(state=State.UNSUPPORTED, **names)
    stored = CommentTranslation.objects.filter(comment=comment, language=target).first()
    if stored is None or not stored.translates(comment):
        return Translation(state=State.PENDING, **names)
    if stored.status == CommentTranslation.Status.FAILED:
        return Translation(state=State.FAILED, **names)
    return Translation(state=State.READY, html=stored.body_html, engine=stored.engine, **names)


def reading_language(viewer) -> str | None:
    """The language a signed-in reader who chose to read comments translated
    reads them in (the page's), or None: comments are then shown as written."""
    if not (viewer.is_authenticated and viewer.reads_translations) or not machine_translation.engine().pairs():
        return None
    return reader_language(get_language() or settings.LANGUAGE_CODE)
