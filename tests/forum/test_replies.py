"""Replies nest under their parent, to any depth, and stay where they belong."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from forum import services
from forum.models import Comment, Room
from tests import factories


def reply_url(comment):
    room = comment.room
    return reverse("forum:reply", args=[room.consultation.slug, room.slug, comment.pk])


def article_classes(html, comment):
    return re.search(rf'<article id="comment-{comment.pk}" class="([^"]+)"', html).group(1).split()


def test_a_reply_appears_under_its_parent(participant_client, room, other_participant):
    parent = factories.make_comment(room, other_participant, body="What about legal aid?")
    response = participant_client.post(reply_url(parent), {"body": "It must be funded."})
    reply = Comment.objects.get(parent=parent)
    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{reply.pk}")
    html = participant_client.get(room.get_absolute_url()).content.decode()
    assert html.index(f'id="comment-{parent.pk}"') < html.index(f'id="comment-{reply.pk}"')
    assert "depth-1" in article_classes(html, reply)
    assert "depth-0" in article_classes(html, parent)


def test_a_reply_to_a_reply_is_indented_one_step_further(participant_client, room, other_participant):
    parent = factories.make_comment(room, other_participant)
    reply = factories.make_reply(parent)
    participant_client.post(reply_url(reply), {"body": "Replying to the reply."})
    nested = Comment.objects.get(parent=reply)
    assert nested.level == 2
    html = participant_client.get(room.get_absolute_url()).content.decode()
    assert "depth-2" in article_classes(html, nested)


def test_replies_count_in_the_room_but_do_not_start_threads(room, participant):
    root = factories.make_comment(room, participant)
    factories.make_reply(root)
    factories.make_reply(root)
    room.refresh_from_db()
    assert room.comment_count == 3
    assert room.thread_count == 1


def test_the_plain_reply_page_shows_the_parent_and_a_form(participant_client, room, other_participant):
    parent = factories.make_comment(room, other_participant, body="Original point")
    response = participant_client.get(reply_url(parent))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Original point" in html
    assert f'action="{reply_url(parent)}"' in html


def test_replying_with_a_parent_from_another_room_is_not_found(participant_client, room, consultation):
    other_room = factories.make_room(consultation)
    foreign = factories.make_comment(other_room)
    url = reverse("forum:reply", args=[room.consultation.slug, room.slug, foreign.pk])
    response = participant_client.post(url, {"body": "Sneaky"})
    assert response.status_code == 404
    assert not Comment.objects.filter(parent=foreign).exists()


def test_replying_to_a_missing_comment_is_not_found(participant_client, room):
    url = reverse("forum:reply", args=[room.consultation.slug, room.slug, 999_999])
    assert participant_client.post(url, {"body": "Hello"}).status_code == 404


def test_replying_in_a_closed_room_is_refused(participant_client, room, other_participant):
    parent = factories.make_comment(room, other_participant)
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)
    response = participant_client.post(reply_url(parent), {"body": "Late reply"})
    assert response.status_code == 403
    assert "Late reply" in response.content.decode()
    assert not Comment.objects.filter(parent=parent).exists()


@pytest.mark.parametrize("state", [Comment.State.HIDDEN, Comment.State.DELETED])
def test_replying_to_a_removed_comment_is_refused(participant_client, room, other_participant, state):
    parent = factories.make_comment(room, other_participant)
    Comment.objects.filter(pk=parent.pk).update(state=state)
    response = participant_client.post(reply_url(parent), {"body": "Hello?"})
    assert response.status_code == 403
    assert not Comment.objects.filter(parent=parent).exists()


def test_an_empty_reply_keeps_the_parent_and_says_why(participant_client, room, other_participant):
    parent = factories.make_comment(room, other_participant, body="The point")
    response = participant_client.post(reply_url(parent), {"body": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please write something before posting." in html
    assert "The point" in html


def test_the_same_reply_form_sent_twice_stores_one_reply(participant_client, room, other_participant):
    parent = factories.make_comment(room, other_participant)
    data = {"body": "Only once", "client_token": "5b0c8f3e-8f7a-4c1e-9d51-3f1b8e1f0a11"}
    participant_client.post(reply_url(parent), data)
    participant_client.post(reply_url(parent), data)
    assert Comment.objects.filter(parent=parent).count() == 1


def test_depth_is_unlimited_in_storage_and_capped_at_five_on_screen(participant_client, room, participant):
    chain = [factories.make_comment(room, participant, body="Level 0")]
    for level in range(1, 8):
        chain.append(factories.make_reply(chain[-1], body=f"Level {level}"))
    assert chain[-1].level == 7
    html = participant_client.get(room.get_absolute_url()).content.decode()
    for comment in chain:
        assert f"depth-{min(comment.level, 5)}" in article_classes(html, comment)
    deepest = re.search(rf'<article id="comment-{chain[7].pk}".*?</article>', html, re.S).group(0)
    assert "replying to" in deepest
    assert f'href="#comment-{chain[6].pk}"' in deepest
    at_five = re.search(rf'<article id="comment-{chain[5].pk}".*?</article>', html, re.S).group(0)
    assert "replying to" not in at_five


def test_replies_to_different_threads_keep_each_tree_separate(room, participant):
    first = factories.make_comment(room, participant)
    second = factories.make_comment(room, participant)
    factories.make_reply(first)
    factories.make_reply(second)
    factories.make_reply(first)
    assert first.tree_id != second.tree_id
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reply_count == 2
    assert second.reply_count == 1
    assert Comment.objects.filter(tree_id=first.tree_id).count() == 3


def test_the_reply_page_of_a_held_comment_is_not_found_for_others(participant_client, room, other_participant):
    held = factories.make_comment(room, other_participant, body="Secret draft thoughts.")
    Comment.objects.filter(pk=held.pk).update(state=Comment.State.PENDING)
    response = participant_client.get(reply_url(held))
    assert response.status_code == 404
    assert "Secret draft thoughts" not in response.content.decode()


def test_a_held_comment_s_author_sees_it_above_the_reply_form(client, room, other_participant):
    held = factories.make_comment(room, other_participant, body="My held thoughts.")
    Comment.objects.filter(pk=held.pk).update(state=Comment.State.PENDING)
    client.force_login(other_participant)
    assert "My held thoughts." in client.get(reply_url(held)).content.decode()


@pytest.mark.parametrize("state", [Comment.State.HIDDEN, Comment.State.DELETED])
def test_the_reply_page_of_a_removed_comment_names_nobody(participant_client, room, other_participant, state):
    removed = factories.make_comment(room, other_participant, body="Removed words.")
    factories.make_reply(removed, body="A reply keeps it in the thread.")
    Comment.objects.filter(pk=removed.pk).update(state=state)
    html = participant_client.get(reply_url(removed)).content.decode()
    assert other_participant.display_name not in html
    assert "Removed words." not in html


def test_a_reply_to_a_comment_gone_since_the_form_was_drawn_is_refused(room, participant, other_participant):
    root = factories.make_comment(room, participant)
    parent = factories.make_reply(root, other_participant)
    stale = Comment.objects.select_related("room__consultation").get(pk=parent.pk)
    Comment.objects.filter(pk=parent.pk).delete()
    with pytest.raises(PermissionDenied):
        services.reply_to_comment(participant, parent=stale, body="Still there?")
    assert list(Comment.objects.values_list("pk", flat=True)) == [root.pk]


def test_a_reply_under_a_thread_locked_since_the_form_was_drawn_is_refused(room, participant, other_participant):
    root = factories.make_comment(room, participant)
    parent = Comment.objects.select_related("room__consultation").get(pk=factories.make_reply(root, participant).pk)
    Comment.objects.filter(pk=root.pk).update(is_locked=True)
    with pytest.raises(PermissionDenied, match="locked"):
        services.reply_to_comment(other_participant, parent=parent, body="One more thing")
    assert Comment.objects.count() == 2
