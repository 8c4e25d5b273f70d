"""Requests that are too big, malformed or badly encoded get a clear 4xx, never a
500; a database that cannot be reached gets a friendly 503 page.

Most go through the test client; a few are handed to Django's WSGI handler
as a server would, with CSRF checks on and a body stream that may end early.

The site is taken as wired with consultation/errors.py (its two middleware
and its handler500; this module doubles as the URLconf that names it), and
the last test checks that the settings and URLconf really say so.
"""

import io
import sys
from contextlib import contextmanager

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections
from django.test import Client
from django.urls import reverse

from consultation import urls as site_urls
from forum.models import Comment
from tests import factories

pytestmark = pytest.mark.django_db

urlpatterns = site_urls.urlpatterns
handler500 = "consultation.errors.server_error"

BODY_CHECK = "consultation.errors.RequestBodyCheckMiddleware"
DATABASE_UNAVAILABLE = "consultation.errors.DatabaseUnavailableMiddleware"
NULL_CHECK = "consultation.errors.NullCharacterMiddleware"

MEGABYTE = 1024 * 1024
BOUNDARY = "----consultation-form-boundary"
# A CSRF secret for the raw WSGI requests: sent as the cookie and as the form field.
CSRF_SECRET = "a" * 16 + "B" * 16


@pytest.fixture(autouse=True)
def wired_with_consultation_errors(settings):
    """The body check before the session is read, the database door innermost."""
    middleware = [name for name in settings.MIDDLEWARE if name not in (BODY_CHECK, DATABASE_UNAVAILABLE)]
    middleware.insert(middleware.index("django.contrib.sessions.middleware.SessionMiddleware"), BODY_CHECK)
    settings.MIDDLEWARE = [*middleware, DATABASE_UNAVAILABLE]
    settings.ROOT_URLCONF = __name__


def new_comment_url(room):
    return reverse("forum:new-comment", kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug})


def room_url(room):
    return reverse("forum:room", kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug})


def multipart(*parts, boundary=BOUNDARY):
    """A multipart/form-data body from (name, bytes) and (name, bytes, filename) parts."""
    body = b""
    for name, value, *filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename[0]}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def post_bytes(client, url, data, content_type):
    return client.generic("POST", url, data=data, content_type=content_type)


# --- Too big -----------------------------------------------------------------


def test_a_ten_megabyte_form_is_refused_and_nothing_is_stored(participant_client, room):
    data = b"body=" + b"a" * (10 * MEGABYTE)

    response = post_bytes(participant_client, new_comment_url(room), data, "application/x-www-form-urlencoded")

    assert response.status_code in (400, 413)
    assert not Comment.objects.exists()


def test_a_ten_megabyte_multipart_field_is_refused(participant_client, room):
    data = multipart(("body", b"a" * (10 * MEGABYTE)))

    response = post_bytes(participant_client, new_comment_url(room), data, f"multipart/form-data; boundary={BOUNDARY}")

    assert response.status_code in (400, 413)
    assert not Comment.objects.exists()


def test_a_ten_megabyte_file_sent_with_a_comment_is_refused(participant_client, room):
    # Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count file parts; the body check does.
    data = multipart(("body", b"A short comment"), ("attachment", b"a" * (10 * MEGABYTE), "big.bin"))

    response = post_bytes(participant_client, new_comment_url(room), data, f"multipart/form-data; boundary={BOUNDARY}")

    assert response.status_code in (400, 413)
    assert not Comment.objects.exists()


def test_a_form_just_over_the_size_limit_is_refused_before_it_is_read(participant_client, room, settings):
    data = b"body=" + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 4)

    response = post_bytes(participant_client, new_comment_url(room), data, "application/x-www-form-urlencoded")

    assert response.status_code in (400, 413)
    # Refused as a request, not drawn again as a form with a too-long comment.
    assert b"the limit is" not in response.content


def test_the_longest_comment_fits_in_a_form_even_in_four_byte_characters(participant_client, room):
    body = "\N{GRINNING FACE}" * 10_000  # 120 KB once form-encoded

    response = participant_client.post(new_comment_url(room), {"body": body})

    assert response.status_code == 302
    assert Comment.objects.get().body_source == body


def test_a_comment_of_100000_characters_is_refused_with_the_limit_and_the_text_kept(participant_client, room):
    body = "Too long. " * 10_000

    response = participant_client.post(new_comment_url(room), {"body": body})

    assert response.status_code == 400
    assert "Your comment is 100000 characters long; the limit is 10000." in response.content.decode()
    assert response.context["form"]["body"].value() == body
    assert not Comment.objects.exists()


# --- Malformed ---------------------------------------------------------------


