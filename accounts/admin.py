from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User
from accounts.names import clean_display_name

# allauth lists email addresses in an "Accounts" section of its own, beside
# ours (also "Accounts"); they are shown on each person's page instead.
if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    fields = ["email", "verified", "primary"]
    extra = 0


class UserAdminChangeForm(UserChangeForm):
    def clean_display_name(self):
        return clean_display_name(self.cleaned_data["display_name"], person=self.instance)


class UserAdminCreationForm(AdminUserCreationForm):
    def clean_display_name(self):
        return clean_display_name(self.cleaned_data["display_name"], person=self.instance)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["display_name"]
    list_display = ["display_name", "handle", "email", "organisation", "country", "is_staff", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "speaks_for_organisation", "country"]
    search_fields = ["display_name", "handle", "email", "organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Public profile"),
            {
                "fields": [
                    "display_name",
                    "handle",
                    "organisation",
                    "speaks_for_organisation",
                    "title",
                    "country",
                    "languages",
                    "bio",
                ]
            },
        ),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    inlines = [EmailAddressInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # a new person's address is the one typed above

    def save_model(self, request, obj, form, change):
        """A name or handle changed here reaches every mention of the person, as on the profile page."""
        if change:
            services.save_profile(request.user, person=obj)
        else:
            super().save_model(request, obj, form, change)

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "handle", "password1", "password2"]}),
    ]
