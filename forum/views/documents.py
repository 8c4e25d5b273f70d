"""A room's documents, downloaded from the site itself, so the room's readers
are the only ones who get them."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from forum import selectors


@require_safe
def room_document(request, consultation_slug, room_slug, document_id, filename):
    """Always a download, PDFs too: a file opened in the browser would be drawn
    under our address, and no document needs to be. nosniff keeps the browser
    to the type its content was checked against."""
    document = selectors.get_room_document(request.user, consultation_slug, room_slug, document_id)
    if filename != document.filename:
        raise Http404
    try:
        handle = document.file.open("rb")
    except OSError as missing:  # gone from the storage: this document only, not the room
        raise Http404 from missing
    response = FileResponse(handle, as_attachment=True, filename=document.filename, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # A room's readers may change (unpublished, a preview): no shared cache keeps it.
    response["Cache-Control"] = "private, max-age=3600"
    return response
