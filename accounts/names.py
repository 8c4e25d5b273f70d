"""The one rule for display names, used by sign-up, the profile form, the admin
and accounts.services.save_profile alike.

accounts refuses what no reader can trust (accounts.text); the app built on it
may keep names for its own people, through ACCOUNTS_DISPLAY_NAME_KEPT_FOR: a
dotted path to `callable(name, *, person) -> bool`, true when `person` (None
while signing up) may not take `name`. forum names forum.permissions'
predicate there, so that accounts never imports forum."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from accounts.text import has_bidi_controls, tidy_display_name, visible_text

EMPTY_NAME = _("Please enter a name.")
INVISIBLE_NAME = _("This name has only invisible characters. Please enter a name others can read.")
BIDI_NAME = _("This name has characters that change the direction of the text. Please remove them.")
KEPT_NAME = _("This name is the name of a moderator. Please choose another.")


def clean_display_name(name: str, *, person=None) -> str:
    """The name tidied, or ValidationError saying why it may not be used by
    `person` (None for someone signing up)."""
    name = tidy_display_name(name)
    if not name:
        raise ValidationError(EMPTY_NAME, code="empty")
    if not visible_text(name):
        raise ValidationError(INVISIBLE_NAME, code="invisible")
    if has_bidi_controls(name):
        raise ValidationError(BIDI_NAME, code="bidi")
    kept_for = getattr(settings, "ACCOUNTS_DISPLAY_NAME_KEPT_FOR", "")
    if kept_for and import_string(kept_for)(name, person=person):
        raise ValidationError(KEPT_NAME, code="kept")
    return name
