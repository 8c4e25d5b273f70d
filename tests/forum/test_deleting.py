"""Authors delete their own comments after confirming: a placeholder keeps a
thread with replies readable, a comment without replies disappears, counts
follow, and nothing leaves the database."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from forum.models import Comment, Room
from tests import factories

pytestmark = pytest.mark.django_db

PLACEHOLDER = "Comment deleted by its author."
MODERATORS_ONLY = "Show the text (moderators only)"


def delete_url(comment):
    return reverse("forum:delete-comment", args=[comment.pk])


def room_html(client, room):
    response = client.get(room.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def article_of(html, comment):
    found = re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S)
    return found.group(0) if found else None


@pytest.fixture
def comment(room, participant):
    return factories.make_comment(room, participant, body="I take back what I said about the courts.")


def test_the_delete_link_asks_for_confirmation_first(participant_client, room, comment):
    assert f'<a href="{delete_url(comment)}">Delete</a>' in room_html(participant_client, room)

    response = participant_client.get(delete_url(comment))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete this comment?" in html
    assert "I take back what I said about the courts." in html
    assert f'<form method="post" action="{delete_url(comment)}">' in html
    comment.refresh_from_db()
    assert comment.is_visible


def test_confirming_deletes_and_returns_to_the_room_with_one_comment_fewer(participant_client, room, comment):
    factories.make_comment(room, body="Another view.")
    assert "Comments (2)" in room_html(participant_client, room)

    response = participant_client.post(delete_url(comment), follow=True)

    assert response.redirect_chain == [(room.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "Your comment has been deleted." in html
    assert "Comments (1)" in html
    room.refresh_from_db()
    assert room.comment_count == 1


def test_a_deleted_comment_without_replies_disappears_but_stays_in_the_database(participant_client, room, comment):
    participant_client.post(delete_url(comment))

    html = room_html(participant_client, room)
    assert f'id="comment-{comment.pk}"' not in html
    assert "I take back what I said" not in html
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.state == Comment.State.DELETED
    assert stored.body_source == "I take back what I said about the courts."


def test_a_deleted_comment_with_replies_leaves_a_placeholder_that_keeps_the_thread(
    participant_client, room, comment, other_participant
):
    reply = factories.make_reply(comment, other_participant, body="I still think you had a point.")

    participant_client.post(delete_url(comment))

    for viewer in (participant_client, Client()):
        html = room_html(viewer, room)
        article = article_of(html, comment)
        assert PLACEHOLDER in article
        assert "I take back what I said" not in html
        assert MODERATORS_ONLY not in html
        assert "I still think you had a point." in article_of(html, reply)
        assert html.index(f'id="comment-{comment.pk}"') < html.index(f'id="comment-{reply.pk}"')
    room.refresh_from_db()
    assert room.comment_count == 1


def test_the_placeholder_does_not_name_the_author_not_even_to_screen_readers(
    participant_client, room, comment, other_participant
):
    factories.make_reply(comment, other_participant, body="I still think you had a point.")

    participant_client.post(delete_url(comment))

    article = article_of(room_html(Client(), room), comment)
    assert 'class="comment__author"' not in article
    assert "Amina Diallo" not in article


def test_a_deleted_reply_without_replies_of_its_own_disappears_from_its_thread(
    participant_client, room, other_participant, participant
):
    root = factories.make_comment(room, other_participant, body="What about the courts?")
    reply = factories.make_reply(root, participant, body="Courts are too far away.")

    participant_client.post(delete_url(reply))

    html = room_html(participant_client, room)
    assert f'id="comment-{root.pk}"' in html
    assert f'id="comment-{reply.pk}"' not in html
    assert "Comments (1)" in html


def test_moderators_and_staff_can_still_read_what_a_deleted_comment_said(
    participant_client, client, room, comment, moderator, staff, other_participant
):
    factories.make_reply(comment, other_participant, body="I still think you had a point.")
    participant_client.post(delete_url(comment))

    for person in (moderator, staff):
        client.force_login(person)
        article = article_of(room_html(client, room), comment)

        assert PLACEHOLDER in article
        assert f"<summary>{MODERATORS_ONLY}</summary>" in article
        assert "I take back what I said about the courts." in article


def test_staff_can_read_a_deleted_comment_without_replies_on_its_moderation_page(
    client, participant_client, comment, staff
):
    participant_client.post(delete_url(comment))
    client.force_login(staff)

    response = client.get(reverse("forum:moderate-comment", args=[comment.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert PLACEHOLDER in html
    assert "I take back what I said about the courts." in html


def test_deleting_twice_is_refused_and_counts_once(participant_client, room, comment):
    factories.make_comment(room, body="Another view.")
    participant_client.post(delete_url(comment))

    response = participant_client.post(delete_url(comment))

    assert response.status_code == 403
    assert "This comment has already been removed." in response.content.decode()
    assert participant_client.get(delete_url(comment)).status_code == 403
    room.refresh_from_db()
    assert room.comment_count == 1


def test_someone_else_cannot_delete_my_comment(client, room, comment, other_participant):
    client.force_login(other_participant)

    response = client.post(delete_url(comment))

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.is_visible
    room.refresh_from_db()
    assert room.comment_count == 1


def test_authors_can_still_delete_in_a_closed_room(participant_client, room, comment):
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)

    response = participant_client.post(delete_url(comment))

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_deleted
    room.refresh_from_db()
    assert room.comment_count == 0


def test_deleting_a_comment_still_awaiting_moderation_leaves_the_count_alone(
    participant_client, room, participant, other_participant
):
    factories.make_comment(room, other_participant, body="A published view.")
    Room.objects.filter(pk=room.pk).update(premoderate_first=1)
    room.refresh_from_db()
    held = factories.make_comment(room, participant, body="My first words here.")
    assert held.is_pending

    response = participant_client.post(delete_url(held))

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.is_deleted
    room.refresh_from_db()
    assert room.comment_count == 1
    assert "Comments (1)" in room_html(participant_client, room)


def test_a_comment_citing_a_deleted_one_says_it_is_no_longer_available(
    participant_client, room, consultation, comment, other_participant
):
    other_room = factories.make_room(consultation, title="Access to justice")
    citing = factories.make_comment(
        other_room, other_participant, body=f"See {django_settings.SITE_URL}/comment/{comment.pk}/"
    )

    participant_client.post(delete_url(comment))

    article = article_of(room_html(participant_client, other_room), citing)
    assert f"A comment no longer available, in {room.title}" in article
    assert "I take back what I said" not in article
