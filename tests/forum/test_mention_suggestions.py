import pytest
from django.core.cache import cache
from django.urls import reverse

from forum.views import mentions
from tests import factories

URL = reverse("forum:mention-suggestions")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def suggest(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(results):
    return [person["display_name"] for person in results]


def test_anonymous_visitors_get_403_and_no_people(client, participant):
    response = client.get(URL, {"q": "amina"})

    assert response.status_code == 403
    assert response.json()["results"] == []
    assert b"Amina" not in response.content


def test_suggestions_give_name_handle_and_organisation_but_never_email(participant_client, participant):
    factories.make_user("Álvaro Herrero", organisation="Rule of Law Institute", email="alvaro@example.org")

    response = participant_client.get(URL, {"q": "alvaro"})

    assert response.json() == {
        "results": [
            {"display_name": "Álvaro Herrero", "handle": "alvaro_herrero", "organisation": "Rule of Law Institute"}
        ]
    }
    assert b"@example.org" not in response.content
    assert b"email" not in response.content


def test_suggestions_are_private_to_the_person_asking(participant_client):
    response = participant_client.get(URL, {"q": "amina"})

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_at_most_eight_people_are_suggested(participant_client):
    for n in range(12):
        factories.make_user(f"Kofi Mensah {n}")

    results = suggest(participant_client, "kofi")

    assert len(results) == 8


@pytest.mark.parametrize("typed", ["alv", "álv", "ALV", "Álvaro", "herr", "alvaro_h"])
def test_accents_and_case_are_ignored(participant_client, typed):
    factories.make_user("Álvaro Herrero")

    assert names(suggest(participant_client, typed)) == ["Álvaro Herrero"]


@pytest.mark.parametrize("typed", ["weiss", "weiß", "WEISS"])
def test_sharp_s_matches_double_s(participant_client, typed):
    factories.make_user("Jana Weiß")

    assert names(suggest(participant_client, typed)) == ["Jana Weiß"]


@pytest.mark.parametrize("typed", ["", "a", "@a", " a "])
def test_fewer_than_two_letters_find_no_one(participant_client, typed):
    factories.make_user("Aaron Abara")

    assert suggest(participant_client, typed) == []


def test_inactive_people_are_never_suggested(participant_client):
    factories.make_user("Chidi Okeke", is_active=False)
    factories.make_user("Chidi Nwosu")

    assert names(suggest(participant_client, "chidi")) == ["Chidi Nwosu"]


def test_people_in_the_thread_come_first_then_the_rooms_moderators_and_participants_then_everyone(
    participant_client, room
):
    # Alphabetical order is the reverse of the expected ranking.
    everyone = factories.make_user("Mara Everyone")
    participant_elsewhere = factories.make_user("Marc Participant")
    moderator = factories.make_user("Marek Moderator")
    in_thread = factories.make_user("Maria Thread")
    other_room = factories.make_room(room.consultation)
    factories.make_comment(other_room, everyone)
    factories.assign_moderator(room, moderator)
    factories.make_comment(room, participant_elsewhere, "Another thread.")
    root = factories.make_comment(room, body="The thread.")
    reply = factories.make_reply(root, in_thread)

    ranked = ["Maria Thread", "Marc Participant", "Marek Moderator", "Mara Everyone"]
    assert names(suggest(participant_client, "mar", room=room.pk, thread=root.pk)) == ranked
    # A reply form names the comment replied to, which finds the same thread.
    assert names(suggest(participant_client, "mar", room=room.pk, thread=reply.pk)) == ranked
    # Without a thread, the thread's people are participants of the room like the others.
    assert names(suggest(participant_client, "mar", room=room.pk)) == [
        "Marc Participant",
        "Marek Moderator",
        "Maria Thread",
        "Mara Everyone",
    ]
    assert names(suggest(participant_client, "mar")) == [
        "Mara Everyone",
        "Marc Participant",
        "Marek Moderator",
        "Maria Thread",
    ]


def test_a_room_the_person_cannot_view_is_ignored(participant_client, consultation):
    hidden_room = factories.make_room(consultation, is_published=False)
    factories.assign_moderator(hidden_room, factories.make_user("Zara Hidden"))
    factories.make_user("Zainab Public")

    assert names(suggest(participant_client, "za", room=hidden_room.pk)) == ["Zainab Public", "Zara Hidden"]


def test_staff_see_the_ranking_of_an_unpublished_room(client, staff, consultation):
    hidden_room = factories.make_room(consultation, is_published=False)
    factories.assign_moderator(hidden_room, factories.make_user("Zara Hidden"))
    factories.make_user("Zainab Public")
    client.force_login(staff)

    assert names(suggest(client, "za", room=hidden_room.pk)) == ["Zara Hidden", "Zainab Public"]


def test_a_thread_from_another_room_is_ignored(participant_client, room):
    other_room = factories.make_room(room.consultation)
    elsewhere = factories.make_comment(other_room, factories.make_user("Tomas Tanaka"))
    factories.make_user("Tatiana Anyone")

    assert names(suggest(participant_client, "ta", room=room.pk, thread=elsewhere.pk)) == [
        "Tatiana Anyone",
        "Tomas Tanaka",
    ]


@pytest.mark.parametrize("room_id", ["abc", "-1", "99999999", "١٢", "9" * 40])
def test_room_ids_that_are_not_rooms_are_ignored(participant_client, room_id):
    factories.make_user("Olga Ivanova")

    assert names(suggest(participant_client, "olga", room=room_id, thread=room_id)) == ["Olga Ivanova"]


def test_asking_too_often_is_answered_429_with_retry_after(participant_client, other_participant, client, monkeypatch):
    monkeypatch.setattr(mentions, "SUGGESTIONS_PER_MINUTE", 3)
    for _ in range(3):
        suggest(participant_client, "jean")

    response = participant_client.get(URL, {"q": "jean"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["results"] == []
    assert "no-store" in response["Cache-Control"]
    # The limit counts per person: someone else may still ask.
    client.force_login(other_participant)
    assert suggest(client, "jean") == [
        {"display_name": "Jean Dupont", "handle": other_participant.handle, "organisation": ""}
    ]


def test_only_get_is_allowed(participant_client):
    assert participant_client.post(URL, {"q": "amina"}).status_code == 405


def test_the_number_of_queries_does_not_grow_with_the_room(participant_client, room, django_assert_max_num_queries):
    root = factories.make_comment(room, factories.make_user("Ngozi Adeyemi"))
    for n in range(15):
        factories.make_reply(root, factories.make_user(f"Ngozi {n}"))
        factories.assign_moderator(room, factories.make_user(f"Ngozi Moderator {n}"))

    # Session, user, room, thread check and the ranked people.
    with django_assert_max_num_queries(5):
        results = suggest(participant_client, "ngozi", room=room.pk, thread=root.pk)

    assert len(results) == 8


def test_comment_forms_tell_the_script_where_to_ask_and_for_which_room_and_thread(participant_client, room):
    root = factories.make_comment(room, body="The thread.")
    form_start = f'data-mentions="{URL}" data-room="{room.pk}"'

    room_page = participant_client.get(room.get_absolute_url()).content.decode()
    reply_page = participant_client.get(
        reverse("forum:reply", args=[room.consultation.slug, room.slug, root.pk])
    ).content.decode()
    thread_page = participant_client.get(
        reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])
    ).content.decode()

    # The new-comment form and the reply form template forum.js clones.
    assert room_page.count(form_start) == 2
    assert f'{form_start} data-thread="{root.pk}"' in reply_page
    assert f'{form_start} data-thread="{root.pk}"' in thread_page
