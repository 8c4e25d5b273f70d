"""The admin is titled with the site's name."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from consultation.site import site_name_lazy

admin.site.site_header = site_name_lazy()
admin.site.site_title = site_name_lazy()
admin.site.index_title = _("Consultations, rooms and people")
