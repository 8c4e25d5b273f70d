"""Each email is written in its recipient's language: the one chosen in their
profile, else the one their browser used at sign-up, else the consultation's
(for an email about one), else the site's (accounts.languages.language_for)."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import services as accounts_services
from accounts.languages import language_for
from forum import emails, services
from tests import factories

pytestmark = pytest.mark.django_db


def signed_up_in(user, language):
    """The person signed up on a page in `language`, accepting the terms there."""
    document = factories.publish_document(version=f"v-{user.pk}")
    with translation.override(language):
        accounts_services.accept_documents(user, document_ids=[document.pk], source="sign_up")


def html_of(message):
    [(html, _mimetype)] = message.alternatives
    return html


def flag_to(colleague, room, moderator, participant, capture):
    comment = factories.make_comment(room, participant, body="Courts in the north close at noon.")
    with capture(execute=True):
        services.flag_comment(moderator, comment=comment, colleague=colleague, note="See this")


def test_the_profiles_language_comes_first(room):
    person = factories.make_user("Jean Dupont", language="fr")
    signed_up_in(person, "es")
    room.consultation.language = "ru"
    assert language_for(person, room.consultation) == "fr"


def test_then_the_language_of_the_sign_up_page(room):
    person = factories.make_user("Ana García", language="")
    signed_up_in(person, "es")
    room.consultation.language = "ru"
    assert language_for(person, room.consultation) == "es"
    assert language_for(person) == "es"


def test_then_the_consultations_language_for_an_email_about_it(room):
    person = factories.make_user("Oleg Petrov", language="")
    room.consultation.language = "ru"
    assert language_for(person, room.consultation) == "ru"


def test_then_the_sites_language(settings):
    person = factories.make_user("Someone", language="")
    assert language_for(person) == settings.LANGUAGE_CODE == "en"
    assert language_for(None) == "en"
    # allauth passes the page's language as the last choice before the site's.
    assert language_for(person, default="fr") == "fr"
    assert language_for(person, default="xx") == "en"


def test_a_notification_email_goes_in_the_consultations_language_to_someone_who_never_chose(
    room, moderator, participant, mailoutbox, django_capture_on_commit_callbacks
):
    room.consultation.language = "es"
    room.consultation.save()
    room.refresh_from_db()
    staff = factories.make_user("Staff Member", is_staff=True, language="")
    flag_to(staff, room, moderator, participant, django_capture_on_commit_callbacks)
    [message] = mailoutbox
    assert '<html lang="es">' in html_of(message)


def test_a_notification_email_goes_in_the_sign_up_language_before_the_consultations(
    room, moderator, participant, mailoutbox, django_capture_on_commit_callbacks
):
    room.consultation.language = "es"
    room.consultation.save()
    room.refresh_from_db()
    staff = factories.make_user("Staff Member", is_staff=True, language="")
    signed_up_in(staff, "fr")
    factories.accept_documents(participant)  # the new terms, before posting
    flag_to(staff, room, moderator, participant, django_capture_on_commit_callbacks)
    [message] = mailoutbox
    assert '<html lang="fr">' in html_of(message)


def test_a_notification_email_names_the_room_in_the_recipients_language(
    room, moderator, participant, mailoutbox, django_capture_on_commit_callbacks
):
    room.title_fr = "Accès à la justice"
    room.save()
    staff = factories.make_user("Staff Member", is_staff=True, language="fr")
    flag_to(staff, room, moderator, participant, django_capture_on_commit_callbacks)
    [message] = mailoutbox
    assert '<html lang="fr">' in html_of(message)
    assert "Accès à la justice" in message.body and "Accès à la justice" in html_of(message)


def test_a_moderator_invitation_goes_in_the_consultations_language(room, staff):
    room.consultation.language = "fr"
    room.consultation.save()
    room.refresh_from_db()
    invitation = services.invite_moderator(staff, room=room, email="new.moderator@example.org")
    message = emails.invitation_email(invitation)
    assert '<html lang="fr">' in html_of(message)


def test_allauths_emails_go_in_the_sign_up_language_when_the_profile_has_none(client, mailoutbox):
    person = factories.make_user("Ana García", email="ana@example.org", language="")
    signed_up_in(person, "es")
    client.post(reverse("account_reset_password"), {"email": "ana@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")
    [message] = mailoutbox
    assert '<html lang="es">' in html_of(message)
