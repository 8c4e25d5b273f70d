"""Settings for the consultation forum.

Everything that differs between a laptop and production comes from the
environment; the defaults are safe for local development only.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from consultation.oidc import ProviderConfigError, parse_oidc_providers

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -----------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules

# Without a key, Django refuses anything that signs (sessions, CSRF, tokens),
# and wsgi.py refuses to start; commands such as makemigrations still run.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")

# The public address of the site: used in emails and to tell our own links
# from other sites' when rendering comment bodies (forum/addresses.py).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Its name in page titles, the header, the admin and the account emails;
# empty: "Public consultations", translated.
SITE_NAME = os.environ.get("SITE_NAME", "").strip()
# "host" or "host:port", lower case: a host without a port is ours on the
# scheme's default port only, as a browser tells one origin from another.
_site = urlsplit(SITE_URL)
_site_host = f"[{_site.hostname}]" if ":" in (_site.hostname or "") else (_site.hostname or "")
_site_port = _site.port if _site.port not in (None, {"http": 80, "https": 443}.get(_site.scheme)) else None
FORUM_OWN_HOSTS = {f"{_site_host}:{_site_port}" if _site_port else _site_host} | {
    host.lower() for host in ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")
}

INSTALLED_APPS = [
    # Before the admin, so that its translated fields are in the admin's forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "mptt",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "consultation",
    "accounts",
    "forum",
]

MIDDLEWARE = [
    "consultation.middleware.HealthCheckMiddleware",
    # Kept anonymous room pages go out from here, before anything reads the
    # request; a page is kept with the headers everything below added.
    "forum.cache.RoomPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages go out compressed (with Django's BREACH mitigation); static files
    # come pre-compressed from whitenoise.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "consultation.middleware.ContentSecurityPolicyMiddleware",
    # Refuses bodies that are too large or cut short, before anything reads them.
    "consultation.errors.RequestBodyCheckMiddleware",
    "consultation.errors.NullCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: a database outage during a view answers 503 with a friendly page.
    "consultation.errors.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "consultation.urls"
WSGI_APPLICATION = "consultation.wsgi.application"
ASGI_APPLICATION = "consultation.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum.context_processors.notifications",
                "accounts.context_processors.documents_to_accept",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite in the project folder unless DATABASE_URL says otherwise.

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two
    # writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
# Redis when REDIS_URL is set, so that rate limits and cached pages are
# shared by every app process; otherwise each process keeps its own. The site
# serves without Redis (consultation/cache.py): an operation waits at most a
# socket timeout, and after a failure the process leaves Redis alone a while.

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "consultation.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5, "pause_after_error": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database only: one indexed read per signed-in request,
# right whether or not Redis answers. A copy in Redis (cached_db) would save
# that read, but a log-out during an outage could not delete the copy, which
# would sign the old cookie in again once Redis is back.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts -------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
# Sign-up ends on "check your email", whether or not the address already has
# an account, so the forms never tell a stranger who is registered. Following
# the link in the same browser signs the person in and takes them back to the
# page they signed up from (allauth keeps `next` with the pending log-in in the
# session). Verification by link, not by code: the link also works from
# another device, where the person is then asked to log in.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Wrong passwords count per IP and per address. The per-address window is
# short, so a burst from one machine keeps the owner out for a minute at most.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/m/key"}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = os.environ.get("EMAIL_SUBJECT_PREFIX", "[Consultation] ")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme or "https"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Display names a participant may not take (accounts.names): those of staff and moderators.
ACCOUNTS_DISPLAY_NAME_KEPT_FOR = "forum.permissions.is_name_kept_for_moderators"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# --- Signing in with an organisation (OpenID Connect) -------------------------
# Providers come from OIDC_PROVIDERS (README, "Sign in with your organisation");
# with none, the pages show no provider. A malformed value leaves them out and
# is reported by the system check consultation.E001, which stops runserver,
# migrate and bin/serve-prod, and by wsgi.py, which refuses to start.

try:
    OIDC_PROVIDERS = parse_oidc_providers(os.environ.get("OIDC_PROVIDERS", ""))
    OIDC_PROVIDERS_ERROR = ""
except ProviderConfigError as error:
    OIDC_PROVIDERS, OIDC_PROVIDERS_ERROR = [], str(error)
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": OIDC_PROVIDERS}}
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# A provider's account joins a local one only when both the provider and our
# own records say the address is verified (SocialAccountAdapter.can_authenticate_by_email).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# Everyone new goes through our sign-up form: their name as shown, and what
# else the form asks, are theirs to give, not the provider's to decide.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_VERIFICATION = ACCOUNT_EMAIL_VERIFICATION
SOCIALACCOUNT_QUERY_EMAIL = True
# We only need to know who the person is, never to act at the provider for them.
SOCIALACCOUNT_STORE_TOKENS = False

# --- Email ----------------------------------------------------------------

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The sender holds a notification's row lock while it talks to the mail server.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "consultation@localhost")

# --- Background tasks -------------------------------------------------------
# Email goes through a queue kept in the database; `python manage.py
# run_worker` runs it, waiting out database outages.

TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Internationalisation -------------------------------------------------

# The six official languages of the United Nations, in the UN's own order
# (Arabic, Chinese, English, French, Russian, Spanish: alphabetical in
# English), each named in itself. Chinese is the simplified script: Django
# knows Chinese only by script, so the interface says "zh-hans" where a
# comment's language says "zh" (forum.languages keeps the two apart).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

# The texts admins write (consultations, rooms, their questions and group
# headings, moderators' summaries) are kept in every interface language, one
# column each on the same row (django-modeltranslation, forum/translation.py):
# `title_en`, `title_es`… Each consultation says which language it is written
# in (Consultation.language); pages read the texts through
# forum.place_texts.text_in, which shows the reader's language and falls back
# to the consultation's (queries: forum.place_texts.source_text_of). The
# original columns (`title`) are modeltranslation's and are not read. A bare
# `room.title` reads the active language, then any language that has the
# text, English first, so it is never blank where some language has it.
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,) + tuple(
    code for code in MODELTRANSLATION_LANGUAGES if code != LANGUAGE_CODE
)
# Creating an object with `title=` fills the active language's column only.
MODELTRANSLATION_AUTO_POPULATE = False
FORMAT_MODULE_PATH = ["consultation.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Served by whitenoise, compressed and with hashed names (run collectstatic
# before starting); development and tests read the source files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Uploaded files (room documents) ---------------------------------------

# On local disk under MEDIA_ROOT by default; in an S3-compatible bucket when
# S3_BUCKET is set (django-storages, which needs boto3 installed). Either way
# they are served by the room's document view, never from MEDIA_URL, so the
# bucket stays private.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# In development whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# --- Security ---------------------------------------------------------------

# Comments are text: 10,000 characters is 120 KB form-encoded even in 4-byte
# characters; files (room documents, in the admin) are not counted here but
# limited by FORUM_DOCUMENT_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Safe by default outside DEBUG; a local production-like run over plain HTTP
# turns the HTTPS parts off with HTTPS=0 (see docs/deploy.md).

HTTPS = env_bool("HTTPS", not (DEBUG or TESTING))
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)
# Behind a proxy that terminates TLS, it says so in X-Forwarded-Proto, and
# allauth counts the real client address from X-Forwarded-For.
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None

# --- Forum ----------------------------------------------------------------

# Languages a comment can be detected as or marked with (ISO 639-1).
FORUM_COMMENT_LANGUAGES = ["en", "es", "fr", "pt", "ar", "ru", "zh"]

# Machine translation of comments (forum.machine_translation): a dotted path to
# an engine class, or "none". Apertium runs offline from Debian's packages;
# forum.machine_translation.libretranslate.LibreTranslate speaks to the
# LibreTranslate-compatible server at TRANSLATION_SERVER_URL.
TRANSLATION_BACKEND = os.environ.get("TRANSLATION_BACKEND", "forum.machine_translation.apertium.Apertium")
TRANSLATION_SERVER_URL = os.environ.get("TRANSLATION_SERVER_URL", "http://127.0.0.1:5000")
TRANSLATION_API_KEY = os.environ.get("TRANSLATION_API_KEY", "")
TRANSLATION_TIMEOUT_SECONDS = 30

# Anonymous room pages are cached when every process shares the cache (see forum/cache.py).
FORUM_CACHE_ROOM_PAGES = env_bool("FORUM_CACHE_ROOM_PAGES", bool(REDIS_URL))
FORUM_ROOM_PAGE_CACHE_SECONDS = 60
# A room as its pages show it around the comments (its texts, numbered
# questions and the day's rota) is kept under the room's version, for everyone
# alike, at most FORUM_ROOM_PAGE_CACHE_SECONDS (forum/selectors/rooms.py).
FORUM_CACHE_ROOMS = env_bool("FORUM_CACHE_ROOMS", bool(REDIS_URL))
# With them, each process keeps this many pages of threads as anyone reads
# them, under their room's version (forum/selectors/threads.py); 0 keeps none.
FORUM_THREAD_PAGES_KEPT = int(os.environ.get("FORUM_THREAD_PAGES_KEPT", "50"))
# The queries every page runs (forum/prepared.py) are prepared once per database
# session on PostgreSQL; off behind a pooler that shares sessions between clients.
FORUM_PREPARED_STATEMENTS = env_bool("FORUM_PREPARED_STATEMENTS", True)

# Room page views less than this apart are one visit: its pages all mark the
# same comments "New since your last visit" (forum.models.RoomVisit).
FORUM_VISIT_ENDS_AFTER_MINUTES = 60

# Room documents: the kinds taken (by extension, each checked by its content in
# forum/documents.py) and the largest file, in bytes.
FORUM_DOCUMENT_TYPES = env_list("FORUM_DOCUMENT_TYPES", "pdf,docx,xlsx,pptx,odt,ods,odp")
FORUM_DOCUMENT_MAX_BYTES = int(os.environ.get("FORUM_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))

FORUM_THREADS_PER_PAGE = 20
# The room page never draws more than this many comments; a long thread
# shows its first replies and links to a page of its own.
FORUM_COMMENTS_PER_ROOM_PAGE = 100
FORUM_COMMENTS_PER_THREAD_PAGE = 100
# Comments drawn once are kept in each process's memory, this many at most
# (about 3 KB each; forum/drawn.py); 0 draws every comment afresh.
FORUM_DRAWN_COMMENTS_KEPT = int(os.environ.get("FORUM_DRAWN_COMMENTS_KEPT", "5000"))
FORUM_MAX_DISPLAY_DEPTH = 5
FORUM_COMMENT_MAX_LENGTH = 10_000
# Only the first this many links to our comments, rooms and consultations in a
# comment become references (author, room, excerpt) or titles; further ones stay
# plain links, so a body of links costs no more than its length.
FORUM_MAX_REFERENCES_PER_COMMENT = 20
FORUM_PROFILE_COMMENTS_PER_PAGE = 20
FORUM_NOTIFICATIONS_PER_PAGE = 30
FORUM_MODERATION_QUEUE_PER_PAGE = 25
# At most this many of the people a comment mentions are notified; fewer
# for accounts less than a day old. The mentions themselves all show.
FORUM_MENTIONS_NOTIFIED = 10
FORUM_MENTIONS_NOTIFIED_NEW_ACCOUNT = 2
# Accounts younger than this whose comment has more links than
# FORUM_NEW_ACCOUNT_MAX_LINKS wait for a moderator.
FORUM_NEW_ACCOUNT_AGE_HOURS = 24
FORUM_NEW_ACCOUNT_MAX_LINKS = 3
# Reports come from accounts at least this old, with a confirmed email. Only
# accounts older than FORUM_REPORT_COUNTS_AFTER_HOURS count towards hiding a
# comment; when younger ones make up the number, the moderators are alerted.
FORUM_REPORT_MIN_ACCOUNT_AGE_HOURS = 1
FORUM_REPORT_COUNTS_AFTER_HOURS = 24
# A moderator invitation's link works for this many days, and once.
FORUM_INVITATION_DAYS = 14
# Per person, counted in the cache: {action: [(times, per seconds), …]}.
FORUM_RATE_LIMITS = {
    "post": [(5, 60), (60, 3600)],
    "edit": [(10, 60), (60, 3600)],
    "report": [(10, 600), (30, 86400)],
    # Asking for a machine translation not made yet (each costs an engine run).
    "translate": [(30, 600), (200, 86400)],
    # Rendering a preview costs what rendering a post does, but writes nothing.
    "preview": [(20, 60), (200, 3600)],
    # Giving and withdrawing both count: enough to read a page and endorse as one goes.
    "endorse": [(30, 60), (300, 3600)],
}
# Each can be set from the environment as "times/seconds,…", e.g.
# FORUM_RATE_LIMIT_POST="5/60,60/3600"; an empty value turns that limit off.
for _action in FORUM_RATE_LIMITS:
    _value = os.environ.get(f"FORUM_RATE_LIMIT_{_action.upper()}")
    if _value is not None:
        FORUM_RATE_LIMITS[_action] = [
            (int(times), int(seconds)) for times, seconds in (part.split("/") for part in _value.split(",") if part)
        ]

# --- Logging --------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"one_line": {"()": "consultation.logging.OneLineJsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            **({} if DEBUG else {"formatter": "one_line"}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own logger prints by itself in development; don't print twice.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
