"""Two app servers over one PostgreSQL and one Redis, as production runs them:
a session started on one is good on the other, rate limits count across both,
and a cached room page is never stale on either."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import redis
from django.db import connection

from forum.models import Comment
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
# A database of Redis's sixteen that nothing else here uses; flushed before and after.
REDIS_URL = "redis://127.0.0.1:6379/13"
SECRET_KEY = "two-servers-test-key-shared-by-both-processes-0123456789abcdefghij"
PASSWORD = "a long test password 4 both servers"
# Five comments per person, in a window far longer than the test.
POST_LIMIT = "5/86400"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


class Browser:
    """Plain HTTP to 127.0.0.1 with a cookie jar; redirects are not followed.
    Cookies are kept for the host, not the port, as browsers do."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, form=None):
        headers = {"Host": f"127.0.0.1:{port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{port}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            html = response.read().decode()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response, html

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, form):
        return self.request(port, "POST", path, form)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    """The pytest-django test database, which the servers share with this test."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def healthy(port):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def shared_redis():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.fail(f"This test needs Redis at {REDIS_URL}: start redis-server.")
    yield
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def two_servers(django_db_setup, tmp_path_factory, shared_redis):
    """Ports of two gunicorn processes (one worker each) with DEBUG off, for
    the tests of this module; they connect to the test database for each request."""
    tmp_path = tmp_path_factory.mktemp("two_servers")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FORUM_", "DATABASE_", "REDIS_", "STATIC_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "consultation.settings",
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(),
        # No idle connection left to hold up pytest-django's flush and drop of the database.
        "CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "FORUM_CACHE_ROOM_PAGES": "1",
        "FORUM_RATE_LIMIT_POST": POST_LIMIT,
        "STATIC_ROOT": str(tmp_path / "static"),
        "WEB_CONCURRENCY": "1",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    # DEBUG off serves hashed static names from the manifest, which collectstatic writes.
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity=0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr

    servers = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"gunicorn-{name}.log", "wb")
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=ROOT, env=env | {"BIND": f"127.0.0.1:{port}", "SITE_URL": f"http://127.0.0.1:{port}"},
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            servers.append((port, process, log))
        deadline = time.monotonic() + 60
        for port, process, log in servers:
            while not healthy(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"gunicorn on port {port} did not come up:\n{Path(log.name).read_text()[-3000:]}")
                time.sleep(0.2)
        yield [port for port, _, _ in servers]
    finally:
        for _, process, _ in servers:
            process.terminate()
        for _, process, log in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()


@pytest.fixture
def person(settings):
    # The servers check passwords with the production hashers, not the tests' fast MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = factories.make_user("Amina Diallo")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def log_in(browser, port, user):
    response, html = browser.get(port, "/accounts/login/")
    assert response.status == 200
    token = CSRF_FIELD.search(html).group(1)
    response, html = browser.post(
        port, "/accounts/login/", {"csrfmiddlewaretoken": token, "login": user.email, "password": PASSWORD}
    )
    assert response.status == 302, html[-2000:]
    assert "sessionid" in browser.cookies


def comment_form_token(browser, port, room):
    """The CSRF token from the room page's comment form, which shows only to someone signed in."""
    response, html = browser.get(port, room.get_absolute_url())
    assert response.status == 200
    assert 'name="body"' in html, "the room page shows no comment form: not signed in on this server"
    return CSRF_FIELD.search(html).group(1)


def post_comment(browser, port, room, token, body):
    path = f"{room.get_absolute_url()}comment/"
    response, _ = browser.post(
        port, path, {"csrfmiddlewaretoken": token, "body": body, "language": "auto", "client_token": str(uuid.uuid4())}
    )
    return response


def test_a_person_logged_in_on_one_server_posts_through_the_other_and_both_show_it_at_once(two_servers, person):
    server_a, server_b = two_servers
    room = factories.make_room()
    reader, participant = Browser(), Browser()

    response, html = reader.get(server_a, room.get_absolute_url())
    assert response.status == 200
    assert response.getheader("X-Room-Cache") == "miss"
    response, _ = reader.get(server_b, room.get_absolute_url())
    assert response.getheader("X-Room-Cache") == "hit", "server B does not see the page server A cached"

    log_in(participant, server_a, person)
    token = comment_form_token(participant, server_b, room)
    body = f"Posted through the second server ({uuid.uuid4().hex[:8]})."
    response = post_comment(participant, server_b, room, token, body)
    assert response.status == 302
    assert Comment.objects.filter(room=room, author=person, body_source=body).exists()

    response, html = reader.get(server_a, room.get_absolute_url())
    assert response.getheader("X-Room-Cache") == "miss"
    assert body in html
    response, html = reader.get(server_b, room.get_absolute_url())
    assert response.getheader("X-Room-Cache") == "hit"
    assert body in html


def test_the_rate_limit_counts_comments_posted_through_either_server(two_servers, person):
    server_a, server_b = two_servers
    room = factories.make_room()
    participant = Browser()
    log_in(participant, server_b, person)
    token = comment_form_token(participant, server_a, room)

    for n in range(5):
        server = (server_a, server_b)[n % 2]
        response = post_comment(participant, server, room, token, f"Point {n + 1}, through port {server}.")
        assert response.status == 302, f"comment {n + 1} was refused ({response.status})"

    for server in (server_a, server_b):
        response = post_comment(participant, server, room, token, f"One point too many, through port {server}.")
        assert response.status == 429
        assert int(response.getheader("Retry-After")) > 0
    assert Comment.objects.filter(room=room, author=person).count() == 5
