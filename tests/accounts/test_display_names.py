"""Names people can trust: none made only of invisible characters, none that turn
the text around, and none that pass a participant off as a moderator."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

EDIT_URL = "/accounts/profile/"
PASSWORD = "Rule-of-law-2030"

INVISIBLE_NAMES = ["\u200b", "\u200b \u200d", "\ufeff", "\u2060\u00ad", " \u200c\u200b "]
BIDI_NAMES = ["Ana\u202eziL", "\u2066Ana\u2069", "Ana \u202aLópez\u202c", "\u2067Bob"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def sign_up(client, *, display_name, email="alvaro@example.org"):
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "quoting_consent": "by_name",
        "display_name": display_name,
    }
    return client.post(reverse("account_signup"), data)


def edit_profile(client, person, **changes):
    data = {
        "display_name": person.display_name,
        "handle": person.handle,
        "organisation": person.organisation,
        "quoting_consent": person.quoting_consent,
    }
    return client.post(EDIT_URL, data | changes)


INVISIBLE = "This name has only invisible characters."
TURNS_THE_TEXT = "change the direction of the text"
UNTRUSTED_NAMES = [(name, INVISIBLE) for name in INVISIBLE_NAMES] + [(name, TURNS_THE_TEXT) for name in BIDI_NAMES]


@pytest.mark.parametrize(("name", "message"), UNTRUSTED_NAMES)
def test_signing_up_with_an_invisible_or_turned_name_is_refused_with_a_message(client, name, message):
    response = sign_up(client, display_name=name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(("name", "message"), UNTRUSTED_NAMES)
def test_a_profile_name_that_is_invisible_or_turned_is_refused_with_a_message(client, name, message):
    person = factories.make_user("Amina Diallo")
    client.force_login(person)

    response = edit_profile(client, person, display_name=name)

    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.display_name == "Amina Diallo"


def test_a_name_in_another_script_with_a_zero_width_joiner_is_kept(client):
    person = factories.make_user("Amina Diallo")
    client.force_login(person)

    response = edit_profile(client, person, display_name="\u0915\u094d\u200d\u0937 Rao")

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "\u0915\u094d\u200d\u0937 Rao"


@pytest.mark.parametrize("name", ["\u200b\u200b", "Amina\u202e"])
def test_saving_a_profile_refuses_an_untrusted_name_without_the_form(name):
    person = factories.make_user("Amina Diallo")
    person.display_name = name

    with pytest.raises(ValidationError):
        services.save_profile(person, person=person)

    person.refresh_from_db()
    assert person.display_name == "Amina Diallo"


# --- Names of moderators and staff ------------------------------------------


def test_signing_up_with_a_moderators_name_is_refused(client, moderator):
    response = sign_up(client, display_name="maria  MODERATÖR")

    assert response.status_code == 200
    assert "This name is the name of a moderator." in response.content.decode()
    assert not User.objects.filter(email="alvaro@example.org").exists()


def test_a_participant_cannot_take_a_moderators_name_on_the_profile(client, participant, moderator):
    client.force_login(participant)

    response = edit_profile(client, participant, display_name="Mária Moderator")

    assert response.status_code == 200
    assert "This name is the name of a moderator." in response.content.decode()


def test_a_participant_cannot_take_the_name_of_staff(client, participant, staff):
    client.force_login(participant)

    response = edit_profile(client, participant, display_name="sam staff")

    assert response.status_code == 200
    assert "This name is the name of a moderator." in response.content.decode()


def test_a_moderator_keeps_their_own_name_when_saving_the_profile(client, moderator):
    client.force_login(moderator)

    response = edit_profile(client, moderator, display_name="Maria Moderator", organisation="Rights Watch")

    assert response.status_code == 302
    moderator.refresh_from_db()
    assert moderator.organisation == "Rights Watch"


def test_a_name_like_a_moderators_only_in_part_is_allowed(client, participant, moderator):
    client.force_login(participant)

    response = edit_profile(client, participant, display_name="Maria Moderator Jr")

    assert response.status_code == 302


def test_names_in_another_script_are_not_all_the_same_name(client, room):
    factories.assign_moderator(room, factories.make_user("Иван Петров"))
    person = factories.make_user("Amina Diallo")
    client.force_login(person)

    response = edit_profile(client, person, display_name="Пётр Иванов")

    assert response.status_code == 302


def test_staff_may_take_a_name_a_moderator_has(moderator):
    colleague = factories.make_user("Sam Staff", is_staff=True)
    colleague.display_name = "Maria Moderator"

    services.save_profile(colleague, person=colleague)

    colleague.refresh_from_db()
    assert colleague.display_name == "Maria Moderator"


def test_saving_a_profile_refuses_a_moderators_name_without_the_form(participant, moderator):
    participant.display_name = "MARIA MODERATOR"

    with pytest.raises(ValidationError):
        services.save_profile(participant, person=participant)


def test_the_admin_refuses_invisible_and_moderators_names(client, participant, moderator):
    admin = factories.make_user("Ada Admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:accounts_user_change", args=[participant.pk])
    data = {
        "email": participant.email,
        "display_name": "\u200b",
        "handle": participant.handle,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "quoting_consent": participant.quoting_consent,
        "emailaddress_set-TOTAL_FORMS": "0",
        "emailaddress_set-INITIAL_FORMS": "0",
    }

    invisible = client.post(url, data)
    taken = client.post(url, data | {"display_name": "Maria Moderator"})

    assert "This name has only invisible characters." in invisible.content.decode()
    assert "This name is the name of a moderator." in taken.content.decode()
    participant.refresh_from_db()
    assert participant.display_name != "Maria Moderator"


def test_the_admin_refuses_a_new_person_with_a_moderators_name(client, moderator):
    admin = factories.make_user("Ada Admin", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.org",
            "display_name": "maria moderator",
            "handle": "maria_two",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )

    assert "This name is the name of a moderator." in response.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()
