from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import services, terms
from accounts.models import Acceptance, ConsentChange, LegalDocument, User, handle_validator
from accounts.names import clean_display_name
from accounts.text import RESERVED_HANDLES

MUST_ACCEPT_TO_SIGN_UP = _("Please accept the terms of use and the privacy notice to sign up.")


class AcceptsDocuments:
    """For forms that may carry the box to tick for versions of the terms of use
    and privacy notice (sign-up, a comment, the acceptance page). The versions
    shown travel with the form, so what is recorded is what the person saw; a
    form sent back with other versions than the current ones is refused, and
    drawn again with the current ones and the box unticked."""

    documents: list = []

    def offer_documents(self, documents, *, required_message=terms.ACCEPT_TO_POST) -> None:
        self.documents = list(documents)
        if not self.documents:
            return
        shown = terms.ids_key(document.pk for document in self.documents)
        self.fields["accept_documents"] = forms.BooleanField(
            label=acceptance_label(self.documents), error_messages={"required": required_message}
        )
        self.fields["document_ids"] = forms.CharField(widget=forms.HiddenInput, required=False, initial=shown)
        name = self.add_prefix("document_ids")
        sent = self.data.get(name, "") if self.is_bound else shown
        if sent != shown:
            self.data = self.data.copy()
            self.data[name] = shown
            self.data.pop(self.add_prefix("accept_documents"), None)
            if sent:  # else the page showed no box at all (drawn before it was needed)
                self.fields["accept_documents"].error_messages["required"] = terms.DOCUMENTS_CHANGED

    def accepted_document_ids(self) -> tuple[int, ...]:
        """The versions accepted with this form: none unless the box was there and ticked."""
        if not self.cleaned_data.get("accept_documents"):
            return ()
        return terms.parse_ids_key(self.cleaned_data.get("document_ids", ""))


def acceptance_label(documents):
    """The words beside the box, linking each version (in a new tab: the form stays as typed).
    The privacy notice is read rather than accepted: it informs, it asks nothing."""
    urls = {document.kind: document.get_absolute_url() for document in documents}
    terms_url, privacy_url = urls.get(LegalDocument.Kind.TERMS), urls.get(LegalDocument.Kind.PRIVACY)
    if terms_url and privacy_url:
        text = gettext(
            'I accept the <a href="{terms_url}" target="_blank" rel="noopener">terms of use</a> and I have read '
            'the <a href="{privacy_url}" target="_blank" rel="noopener">privacy notice</a>.'
        )
    elif terms_url:
        text = gettext('I accept the <a href="{terms_url}" target="_blank" rel="noopener">terms of use</a>.')
    else:
        text = gettext('I have read the <a href="{privacy_url}" target="_blank" rel="noopener">privacy notice</a>.')
    return format_html(text, terms_url=terms_url, privacy_url=privacy_url)


class AcceptDocumentsForm(AcceptsDocuments, forms.Form):
    """The acceptance page: the box alone."""

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_documents(documents)


class SignupDetailsForm(AcceptsDocuments, forms.Form):
    """The fields allauth's sign-up forms add to email and password (its social
    sign-up's too): the name, the organisation, and the current terms to accept."""

    display_name = forms.CharField(
        label=_("Your name as others will see it"),
        max_length=80,
        help_text=_("For a person, your full name; for an organisation, its name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organisation = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    speaks_for_organisation = forms.BooleanField(label=_("This account speaks for an organisation"), required=False)
    # Asked, not assumed: no answer is ticked beforehand.
    quoting_consent = forms.ChoiceField(
        label=_("May the final report quote what you write?"),
        choices=User.QuotingConsent.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "You can change this at any time in your profile, and mark any comment “Don't quote this comment”."
        ),
        error_messages={"required": _("Please choose how the final report may quote you.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_documents(terms.current_documents(), required_message=MUST_ACCEPT_TO_SIGN_UP)

    def visible_fields(self):
        """The box last, just above the button (allauth adds the passwords after our fields)."""
        fields = super().visible_fields()
        return sorted(fields, key=lambda field: field.name == "accept_documents")

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user):
        """allauth hook, once the user is saved (the account adapter has stored the
        name fields): the quoting consent chosen, and the acceptance of the versions
        the form showed, are recorded."""
        services.choose_quoting_consent(
            user, consent=self.cleaned_data["quoting_consent"], source=ConsentChange.Source.SIGN_UP
        )
        # The language of the page they signed up on: their emails come in it until they choose another.
        if not user.language and (language := translation.get_language()) in dict(settings.LANGUAGES):
            services.choose_language(user, language=language)
        if accepted := self.accepted_document_ids():
            try:
                services.accept_documents(user, document_ids=accepted, source=Acceptance.Source.SIGN_UP)
            except ValidationError:
                # Replaced in the instant since the form was checked: the person
                # is asked to accept the new version before their first post.
                pass


class ProfileForm(forms.ModelForm):
    # Declared here so that "@Alvaro" is tidied to "alvaro" before validation.
    handle = forms.CharField(label=_("Handle"), max_length=31, help_text=_("Others mention you by writing @handle."))

    class Meta:
        model = User
        fields = [
            "display_name",
            "handle",
            "organisation",
            "speaks_for_organisation",
            "title",
            "country",
            "languages",
            "bio",
            "quoting_consent",
            "language",
            "reads_translations",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data["display_name"], person=self.instance)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quoting_consent"].required = False

    def clean_quoting_consent(self):
        # Left out of the form (an older page, a script): keep what was chosen before.
        return self.cleaned_data.get("quoting_consent") or self.instance.quoting_consent

    def clean_handle(self):
        handle = self.cleaned_data["handle"].strip().lstrip("@").lower()
        handle_validator(handle)
        if handle in RESERVED_HANDLES:
            raise forms.ValidationError(_("This handle is reserved. Please choose another."))
        if User.objects.filter(handle=handle).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This handle is taken. Please choose another."))
        return handle
