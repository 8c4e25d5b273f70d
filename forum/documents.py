"""Documents attached to a room: which kinds the site takes, and whether an
uploaded file really is one of them. No database.

A file is judged by its name's extension and by its content, never by what the
browser that uploaded it claims: a page of HTML or SVG renamed "report.pdf" is
refused, so nothing served from our site can run as a page of ours."""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

_OOXML_TYPES = "[Content_Types].xml"


@dataclass(frozen=True)
class DocumentKind:
    extension: str
    content_type: str
    label: object  # what the room page calls it ("PDF", "Word document")
    # For zip-based formats: a member only that format has (Office Open XML),
    # or the text of the "mimetype" member (OpenDocument).
    member: str = ""
    odf_mimetype: str = ""


KINDS = {
    kind.extension: kind
    for kind in [
        DocumentKind("pdf", "application/pdf", _("PDF")),
        DocumentKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _("Word document"),
            member="word/document.xml",
        ),
        DocumentKind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _("Excel spreadsheet"),
            member="xl/workbook.xml",
        ),
        DocumentKind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            _("PowerPoint presentation"),
            member="ppt/presentation.xml",
        ),
        DocumentKind(
            "odt",
            "application/vnd.oasis.opendocument.text",
            _("OpenDocument text"),
            odf_mimetype="application/vnd.oasis.opendocument.text",
        ),
        DocumentKind(
            "ods",
            "application/vnd.oasis.opendocument.spreadsheet",
            _("OpenDocument spreadsheet"),
            odf_mimetype="application/vnd.oasis.opendocument.spreadsheet",
        ),
        DocumentKind(
            "odp",
            "application/vnd.oasis.opendocument.presentation",
            _("OpenDocument presentation"),
            odf_mimetype="application/vnd.oasis.opendocument.presentation",
        ),
    ]
}


def allowed_kinds() -> dict[str, DocumentKind]:
    """The kinds settings.FORUM_DOCUMENT_TYPES allows, by extension."""
    return {extension: KINDS[extension] for extension in settings.FORUM_DOCUMENT_TYPES if extension in KINDS}


def kind_of_content_type(content_type: str) -> DocumentKind | None:
    return next((kind for kind in KINDS.values() if kind.content_type == content_type), None)


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def check_document(uploaded) -> DocumentKind:
    """The kind of an uploaded file, or ValidationError saying why it is refused:
    an extension off the allow-list, a file over the size limit, or content that
    is not what its extension says."""
    kinds = allowed_kinds()
    kind = kinds.get(extension_of(uploaded.name))
    if kind is None:
        raise ValidationError(
            _("Documents can be %(kinds)s files; “%(name)s” is not one."),
            params={"kinds": ", ".join(extension.upper() for extension in kinds), "name": uploaded.name},
            code="extension",
        )
    limit = settings.FORUM_DOCUMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; documents can be at most %(limit)s."),
            params={"name": uploaded.name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
            code="size",
        )
    if not _content_is(kind, uploaded):
        raise ValidationError(
            _("“%(name)s” is not a real %(kind)s file: its content does not match its name."),
            params={"name": uploaded.name, "kind": kind.extension.upper()},
            code="content",
        )
    return kind


def _content_is(kind: DocumentKind, uploaded) -> bool:
    uploaded.seek(0)
    try:
        if kind.extension == "pdf":
            return uploaded.read(5) == b"%PDF-"
        return _zip_is(kind, uploaded)
    finally:
        uploaded.seek(0)


def _zip_is(kind: DocumentKind, uploaded) -> bool:
    if uploaded.read(4) != b"PK\x03\x04":
        return False
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if kind.odf_mimetype:
                # OpenDocument's first member, "mimetype", names the format.
                first = archive.infolist()[0]
                return (
                    first.filename == "mimetype"
                    and archive.read(first).strip() == kind.odf_mimetype.encode()
                    and "META-INF/manifest.xml" in names
                )
            return _OOXML_TYPES in names and kind.member in names
    except (zipfile.BadZipFile, IndexError, KeyError, ValueError, OSError):
        return False
