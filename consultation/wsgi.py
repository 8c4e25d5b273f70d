import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consultation.settings")
application = get_wsgi_application()

# Refuse to serve without a secret key, rather than fail on the first request.
from django.conf import settings  # noqa: E402

settings.SECRET_KEY  # raises ImproperlyConfigured when it is empty
