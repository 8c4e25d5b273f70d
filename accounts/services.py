"""Changes a person makes to their own account (and staff make in the admin)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.names import clean_display_name
from accounts.signals import person_renamed, quoting_consent_changed


def save_profile(actor, *, person) -> None:
    """Save a profile edited by its owner or by staff; whatever shows the person's
    name or handle, or quotes them for the report, follows a change (see accounts.signals)."""
    person.display_name = clean_display_name(person.display_name, person=person)
    with transaction.atomic():
        before = get_user_model().objects.values("display_name", "handle", "quoting_consent").get(pk=person.pk)
        person.save()
        if (person.display_name, person.handle) != (before["display_name"], before["handle"]):
            person_renamed.send(sender=type(person), person=person, old_handle=before["handle"])
        if person.quoting_consent != before["quoting_consent"]:
            quoting_consent_changed.send(sender=type(person), person=person)


def choose_language(user, *, language: str) -> None:
    """Remember the site language a signed-in person chose."""
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(language=language)
    user.language = language
