"""The floor: the least a Django site does for a request. No app, no
middleware, no database, no template; one view (floor_site.urls)."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "floor-site-throwaway-key")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
ROOT_URLCONF = "floor_site.urls"
USE_TZ = True
USE_I18N = False
