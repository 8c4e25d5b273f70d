"""Following rooms and threads from the room page, and what followers hear about."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from forum.models import Follow, Notification, Room
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def follow_room_url(room):
    return reverse("forum:follow-room", args=[room.consultation.slug, room.slug])


def follow_thread_url(thread):
    return reverse("forum:follow-thread", args=[thread.room.consultation.slug, thread.room.slug, thread.pk])


def thread_actions(html, thread):
    """The action bar under a comment on the room page."""
    article = re.search(rf'<article id="comment-{thread.pk}".*?</article>', html, re.S).group(0)
    return article.split('class="comment__actions"', 1)[1]


def kinds_for(person):
    return list(Notification.objects.filter(recipient=person).values_list("kind", flat=True))


# --- Rooms -----------------------------------------------------------------


def test_a_person_follows_and_unfollows_a_room_from_its_page(participant_client, room, participant):
    page = participant_client.get(room.get_absolute_url()).content.decode()
    assert f'action="{follow_room_url(room)}"' in page
    assert "Follow this room" in page

    response = participant_client.post(follow_room_url(room))

    assert response.status_code == 302
    assert response.url == room.get_absolute_url()
    assert Follow.objects.filter(user=participant, room=room).exists()
    page = participant_client.get(room.get_absolute_url()).content.decode()
    assert (
        '<input type="hidden" name="follow" value="off">'
        '<button type="submit" class="button-secondary">Unfollow this room</button>' in page
    )

    participant_client.post(follow_room_url(room), {"follow": "off"})

    assert not Follow.objects.filter(user=participant, room=room).exists()
    assert "Follow this room" in participant_client.get(room.get_absolute_url()).content.decode()


def test_following_a_room_twice_keeps_one_follow(participant_client, room, participant):
    participant_client.post(follow_room_url(room))
    participant_client.post(follow_room_url(room))

    assert Follow.objects.filter(user=participant, room=room).count() == 1


def test_anonymous_visitors_see_no_follow_buttons_and_are_sent_to_log_in(client, room):
    thread = factories.make_comment(room)
    page = client.get(room.get_absolute_url()).content.decode()
    assert "Follow this room" not in page
    assert "Follow thread" not in page

    for url in [follow_room_url(room), follow_thread_url(thread)]:
        response = client.post(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert Follow.objects.filter(user=thread.author).count() == 1  # the author's own thread only


def test_following_answers_only_post(participant_client, room, participant):
    thread = factories.make_comment(room)

    assert participant_client.get(follow_room_url(room)).status_code == 405
    assert participant_client.get(follow_thread_url(thread)).status_code == 405
    assert not Follow.objects.filter(user=participant).exists()


def test_an_unpublished_room_cannot_be_followed(participant_client, room, participant):
    thread = factories.make_comment(room)
    Room.objects.filter(pk=room.pk).update(is_published=False)

    assert participant_client.post(follow_room_url(room)).status_code == 404
    assert participant_client.post(follow_thread_url(thread)).status_code == 404
    assert not Follow.objects.filter(user=participant).exists()


def test_a_room_follower_hears_about_new_threads_and_replies(client, room, participant, other_participant):
    client.force_login(participant)
    client.post(follow_room_url(room))

    thread = factories.make_comment(room, other_participant, body="A new thread.")
    factories.make_reply(thread, factories.make_user("Third Person"), body="A reply.")

    assert kinds_for(participant) == [Kind.FOLLOW, Kind.FOLLOW]
    html = client.get("/notifications/").content.decode()
    assert f"<bdi>Jean Dupont</bdi> wrote in <bdi>{room.title}</bdi>, which you follow" in html
    assert f"<bdi>Third Person</bdi> wrote in <bdi>{room.title}</bdi>, which you follow" in html


def test_a_room_follower_hears_nothing_from_other_rooms(participant_client, room, participant):
    participant_client.post(follow_room_url(room))
    elsewhere = factories.make_room(room.consultation)

    factories.make_comment(elsewhere, body="Somewhere else.")

    assert not Notification.objects.filter(recipient=participant).exists()


def test_after_unfollowing_a_room_nothing_more_is_heard(participant_client, room, participant):
    participant_client.post(follow_room_url(room))
    participant_client.post(follow_room_url(room), {"follow": "off"})

    factories.make_comment(room, body="Quiet now.")

    assert not Notification.objects.filter(recipient=participant).exists()


# --- Threads ---------------------------------------------------------------


def test_a_person_follows_and_unfollows_a_thread_from_the_room_page(participant_client, room, participant):
    thread = factories.make_comment(room, body="Worth following.")
    assert "Follow thread" in thread_actions(participant_client.get(room.get_absolute_url()).content.decode(), thread)

    response = participant_client.post(follow_thread_url(thread))

    assert response.status_code == 302
    assert response.url == f"{room.get_absolute_url()}#comment-{thread.pk}"
    assert Follow.objects.filter(user=participant, thread=thread).exists()
    actions = thread_actions(participant_client.get(room.get_absolute_url()).content.decode(), thread)
    assert (
        '<input type="hidden" name="follow" value="off">'
        '<button type="submit" class="link-button">Unfollow thread</button>' in actions
    )

    participant_client.post(follow_thread_url(thread), {"follow": "off"})

    assert not Follow.objects.filter(user=participant, thread=thread).exists()


def test_only_top_level_comments_can_be_followed_as_threads(participant_client, room, participant):
    thread = factories.make_comment(room)
    reply = factories.make_reply(thread)

    assert participant_client.post(follow_thread_url(reply)).status_code == 404
    assert not Follow.objects.filter(user=participant).exists()


def test_a_thread_follower_hears_about_replies_in_that_thread_only(participant_client, room, participant):
    followed = factories.make_comment(room, body="Followed.")
    other_thread = factories.make_comment(room, body="Not followed.")
    participant_client.post(follow_thread_url(followed))

    factories.make_reply(followed, body="Heard.")
    factories.make_reply(other_thread, body="Not heard.")
    factories.make_comment(room, body="A new thread, not heard.")

    heard = Notification.objects.filter(recipient=participant)
    assert [(n.kind, n.comment.body_source) for n in heard] == [(Kind.FOLLOW, "Heard.")]


def test_a_deep_reply_in_a_followed_thread_is_heard(participant_client, room, participant):
    thread = factories.make_comment(room)
    participant_client.post(follow_thread_url(thread))
    reply = factories.make_reply(thread)

    factories.make_reply(factories.make_reply(reply), body="Three levels down.")

    assert kinds_for(participant).count(Kind.FOLLOW) == 3


# --- Following by default --------------------------------------------------


def test_starting_a_thread_follows_it(participant_client, room, participant):
    participant_client.post(
        reverse("forum:new-comment", args=[room.consultation.slug, room.slug]), {"body": "My new thread."}
    )
    thread = participant.comments.get()

    assert Follow.objects.filter(user=participant, thread=thread).exists()
    assert "Unfollow thread" in thread_actions(participant_client.get(room.get_absolute_url()).content.decode(), thread)

    factories.make_reply(thread, body="An answer.")
    assert kinds_for(participant) == [Kind.REPLY]


def test_replying_follows_the_thread_so_later_replies_are_heard(participant_client, room, participant):
    thread = factories.make_comment(room, body="Someone's thread.")
    participant_client.post(
        reverse("forum:reply", args=[room.consultation.slug, room.slug, thread.pk]), {"body": "My reply."}
    )

    assert Follow.objects.filter(user=participant, thread=thread).exists()

    factories.make_reply(thread, body="A later reply to the thread itself.")
    assert kinds_for(participant) == [Kind.FOLLOW]


def test_a_deep_reply_follows_its_thread_not_its_parent(room, participant):
    thread = factories.make_comment(room)
    reply = factories.make_reply(thread)

    factories.make_reply(reply, participant)

    assert list(Follow.objects.filter(user=participant).values_list("thread_id", flat=True)) == [thread.pk]


def test_people_who_turned_off_following_by_default_do_not_follow_what_they_write(room, participant):
    User.objects.filter(pk=participant.pk).update(follow_threads_on_post=False)
    participant.refresh_from_db()

    thread = factories.make_comment(room, participant, body="Mine.")
    factories.make_reply(factories.make_comment(room), participant, body="A reply.")
    answer = factories.make_reply(thread, body="A reply to my thread.")
    factories.make_reply(answer, body="Deeper down.")

    assert not Follow.objects.filter(user=participant).exists()
    # Still told about direct replies to their own comments, not about the rest.
    assert kinds_for(participant) == [Kind.REPLY]


def test_the_author_follows_at_once_and_the_others_hear_once_the_worker_runs(
    room, participant, other_participant, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    root = factories.make_comment(room, other_participant)
    reply = factories.make_reply(root, participant, body="Agreed.")
    # Queued with the reply; nothing has run it yet.
    assert Follow.objects.filter(user=participant, thread_id=root.pk).exists()
    assert not Notification.objects.filter(comment=reply).exists()