def test_a_multipart_body_without_a_boundary_is_refused(participant_client, room):
    data = multipart(("body", b"Hello"))

    response = post_bytes(participant_client, new_comment_url(room), data, "multipart/form-data")

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_multipart_body_with_an_invalid_boundary_is_refused(participant_client, room):
    data = multipart(("body", b"Hello"), boundary="bad boundary")

    response = post_bytes(participant_client, new_comment_url(room), data, 'multipart/form-data; boundary="\x00"')

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_truncated_multipart_body_is_refused(participant_client, room):
    data = multipart(("body", b"A comment cut off in the middle"))[:40]

    response = post_bytes(participant_client, new_comment_url(room), data, f"multipart/form-data; boundary={BOUNDARY}")

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_multipart_body_under_another_boundary_is_not_a_server_error(participant_client, room):
    data = multipart(("body", b"Hello"))

    response = post_bytes(participant_client, new_comment_url(room), data, "multipart/form-data; boundary=other")

    assert response.status_code < 500


def test_a_form_in_another_charset_than_utf8_is_refused(participant_client, room):
    response = post_bytes(
        participant_client, new_comment_url(room), b"body=Hello", "application/x-www-form-urlencoded; charset=latin-1"
    )

    assert response.status_code == 400
    assert not Comment.objects.exists()


# --- Badly encoded -------------------------------------------------------------


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b"body=%FF%FE+invalid+UTF-8+escaped", "application/x-www-form-urlencoded"),
        (b"body=\xff\xfe invalid UTF-8 raw", "application/x-www-form-urlencoded"),
        (multipart(("body", b"\xff\xfe invalid UTF-8 in a part")), f"multipart/form-data; boundary={BOUNDARY}"),
    ],
    ids=["escaped", "raw", "multipart"],
)
def test_invalid_utf8_in_a_comment_is_stored_readably_or_refused(participant_client, room, data, content_type):
    response = post_bytes(participant_client, new_comment_url(room), data, content_type)

    assert response.status_code in (302, 400)
    for comment in Comment.objects.all():
        assert "invalid UTF-8" in comment.body_source
        comment.body_source.encode("utf-8")  # stored as text, whatever came in


def test_a_null_byte_in_a_comment_is_refused(participant_client, room):
    response = post_bytes(
        participant_client, new_comment_url(room), b"body=Hello%00there", "application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert not Comment.objects.exists()


BAD_QUERIES = [
    "page=%FF",
    "page=%00",
    "page=-1",
    "page=99999999999999999999",
    "order=%FF%00",
    "answer=%FF",
    "question=%FF&language=%00",
    "language=en&page=%00",
    "q=%00",
    "q=a%00b&author=%FF%00&room=%00&language=%00&page=%00",
    "q=%FF%FE",
    "q=" + "x" * 100_000,
    "anything=" + "%FF" * 30_000,
]


@pytest.mark.parametrize("query", BAD_QUERIES, ids=lambda query: query[:30])
def test_odd_query_strings_never_make_a_server_error(client, participant, room, query):
    comment = factories.make_comment(room)
    client.force_login(participant)
    urls = [
        "/",
        room_url(room),
        reverse(
            "forum:thread",
            kwargs={"consultation_slug": room.consultation.slug, "room_slug": room.slug, "comment_id": comment.pk},
        ),
        new_comment_url(room),
        reverse("forum:search"),
        reverse("forum:notifications"),
    ]

    statuses = {url: client.get(url, QUERY_STRING=query).status_code for url in urls}

    assert all(status < 500 for status in statuses.values()), statuses


@pytest.mark.parametrize("kind", ["profile", "suspend"])
def test_a_null_byte_in_a_handle_in_the_path_is_refused(client, staff, consultation, kind):
    client.force_login(staff)
    path = {
        "profile": "/u/amina%00/",
        "suspend": f"/c/{consultation.slug}/suspend/amina%00/",
    }[kind]

    assert client.get(path).status_code == 400


def test_a_null_byte_in_the_mention_search_is_refused(participant_client):
    response = participant_client.get(reverse("forum:mention-suggestions"), {"q": "am\x00ina"})

    assert response.status_code == 400


def test_a_host_that_is_not_allowed_gets_a_400_page(client, participant, settings):
    settings.DEBUG = False
    client.force_login(participant)

    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400


# --- Through the WSGI handler, as a server hands requests over -------------------


@contextmanager
def connections_kept_open():
    # As Django's test client does: the handler would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_request(path_bytes=b"/", *, method="GET", query_bytes=b"", body=b"", content_length=None, **environ):
    """Status and body of one request handed to Django's WSGI handler; paths and
    query strings as the raw bytes a client sent (WSGI carries them as latin-1)."""
    full_environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path_bytes.decode("latin-1"),
        "QUERY_STRING": query_bytes.decode("latin-1"),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body) if content_length is None else content_length),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **environ,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    with connections_kept_open():
        chunks = WSGIHandler()(full_environ, start_response)
        content = b"".join(chunks)
        chunks.close()
    return answer["status"], content


def signed_in_cookie(participant):
    client = Client()
    client.force_login(participant)
    return f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_SECRET}"


@pytest.mark.parametrize(
    "path, query",
    [
        (b"/c/\xff\xfe/", b""),
        (b"/comment/1\x00/", b""),
        (b"/", b"page=\xff\xfe"),
        (b"/search/", b"q=\xff\x00\xfe"),
        (b"/search/", b"q=%ZZ&page=%"),
    ],
    ids=["path", "null-in-path", "query", "null-in-query", "broken-escapes"],
)
def test_raw_invalid_bytes_in_the_address_never_make_a_server_error(room, path, query):
    status, _ = wsgi_request(path, query_bytes=query)

    assert status < 500


