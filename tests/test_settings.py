"""Settings read from the environment, with safe defaults."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(code, **env):
    """Run code in a fresh interpreter with only the given settings variables."""
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    clean |= {"DJANGO_SETTINGS_MODULE": "consultation.settings", **env}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_the_app_refuses_to_serve_without_a_secret_key_outside_debug():
    result = run_python("import consultation.wsgi")
    assert result.returncode != 0
    assert "The SECRET_KEY setting must not be empty" in result.stderr


def test_debug_gives_a_development_key_and_local_hosts():
    result = run_python(
        "from django.conf import settings; import json;"
        "print(json.dumps([bool(settings.SECRET_KEY), settings.ALLOWED_HOSTS, settings.EMAIL_BACKEND]))",
        DEBUG="1",
    )
    has_key, hosts, email_backend = json.loads(result.stdout)
    assert has_key
    assert hosts == ["127.0.0.1", "localhost"]
    assert email_backend == "django.core.mail.backends.console.EmailBackend"


def test_the_default_database_is_a_sqlite_file_that_takes_the_write_lock_at_once():
    result = run_python(
        "from django.conf import settings; import json; db = settings.DATABASES['default'];"
        "print(json.dumps([db['ENGINE'], str(db['NAME']), db['OPTIONS']['transaction_mode']]))",
        DEBUG="1",
    )
    engine, name, mode = json.loads(result.stdout)
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")
    assert mode == "IMMEDIATE"


def test_database_url_selects_postgresql():
    result = run_python(
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        DEBUG="1",
        DATABASE_URL="postgres://someone@db.example:5432/forum",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_rate_limits_can_be_set_from_the_environment():
    result = run_python(
        "from django.conf import settings; import json; print(json.dumps(settings.FORUM_RATE_LIMITS))",
        DEBUG="1",
        FORUM_RATE_LIMIT_POST="3/10,20/3600",
        FORUM_RATE_LIMIT_REPORT="",
    )
    limits = json.loads(result.stdout)
    assert limits["post"] == [[3, 10], [20, 3600]]
    assert limits["report"] == []
    assert limits["edit"] == [[10, 60], [60, 3600]]
