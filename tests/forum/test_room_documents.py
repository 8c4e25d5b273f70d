"""Documents attached to a room in the admin: checked by their content, listed
on the room page with their type and size, and downloaded from the site."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from forum.models import Room, RoomDocument
from tests import factories
from tests.forum.admin_forms import room_change_form
from tests.test_settings import run_python

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ooxml(member="word/document.xml"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<document/>")
    return buffer.getvalue()


def opendocument(mimetype="application/vnd.oasis.opendocument.text"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        archive.writestr("content.xml", "<content/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(client, db):
    client.force_login(factories.make_user("Ada Admin", is_staff=True, is_superuser=True))
    return client


def upload(admin_client, room, name, content, title="Background paper"):
    data = room_change_form(
        room, documents=[{"title": title, "file": SimpleUploadedFile(name, content), "position": "1"}]
    )
    return admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)


def attach(room, name="mid-term-review.pdf", content=PDF, title="Mid-term review", content_type="application/pdf"):
    document = RoomDocument(room=room, title=title, content_type=content_type, size=len(content))
    document.file.save(name, ContentFile(content), save=True)
    return document


def document_url(document):
    room = document.room
    return reverse("forum:room-document", args=[room.consultation.slug, room.slug, document.pk, document.filename])


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("review.pdf", PDF, "application/pdf"),
        ("notes.docx", ooxml(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("figures.xlsx", ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.odt", opendocument(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_an_admin_attaches_a_document_whose_type_and_size_come_from_the_file(
    admin_client, room, name, content, content_type
):
    response = upload(admin_client, room, name, content)
    assert response.status_code == 302, response.content.decode()[:3000]
    document = RoomDocument.objects.get(room=room)
    assert document.title == "Background paper"
    assert document.content_type == content_type
    assert document.size == len(content)
    assert document.file.name.startswith("documents/") and document.filename == name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>", "Documents can be PDF, DOCX"),
        ("drawing.svg", b"<svg onload=alert(1)></svg>", "Documents can be PDF, DOCX"),
        ("report.pdf", b"<html><script>alert(1)</script></html>", "is not a real PDF file"),
        ("report.pdf", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "is not a real PDF file"),
        ("notes.docx", PDF, "is not a real DOCX file"),
        ("notes.docx", opendocument(), "is not a real DOCX file"),
        ("notes.odt", ooxml(), "is not a real ODT file"),
        ("sheet.ods", opendocument(), "is not a real ODS file"),
        ("notes.docx", b"PK\x03\x04 not really a zip", "is not a real DOCX file"),
    ],
)
def test_a_file_that_is_not_what_the_allow_list_takes_is_refused_with_a_clear_message(
    admin_client, room, name, content, message
):
    response = upload(admin_client, room, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RoomDocument.objects.exists()


def test_a_file_over_the_size_limit_is_refused(admin_client, room, settings):
    settings.FORUM_DOCUMENT_MAX_BYTES = 1000
    response = upload(admin_client, room, "big.pdf", PDF + b"0" * 2000)
    assert "documents can be at most 1000" in response.content.decode()
    assert not RoomDocument.objects.exists()


def test_the_allow_list_is_a_setting(admin_client, room, settings):
    settings.FORUM_DOCUMENT_TYPES = ["pdf"]
    response = upload(admin_client, room, "notes.docx", ooxml())
    assert "Documents can be PDF files" in response.content.decode()


def test_the_room_page_lists_documents_with_type_and_size(client, room):
    attach(room)
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    attach(room, "notes.docx", ooxml(), "Working notes", word)
    html = client.get(room.get_absolute_url()).content.decode()
    section = html.split('id="documents-heading"')[1].split("</section>")[0]
    assert "Mid-term review</a>" in section and "(PDF, " in section
    assert "Working notes</a>" in section and "(Word document, " in section
    assert f'href="{document_url(RoomDocument.objects.get(title="Mid-term review"))}"' in section


def test_document_sizes_are_written_the_way_each_language_writes_them(client, room):
    attach(room, content=PDF + b"0" * 1_600_000)
    html = client.get(room.get_absolute_url(), headers={"accept-language": "fr"}).content.decode()
    assert "1,5\xa0Mio" in html
    with translation.override("en"):
        html = client.get(room.get_absolute_url(), headers={"accept-language": "en"}).content.decode()
    assert "1.5\xa0MB" in html


def test_a_room_without_documents_shows_no_list(client, room):
    assert 'id="documents-heading"' not in client.get(room.get_absolute_url()).content.decode()


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_document_list_keeps_the_room_page_within_its_query_budget(client, room, participant, signed_in):
    factories.make_question(room)
    factories.make_comment(room, participant)
    for n in range(5):
        attach(room, f"paper-{n}.pdf", title=f"Paper {n}")
    if signed_in:
        client.force_login(participant)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(room.get_absolute_url())
    assert response.content.decode().count("(PDF, ") == 5
    assert len(queries) <= (6 if not signed_in else 13)


def test_a_document_is_downloaded_with_its_type_name_and_nosniff(client, room):
    document = attach(room)
    response = client.get(document_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="mid-term-review.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_name_in_another_alphabet_is_sent_in_utf_8(client, room):
    document = attach(room, "évaluation-à-mi-parcours.pdf")
    response = client.get(document_url(document))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%C3%A9valuation-%C3%A0-mi-parcours.pdf"


def test_a_document_of_an_unpublished_room_is_for_staff_only(client, room, participant):
    document = attach(room)
    Room.objects.filter(pk=room.pk).update(is_published=False)
    assert client.get(document_url(document)).status_code == 404
    client.force_login(participant)
    assert client.get(document_url(document)).status_code == 404
    client.force_login(factories.make_user("Sam Staff", is_staff=True))
    assert client.get(document_url(document)).status_code == 200


def test_a_document_is_only_found_under_its_own_room_and_name(client, room):
    document = attach(room)
    other = factories.make_room(consultation=room.consultation)
    url = reverse("forum:room-document", args=[room.consultation.slug, other.slug, document.pk, document.filename])
    assert client.get(url).status_code == 404
    url = reverse("forum:room-document", args=[room.consultation.slug, room.slug, document.pk, "other.pdf"])
    assert client.get(url).status_code == 404


def test_a_document_missing_from_storage_is_a_404_not_a_500(client, room):
    document = attach(room)
    document.file.storage.delete(document.file.name)
    assert client.get(document_url(document)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_deleting_a_document_deletes_its_file(room):
    document = attach(room)
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    document.delete()
    assert not storage.exists(name)


def test_documents_go_to_an_s3_compatible_bucket_when_one_is_named():
    code = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES['default']))"
    local = json.loads(run_python(code, DEBUG="1").stdout)
    assert local == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    s3 = json.loads(
        run_python(code, DEBUG="1", S3_BUCKET="papers", S3_ENDPOINT_URL="http://127.0.0.1:9000", S3_REGION="eu").stdout
    )
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "papers"
    assert s3["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert s3["OPTIONS"]["default_acl"] is None and s3["OPTIONS"]["querystring_auth"]


@pytest.mark.django_db(transaction=True)
def test_a_new_document_shows_at_once_on_the_cached_room_page(client, room, settings):
    settings.FORUM_CACHE_ROOM_PAGES = True
    assert client.get(room.get_absolute_url())["X-Room-Cache"] == "miss"
    assert client.get(room.get_absolute_url())["X-Room-Cache"] == "hit"
    attach(room, title="Fresh annex")
    assert "Fresh annex" in client.get(room.get_absolute_url()).content.decode()
