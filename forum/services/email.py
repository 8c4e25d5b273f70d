"""How a person hears about things by email: their settings, and unsubscribing."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forum.emails import DIGEST, email_deliveries
from forum.models import EmailPreference, Notification
from forum.services.notifications import set_email_preference

Delivery = EmailPreference.Delivery


def unsubscribe(user, *, kind: str) -> list[str]:
    """Stop one kind of email, or with the digest's own link every kind that goes
    in the digest. Emails of those kinds still waiting are not sent. Returns the kinds stopped."""
    if kind == DIGEST:
        # The rooms' activity is an email of its own, with its own link.
        kinds = [
            k
            for k, delivery in email_deliveries(user).items()
            if delivery == Delivery.DIGEST and k != Notification.Kind.ACTIVITY
        ]
    else:
        kinds = [kind]
    with transaction.atomic():
        for each in kinds:
            set_email_preference(user, kind=each, delivery=Delivery.NEVER)
        _cancel_waiting_emails(user, kinds)
    return kinds


def set_follow_threads_on_post(user, *, follow: bool) -> None:
    """Choose whether starting or replying to a thread makes the person follow it."""
    with transaction.atomic():
        user.follow_threads_on_post = follow
        user.save(update_fields=["follow_threads_on_post"])


def update_email_settings(user, *, deliveries: Mapping[str, str], follow_threads_on_post: bool) -> None:
    """Save the person's email settings page: a delivery per kind, and whether
    they follow the threads they write in. Emails of kinds turned off are not sent."""
    unknown = set(deliveries) - set(Notification.Kind.values)
    if unknown or not set(deliveries.values()) <= set(Delivery.values):
        raise ValidationError(_("Choose immediately, daily digest or never for each kind of notification."))
    current = email_deliveries(user)
    with transaction.atomic():
        for kind, delivery in deliveries.items():
            if delivery != current[kind]:
                set_email_preference(user, kind=kind, delivery=delivery)
        _cancel_waiting_emails(user, [kind for kind, delivery in deliveries.items() if delivery == Delivery.NEVER])
        if user.follow_threads_on_post != follow_threads_on_post:
            set_follow_threads_on_post(user, follow=follow_threads_on_post)


def _cancel_waiting_emails(user, kinds: Iterable[str]) -> None:
    Notification.objects.filter(
        recipient=user, kind__in=list(kinds), email__in=[Notification.Email.PENDING, Notification.Email.DIGEST]
    ).update(email=Notification.Email.NONE)
