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
    path("accounts/accept-terms/", views.accept_documents, name="accept-documents"),
    path("terms/", views.current_document, {"kind": "terms"}, name="terms"),
    path("terms/<str:version>/", views.document_version, {"kind": "terms"}, name="terms-version"),
    path("privacy/", views.current_document, {"kind": "privacy"}, name="privacy"),
    path("privacy/<str:version>/", views.document_version, {"kind": "privacy"}, name="privacy-version"),
]
