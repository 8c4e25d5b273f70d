from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.text import RESERVED_HANDLES, fold_for_search, handle_base

# ASCII only, so that look-alike letters from other scripts cannot pose as
# someone else's handle in a mention.
HANDLE_PATTERN = r"[a-z0-9][a-z0-9_]{1,29}"

handle_validator = RegexValidator(
    rf"\A{HANDLE_PATTERN}\Z",
    _("Use 2 to 30 lowercase letters (a–z), digits or underscores, starting with a letter or digit."),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def propose_handle(self, display_name: str) -> str:
        """A free handle made from a display name: 'Álvaro Herrero' gives 'alvaro_herrero'
        (or 'alvaro_herrero_2' when that is taken)."""
        base = handle_base(display_name)
        taken = set(self.filter(handle__startswith=base).values_list("handle", flat=True)) | RESERVED_HANDLES
        if base not in taken:
            return base
        suffix = 2
        while f"{base}_{suffix}" in taken:
            suffix += 1
        return f"{base}_{suffix}"

    def _create_user(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        fields.setdefault("display_name", email.split("@")[0])
        fields.setdefault("handle", self.propose_handle(fields["display_name"]))
        user = self.model(email=email, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)


class User(AbstractUser):
    """A participant, moderator or admin. Signs in with an email address."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, help_text=_("Shown with everything you write."))
    handle = models.CharField(
        _("handle"),
        max_length=30,
        unique=True,
        validators=[handle_validator],
        help_text=_("Others mention you by writing @handle."),
    )
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    title = models.CharField(_("title or role"), max_length=150, blank=True)
    country = CountryField(_("country"), blank=True)
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    languages = models.CharField(
        _("languages you speak"), max_length=200, blank=True, help_text=_("For example: English, Français")
    )
    follow_threads_on_post = models.BooleanField(
        _("follow the threads I start or reply to"),
        default=True,
        help_text=_("You hear about new replies in them."),
    )
    language = models.CharField(
        _("language of the site"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the language your browser asks for."),
    )

    class QuotingConsent(models.TextChoices):
        BY_NAME = "by_name", _("By name")
        ANONYMOUSLY = "anonymous", _("Anonymously")
        NOT_AT_ALL = "not_at_all", _("Not at all")

    quoting_consent = models.CharField(
        _("the final report may quote me"),
        max_length=12,
        choices=QuotingConsent.choices,
        default=QuotingConsent.BY_NAME,
        help_text=_("How the report that comes out of the consultation may use what you wrote."),
    )
    # When the person last chose how the report may quote them (at sign-up, in
    # their profile, or when asked): empty for accounts made before it was asked.
    quoting_consent_chosen_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Comments in another language are shown in the person's own, machine-translated,
    # with the original a click away (forum.machine_translation).
    reads_translations = models.BooleanField(
        _("show comments translated into my language"),
        default=False,
        help_text=_(
            "Comments written in another language are shown machine-translated, with the original a click away."
        ),
    )
    speaks_for_organisation = models.BooleanField(
        _("this account speaks for an organisation"),
        default=False,
        help_text=_("Tick when you post in the name of an organisation, such as an NGO."),
    )

    # An organisation account asks (organisation_verification_requested_at) and
    # staff confirm it speaks for the organisation it names; changing that name
    # withdraws the verification (accounts.services.save_profile).
    organisation_verification_requested_at = models.DateTimeField(
        _("organisation verification asked for"), null=True, blank=True, editable=False
    )
    organisation_verified_at = models.DateTimeField(_("organisation verified"), null=True, blank=True, editable=False)
    organisation_verified_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("organisation verified by"),
    )
    organisation_verification_note = models.TextField(
        _("verification note"), blank=True, help_text=_("How staff checked the organisation; not shown in public.")
    )

    # Display name and handle folded to plain lowercase ASCII, so "alvaro" finds
    # "Álvaro" on every database. Kept by save(): users are saved from allauth,
    # the admin and our services alike, and all must keep it right.
    search_name = models.CharField(max_length=120, editable=False, db_index=True, default="")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(handle=Lower("handle")), name="user_handle_is_lowercase"),
        ]

    def __str__(self):
        return f"{self.display_name} (@{self.handle})"

    def get_absolute_url(self):
        return reverse("forum:profile", kwargs={"handle": self.handle})

    def save(self, *args, **kwargs):
        self.search_name = fold_for_search(f"{self.display_name} {self.handle}")
        if kwargs.get("update_fields") is not None and {"display_name", "handle"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_verified_organisation(self):
        """Speaks for an organisation that staff have verified (not only declared)."""
        return self.speaks_for_organisation and self.organisation_verified_at is not None

    @property
    def is_awaiting_organisation_verification(self):
        return self.organisation_verification_requested_at is not None and self.organisation_verified_at is None

    @property
    def is_new_account(self):
        """Younger than FORUM_NEW_ACCOUNT_AGE_HOURS: some limits are tighter for it."""
        return self.date_joined > timezone.now() - timedelta(hours=settings.FORUM_NEW_ACCOUNT_AGE_HOURS)

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name


class LegalDocumentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)


class LegalDocument(models.Model):
    """One version of the terms of use or of the privacy notice. A draft until
    staff publish it; from then on its words are what people accepted, so they
    never change (a new version is published instead). The current version of
    each kind is the one published last (accounts.terms)."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("Terms of use")
        PRIVACY = "privacy", _("Privacy notice")

    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    version = models.CharField(
        _("version"),
        max_length=20,
        validators=[
            RegexValidator(
                r"\A[0-9A-Za-z][0-9A-Za-z._-]*\Z", _("Use letters, digits, dots and hyphens, e.g. 2 or 2026-12.")
            )
        ],
        help_text=_("As people will see it, e.g. 2 or 2026-12. Part of the version's address."),
    )
    title = models.CharField(_("title"), max_length=200)
    # Plain fields, one per text: a translation library can register them later.
    changes = models.TextField(
        _("what changed"),
        blank=True,
        help_text=_("A few lines shown to people asked to accept this version after an earlier one."),
    )
    body = models.TextField(_("text"), help_text=_("Plain text: a blank line starts a new paragraph."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = LegalDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("terms or privacy version")
        verbose_name_plural = _("terms and privacy versions")
        ordering = ["kind", "-published_at", "-created_at"]
        constraints = [
            # The version is part of its address, and what an acceptance names.
            models.UniqueConstraint(fields=["kind", "version"], name="legal_document_version_once_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version}"

    def get_absolute_url(self):
        return reverse(f"accounts:{self.kind}-version", kwargs={"version": self.version})

    @property
    def is_published(self):
        return self.published_at is not None


class ConsentChange(models.Model):
    """Each choice a person made of how the report may quote them: the record of
    their consent over time, theirs to download."""

    class Source(models.TextChoices):
        SIGN_UP = "sign_up", _("At sign-up")
        PROFILE = "profile", _("In the profile")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_changes")
    consent = models.CharField(max_length=12, choices=User.QuotingConsent.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("quoting consent given")
        verbose_name_plural = _("quoting consents given")

    def __str__(self):
        return f"{self.user_id}: {self.consent} ({self.source}, {self.changed_at:%Y-%m-%d %H:%M})"


class Acceptance(models.Model):
    """A person accepted one version of a document (for the privacy notice: read
    it), at a time, in the language the site spoke to them. Kept while the
    account lasts and shown to its owner; never edited."""

    class Source(models.TextChoices):
        SIGN_UP = "sign_up", _("Sign-up form")
        COMMENT_FORM = "comment_form", _("With a comment")
        ACCEPTANCE_PAGE = "acceptance_page", _("Acceptance page")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acceptances", verbose_name=_("user")
    )
    # PROTECT: a version someone accepted is their record, and stays.
    document = models.ForeignKey(
        LegalDocument, on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("version")
    )
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    language = models.CharField(_("language"), max_length=8, blank=True)
    source = models.CharField(_("where"), max_length=20, choices=Source.choices)

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="acceptance_once_per_person_and_version"),
        ]

    def __str__(self):
        return f"{self.user} · {self.document}"
