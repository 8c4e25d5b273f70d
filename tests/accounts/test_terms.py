"""Terms of use and privacy notice as versioned documents: the current version,
sign-up that asks for it, the public pages, the admin that publishes, and the
record each person sees of what they accepted."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services, terms
from accounts.models import Acceptance, LegalDocument, User
from tests import factories

PASSWORD = "Rule-of-law-2030"


def sign_up(client, **extra):
    data = {
        "email": "alvaro@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "display_name": "Álvaro Herrero",
        "quoting_consent": "by_name",
    }
    return client.post(reverse("account_signup"), data | extra)


def shown_ids(response) -> str:
    return response.context["form"]["document_ids"].value()


# --- The rule --------------------------------------------------------------


def test_while_nothing_is_published_everyone_counts_as_having_accepted(participant):
    LegalDocument.objects.create(kind="terms", version="1", title="Terms of use", body="A draft.")

    assert terms.current_document_ids() == ()
    assert terms.has_accepted_current_documents(participant)
    assert terms.documents_to_accept(participant) == []


def test_the_current_version_of_each_kind_is_the_latest_published_and_drafts_are_ignored(db):
    first = factories.publish_document("terms", "1")
    privacy = factories.publish_document("privacy", "1")
    second = factories.publish_document("terms", "2")
    LegalDocument.objects.create(kind="terms", version="3", title="Terms of use", body="Not yet.")

    assert [document.pk for document in terms.current_documents()] == [second.pk, privacy.pk]
    assert terms.current_document("terms") == second
    assert [version.pk for version in terms.versions_of("terms")] == [second.pk, first.pk]


def test_accepting_one_version_does_not_accept_the_next(participant):
    first = factories.publish_document("terms", "1")
    factories.accept_documents(participant, first)
    assert terms.has_accepted_current_documents(participant)

    second = factories.publish_document("terms", "2")

    person = User.objects.get(pk=participant.pk)
    assert not terms.has_accepted_current_documents(person)
    assert terms.documents_to_accept(person) == [second]


def test_every_current_document_must_be_accepted(participant):
    terms_of_use = factories.publish_document("terms", "1")
    factories.publish_document("privacy", "1")

    factories.accept_documents(participant, terms_of_use)

    assert not terms.has_accepted_current_documents(User.objects.get(pk=participant.pk))


def test_a_version_is_accepted_once_and_the_first_time_stands(participant):
    document = factories.publish_document("terms", "1")
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=UTC), tick=False):
        factories.accept_documents(participant, document)
    factories.accept_documents(participant, document)

    acceptance = Acceptance.objects.get(user=participant)
    assert acceptance.accepted_at == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_a_replaced_version_cannot_be_accepted_any_more(participant):
    first = factories.publish_document("terms", "1")
    factories.publish_document("terms", "2")

    with pytest.raises(ValidationError):
        services.accept_documents(participant, document_ids=[first.pk], source=Acceptance.Source.ACCEPTANCE_PAGE)
    assert not Acceptance.objects.exists()


def test_only_staff_publish_and_only_once(participant, staff):
    draft = LegalDocument.objects.create(kind="terms", version="1", title="Terms of use", body="Text.")
    with pytest.raises(PermissionDenied):
        services.publish_document(participant, document=draft)

    services.publish_document(staff, document=draft)
    with pytest.raises(ValidationError):
        services.publish_document(staff, document=draft)
    draft.refresh_from_db()
    assert draft.published_by == staff


def test_acceptances_of_a_person_are_plain_data_for_their_export(participant):
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=UTC), tick=False):
        document = factories.publish_document("terms", "2", title="Terms of use of the consultation")
        factories.accept_documents(participant, document)

    exported = terms.acceptances_of(participant)

    assert json.loads(json.dumps(exported)) == [
        {
            "kind": "terms",
            "version": "2",
            "title": "Terms of use of the consultation",
            "accepted_at": "2027-01-04T09:00:00+00:00",
            "language": "en",
            "source": "acceptance_page",
        }
    ]


# --- Sign-up ---------------------------------------------------------------


def test_sign_up_needs_no_box_while_nothing_is_published(client, db, mailoutbox):
    form = client.get(reverse("account_signup")).content.decode()

    assert 'name="accept_documents"' not in form
    assert sign_up(client).status_code == 302
    assert User.objects.filter(email="alvaro@example.org").exists()


def test_sign_up_asks_to_accept_the_current_versions_and_keeps_what_was_typed(client, db, mailoutbox):
    factories.publish_document("terms", "1")
    factories.publish_document("privacy", "1")
    form = client.get(reverse("account_signup")).content.decode()
    assert 'name="accept_documents"' in form
    assert 'href="/terms/1/"' in form and 'href="/privacy/1/"' in form
    assert "I accept the" in form and "I have read the" in form

    response = sign_up(client, document_ids=shown_ids(client.get(reverse("account_signup"))))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Please accept the terms of use and the privacy notice to sign up." in html
    assert 'value="Álvaro Herrero"' in html
    assert 'value="alvaro@example.org"' in html
    assert not User.objects.filter(email="alvaro@example.org").exists()
    assert mailoutbox == []


def test_sign_up_stores_the_acceptance_of_each_current_version_with_its_time(client, db, mailoutbox):
    terms_of_use = factories.publish_document("terms", "3")
    privacy = factories.publish_document("privacy", "2")
    ids = shown_ids(client.get(reverse("account_signup")))

    with time_machine.travel(datetime(2027, 2, 1, 8, 30, tzinfo=UTC), tick=False):
        response = sign_up(client, accept_documents="on", document_ids=ids)

    assert response.status_code == 302
    person = User.objects.get(email="alvaro@example.org")
    acceptances = {acceptance.document: acceptance for acceptance in person.acceptances.all()}
    assert set(acceptances) == {terms_of_use, privacy}
    assert all(a.accepted_at == datetime(2027, 2, 1, 8, 30, tzinfo=UTC) for a in acceptances.values())
    assert all(a.source == Acceptance.Source.SIGN_UP for a in acceptances.values())
    assert terms.has_accepted_current_documents(person)


def test_a_version_published_while_signing_up_is_shown_and_asked_for(client, db, mailoutbox):
    factories.publish_document("terms", "1")
    ids = shown_ids(client.get(reverse("account_signup")))
    newer = factories.publish_document("terms", "2")

    response = sign_up(client, accept_documents="on", document_ids=ids)

    html = response.content.decode()
    assert response.status_code == 200
    assert "A new version was published while this page was open" in html
    assert shown_ids(response) == str(newer.pk)
    assert 'href="/terms/2/"' in html
    assert 'value="Álvaro Herrero"' in html
    assert not User.objects.exists() or not User.objects.filter(email="alvaro@example.org").exists()


# --- The pages -------------------------------------------------------------


def test_the_terms_page_shows_the_current_version_and_lists_the_earlier_ones(client, db):
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        factories.publish_document("terms", "1", body="The first rules.")
    with time_machine.travel(datetime(2026, 9, 1, 12, 0, tzinfo=UTC), tick=False):
        factories.publish_document("terms", "2", body="The rules of today.\n\nA second paragraph.", changes="Shorter.")

    html = client.get(reverse("accounts:terms")).content.decode()

    assert "<p>The rules of today.</p>" in html
    assert "<p>A second paragraph.</p>" in html
    assert "Shorter." in html
    assert "Version 2, published on Sept. 1, 2026" in html
    assert 'href="/terms/1/"' in html and "March 1, 2026" in html
    assert "The first rules." not in html


def test_an_earlier_version_stays_readable_and_says_it_was_replaced(client, db):
    factories.publish_document("terms", "1", body="The first rules.")
    factories.publish_document("terms", "2")

    html = client.get("/terms/1/").content.decode()

    assert "The first rules." in html
    assert "An earlier version, no longer in force." in html
    assert 'href="/terms/"' in html


def test_a_draft_is_not_public_but_staff_preview_it(client, staff):
    LegalDocument.objects.create(kind="privacy", version="1", title="Privacy notice", body="Being written.")

    assert client.get("/privacy/1/").status_code == 404
    response = client.get(reverse("accounts:privacy"))
    assert response.status_code == 404
    assert "Not published yet." in response.content.decode()
    client.force_login(staff)
    preview = client.get("/privacy/1/").content.decode()
    assert "Being written." in preview
    assert "Draft: only staff see it until it is published." in preview


def test_a_documents_text_is_escaped(client, db):
    factories.publish_document("terms", "1", title="<b>Terms</b>", body="<script>alert(1)</script>")

    html = client.get(reverse("accounts:terms")).content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Terms</b>" not in html


def test_every_page_links_to_the_terms_and_the_privacy_notice(client, room):
    html = client.get(room.get_absolute_url()).content.decode()

    assert f'href="{reverse("accounts:terms")}"' in html
    assert f'href="{reverse("accounts:privacy")}"' in html


def test_a_signed_in_person_reads_when_they_accepted_the_version(client, participant):
    document = factories.publish_document("terms", "1")
    factories.accept_documents(participant, document)
    client.force_login(participant)

    assert "You accepted this version on" in client.get(reverse("accounts:terms")).content.decode()


def test_the_profile_lists_what_the_person_accepted_and_when(client, participant):
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=UTC), tick=False):
        factories.accept_documents(participant, factories.publish_document("terms", "1"))
        factories.accept_documents(participant, factories.publish_document("privacy", "2026-12"))
    client.force_login(participant)

    html = client.get(reverse("accounts:profile-edit")).content.decode()

    assert "Terms of use and privacy notice" in html
    assert '<a href="/terms/1/">1</a>' in html
    assert '<a href="/privacy/2026-12/">2026-12</a>' in html
    assert "Jan. 4, 2027, 9 a.m." in html


# --- The acceptance page ---------------------------------------------------


def test_the_acceptance_page_shows_what_changed_and_returns_to_where_the_person_was(client, participant, room):
    factories.accept_documents(participant, factories.publish_document("terms", "1"))
    newer = factories.publish_document("terms", "2", changes="We now keep reports for a year.")
    client.force_login(participant)
    url = f"{reverse('accounts:accept-documents')}?next={room.get_absolute_url()}"

    page = client.get(url)
    assert "We now keep reports for a year." in page.content.decode()
    refused = client.post(url, {"document_ids": shown_ids(page), "next": room.get_absolute_url()})
    assert refused.status_code == 400
    accepted = client.post(
        url, {"document_ids": shown_ids(page), "accept_documents": "on", "next": room.get_absolute_url()}
    )

    assert accepted.status_code == 302
    assert accepted.url == room.get_absolute_url()
    assert Acceptance.objects.filter(user=participant, document=newer, source="acceptance_page").exists()


def test_the_acceptance_page_does_not_send_anyone_to_another_site(client, participant):
    factories.publish_document("terms", "1")
    client.force_login(participant)
    url = reverse("accounts:accept-documents")
    ids = shown_ids(client.get(url))

    response = client.post(url, {"document_ids": ids, "accept_documents": "on", "next": "https://evil.example.com/"})

    assert response.status_code == 302
    assert "evil.example.com" not in response.url


# --- The admin ---------------------------------------------------------------


@pytest.fixture
def admin_user(db):
    return factories.make_user("Ada Admin", is_staff=True, is_superuser=True)


def test_staff_save_and_publish_a_version_in_the_admin(client, admin_user, participant):
    factories.accept_documents(participant, factories.publish_document("terms", "1", by=admin_user))
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_legaldocument_add"),
        {
            "kind": "terms",
            "version": "2",
            "title": "Terms of use",
            "changes": "",
            "body": "New rules.",
            "_publish": "1",
        },
    )

    assert response.status_code == 302
    document = LegalDocument.objects.get(version="2")
    assert document.is_published and document.published_by == admin_user
    assert terms.current_document("terms") == document
    assert not terms.has_accepted_current_documents(User.objects.get(pk=participant.pk))


def test_a_draft_saved_in_the_admin_changes_nothing_until_published(client, admin_user):
    client.force_login(admin_user)
    client.post(
        reverse("admin:accounts_legaldocument_add"),
        {"kind": "privacy", "version": "1", "title": "Privacy notice", "changes": "", "body": "Draft."},
    )
    draft = LegalDocument.objects.get()
    assert not draft.is_published

    client.post(
        reverse("admin:accounts_legaldocument_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )

    assert terms.current_document("privacy") == draft


def test_a_published_version_is_read_only_in_the_admin(client, admin_user):
    document = factories.publish_document("terms", "1", by=admin_user, body="As accepted.")
    client.force_login(admin_user)
    url = reverse("admin:accounts_legaldocument_change", args=[document.pk])

    page = client.get(url).content.decode()
    client.post(url, {"kind": "terms", "version": "1", "title": "Changed", "body": "Rewritten."})

    assert "Save and publish" not in page
    document.refresh_from_db()
    assert document.body == "As accepted."
    assert (
        client.post(reverse("admin:accounts_legaldocument_delete", args=[document.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert LegalDocument.objects.filter(pk=document.pk).exists()


def test_staff_read_acceptances_in_the_admin_without_changing_them(client, admin_user, participant):
    document = factories.publish_document("terms", "1", by=admin_user)
    factories.accept_documents(participant, document)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:accounts_acceptance_changelist")).content.decode()
    person = client.get(reverse("admin:accounts_user_change", args=[participant.pk])).content.decode()

    assert participant.display_name in listing
    assert "Terms of use 1 · " in person
    assert client.get(reverse("admin:accounts_acceptance_add")).status_code == 403


# --- Languages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", ["Acepto las", "condiciones de uso", "he leído"]),
        ("fr", ["J’accepte les", "conditions d’utilisation", "j’ai lu"]),
    ],
)
def test_the_box_and_the_pages_speak_spanish_and_french(client, db, language, words):
    factories.publish_document("terms", "1")
    factories.publish_document("privacy", "1")

    form = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    page = client.get(reverse("accounts:terms"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert all(word in form for word in words), form
    assert {"es": "Versión 1, publicada el", "fr": "Version 1, publiée le"}[language] in page
