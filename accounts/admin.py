from allauth.account.models import EmailAddress
from django import forms
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


class OrganisationVerificationFilter(admin.SimpleListFilter):
    title = _("organisation verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("asked", _("Asked for")), ("verified", _("Verified"))]

    def queryset(self, request, queryset):
        if self.value() == "asked":
            return queryset.filter(organisation_verification_requested_at__isnull=False, organisation_verified_at=None)
        if self.value() == "verified":
            return queryset.filter(organisation_verified_at__isnull=False)
        return queryset


class UserAdminChangeForm(UserChangeForm):
    # Saved through accounts.services (UserAdmin.save_model), which stamps who and when.
    organisation_verified = forms.BooleanField(
        label=_("Verified organisation"),
        required=False,
        help_text=_("Tick once you have checked that this account speaks for the organisation it names."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organisation_verified" in self.fields:
            self.fields["organisation_verified"].initial = self.instance.is_verified_organisation

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data["display_name"], person=self.instance)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation_verified") and not (
            cleaned.get("speaks_for_organisation") and cleaned.get("organisation")
        ):
            self.add_error("organisation_verified", services.NOT_AN_ORGANISATION)
        return cleaned


class UserAdminCreationForm(AdminUserCreationForm):
    def clean_display_name(self):
        return clean_display_name(self.cleaned_data["display_name"], person=self.instance)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["display_name"]
    list_display = ["display_name", "handle", "email", "organisation", "country", "is_staff", "date_joined"]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        "speaks_for_organisation",
        OrganisationVerificationFilter,
        "country",
    ]
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
        (
            _("Organisation verification"),
            {
                "fields": [
                    "organisation_verified",
                    "organisation_verification_note",
                    "organisation_verification_requested_at",
                    "organisation_verified_at",
                    "organisation_verified_by",
                ]
            },
        ),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["organisation_verification_requested_at", "organisation_verified_at", "organisation_verified_by"]
    inlines = [EmailAddressInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []  # a new person's address is the one typed above

    def has_delete_permission(self, request, obj=None):
        # Accounts are deleted on the site ("Delete this account on request" on the
        # person's profile), which keeps their threads whole and logs it; a bare
        # delete here would leave their name in mentions and references.
        return False

    def save_model(self, request, obj, form, change):
        """A name or handle changed here reaches every mention of the person, as on the profile page."""
        if change:
            services.save_profile(request.user, person=obj)
            self._save_organisation_verification(request, obj, form)
        else:
            super().save_model(request, obj, form, change)

    def _save_organisation_verification(self, request, person, form):
        """Verified or withdrawn with the note typed beside it; an organisation renamed in
        the same form was un-verified by save_profile, and is verified again only if ticked."""
        if form is None or "organisation_verified" not in form.cleaned_data:
            return  # saved without the change form (a script, a test)
        wanted = form.cleaned_data["organisation_verified"]
        note = form.cleaned_data.get("organisation_verification_note", "")
        if wanted and not person.is_verified_organisation:
            services.verify_organisation(request.user, person=person, note=note)
        elif not wanted and person.is_verified_organisation:
            services.withdraw_organisation_verification(request.user, person=person, note=note)

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "handle", "password1", "password2"]}),
    ]
