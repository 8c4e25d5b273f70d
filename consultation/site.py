"""The site's name, in page titles, the header and the admin: SITE_NAME, or
else "Public consultations" in the reader's language."""

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext


def site_name() -> str:
    return settings.SITE_NAME or gettext("Public consultations")


# For module-level settings such as the admin's titles, read in each request's language.
site_name_lazy = lazy(site_name, str)
