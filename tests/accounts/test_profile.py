"""The public profile at /u/<handle>/ and the page where people edit their own."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from forum.models import Comment, Consultation, Room
from tests import factories

pytestmark = pytest.mark.django_db

EDIT_URL = "/accounts/profile/"


def profile_url(handle):
    return reverse("forum:profile", kwargs={"handle": handle})


def comment_ids_in(response):
    """The ids of the comments drawn on a page, in page order."""
    return [int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', response.content.decode())]


def profile_form_data(person, **changes):
    data = {
        "display_name": person.display_name,
        "handle": person.handle,
        "organisation": person.organisation,
        "title": person.title,
        "country": person.country.code or "",
        "languages": person.languages,
        "bio": person.bio,
        "quoting_consent": person.quoting_consent,
    }
    return data | changes


# --- The public profile ---------------------------------------------------


def test_profile_shows_who_the_person_is(client):
    person = factories.make_user(
        "Amina Diallo",
        organisation="Legal Aid Network",
        title="Programme officer",
        country="KE",
        bio="Twenty years of community paralegal work.",
        languages="English, Kiswahili",
    )

    response = client.get(profile_url("amina_diallo"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Amina Diallo" in html
    assert "@amina_diallo" in html
    assert "Programme officer" in html
    assert "Legal Aid Network" in html
    assert "Kenya" in html
    assert "Twenty years of community paralegal work." in html
    assert "English, Kiswahili" in html
    assert person.get_absolute_url() == "/u/amina_diallo/"


def test_profile_of_an_account_speaking_for_an_organisation_says_so(client):
    factories.make_user("Legal Aid Network", speaks_for_organisation=True)

    response = client.get(profile_url("legal_aid_network"))

    assert 'class="badge badge--muted">Organisation</span>' in response.content.decode()


def test_profile_lists_the_persons_comments_newest_first_with_permalinks(client, room, participant):
    first = factories.make_comment(room, participant, body="My first point.")
    second = factories.make_comment(room, participant, body="My second point.")
    reply = factories.make_reply(first, participant, body="Answering myself.")
    factories.make_comment(room, factories.make_user("Jean Dupont"), body="Someone else speaking.")

    response = client.get(participant.get_absolute_url())

    assert comment_ids_in(response) == [reply.pk, second.pk, first.pk]
    html = response.content.decode()
    for comment in (first, second, reply):
        assert f'href="{reverse("forum:comment-permalink", args=[comment.pk])}"' in html
    assert "My second point." in html
    assert "Someone else speaking." not in html
    assert f'href="{room.get_absolute_url()}"' in html


def test_profile_without_comments_says_so(client, participant):
    response = client.get(participant.get_absolute_url())

    assert "No comments yet." in response.content.decode()


def test_profile_comments_are_paginated_twenty_a_page(client, room, participant, settings):
    assert settings.FORUM_PROFILE_COMMENTS_PER_PAGE == 20
    comments = [factories.make_comment(room, participant, body=f"Point number {n}.") for n in range(1, 23)]
    newest_first = [comment.pk for comment in reversed(comments)]

    first_page = client.get(participant.get_absolute_url())
    second_page = client.get(participant.get_absolute_url() + "?page=2")

    assert comment_ids_in(first_page) == newest_first[:20]
    assert 'rel="next" href="?page=2"' in first_page.content.decode()
    assert "Page 1 of 2" in first_page.content.decode()
    assert second_page.status_code == 200
    assert comment_ids_in(second_page) == newest_first[20:]
    assert "Point number 1." in second_page.content.decode()
    assert 'rel="prev" href="?page=1"' in second_page.content.decode()


def test_profile_page_number_out_of_range_or_not_a_number_still_shows_a_page(client, room, participant):
    factories.make_comment(room, participant, body="Only point.")

    assert client.get(participant.get_absolute_url() + "?page=99").status_code == 200
    assert client.get(participant.get_absolute_url() + "?page=abc").status_code == 200


def test_profile_needs_the_same_number_of_queries_for_one_comment_or_twenty(client, consultation, participant):
    rooms = [factories.make_room(consultation) for _ in range(3)]
    factories.make_comment(rooms[0], participant)
    with CaptureQueriesContext(connection) as one_comment:
        client.get(participant.get_absolute_url())

    for n in range(19):
        factories.make_comment(rooms[n % 3], participant, body=f"Point {n}.")
    with CaptureQueriesContext(connection) as twenty_comments:
        response = client.get(participant.get_absolute_url())

    assert len(comment_ids_in(response)) == 20
    assert len(twenty_comments) == len(one_comment)


def test_hidden_and_deleted_comments_are_not_on_the_profile(client, room, participant):
    kept = factories.make_comment(room, participant, body="Still here.")
    hidden = factories.make_comment(room, participant, body="Hidden by a moderator.")
    deleted = factories.make_comment(room, participant, body="Deleted by me.")
    Comment.objects.filter(pk=hidden.pk).update(state=Comment.State.HIDDEN, hidden_reason="Off topic")
    Comment.objects.filter(pk=deleted.pk).update(state=Comment.State.DELETED)

    response = client.get(participant.get_absolute_url())

    assert comment_ids_in(response) == [kept.pk]
    html = response.content.decode()
    assert "Hidden by a moderator." not in html
    assert "Deleted by me." not in html


def test_comments_in_unpublished_rooms_or_consultations_are_not_on_the_profile(client, consultation, participant):
    public_room = factories.make_room(consultation)
    draft_room = factories.make_room(consultation)
    other_consultation = factories.make_consultation()
    room_in_draft_consultation = factories.make_room(other_consultation)
    kept = factories.make_comment(public_room, participant, body="In public.")
    factories.make_comment(draft_room, participant, body="In a room taken down.")
    factories.make_comment(room_in_draft_consultation, participant, body="In a consultation taken down.")
    # Posting needs a published room, so they are unpublished after the comments exist.
    Room.objects.filter(pk=draft_room.pk).update(is_published=False)
    Consultation.objects.filter(pk=other_consultation.pk).update(is_published=False)

    response = client.get(participant.get_absolute_url())

    assert comment_ids_in(response) == [kept.pk]
    html = response.content.decode()
    assert "In a room taken down." not in html
    assert "In a consultation taken down." not in html
    assert draft_room.title not in html


def test_comments_in_closed_rooms_stay_on_the_profile(client, room, participant):
    comment = factories.make_comment(room, participant, body="Said before closing.")
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)

    response = client.get(participant.get_absolute_url())

    assert comment_ids_in(response) == [comment.pk]


def test_unknown_handle_is_not_found(client, participant):
    assert client.get(profile_url("nobody_here")).status_code == 404


def test_deactivated_account_has_no_public_profile(client):
    factories.make_user("Former Member", is_active=False)

    assert client.get(profile_url("former_member")).status_code == 404


def test_handle_in_the_address_is_found_whatever_its_case(client):
    factories.make_user("Álvaro Herrero")

    response = client.get("/u/AlvAro_Herrero/")

    assert response.status_code == 200
    assert "Álvaro Herrero" in response.content.decode()


def test_profile_escapes_a_display_name_that_looks_like_html(client, room):
    person = factories.make_user("<img src=x onerror=alert(1)>", bio="<script>alert(2)</script>")
    factories.make_comment(room, person, body="Hello.")

    response = client.get(person.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(2)</script>" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_email_is_never_on_the_public_profile(client, room):
    person = factories.make_user("Amina Diallo", email="amina.private@example.org")
    factories.make_comment(room, person, body="Hello.")

    seen_by_visitor = client.get(person.get_absolute_url())
    client.force_login(person)
    seen_by_the_person = client.get(person.get_absolute_url())

    for response in (seen_by_visitor, seen_by_the_person):
        assert "amina.private" not in response.content.decode()


def test_own_profile_links_to_the_edit_page_and_others_do_not(client, participant, other_participant):
    client.force_login(participant)

    own = client.get(participant.get_absolute_url())
    other = client.get(other_participant.get_absolute_url())

    assert "Edit your profile" in own.content.decode()
    assert "Edit your profile" not in other.content.decode()


# --- Editing one's own profile -------------------------------------------


def test_profile_edit_page_needs_log_in(client, db):
    response = client.get(EDIT_URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={EDIT_URL}"


def test_anonymous_post_to_the_profile_edit_page_changes_nothing(client, participant):
    response = client.post(EDIT_URL, profile_form_data(participant, display_name="Taken Over"))

    assert response.status_code == 302
    assert User.objects.get(pk=participant.pk).display_name == "Amina Diallo"


def test_profile_edit_page_shows_the_current_values(client):
    person = factories.make_user(
        "Amina Diallo", organisation="Legal Aid Network", country="KE", bio="Community paralegal."
    )
    client.force_login(person)

    response = client.get(EDIT_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Amina Diallo"' in html
    assert 'value="amina_diallo"' in html
    assert 'value="Legal Aid Network"' in html
    assert '<option value="KE" selected>Kenya</option>' in html
    assert "Community paralegal.</textarea>" in html
    assert "Public consultations" in html


def test_saving_the_profile_stores_the_changes_and_shows_the_public_profile(client, participant):
    client.force_login(participant)

    response = client.post(
        EDIT_URL,
        profile_form_data(
            participant,
            display_name="Amina  Diallo-Sow ",
            organisation="Justice Without Borders",
            title="Director",
            country="SN",
            bio="Now in Dakar.",
            languages="Français, Wolof",
            speaks_for_organisation="on",
        ),
    )

    assert response.status_code == 302
    assert response.url == "/u/amina_diallo/"
    person = User.objects.get(pk=participant.pk)
    assert person.display_name == "Amina Diallo-Sow"
    assert person.organisation == "Justice Without Borders"
    assert person.title == "Director"
    assert person.country.code == "SN"
    assert person.bio == "Now in Dakar."
    assert person.languages == "Français, Wolof"
    assert person.speaks_for_organisation is True
    profile = client.get(response.url)
    assert "Your profile has been saved." in profile.content.decode()
    assert "Senegal" in profile.content.decode()


def test_changing_the_handle_moves_the_profile_to_the_new_address(client, participant):
    client.force_login(participant)

    response = client.post(EDIT_URL, profile_form_data(participant, handle="amina_d"))

    assert User.objects.get(pk=participant.pk).handle == "amina_d"
    assert response.status_code == 302
    assert response.url == "/u/amina_d/"
    assert client.get("/u/amina_d/").status_code == 200
    assert client.get("/u/amina_diallo/").status_code == 404


def test_handle_typed_with_an_at_sign_and_capitals_is_tidied(client, participant):
    client.force_login(participant)

    client.post(EDIT_URL, profile_form_data(participant, handle="  @New_Handle "))

    assert User.objects.get(pk=participant.pk).handle == "new_handle"


def test_keeping_ones_own_handle_is_not_a_clash(client, participant):
    client.force_login(participant)

    response = client.post(EDIT_URL, profile_form_data(participant, bio="Updated bio."))

    assert response.status_code == 302
    assert User.objects.get(pk=participant.pk).bio == "Updated bio."


def test_taken_handle_is_refused_and_what_was_typed_is_kept(client, participant, other_participant):
    client.force_login(participant)

    response = client.post(
        EDIT_URL, profile_form_data(participant, handle="Jean_Dupont", organisation="A new organisation")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "This handle is taken. Please choose another." in html
    assert 'value="Jean_Dupont"' in html
    assert 'value="A new organisation"' in html
    person = User.objects.get(pk=participant.pk)
    assert person.handle == "amina_diallo"
    assert person.organisation == "Legal Aid Network"


@pytest.mark.parametrize("reserved", ["admin", "Moderator", "@everyone"])
def test_reserved_handle_is_refused_and_what_was_typed_is_kept(client, participant, reserved):
    client.force_login(participant)

    response = client.post(EDIT_URL, profile_form_data(participant, handle=reserved))

    assert response.status_code == 200
    html = response.content.decode()
    assert "This handle is reserved. Please choose another." in html
    assert f'value="{reserved}"' in html
    assert User.objects.get(pk=participant.pk).handle == "amina_diallo"


def test_refused_profile_form_keeps_the_saved_name_in_the_page_header(client, participant):
    client.force_login(participant)

    response = client.post(EDIT_URL, profile_form_data(participant, display_name="Amina Renamed", handle="admin"))

    html = response.content.decode()
    assert 'value="Amina Renamed"' in html
    assert '<a href="/u/amina_diallo/">Amina Diallo</a>' in html
    assert User.objects.get(pk=participant.pk).display_name == "Amina Diallo"


def test_blank_display_name_is_refused(client, participant):
    client.force_login(participant)

    response = client.post(EDIT_URL, profile_form_data(participant, display_name="   "))

    assert response.status_code == 200
    assert 'id="id_display_name_error"' in response.content.decode()
    assert User.objects.get(pk=participant.pk).display_name == "Amina Diallo"


def test_display_names_need_not_be_unique(client, participant, other_participant):
    client.force_login(participant)

    response = client.post(EDIT_URL, profile_form_data(participant, display_name="Jean Dupont"))

    assert response.status_code == 302
    assert User.objects.filter(display_name="Jean Dupont").count() == 2


def test_saving_a_display_name_that_looks_like_html_shows_it_as_text(client, participant):
    client.force_login(participant)

    client.post(EDIT_URL, profile_form_data(participant, display_name="<img src=x onerror=alert(1)>"))
    response = client.get(participant.get_absolute_url())

    html = response.content.decode()
    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
