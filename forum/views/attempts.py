"""Sending a form to a service, the same way on every page: a refusal lands in
the form, which keeps what the person typed, and the status says what happened."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import ngettext

from forum.ratelimits import RateLimited

NOT_DONE = object()


@dataclass
class Attempt:
    result: Any = NOT_DONE
    status: int = 200
    retry_after: int | None = None

    @property
    def done(self) -> bool:
        return self.result is not NOT_DONE

    def respond(self, response):
        """The page drawn again after a refusal, with the status and, when it is
        a rate limit, when to come back (for people and for clients)."""
        response.status_code = self.status
        if self.retry_after:
            response["Retry-After"] = str(self.retry_after)
        return response


def rate_limit_message(retry_after: int) -> str:
    """What a person reads when they act too often; their text stays in the form."""
    return ngettext(
        "You are doing this faster than we allow. Please wait %(seconds)d second and try again; your text is kept below.",
        "You are doing this faster than we allow. Please wait %(seconds)d seconds and try again; your text is kept below.",
        retry_after,
    ) % {"seconds": retry_after}


def attempt(form, action, *, error_field=None) -> Attempt:
    """Run `action(form)` when the form was sent and is valid. Domain errors go
    to `error_field` (the whole form by default), refusals and rate limits to
    the whole form; nothing the person typed is lost."""
    if not form.is_bound:
        return Attempt()
    if not form.is_valid():
        return Attempt(status=400)
    try:
        return Attempt(result=action(form))
    except ValidationError as error:
        form.add_error(error_field, error)
        return Attempt(status=400)
    except PermissionDenied as refusal:
        form.add_error(None, str(refusal))
        return Attempt(status=403)
    except RateLimited as limited:
        form.add_error(None, rate_limit_message(limited.retry_after))
        return Attempt(status=429, retry_after=limited.retry_after)
