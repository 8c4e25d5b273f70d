import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from forum.selectors import flag_colleagues
from forum.services import EMPTY_BODY_MESSAGE, clean_comment_body


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        strip=False,
        error_messages={"required": EMPTY_BODY_MESSAGE},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("You can use **bold**, _italic_, lists, > quotes and links."),
    )
    # A new token each time the form is drawn; the service stores one comment per token.
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4())

    def clean_body(self):
        return clean_comment_body(self.cleaned_data["body"])


class FlagForm(forms.Form):
    colleague = forms.ModelChoiceField(
        label=_("Colleague"), queryset=None, empty_label=_("Choose a moderator or staff member")
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this comment matters to them, for example which room or question it relates to."),
    )

    def __init__(self, *args, moderator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = flag_colleagues(exclude=moderator)
