from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp, SocialToken
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts import services, terms
from accounts.models import Acceptance, LegalDocument, User
from accounts.names import clean_display_name

# allauth lists email addresses in an "Accounts" section of its own, beside
# ours (also "Accounts"); they are shown on each person's page instead.
if admin.site.is_registered(EmailAddress):
    admin.site.unregister(EmailAddress)
# Providers come from OIDC_PROVIDERS only (accounts.adapter.SocialAccountAdapter.list_apps),
# and tokens are never stored: the admin keeps only the connected accounts.
for model in (SocialApp, SocialToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


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
        (_("Terms of use and privacy notice"), {"fields": ["accepted_documents"]}),
    ]
    readonly_fields = [
        "organisation_verification_requested_at",
        "organisation_verified_at",
        "organisation_verified_by",
        "accepted_documents",
    ]

    @admin.display(description=_("accepted"))
    def accepted_documents(self, person):
        """What the person accepted, as their profile shows it: a record, not a form."""
        rows = [
            (str(acceptance.document), date_format(localtime(acceptance.accepted_at), "DATETIME_FORMAT"))
            for acceptance in terms.acceptances_with_documents(person)
        ]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} · {}</li>", rows))

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


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    """Drafts are written and published here; a published version is read-only,
    as it is what people accepted: a change is a new version."""

    change_form_template = "admin/accounts/legaldocument/change_form.html"
    list_display = ["__str__", "title", "published_at", "published_by", "acceptance_count"]
    list_filter = ["kind", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "version"]
    fields = ["kind", "version", "title", "changes", "body", "created_at", "published_at", "published_by"]
    actions = ["publish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(acceptance_total=Count("acceptances"))

    @admin.display(description=_("acceptances"), ordering="acceptance_total")
    def acceptance_count(self, document):
        return document.acceptance_total

    readonly_fields = ["created_at", "published_at", "published_by"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_published)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "_publish" in request.POST:
            self._publish(request, obj)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for document in queryset.order_by("created_at"):
            self._publish(request, document)

    def _publish(self, request, document):
        try:
            services.publish_document(request.user, document=document)
        except ValidationError as error:
            self.message_user(request, f"{document}: {error.messages[0]}", messages.WARNING)
        else:
            self.message_user(
                request,
                _("%(document)s is published: signed-in people are asked to accept it before their next post.")
                % {"document": document},
                messages.SUCCESS,
            )


@admin.register(Acceptance)
class AcceptanceAdmin(admin.ModelAdmin):
    """Who accepted which version, when: for reading (and answering a person's questions), never for editing."""

    list_display = ["user", "document", "accepted_at", "language", "source"]
    list_filter = ["document__kind", "document", "source"]
    search_fields = ["user__email", "user__display_name", "user__handle"]
    date_hierarchy = "accepted_at"
    list_select_related = ["user", "document"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
