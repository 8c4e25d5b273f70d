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
    # Before allauth's own address for it (consultation/urls.py includes these first).
    path("accounts/oidc/<str:provider_id>/login/", views.provider_login, name="provider-login"),
    path("language/", views.set_language, name="set-language"),
]
