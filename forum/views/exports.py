"""Downloads of a room's or a consultation's comments as CSV or JSON (see forum/exports.py).

`?for=moderation` asks for the staff export of everything; without it the
export is the one for the report, which honours quoting consent."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from forum import exports, permissions, selectors

_FORMATS = {
    "csv": (exports.csv_chunks, "text/csv; charset=utf-8"),
    "json": (exports.json_chunks, "application/json; charset=utf-8"),
}


def _audience(request) -> str:
    return exports.FOR_MODERATION if request.GET.get("for") == exports.FOR_MODERATION else exports.FOR_REPORT


def _download(export_rows, *, name: str, extension: str) -> StreamingHttpResponse:
    encode, content_type = _FORMATS[extension]
    response = StreamingHttpResponse(encode(export_rows), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    # Private data: never kept by a shared cache or the browser's.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _room_export(request, consultation_slug, room_slug, extension):
    room = selectors.get_room(request.user, consultation_slug, room_slug)
    audience = _audience(request)
    if not permissions.can_export_room(request.user, room, everything=audience == exports.FOR_MODERATION):
        raise PermissionDenied
    name = exports.file_name(room.consultation.slug, room.slug, audience=audience, extension=extension)
    return _download(exports.rows([room], audience=audience), name=name, extension=extension)


def _consultation_export(request, consultation_slug, extension):
    consultation = selectors.get_consultation(request.user, consultation_slug)
    audience = _audience(request)
    if not permissions.can_export_consultation(
        request.user, consultation, everything=audience == exports.FOR_MODERATION
    ):
        raise PermissionDenied
    rooms = selectors.consultation_rooms(request.user, consultation)
    name = exports.file_name(consultation.slug, audience=audience, extension=extension)
    return _download(exports.rows(rooms, audience=audience), name=name, extension=extension)


@require_safe
@login_required
def room_csv(request, consultation_slug, room_slug):
    return _room_export(request, consultation_slug, room_slug, "csv")


@require_safe
@login_required
def room_json(request, consultation_slug, room_slug):
    return _room_export(request, consultation_slug, room_slug, "json")


@require_safe
@login_required
def consultation_csv(request, consultation_slug):
    return _consultation_export(request, consultation_slug, "csv")


@require_safe
@login_required
def consultation_json(request, consultation_slug):
    return _consultation_export(request, consultation_slug, "json")
