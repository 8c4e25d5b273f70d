import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

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
