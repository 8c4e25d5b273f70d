"""Endorsing a comment: a plain form that comes back to the comment, or JSON
for static/js/endorse.js, which updates the button in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from forum import display, selectors, services
from forum.models import Endorsement
from forum.ratelimits import RateLimited


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _rate_limit_message(retry_after: int) -> str:
    return ngettext(
        "You are endorsing faster than we allow. Please wait %(seconds)d second and try again.",
        "You are endorsing faster than we allow. Please wait %(seconds)d seconds and try again.",
        retry_after,
    ) % {"seconds": retry_after}


@require_POST
@login_required
def endorse_comment(request, comment_id):
    comment = selectors.get_comment_for_permalink(request.user, comment_id)
    if comment.is_pending and comment.author_id != request.user.pk:
        raise Http404  # a held comment is not there for others
    try:
        state = services.set_endorsement(
            request.user,
            comment=comment,
            kind=request.POST.get("kind", ""),
            endorsed=request.POST.get("endorse") != "off",
        )
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        raise PermissionDenied(" ".join(error.messages)) from None
    except PermissionDenied as refusal:
        if _wants_json(request):
            return JsonResponse({"error": str(refusal)}, status=403)
        raise
    except RateLimited as limited:
        message = _rate_limit_message(limited.retry_after)
        if _wants_json(request):
            response = JsonResponse({"error": message}, status=429)
            response["Retry-After"] = str(limited.retry_after)
            return response
        messages.error(request, message)
        return redirect(selectors.comment_location(comment))
    if _wants_json(request):
        label = Endorsement.Kind(state.kind).label
        return JsonResponse(
            {
                "kind": state.kind,
                "endorsed": state.endorsed,
                "count": state.count,
                "name": display.endorsement_name(label, state.count),
            }
        )
    return redirect(selectors.comment_location(comment))