def test_a_raw_post_with_the_csrf_token_posts_a_comment(participant, room):
    # The baseline for the raw requests below: the same request, intact, works.
    body = multipart(("csrfmiddlewaretoken", CSRF_SECRET.encode()), ("body", b"Posted the raw way"))

    status, _ = wsgi_request(
        new_comment_url(room).encode(),
        method="POST",
        body=body,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_COOKIE=signed_in_cookie(participant),
    )

    assert status == 302
    assert Comment.objects.get().body_source == "Posted the raw way"


def test_a_raw_multipart_body_that_ends_early_is_refused(participant, room):
    body = multipart(("csrfmiddlewaretoken", CSRF_SECRET.encode()), ("body", b"A comment the network cut off"))

    status, _ = wsgi_request(
        new_comment_url(room).encode(),
        method="POST",
        body=body[:-60],
        content_length=len(body),
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        HTTP_COOKIE=signed_in_cookie(participant),
    )

    assert status == 400
    assert not Comment.objects.exists()


def test_a_raw_post_announcing_ten_megabytes_is_refused_unread(participant, room):
    status, _ = wsgi_request(
        new_comment_url(room).encode(),
        method="POST",
        body=b"body=Hello",
        content_length=10 * MEGABYTE,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_COOKIE=signed_in_cookie(participant),
    )

    assert status in (400, 413)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("length", ["many", "-5"])
def test_a_raw_post_with_a_nonsense_content_length_is_not_a_server_error(participant, room, length):
    status, _ = wsgi_request(
        new_comment_url(room).encode(),
        method="POST",
        body=b"body=Hello",
        content_length=length,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_COOKIE=signed_in_cookie(participant),
    )

    assert 400 <= status < 500
    assert not Comment.objects.exists()


# --- The database out of reach: 503 and a friendly page ----------------------------


def database_down(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def test_a_page_whose_view_cannot_reach_the_database_answers_503_with_the_friendly_page(client, room, monkeypatch):
    monkeypatch.setattr("forum.selectors.get_room_to_read", database_down)

    response = client.get(room_url(room))

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Back in a moment" in response.content.decode()
    assert "may not have been saved" in response.content.decode()


def test_posting_while_the_database_is_down_answers_503(participant_client, room, monkeypatch):
    monkeypatch.setattr("forum.services.post_comment", database_down)

    response = participant_client.post(new_comment_url(room), {"body": "Sent during an outage"})

    assert response.status_code == 503
    assert "Back in a moment" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_signed_in_person_gets_503_when_loading_their_account_fails(participant, room, monkeypatch):
    # The user is loaded by a middleware, before any view: handler500's door.
    client = Client(raise_request_exception=False)
    client.force_login(participant)
    monkeypatch.setattr("django.contrib.auth.middleware.get_user", database_down)

    response = client.get(room_url(room))

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Back in a moment" in response.content.decode()


class Deadlock(Exception):
    """What psycopg raises when PostgreSQL cancels a transaction to break a deadlock."""

    pgcode = "40P01"


def collision(*args, **kwargs):
    try:
        raise Deadlock("deadlock detected")
    except Deadlock as cause:
        raise OperationalError("deadlock detected") from cause


def test_a_deadlock_is_tried_once_more_and_then_succeeds(participant_client, room, monkeypatch):
    from forum.services import comments

    real = comments.lock_new_thread_allocation
    calls = []

    def deadlocks_once():
        calls.append(1)
        if len(calls) == 1:
            collision()
        real()

    monkeypatch.setattr(comments, "lock_new_thread_allocation", deadlocks_once)

    response = participant_client.post(new_comment_url(room), {"body": "Met another request."})

    assert response.status_code == 302
    assert len(calls) == 2
    assert Comment.objects.get().body_source == "Met another request."


def test_a_deadlock_that_happens_again_is_a_409_not_an_outage(participant_client, room, monkeypatch):
    monkeypatch.setattr("forum.services.comments.lock_new_thread_allocation", collision)

    response = participant_client.post(new_comment_url(room), {"body": "Met another request."})

    assert response.status_code == 409
    assert "send it again" in response.content.decode()
    assert not Comment.objects.exists()


def test_other_errors_still_answer_500(client, room, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("not the database")

    monkeypatch.setattr("forum.selectors.get_room_to_read", broken)
    client.raise_request_exception = False

    response = client.get(room_url(room))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_site_is_wired_with_consultation_errors():
    from django.conf import global_settings

    from consultation import settings as site_settings

    middleware = site_settings.MIDDLEWARE
    assert BODY_CHECK in middleware
    assert middleware.index(BODY_CHECK) < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    # Before the session is read: a NUL in the address never reaches a query.
    assert middleware.index(NULL_CHECK) < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware[-1] == DATABASE_UNAVAILABLE
    assert getattr(site_urls, "handler500", None) == "consultation.errors.server_error"
    # A comment of 10,000 four-byte characters is 120 KB form-encoded.
    limit = getattr(site_settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", global_settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    assert limit == MEGABYTE
