from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User, handle_validator
from accounts.names import clean_display_name
from accounts.text import RESERVED_HANDLES


class SignupDetailsForm(forms.Form):
    """The fields allauth's sign-up form adds to email and password."""

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

    def clean_display_name(self):
        return clean_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user):
        """allauth hook; the account adapter has already stored these fields."""


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
