"""The site in English, Spanish and French: chosen by the browser, the switcher
or the person's profile; dates and allauth's own pages localised too."""

from datetime import datetime, timezone

from django.urls import reverse

from accounts.models import User
from forum.models import Comment
from tests import factories


def test_the_browsers_language_picks_spanish(client, room):
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html
    assert "Preguntas orientadoras" in html or "Comentarios (0)" in html


def test_the_browsers_language_picks_french(client, room):
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in html
    assert "Commentaires (0)" in html


def test_the_switcher_changes_the_language_for_an_anonymous_visitor(client, room):
    response = client.post(reverse("accounts:set-language"), {"language": "fr", "next": room.get_absolute_url()})
    assert response.status_code == 302
    assert response.url == room.get_absolute_url()
    html = client.get(room.get_absolute_url()).content.decode()
    assert '<html lang="fr">' in html


def test_a_signed_in_persons_choice_follows_them_to_another_device(client, participant, room):
    client.force_login(participant)
    client.post(reverse("accounts:set-language"), {"language": "es", "next": "/"})
    participant.refresh_from_db()
    assert participant.language == "es"
    from django.test import Client

    other_device = Client()
    other_device.force_login(participant)
    html = other_device.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in html


def test_the_language_can_also_be_chosen_in_the_profile(client, participant):
    client.force_login(participant)
    data = {"display_name": participant.display_name, "handle": participant.handle, "language": "fr"}
    client.post(reverse("accounts:profile-edit"), data)
    assert User.objects.get(pk=participant.pk).language == "fr"


def test_an_unknown_language_is_ignored(client, room):
    client.post(reverse("accounts:set-language"), {"language": "xx", "next": "/"})
    assert '<html lang="en">' in client.get(room.get_absolute_url()).content.decode()


def test_dates_are_written_the_way_each_language_writes_them(client, room, participant):
    comment = factories.make_comment(room, participant)
    Comment.objects.filter(pk=comment.pk).update(created_at=datetime(2026, 3, 5, 14, 30, tzinfo=timezone.utc))
    english = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    spanish = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'title="March 5, 2026, 2:30 p.m."' in english
    assert 'title="5 mars 2026 14:30"' in french
    assert 'title="5 de marzo de 2026 a las 14:30"' in spanish


def test_allauths_own_pages_come_in_the_chosen_language(client, db):  # sign-up reads the terms in force
    french = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    spanish = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Connexion" in french
    assert "Registrarse" in spanish


def test_every_page_string_has_a_spanish_and_a_french_translation():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for language in ["es", "fr"]:
        catalogue = root / "locale" / language / "LC_MESSAGES" / "django.po"
        result = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_a_signed_in_persons_language_is_not_changed_by_a_forged_form(participant, room):
    from django.test import Client

    forged = Client(enforce_csrf_checks=True)
    forged.force_login(participant)

    response = forged.post(reverse("accounts:set-language"), {"language": "fr", "next": "/"})

    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.language != "fr"


def test_the_switcher_on_a_signed_in_page_carries_its_token(participant, room):
    import re

    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(participant)
    html = browser.get(room.get_absolute_url()).content.decode()
    switcher = re.search(r'<form method="post" action="/language/".*?</form>', html, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', switcher).group(1)

    response = browser.post(
        reverse("accounts:set-language"), {"language": "fr", "next": "/", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.language == "fr"


def test_an_anonymous_visitor_switches_without_a_token(room):
    from django.test import Client

    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post(reverse("accounts:set-language"), {"language": "es", "next": room.get_absolute_url()})
    assert response.status_code == 302
    assert '<html lang="es">' in visitor.get(room.get_absolute_url()).content.decode()
