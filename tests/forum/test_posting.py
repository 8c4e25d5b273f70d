"""Starting a thread: who may, what is refused, and that nothing typed is lost."""

import uuid

import pytest
from django.urls import reverse

from forum.models import Comment, Room
from tests import factories


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def test_a_confirmed_participant_posts_and_lands_on_their_comment(participant_client, room):
    response = participant_client.post(new_comment_url(room), {"body": "Legal aid must reach rural areas."})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == f"{room.get_absolute_url()}#comment-{comment.pk}"
    page = participant_client.get(room.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in page
    assert "Legal aid must reach rural areas." in page


def test_posting_updates_the_room_counts_and_activity(participant, room):
    factories.make_comment(room, participant)
    room.refresh_from_db()
    assert room.comment_count == 1
    assert room.thread_count == 1
    assert room.last_activity_at is not None


def test_the_comment_form_page_works_without_javascript(participant_client, room):
    response = participant_client.get(new_comment_url(room))
    assert response.status_code == 200
    assert 'name="body"' in response.content.decode()


@pytest.mark.parametrize("body", ["", "   ", "\n\n\t  \n"])
def test_an_empty_comment_is_refused_with_a_message(participant_client, room, body):
    response = participant_client.post(new_comment_url(room), {"body": body})
    assert response.status_code == 400
    assert "Please write something before posting." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_over_ten_thousand_characters_is_refused_and_kept(participant_client, room):
    body = "Evidence. " * 1001  # 10,010 characters
    response = participant_client.post(new_comment_url(room), {"body": body})
    html = response.content.decode()
    assert response.status_code == 400
    assert "the limit is 10000" in html.replace(",", "")
    assert body.strip() in html
    assert not Comment.objects.exists()


def test_a_comment_of_exactly_ten_thousand_characters_is_accepted(participant_client, room):
    body = "x" * 10_000
    response = participant_client.post(new_comment_url(room), {"body": body})
    assert response.status_code == 302
    assert len(Comment.objects.get().body_source) == 10_000


def test_a_body_with_a_null_character_gets_a_message_not_an_error(participant_client, room):
    response = participant_client.post(new_comment_url(room), {"body": "before\x00after"})
    assert response.status_code == 400
    assert "before" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in_and_nothing_is_stored(client, room):
    response = client.post(new_comment_url(room), {"body": "Hello"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_an_unconfirmed_email_cannot_post_and_keeps_the_text(client, room):
    client.force_login(factories.make_user("New Person", confirmed=False))
    response = client.post(new_comment_url(room), {"body": "My first thoughts"})
    assert response.status_code == 403
    assert "My first thoughts" in response.content.decode()
    assert not Comment.objects.exists()


def test_posting_to_a_closed_room_is_refused_and_keeps_the_text(participant_client, room):
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)
    response = participant_client.post(new_comment_url(room), {"body": "Too late?"})
    assert response.status_code == 403
    assert "Too late?" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_closed_room_is_read_only_with_a_notice(participant_client, room, other_participant):
    comment = factories.make_comment(room, other_participant)
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)
    html = participant_client.get(room.get_absolute_url()).content.decode()
    assert "This room is closed" in html
    assert f'id="comment-{comment.pk}"' in html
    assert 'name="body"' not in html
    assert reverse("forum:reply", args=[room.consultation.slug, room.slug, comment.pk]) not in html


def test_posting_to_a_room_that_has_not_opened_is_refused(participant_client, room):
    Room.objects.filter(pk=room.pk).update(state=Room.State.UPCOMING)
    response = participant_client.post(new_comment_url(room), {"body": "Early bird"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_posting_to_an_unpublished_room_is_not_found(participant_client, room):
    Room.objects.filter(pk=room.pk).update(is_published=False)
    response = participant_client.post(new_comment_url(room), {"body": "Hello"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_an_inactive_account_cannot_post(client, room):
    person = factories.make_user("Gone Away")
    client.force_login(person)
    person.is_active = False
    person.save()
    client.post(new_comment_url(room), {"body": "Hello"})
    assert not Comment.objects.exists()


def test_the_same_form_sent_twice_stores_one_comment(participant_client, room):
    token = str(uuid.uuid4())
    first = participant_client.post(new_comment_url(room), {"body": "Once only", "client_token": token})
    second = participant_client.post(new_comment_url(room), {"body": "Once only", "client_token": token})
    assert Comment.objects.count() == 1
    assert first.url == second.url


def test_one_form_s_token_sent_to_a_second_place_is_refused_with_the_text_kept(participant_client, room):
    token = str(uuid.uuid4())
    parent = factories.make_comment(room, body="Somewhere else.")
    participant_client.post(new_comment_url(room), {"body": "First place", "client_token": token})

    response = participant_client.post(
        reverse("forum:reply", args=[room.consultation.slug, room.slug, parent.pk]),
        {"body": "Second place", "client_token": token},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "This form has already been used to post another comment." in html
    assert "Second place" in html
    assert list(Comment.objects.order_by("pk").values_list("body_source", flat=True)) == [
        "Somewhere else.",
        "First place",
    ]


def test_two_different_forms_store_two_comments(participant_client, room):
    for _ in range(2):
        participant_client.post(new_comment_url(room), {"body": "Same words", "client_token": str(uuid.uuid4())})
    assert Comment.objects.count() == 2


def test_another_person_cannot_reuse_a_token_to_touch_my_comment(participant, other_participant, room):
    token = uuid.uuid4()
    mine = factories.make_comment(room, participant, client_token=token)
    theirs = factories.make_comment(room, other_participant, client_token=token)
    assert mine.pk != theirs.pk
    assert theirs.author == other_participant


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_not_allowed(participant_client, room, method):
    response = getattr(participant_client, method)(new_comment_url(room))
    assert response.status_code == 405


def test_the_room_form_is_drawn_for_people_who_may_post(participant_client, room):
    html = participant_client.get(room.get_absolute_url()).content.decode()
    assert f'action="{new_comment_url(room)}"' in html
    assert 'name="client_token"' in html
