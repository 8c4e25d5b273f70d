from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/profile/", views.profile_edit, name="profile-edit"),
    path(
        "accounts/profile/verify-organisation/",
        views.request_organisation_verification,
        name="request-organisation-verification",
    ),
    path("language/", views.set_language, name="set-language"),
]
