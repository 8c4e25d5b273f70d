from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/profile/", views.profile_edit, name="profile-edit"),
    path("language/", views.set_language, name="set-language"),
]
