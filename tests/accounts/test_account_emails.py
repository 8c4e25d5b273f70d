"""allauth's emails name the site and speak the recipient's language, in text and HTML."""

from django.test import Client
from django.urls import reverse

from tests import factories

PASSWORD = "Rule-of-law-2030"


def sign_up(client, *, email="alvaro@example.org", **headers):
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "quoting_consent": "by_name",
        "display_name": "Álvaro Herrero",
    }
    return client.post(reverse("account_signup"), data, **headers)


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_the_confirmation_email_names_the_site_by_its_setting(client, db, mailoutbox, settings):
    settings.SITE_NAME = "Rule of Law Forum"

    sign_up(client)

    [message] = mailoutbox
    assert "Hello from Rule of Law Forum!" in message.body
    assert "127.0.0.1:8000!" not in message.body
    assert "Hello from Rule of Law Forum!" in html_of(message)


def test_without_a_site_name_the_emails_say_public_consultations(client, db, mailoutbox, settings):
    settings.SITE_NAME = ""

    sign_up(client)

    assert "Hello from Public consultations!" in mailoutbox[0].body


def test_the_confirmation_email_has_an_html_part_in_the_sites_look_with_the_link(client, db, mailoutbox):
    sign_up(client)

    html = html_of(mailoutbox[0])
    assert '<html lang="en">' in html
    assert "background:#f4f6f9" in html
    assert 'href="http://testserver/accounts/confirm-email/' in html
    assert "Confirm my email address" in html


def test_signing_up_from_a_spanish_page_sends_the_confirmation_in_spanish(client, db, mailoutbox):
    sign_up(client, HTTP_ACCEPT_LANGUAGE="es")

    [message] = mailoutbox
    assert "Por favor, confirme su dirección de correo electrónico" in message.subject
    assert "¡Hola de parte de Consultas públicas!" in message.body
    assert '<html lang="es">' in html_of(message)
    assert "Confirmar mi dirección de correo" in html_of(message)


def test_an_owner_who_chose_french_hears_of_a_sign_up_attempt_in_french(db, mailoutbox):
    factories.make_user("Jean Dupont", email="jean@example.org", language="fr")

    sign_up(Client(), email="jean@example.org", HTTP_ACCEPT_LANGUAGE="en")

    [message] = mailoutbox
    assert message.to == ["jean@example.org"]
    assert "Ce compte existe déjà" in message.subject
    assert "a essayé de s’inscrire avec jean@example.org" in html_of(message)
    assert "Choisir un nouveau mot de passe" in html_of(message)


def test_a_password_reset_goes_in_the_persons_language(client, db, mailoutbox):
    factories.make_user("Ana García", email="ana@example.org", language="es")

    client.post(reverse("account_reset_password"), {"email": "ana@example.org"})

    [message] = mailoutbox
    assert "Correo electrónico para restablecer contraseña" in message.subject
    assert "Elegir una contraseña nueva" in html_of(message)
    assert "/accounts/password/reset/key/" in message.body


def test_a_password_reset_for_an_unknown_address_goes_in_the_pages_language(client, db, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")

    [message] = mailoutbox
    assert message.to == ["nobody@example.org"]
    assert '<html lang="fr">' in html_of(message)
    assert "/accounts/signup/" in message.body
