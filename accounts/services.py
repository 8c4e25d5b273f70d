"""Changes a person makes to their own account (and staff make in the admin)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts import terms
from accounts.models import Acceptance, ConsentChange, LegalDocument
from accounts.names import clean_display_name
from accounts.signals import person_renamed, quoting_consent_changed

VERIFICATION_FIELDS = ["organisation_verification_requested_at", "organisation_verified_at", "organisation_verified_by"]

NOT_AN_ORGANISATION = _("Only an account that speaks for an organisation, and names it, can be verified.")


def save_profile(actor, *, person) -> None:
    """Save a profile edited by its owner or by staff; whatever shows the person's
    name or handle, or quotes them for the report, follows a change (see accounts.signals)."""
    person.display_name = clean_display_name(person.display_name, person=person)
    with transaction.atomic():
        before = (
            get_user_model()
            .objects.values("display_name", "handle", "quoting_consent", "organisation", "speaks_for_organisation")
            .get(pk=person.pk)
        )
        if person.organisation != before["organisation"] or not person.speaks_for_organisation:
            # Staff verified that name, for an organisation account: not a new one.
            _forget_organisation_verification(person)
        person.save()
        if (person.display_name, person.handle) != (before["display_name"], before["handle"]):
            person_renamed.send(sender=type(person), person=person, old_handle=before["handle"])
        _record_consent(person, changed=person.quoting_consent != before["quoting_consent"])


def choose_quoting_consent(person, *, consent: str, source: str) -> None:
    """The person says how the report may quote them (at sign-up): recorded."""
    with transaction.atomic():
        before = type(person).objects.values_list("quoting_consent", flat=True).get(pk=person.pk)
        person.quoting_consent = consent
        type(person).objects.filter(pk=person.pk).update(quoting_consent=consent)
        _record_consent(person, changed=consent != before, source=source)


def _record_consent(person, *, changed: bool, source: str = ConsentChange.Source.PROFILE) -> None:
    """Every choice is kept (ConsentChange), the first one too; a change reaches
    what quotes the person (accounts.signals.quoting_consent_changed)."""
    if changed or person.quoting_consent_chosen_at is None:
        now = timezone.now()
        ConsentChange.objects.create(user=person, consent=person.quoting_consent, source=source, changed_at=now)
        type(person).objects.filter(pk=person.pk).update(quoting_consent_chosen_at=now)
        person.quoting_consent_chosen_at = now
    if changed:
        quoting_consent_changed.send(sender=type(person), person=person)


def request_organisation_verification(user) -> None:
    """Ask staff to verify that an organisation account speaks for the organisation it names."""
    if not (user.speaks_for_organisation and user.organisation):
        raise ValidationError(NOT_AN_ORGANISATION)
    if user.is_verified_organisation or user.is_awaiting_organisation_verification:
        return
    with transaction.atomic():
        user.organisation_verification_requested_at = timezone.now()
        user.save(update_fields=["organisation_verification_requested_at"])


def verify_organisation(actor, *, person, note: str) -> None:
    """Staff confirm that `person` speaks for their organisation; comments and the profile say so."""
    if not actor.is_staff:
        raise PermissionDenied
    if not (person.speaks_for_organisation and person.organisation):
        raise ValidationError(NOT_AN_ORGANISATION)
    with transaction.atomic():
        person.organisation_verified_at = timezone.now()
        person.organisation_verified_by = actor
        person.organisation_verification_note = note
        person.save(update_fields=[*VERIFICATION_FIELDS, "organisation_verification_note"])


def withdraw_organisation_verification(actor, *, person, note: str) -> None:
    """Staff take a verification back; the account is a self-declared organisation again."""
    if not actor.is_staff:
        raise PermissionDenied
    with transaction.atomic():
        _forget_organisation_verification(person)
        person.organisation_verification_note = note
        person.save(update_fields=[*VERIFICATION_FIELDS, "organisation_verification_note"])


def _forget_organisation_verification(person) -> None:
    person.organisation_verification_requested_at = None
    person.organisation_verified_at = None
    person.organisation_verified_by = None


def choose_language(user, *, language: str) -> None:
    """Remember the site language a signed-in person chose."""
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(language=language)
    user.language = language


# --- Terms of use and privacy notice ----------------------------------------


def publish_document(actor, *, document: LegalDocument) -> LegalDocument:
    """Staff publish a draft version: it becomes the current one of its kind, and
    signed-in people are asked to accept it before their next post."""
    if not actor.is_staff:
        raise PermissionDenied
    with transaction.atomic():
        document = LegalDocument.objects.select_for_update().get(pk=document.pk)
        if document.is_published:
            raise ValidationError(_("This version is already published."))
        document.published_at = timezone.now()
        document.published_by = actor
        document.save(update_fields=["published_at", "published_by"])
        # Dropped now for this process and again on commit: a page drawn in
        # between would have put the old versions back.
        terms.forget_current_documents()
        transaction.on_commit(terms.forget_current_documents)
    return document


def accept_documents(user, *, document_ids, source: str) -> None:
    """Record that the person accepts these versions (reads, for the privacy
    notice), as the page showed them. A version replaced since then is refused:
    people accept the words they were shown, and the current ones."""
    ids = set(document_ids)
    if not ids or not ids <= set(terms.read_current_document_ids()):
        raise ValidationError(terms.DOCUMENTS_CHANGED, code="documents_changed")
    language = translation.get_language() or ""
    with transaction.atomic():
        Acceptance.objects.bulk_create(
            [Acceptance(user=user, document_id=pk, language=language, source=source) for pk in sorted(ids)],
            ignore_conflicts=True,  # accepted before (another tab): the first time stands
        )
    terms.forget_acceptance_of(user)
