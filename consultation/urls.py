from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("forum.urls")),
]

# An outage of the database while middleware runs (loading the signed-in
# user) ends here: it answers 503 with a friendly page, like a view would.
handler500 = "consultation.errors.server_error"
