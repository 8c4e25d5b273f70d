"""Deploy checks (`manage.py check --deploy`, tag `consultation`) for settings
that each look fine but do not fit together. bin/serve-prod runs them before
it starts gunicorn, and CI runs them with the documented production settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host

# Caches each process keeps for itself: what one counts, the others never see.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register("consultation", deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """SITE_URL (links in emails, our own links in comments) must name an allowed host, with the scheme HTTPS says."""
    site = urlsplit(settings.SITE_URL)
    warnings = []
    if not validate_host(site.hostname or "", settings.ALLOWED_HOSTS):
        warnings.append(
            checks.Warning(
                f"SITE_URL ({settings.SITE_URL!r}) names a host that is not in ALLOWED_HOSTS "
                f"({', '.join(settings.ALLOWED_HOSTS) or 'empty'}): links in emails lead to a site that refuses them.",
                hint="Set SITE_URL to the address people use, e.g. https://forum.example.org, "
                "and list its host in ALLOWED_HOSTS.",
                id="consultation.W001",
            )
        )
    scheme = "https" if settings.HTTPS else "http"
    if site.scheme != scheme:
        warnings.append(
            checks.Warning(
                f"SITE_URL ({settings.SITE_URL!r}) does not start with {scheme}:// although HTTPS is "
                f"{'on' if settings.HTTPS else 'off'}.",
                hint="Serving plain HTTP (a local production-like run) needs HTTPS=0 and an http:// SITE_URL; "
                "otherwise use an https:// SITE_URL and leave HTTPS on.",
                id="consultation.W002",
            )
        )
    return warnings


@checks.register("consultation", deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """Outside DEBUG, what the rate limits count and the cached room pages must be shared by every app process."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    warnings = []
    if any(settings.FORUM_RATE_LIMITS.values()):
        warnings.append(
            checks.Warning(
                f"The rate limits are counted by each app process alone ({backend.rsplit('.', 1)[-1]}): "
                "with N processes (gunicorn.conf.py starts 2 per core and 1) a person gets N times each limit, "
                "at posting, editing, reporting and logging in.",
                hint="Set REDIS_URL, so that every app process counts in one Redis.",
                id="consultation.W003",
            )
        )
    if settings.FORUM_CACHE_ROOM_PAGES or settings.FORUM_CACHE_ROOMS:
        warnings.append(
            checks.Warning(
                "Room pages or rooms are cached by each app process alone: a change dropped by one is still served "
                "stale by the others.",
                hint="Set REDIS_URL, or leave FORUM_CACHE_ROOM_PAGES and FORUM_CACHE_ROOMS off.",
                id="consultation.W004",
            )
        )
    return warnings


@checks.register("consultation")
def check_oidc_providers(app_configs=None, **kwargs):
    """OIDC_PROVIDERS must be readable; settings.py left the providers out and kept the reason."""
    if not settings.OIDC_PROVIDERS_ERROR:
        return []
    return [
        checks.Error(
            settings.OIDC_PROVIDERS_ERROR,
            hint='See "Sign in with your organisation" in README.md for the form of OIDC_PROVIDERS.',
            id="consultation.E001",
        )
    ]
