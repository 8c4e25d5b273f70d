"""Settings read from the environment, with safe defaults."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks

ROOT = Path(__file__).resolve().parent.parent


def run_python(code, **env):
    """Run code in a fresh interpreter with only the given settings variables."""
    return run_interpreter(["-c", code], **env)


def run_interpreter(arguments, **env):
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL", "ALLOWED_HOSTS", "HTTPS", "OIDC_PROVIDERS"}
    clean = {key: value for key, value in os.environ.items() if key not in unset}
    clean |= {"DJANGO_SETTINGS_MODULE": "consultation.settings", **env}
    return subprocess.run([sys.executable, *arguments], cwd=ROOT, env=clean, capture_output=True, text=True)


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


# --- The configuration table and the deploy checks ------------------------------------------

READS_VARIABLE = re.compile(r'(?:os\.environ\.get|env_bool|env_list)\(f?"([A-Z_]+)')


def variables_read():
    """Every environment variable settings.py and gunicorn.conf.py read
    (FORUM_RATE_LIMIT_<ACTION> as its prefix), and DATABASE_URL, which dj-database-url reads."""
    names = {"DATABASE_URL"}
    for path in (ROOT / "consultation" / "settings.py", ROOT / "gunicorn.conf.py"):
        names |= set(READS_VARIABLE.findall(path.read_text()))
    return names


def configuration_table():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n#", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)", cell)}


def test_every_variable_the_settings_read_is_in_the_readme_configuration_table():
    read = variables_read()
    assert {"HTTPS", "SITE_URL", "BEHIND_PROXY", "TRUSTED_PROXY_COUNT", "WEB_CONCURRENCY"} <= read
    assert sorted(read - configuration_table()) == []


def deploy_warnings():
    return sorted(message.id for message in checks.run_checks(include_deployment_checks=True, tags=["consultation"]))


@pytest.fixture
def production(settings):
    """The documented production settings, which the deploy checks pass."""
    settings.DEBUG = False
    settings.HTTPS = True
    settings.ALLOWED_HOSTS = ["forum.example.org"]
    settings.SITE_URL = "https://forum.example.org"
    settings.CACHES = {"default": {"BACKEND": "consultation.cache.TolerantRedisCache", "LOCATION": "redis://r:6379/0"}}
    settings.FORUM_RATE_LIMITS = {"post": [(5, 60)]}
    settings.FORUM_CACHE_ROOM_PAGES = True
    return settings


def test_the_deploy_checks_pass_the_documented_production_settings(production):
    assert deploy_warnings() == []


def test_the_deploy_checks_pass_a_plain_http_run_with_a_matching_site_url(production):
    production.HTTPS = False
    production.SITE_URL = "http://forum.example.org:8000"
    assert deploy_warnings() == []


@pytest.mark.parametrize(
    "site_url, allowed_hosts",
    [("http://127.0.0.1:8000", ["forum.example.org"]), ("https://forum.example.com", [".example.org"])],
)
def test_the_deploy_checks_warn_when_site_url_names_a_host_not_allowed(production, site_url, allowed_hosts):
    production.SITE_URL = site_url.replace("http://", "https://")
    production.ALLOWED_HOSTS = allowed_hosts
    assert deploy_warnings() == ["consultation.W001"]


@pytest.mark.parametrize("https, site_url", [(True, "http://forum.example.org"), (False, "https://forum.example.org")])
def test_the_deploy_checks_warn_when_site_url_and_https_disagree(production, https, site_url):
    production.HTTPS = https
    production.SITE_URL = site_url
    assert deploy_warnings() == ["consultation.W002"]


def test_the_deploy_checks_warn_when_each_process_counts_the_rate_limits_and_caches_pages_alone(production):
    production.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert deploy_warnings() == ["consultation.W003", "consultation.W004"]
    production.FORUM_RATE_LIMITS = {"post": []}
    production.FORUM_CACHE_ROOM_PAGES = False
    assert deploy_warnings() == []
    production.DEBUG = True
    production.FORUM_RATE_LIMITS = {"post": [(5, 60)]}
    assert deploy_warnings() == []


def test_a_production_start_with_the_defaults_warns_of_what_does_not_fit():
    result = run_python(
        "import django; django.setup(); from django.core.management import call_command;"
        "call_command('check', '--deploy', '--tag', 'consultation')",
        DEBUG="0",
        SECRET_KEY="x9-production-like-secret-key-for-the-deploy-check-0123456789abcdefghij",
        ALLOWED_HOSTS="forum.example.org",
    )
    for warning in ("consultation.W001", "consultation.W002", "consultation.W003"):
        assert warning in result.stderr, result.stderr


# --- Organisations' OpenID Connect providers (OIDC_PROVIDERS) ----------------------------------

ENTRA = {
    "id": "contoso",
    "name": "Contoso",
    "server_url": "https://login.microsoftonline.com/0b8f-tenant/v2.0/",
    "client_id": "6731de76-14a6-49ae-97bc-6eba6914391e",
    "secret": "a-client-secret",
}


def test_oidc_providers_from_the_environment_become_allauths_openid_connect_apps():
    result = run_python(
        "from django.conf import settings; import json; print(json.dumps(settings.SOCIALACCOUNT_PROVIDERS))",
        DEBUG="1",
        OIDC_PROVIDERS=json.dumps(
            [ENTRA, ENTRA | {"id": "un-women", "name": "UN Women", "server_url": "https://id.example.org"}]
        ),
    )
    apps = json.loads(result.stdout)["openid_connect"]["APPS"]
    assert [(app["provider_id"], app["name"], app["settings"]["server_url"]) for app in apps] == [
        ("contoso", "Contoso", "https://login.microsoftonline.com/0b8f-tenant/v2.0"),
        ("un-women", "UN Women", "https://id.example.org"),
    ]
    assert apps[0]["client_id"] == ENTRA["client_id"] and apps[0]["secret"] == "a-client-secret"


def test_without_oidc_providers_there_are_none():
    result = run_python(
        "from django.conf import settings; print(settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'])",
        DEBUG="1",
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "value, message",
    [
        ("[{", "OIDC_PROVIDERS is not valid JSON"),
        (json.dumps(ENTRA), "must be a JSON list of providers"),
        (json.dumps(["contoso"]), "provider 1 must be an object"),
        (json.dumps([ENTRA | {"secret": ""}]), "provider 1 needs a non-empty text for: secret"),
        (json.dumps([{"id": "x"}]), "needs a non-empty text for: name, server_url, client_id, secret"),
        (json.dumps([ENTRA | {"tenant": "x"}]), "provider 1 has keys we do not know: tenant"),
        (json.dumps([ENTRA | {"id": "Contoso Ltd"}]), "lower-case letters, digits and hyphens only"),
        (
            json.dumps([ENTRA | {"server_url": "http://login.example.org"}]),
            "server_url must be the provider's https://",
        ),
        (json.dumps([ENTRA, ENTRA]), "names the id 'contoso' twice"),
    ],
)
def test_a_malformed_oidc_providers_stops_the_start_with_a_message_saying_what_is_wrong(value, message):
    check = run_interpreter(["manage.py", "check"], DEBUG="1", OIDC_PROVIDERS=value)
    assert check.returncode != 0
    assert "consultation.E001" in check.stderr and message in check.stderr, check.stderr
    assert "Traceback" not in check.stderr


def test_the_app_refuses_to_serve_with_a_malformed_oidc_providers():
    result = run_python("import consultation.wsgi", SECRET_KEY="x" * 50, OIDC_PROVIDERS=json.dumps([ENTRA, ENTRA]))
    assert result.returncode != 0
    assert "OIDC_PROVIDERS names the id 'contoso' twice" in result.stderr.strip().splitlines()[-1]
