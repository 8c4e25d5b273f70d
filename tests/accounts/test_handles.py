"""Handles: proposed from display names, unique, lowercase ASCII, never a reserved word."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import HANDLE_PATTERN, User
from accounts.text import RESERVED_HANDLES
from tests import factories

pytestmark = pytest.mark.django_db


def is_valid_handle(handle):
    return re.fullmatch(HANDLE_PATTERN, handle) is not None


def profile_form_data(person, **changes):
    data = {
        "display_name": person.display_name,
        "handle": person.handle,
        "organisation": person.organisation,
        "title": person.title,
        "country": person.country.code or "",
        "languages": person.languages,
        "bio": person.bio,
    }
    return data | changes


@pytest.mark.parametrize(
    ("display_name", "handle"),
    [
        ("Álvaro Herrero", "alvaro_herrero"),
        ("François Lefèvre", "francois_lefevre"),
        ("Jürgen Müller-Lüdke", "jurgen_muller_ludke"),
        ("Zoë O'Brien", "zoe_o_brien"),
        ("  Nguyễn   Thị Ánh ", "nguyen_thi_anh"),
        ("Legal Aid Network (LAN)", "legal_aid_network_lan"),
    ],
)
def test_handle_is_proposed_from_an_accented_name_in_plain_lowercase(display_name, handle):
    assert User.objects.propose_handle(display_name) == handle


@pytest.mark.parametrize("display_name", ["🙂🙂", "!!! ???", "李明", "Мария Иванова", "   ", ""])
def test_name_without_latin_letters_still_gets_a_valid_handle(display_name):
    handle = User.objects.propose_handle(display_name)

    assert is_valid_handle(handle)
    assert handle not in RESERVED_HANDLES


def test_second_person_with_an_emoji_name_gets_a_different_handle():
    first = factories.make_user("🌍🕊️")

    second_handle = User.objects.propose_handle("🌍🕊️")

    assert is_valid_handle(first.handle)
    assert is_valid_handle(second_handle)
    assert second_handle != first.handle


def test_one_letter_name_is_padded_to_a_valid_handle():
    handle = User.objects.propose_handle("Ö")

    assert is_valid_handle(handle)
    assert handle.startswith("o")


def test_very_long_name_is_cut_to_fit_thirty_characters():
    name = "Maximiliana Alexandrovna Konstantinopoulou-Papadimitriou de la Fuente"

    handle = User.objects.propose_handle(name)

    assert len(handle) <= 30
    assert is_valid_handle(handle)
    assert handle.startswith("maximiliana_alexandrovna")


def test_very_long_name_keeps_fitting_after_many_people_share_it():
    name = "Maximiliana Alexandrovna Konstantinopoulou-Papadimitriou"
    for _ in range(11):
        factories.make_user(name)

    handle = User.objects.propose_handle(name)

    assert len(handle) <= 30
    assert is_valid_handle(handle)
    assert not User.objects.filter(handle=handle).exists()
    assert User.objects.filter(display_name=name).count() == 11


def test_taken_handle_gets_the_next_free_number():
    factories.make_user("Álvaro Herrero")
    assert User.objects.propose_handle("Álvaro Herrero") == "alvaro_herrero_2"

    factories.make_user("Alvaro Herrero")
    assert User.objects.propose_handle("ALVARO HERRERO") == "alvaro_herrero_3"


def test_a_gap_in_the_numbers_is_reused():
    factories.make_user("Álvaro Herrero", handle="alvaro_herrero")
    factories.make_user("Álvaro Herrero", handle="alvaro_herrero_3")

    assert User.objects.propose_handle("Álvaro Herrero") == "alvaro_herrero_2"


def test_a_longer_handle_that_starts_the_same_does_not_block_the_short_one():
    factories.make_user("Alvaro Herrero Smith")

    assert User.objects.propose_handle("Álvaro Herrero") == "alvaro_herrero"


@pytest.mark.parametrize("display_name", ["Admin", "ADMIN!", "Moderator", "Staff", "Everyone", "All", "Here"])
def test_reserved_word_is_never_proposed(display_name):
    handle = User.objects.propose_handle(display_name)

    assert handle not in RESERVED_HANDLES
    assert is_valid_handle(handle)


def test_admin_gets_a_numbered_handle_rather_than_admin():
    assert User.objects.propose_handle("Admin") == "admin_2"


def test_people_created_with_the_same_name_get_unique_handles():
    handles = {factories.make_user("Amina Diallo").handle for _ in range(5)}

    assert handles == {"amina_diallo", "amina_diallo_2", "amina_diallo_3", "amina_diallo_4", "amina_diallo_5"}


def test_the_database_refuses_an_uppercase_handle_on_create():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(
            email="alvaro@example.org", password="password", display_name="Álvaro", handle="Alvaro"
        )

    assert not User.objects.filter(email="alvaro@example.org").exists()


def test_the_database_refuses_an_uppercase_handle_on_save():
    person = factories.make_user("Álvaro Herrero")
    person.handle = "Alvaro_Herrero"

    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()

    assert User.objects.get(pk=person.pk).handle == "alvaro_herrero"


@pytest.mark.parametrize(
    "look_alike",
    [
        "\u0430lvaro",  # Cyrillic small a
        "\u0410lvaro",  # Cyrillic capital A, which lowercases to the Cyrillic small a
        "alv\u03bfro",  # Greek small omicron
        "\uff41lvaro",  # fullwidth a
    ],
)
def test_profile_form_refuses_a_handle_with_look_alike_letters(client, look_alike):
    person = factories.make_user("Álvaro Herrero")
    client.force_login(person)

    response = client.post(reverse("accounts:profile-edit"), profile_form_data(person, handle=look_alike))

    assert response.status_code == 200
    assert "Use 2 to 30 lowercase letters (a–z), digits or underscores" in response.content.decode()
    assert User.objects.get(pk=person.pk).handle == "alvaro_herrero"


def test_look_alike_handle_cannot_take_over_someone_elses_mentions(client):
    factories.make_user("Alvaro", handle="alvaro")
    impostor = factories.make_user("Alvaro Impostor")
    client.force_login(impostor)

    client.post(reverse("accounts:profile-edit"), profile_form_data(impostor, handle="\u0430lvaro"))

    assert not User.objects.exclude(handle__regex=r"^[a-z0-9_]+$").exists()
    assert User.objects.get(pk=impostor.pk).handle == "alvaro_impostor"


@pytest.mark.parametrize("bad", ["a", "_alvaro", "alvaro herrero", "alvaro-herrero", "a" * 31])
def test_profile_form_refuses_handles_outside_the_pattern(client, bad):
    person = factories.make_user("Álvaro Herrero")
    client.force_login(person)

    response = client.post(reverse("accounts:profile-edit"), profile_form_data(person, handle=bad))

    assert response.status_code == 200
    assert 'id="id_handle_error"' in response.content.decode()
    assert User.objects.get(pk=person.pk).handle == "alvaro_herrero"
