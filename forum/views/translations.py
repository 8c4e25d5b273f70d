"""A comment in the reader's language: its machine translation on a page of
its own, which works without JavaScript and which forum.js draws in place."""

from allauth.account.adapter import get_adapter
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language, ngettext
from django.views.decorators.http import require_safe

from forum import display, selectors
from forum.ratelimits import RateLimited
from forum.selectors import translations
from forum.services.translations import request_translation


@require_safe
def comment_translation(request, comment_id, language):
    comment = selectors.get_comment_for_permalink(request.user, comment_id)
    if not translations.may_be_translated(comment, translations.reader_language(language)):
        raise Http404
    translation = translations.translation_of(comment, language)
    refusal, status = None, 200
    if translation.state == translations.State.PENDING:
        try:
            request_translation(
                request.user, comment=comment, target=language, client_key=get_adapter().get_client_ip(request)
            )
        except RateLimited as limited:
            refusal, status = _too_many(limited.retry_after), 429
        else:
            # Made at once when the queue runs tasks in the request (development, tests).
            translation = translations.translation_of(comment, language)
    context = {
        "comment": comment,
        "card": display.draw_single(request.user, comment),
        "room": comment.room,
        "consultation": comment.room.consultation,
        "translation": translation,
        "refusal": refusal,
        "page_language": get_language(),
    }
    return render(request, "forum/comment_translation.html", context, status=status)


def _too_many(seconds: int) -> str:
    return ngettext(
        "You have asked for many translations in a short time. Please try again in %(seconds)d second.",
        "You have asked for many translations in a short time. Please try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}
