"""Machine translations of comments: made in the task worker after a comment is
published or edited, one per site language the engine can reach, and kept
until the body they translate changes (forum.models.CommentTranslation)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django_tasks import task

from accounts.models import User
from forum import machine_translation, ratelimits
from forum.machine_translation import EngineUnavailable, markup
from forum.models import Comment, CommentTranslation

logger = logging.getLogger(__name__)


def target_languages(comment: Comment) -> list[str]:
    """The site's languages this comment can be machine-translated into."""
    return [code for code, _name in settings.LANGUAGES if machine_translation.can_translate(comment.language, code)]


def queue_translations(comment_id: int) -> None:
    """Ask the worker to translate a comment (it checks that the comment is
    visible and what it can be translated into). Queued inside the caller's
    transaction: the database queue runs it once the change has committed."""
    if machine_translation.engine().pairs():
        translate_comment.enqueue(comment_id)


def translate_again(comment_id: int) -> None:
    """The comment's body or language changed: its translations are of a body
    that is no more. They go, in the caller's transaction, and new ones are queued."""
    CommentTranslation.objects.filter(comment_id=comment_id).delete()
    queue_translations(comment_id)


def names_in_room(comment: Comment) -> list[str]:
    """The names a comment in this room may write as words: its people's
    display names and organisations, which are never translated."""
    people = User.objects.filter(
        Q(comments__room_id=comment.room_id) | Q(moderator_assignments__room_id=comment.room_id)
    ).distinct()
    names = set()
    for display_name, organisation in people.values_list("display_name", "organisation"):
        names.update(name for name in (display_name, organisation) if name)
    return sorted(names)


@task()
def translate_comment(comment_id: int, languages: list[str] | None = None) -> dict:
    """Translate the comment into each target language (or those given) that has
    no current translation. An engine that cannot answer now leaves the
    translation to the next request for it."""
    comment = Comment.objects.filter(pk=comment_id, state=Comment.State.VISIBLE).first()
    if comment is None:
        return {"translated": []}
    wanted = [code for code in target_languages(comment) if languages is None or code in languages]
    current = {
        t.language
        for t in CommentTranslation.objects.filter(comment=comment, language__in=wanted)
        if t.translates(comment)
    }
    shielded = markup.shield(comment.body_html, names=names_in_room(comment)) if set(wanted) - current else None
    done = []
    for language in wanted:
        if language in current:
            continue
        engine = machine_translation.engine()
        try:
            [answer] = engine.translate([shielded.html], source=comment.language, target=language)
            html, status = markup.unshield(answer, shielded), CommentTranslation.Status.DONE
        except EngineUnavailable:
            logger.warning("Comment %s was not translated into %s now", comment.pk, language, exc_info=True)
            continue
        except markup.LostMarkup:
            logger.warning("The engine's translation of comment %s into %s lost its markup", comment.pk, language)
            html, status = "", CommentTranslation.Status.FAILED
        _store(comment, language=language, html=html, status=status, engine=engine.name)
        done.append(language)
    return {"translated": done}


def _store(comment: Comment, *, language: str, html: str, status: str, engine: str) -> None:
    with transaction.atomic():
        # The comment may have changed while the engine worked: store only a
        # translation of the body as it still is.
        still = Comment.objects.filter(
            pk=comment.pk, state=Comment.State.VISIBLE, body_html=comment.body_html, language=comment.language
        ).exists()
        if still:
            CommentTranslation.objects.update_or_create(
                comment=comment,
                language=language,
                defaults={
                    "source_language": comment.language,
                    "render_version": comment.render_version,
                    "source_digest": CommentTranslation.digest_of(comment.body_html),
                    "body_html": html,
                    "status": status,
                    "engine": engine,
                },
            )


def request_translation(reader, *, comment: Comment, target: str, client_key: str) -> None:
    """A reader asks for a translation not made yet (an older comment, or an
    engine that was down): the worker is asked to make it. Limited per person
    (or address), as each costs an engine run. The caller checked the comment
    may be read and translated."""
    key = ratelimits.user_key("translate", reader) if reader.is_authenticated else f"translate:client:{client_key}"
    for limit, period in settings.FORUM_RATE_LIMITS.get("translate", ()):
        wait = ratelimits.hit(key, limit=limit, period=period)
        if wait is not None:
            raise ratelimits.RateLimited(wait)
    translate_comment.enqueue(comment.pk, [target])
