import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consultation.settings")
application = get_wsgi_application()

# Kept anonymous room pages go out before Django's handler (forum/cache.py).
from forum.cache import ServeKeptRoomPages  # noqa: E402

application = ServeKeptRoomPages(application)

# Refuse to serve without a secret key, or with providers we cannot read,
# rather than fail on the first request.
from django.conf import settings  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

settings.SECRET_KEY  # raises ImproperlyConfigured when it is empty
if settings.OIDC_PROVIDERS_ERROR:
    raise ImproperlyConfigured(settings.OIDC_PROVIDERS_ERROR)
