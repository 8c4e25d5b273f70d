import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consultation.settings")
application = get_asgi_application()

# Refuse to serve without a secret key, rather than fail on the first request.
from django.conf import settings  # noqa: E402

settings.SECRET_KEY  # raises ImproperlyConfigured when it is empty
