"""Clear answers where Django would read too much or fail with a 500.

A request body too large (413), cut short or with a nonsense length (400),
before any form reads it (`RequestBodyCheckMiddleware`); a NUL character in
the address (400, `NullCharacterMiddleware`).

A database that cannot be reached: 503 and a friendly page. Two doors,
because Django turns an exception into a response at every middleware layer:

- `DatabaseUnavailableMiddleware` catches what a view raises (the usual case
  for an anonymous visitor: the view's first query fails);
- `server_error`, the handler500, catches what a middleware raises (a signed-in
  person's user is loaded by the middleware, before any view runs).

Both log the error, answer 503 with Retry-After, and draw templates/503.html
without a request context: its context processors would query the database.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, UnreadablePostError
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from forum.retries import is_collision

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)

# Seconds a client is asked to wait: a database restart or failover takes about that.
RETRY_AFTER_SECONDS = 10


class RequestBodyCheckMiddleware:
    """A body is read whole, or the request is refused before any form sees it:
    413 over DATA_UPLOAD_MAX_MEMORY_SIZE, unread; 400 when Content-Length is
    not a number (Django would fail with a 500) or the body ends before the
    length announced (Django would store the part of a comment that came).

    Django's own size check leaves out the file parts of a multipart body and
    this site takes no files, so bodies stay small enough to read in memory."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        announced = request.META.get("CONTENT_LENGTH") or "0"
        if not announced.isdigit():
            return _bad_request(_("The request's Content-Length is not a number."))
        length = int(announced)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            message = _(
                "This request is larger than the site accepts. A comment may have up to %(limit)s characters, "
                "and files cannot be sent."
            ) % {"limit": f"{settings.FORUM_COMMENT_MAX_LENGTH:,}"}
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        if length:
            try:
                received = len(request.body)
            except UnreadablePostError:
                received = -1
            if received != length:
                return _bad_request(_("The request ended before all of it arrived. Please send it again."))
        return self.get_response(request)


class NullCharacterMiddleware:
    """400 for a NUL character in the address or its query: no page of this site
    has a use for one, and PostgreSQL refuses it in a query (a 500 otherwise).
    Form fields are guarded by Django's own validator for the same reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return _bad_request(_("The address contains a null character."))
        return self.get_response(request)


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def database_unavailable(request, error: BaseException) -> HttpResponse:
    """The 503 answer for a request that failed because the database could not be used."""
    logger.error(
        "Database unavailable, answered 503: %s %s (%s: %s)",
        request.method,
        request.path,
        type(error).__name__,
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    try:
        body = loader.render_to_string("503.html")
    except Exception:
        # The error page itself must never fail; plain words will do.
        logger.exception("Could not draw 503.html")
        body = "The site cannot reach its database just now. Please try again in a minute."
        response = HttpResponse(body, status=503, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def collided(request, error: BaseException) -> HttpResponse:
    """409 for a request the database cancelled to let another through (a
    deadlock that happened again after the service tried once more): the
    database is fine, so this is not an outage."""
    logger.warning("Database collision, answered 409: %s %s (%s)", request.method, request.path, error)
    message = _(
        "Your request met another one at the same moment and was not saved. "
        "Go back and send it again: your text is still in the form."
    )
    response = HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _database_answer(request, error: BaseException) -> HttpResponse | None:
    if is_collision(error):
        return collided(request, error)
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable(request, error)
    return None


class DatabaseUnavailableMiddleware:
    """A view that fails on the database answers 503 with the friendly page
    (409 when two requests collided)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return _database_answer(request, exception)


@requires_csrf_token
def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: 503 when the unhandled error was the database's, otherwise Django's usual 500."""
    # Django calls the handler while it handles the exception, so it is still current.
    error = sys.exc_info()[1]
    return _database_answer(request, error) or defaults.server_error(request, template_name)
