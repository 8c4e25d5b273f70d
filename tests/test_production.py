"""Production configuration: security headers, the health check, logs, and check --deploy."""

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from consultation.logging import OneLineJsonFormatter
from forum.services.comments import refresh_citing_comments

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "x9-production-like-secret-key-for-the-deploy-check-0123456789abcdefghij",
    "ALLOWED_HOSTS": "forum.example.org",
    "SITE_URL": "https://forum.example.org",
    "DATABASE_URL": "postgres://forum@db.example.org:5432/forum",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "BEHIND_PROXY": "1",
    "TRUSTED_PROXY_COUNT": "1",
}


def run_manage(*args, **env):
    # Only what a server would have: no test switches (the browser tests allow async-unsafe calls).
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_the_documented_production_environment_passes_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENVIRONMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_secure_cookies_hsts_and_https():
    code = (
        "from django.conf import settings as s; import json;"
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, list(s.SECURE_PROXY_SSL_HEADER),"
        " s.ALLAUTH_TRUSTED_PROXY_COUNT, s.CACHES['default']['BACKEND'], s.SESSION_ENGINE,"
        " s.STORAGES['staticfiles']['BACKEND']]))"
    )
    result = run_manage("shell", "-c", code, **PRODUCTION_ENVIRONMENT)
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == [
        True,
        True,
        True,
        True,
        31536000,
        "DENY",
        "same-origin",
        ["HTTP_X_FORWARDED_PROTO", "https"],
        1,
        "consultation.cache.TolerantRedisCache",
        "django.contrib.sessions.backends.db",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_every_page_carries_a_strict_content_security_policy(client, room):
    response = client.get(room.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_uses_inline_script_or_style():
    offenders = []
    # Emails are not pages (mail clients need their styles inline); the pages
    # kept beside them, such as the unsubscribe page, extend the site's base.
    # allauth's emails live in account/email/. Downloads (a person's data) are
    # opened from the person's disk, outside the site, so they carry their styles.
    pages = [
        path
        for path in (ROOT / "templates").rglob("*.html")
        if not {"emails", "email", "downloads"} & set(path.parts) or '{% extends "base.html" %}' in path.read_text()
    ]
    for template in pages:
        text = template.read_text()
        if "<script>" in text or '<script type="text/javascript">' in text or "<style" in text or ' style="' in text:
            offenders.append(str(template.relative_to(ROOT)))
        if " onclick=" in text or " onload=" in text or " onchange=" in text or " onsubmit=" in text:
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def test_healthz_answers_ok_when_the_database_and_cache_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.fixture
def database_down(monkeypatch):
    class DatabaseDown:
        def cursor(self):
            raise RuntimeError("connection refused")

    monkeypatch.setattr("consultation.middleware.connection", DatabaseDown())


def test_healthz_answers_503_when_the_database_does_not(client, db, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database" in response.content


def test_healthz_answers_200_degraded_when_only_the_cache_does_not(client, db, settings):
    # Nothing listens on port 9: the cache answers as an empty one.
    settings.CACHES = {
        "default": {
            "BACKEND": "consultation.cache.TolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"degraded: cache"


def test_healthz_answers_503_when_the_database_does_not_even_with_the_cache_down(client, db, database_down, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable: database; degraded: cache"


def test_healthz_answers_for_any_host_name(client, db):
    assert client.get("/healthz", HTTP_HOST="10.0.0.11:8000").status_code == 200


def test_log_lines_are_one_json_object_each_even_with_a_traceback():
    try:
        raise ValueError("boom\nwith a second line")
    except ValueError:
        record = logging.LogRecord("forum", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info())
    line = OneLineJsonFormatter().format(record)
    assert "\n" not in line
    event = json.loads(line)
    assert event["message"] == "failed: x"
    assert "ValueError: boom" in event["exception"]


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_healthz_answers_200_degraded_when_the_task_queue_waits_for_a_worker(client, db, database_queue):
    with time_machine.travel(timezone.now() - timedelta(minutes=6)):
        refresh_citing_comments.enqueue(1)
    # Deferred on purpose (a retry due later) does not count as late.
    refresh_citing_comments.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(2)
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"degraded: tasks")


def test_healthz_answers_ok_while_the_worker_keeps_up(client, db, database_queue):
    refresh_citing_comments.enqueue(1)
    refresh_citing_comments.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(2)
    assert client.get("/healthz").content == b"ok"
