"""Comments held for a moderator's approval: the first comments of newcomers
where a room asks for it, and link-heavy comments from brand-new accounts."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from forum import services
from forum.models import Comment, ModerationAction, Notification, Room
from tests import factories

pytestmark = pytest.mark.django_db

QUEUE_URL = "/moderation/"
AWAITING = '<span class="badge badge--warn">Awaiting moderation</span>'


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def approve_url(comment):
    return reverse("forum:act-on-comment", args=[comment.pk, "approve"])


def room_html(client, room):
    response = client.get(room.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def article_in(html, comment):
    found = re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S)
    return found.group(0) if found else None


def established(person):
    """An account older than a day."""
    User.objects.filter(pk=person.pk).update(date_joined=timezone.now() - timedelta(days=2))
    return User.objects.get(pk=person.pk)


def links(count):
    return " ".join(f"https://shop{n}.example/offer" for n in range(count))


@pytest.fixture
def held_room(room):
    """A room that holds the first two comments of people new to the consultation."""
    Room.objects.filter(pk=room.pk).update(premoderate_first=2)
    room.refresh_from_db()
    return room


@pytest.fixture
def moderator_client(moderator):
    moderator_client = Client()
    moderator_client.force_login(moderator)
    return moderator_client


# --- Holding a newcomer's first comments ----------------------------------------------------


def test_a_newcomers_comment_waits_for_approval_and_is_not_counted(participant_client, held_room):
    response = participant_client.post(new_comment_url(held_room), {"body": "My first thoughts on legal aid."})

    assert response.status_code == 302
    held = Comment.objects.get()
    assert held.state == Comment.State.PENDING
    held_room.refresh_from_db()
    assert held_room.comment_count == 0
    assert "Comments (0)" in room_html(participant_client, held_room)


def test_the_author_sees_their_held_comment_marked_as_awaiting_moderation(participant_client, held_room, participant):
    held = factories.make_comment(held_room, participant, body="My first thoughts on legal aid.")

    article = article_in(room_html(participant_client, held_room), held)

    assert AWAITING in article
    assert "My first thoughts on legal aid." in article
    assert "A moderator will look at this comment before others can see it." in article


def test_other_participants_and_visitors_do_not_see_a_held_comment(client, held_room, participant, other_participant):
    held = factories.make_comment(held_room, participant, body="My first thoughts on legal aid.")
    client.force_login(other_participant)

    for viewer in (client, Client()):
        html = room_html(viewer, held_room)
        assert f'id="comment-{held.pk}"' not in html
        assert "My first thoughts on legal aid." not in html


def test_a_held_comment_is_on_no_other_page_for_others(client, held_room, participant):
    held = factories.make_comment(held_room, participant, body="My first thoughts on legal aid.")
    thread_url = reverse("forum:thread", args=[held_room.consultation.slug, held_room.slug, held.pk])

    assert client.get(thread_url).status_code == 404
    profile = client.get(f"/u/{participant.handle}/")
    assert profile.status_code == 200
    assert "My first thoughts on legal aid." not in profile.content.decode()


def test_a_held_comment_cannot_be_replied_to_or_reported(client, held_room, participant, other_participant):
    held = factories.make_comment(held_room, participant, body="My first thoughts on legal aid.")
    client.force_login(other_participant)

    reply = client.post(
        reverse("forum:reply", args=[held_room.consultation.slug, held_room.slug, held.pk]), {"body": "A reply"}
    )
    report = client.post(reverse("forum:report-comment", args=[held.pk]), {"reason": "spam"})

    # Held comments are not there for other people: no page of theirs says otherwise.
    assert reply.status_code == 404
    assert report.status_code == 403
    assert Comment.objects.count() == 1


def test_moderators_find_held_comments_in_the_queue_and_approve_them(
    moderator_client, client, held_room, participant, moderator
):
    held = factories.make_comment(held_room, participant, body="My first thoughts on legal aid.")
    queue = moderator_client.get(QUEUE_URL).content.decode()
    assert '<span class="badge">Awaiting approval</span>' in queue
    assert "My first thoughts on legal aid." in queue
    assert f'action="{approve_url(held)}"' in queue

    response = moderator_client.post(approve_url(held), {"next": QUEUE_URL}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(QUEUE_URL, 302)]
    assert "The comment is published." in html
    assert "Nothing is waiting. Thank you!" in html
    held.refresh_from_db()
    assert held.is_visible
    held_room.refresh_from_db()
    assert held_room.comment_count == 1
    article = article_in(room_html(client, held_room), held)
    assert "My first thoughts on legal aid." in article
    assert "Awaiting moderation" not in article
    action = ModerationAction.objects.get()
    assert (action.action, action.moderator, action.comment, action.target_user) == (
        ModerationAction.Action.APPROVE,
        moderator,
        held,
        participant,
    )


def test_a_moderator_of_another_room_cannot_approve(client, consultation, held_room, participant):
    held = factories.make_comment(held_room, participant, body="My first thoughts on legal aid.")
    elsewhere = factories.make_user("Other Room Moderator")
    factories.assign_moderator(factories.make_room(consultation), elsewhere)
    client.force_login(elsewhere)

    assert held.body_source not in client.get(QUEUE_URL).content.decode()
    assert client.post(approve_url(held)).status_code == 403
    held.refresh_from_db()
    assert held.is_pending


def test_a_held_comment_tells_only_the_moderators_until_it_is_approved(held_room, participant, moderator):
    jean = factories.make_user("Jean Dupont")
    follower = factories.make_user("Room Follower")
    services.follow_room(follower, room=held_room)

    held = factories.make_comment(held_room, participant, body="What do you think, @jean_dupont?")

    assert set(Notification.objects.values_list("recipient", "kind", "comment", "reason")) == {
        (moderator.pk, Notification.Kind.HELD, held.pk, held.held_reason),
    }
    assert Notification.objects.get(kind=Notification.Kind.HELD).explanation == (
        "The first 2 comments of people new to this consultation are checked first."
    )
    services.approve_comment(moderator, comment=held)
    assert set(
        Notification.objects.exclude(kind=Notification.Kind.HELD).values_list("recipient", "kind", "comment")
    ) == {
        (jean.pk, Notification.Kind.MENTION, held.pk),
        (follower.pk, Notification.Kind.FOLLOW, held.pk),
    }


def test_a_mention_added_while_the_comment_waits_is_notified_on_approval(
    participant_client, held_room, participant, moderator
):
    jean = factories.make_user("Jean Dupont")
    held = factories.make_comment(held_room, participant, body="What do you think?")

    participant_client.post(reverse("forum:edit-comment", args=[held.pk]), {"body": "What do you think, @jean_dupont?"})

    assert not Notification.objects.filter(recipient=jean).exists()
    services.approve_comment(moderator, comment=held)
    assert list(Notification.objects.filter(recipient=jean).values_list("kind", flat=True)) == [
        Notification.Kind.MENTION
    ]


def test_a_held_reply_tells_the_parents_author_only_on_approval(held_room, participant, other_participant, moderator):
    parent = factories.make_comment(held_room, moderator, body="Welcome to the room.")
    held = factories.make_reply(parent, participant, body="Thank you for the welcome.")
    assert held.is_pending
    assert list(Notification.objects.filter(recipient=moderator).values_list("kind", flat=True)) == [
        Notification.Kind.HELD
    ]

    services.approve_comment(moderator, comment=held)

    assert list(Notification.objects.filter(recipient=moderator).values_list("kind", "comment")) == [
        (Notification.Kind.REPLY, held.pk),
        (Notification.Kind.HELD, held.pk),
    ]


def test_the_first_two_comments_are_held_and_later_ones_publish_at_once(held_room, participant, moderator):
    first = factories.make_comment(held_room, participant, body="One")
    second = factories.make_comment(held_room, participant, body="Two")
    assert (first.state, second.state) == (Comment.State.PENDING, Comment.State.PENDING)
    services.approve_comment(moderator, comment=first)
    services.approve_comment(moderator, comment=second)

    third = factories.make_comment(held_room, participant, body="Three")

    assert third.is_visible
    held_room.refresh_from_db()
    assert held_room.comment_count == 3


def test_comments_still_waiting_do_not_count_towards_the_first_ones(held_room, participant):
    factories.make_comment(held_room, participant, body="One")
    factories.make_comment(held_room, participant, body="Two")

    third = factories.make_comment(held_room, participant, body="Three, before anyone approved the others")

    assert third.is_pending


def test_only_approved_comments_count_towards_the_first_ones(held_room, participant, moderator):
    first = factories.make_comment(held_room, participant, body="One")
    services.approve_comment(moderator, comment=first)

    second = factories.make_comment(held_room, participant, body="Two")
    assert second.is_pending
    services.approve_comment(moderator, comment=second)

    assert factories.make_comment(held_room, participant, body="Three").is_visible


def test_someone_who_already_took_part_in_the_consultation_is_not_held(consultation, held_room, participant):
    open_room = factories.make_room(consultation)
    factories.make_comment(open_room, participant, body="Earlier, elsewhere in this consultation.")
    factories.make_comment(open_room, participant, body="And again.")

    assert factories.make_comment(held_room, participant, body="Here too.").is_visible


def test_comments_in_another_consultation_do_not_count(held_room, participant):
    elsewhere = factories.make_room(factories.make_consultation())
    factories.make_comment(elsewhere, participant, body="In another consultation.")
    factories.make_comment(elsewhere, participant, body="And again.")

    assert factories.make_comment(held_room, participant, body="New to this one.").is_pending


def test_moderators_comments_are_never_held(held_room, moderator, staff):
    assert factories.make_comment(held_room, moderator, body="Welcome, everyone.").is_visible
    assert factories.make_comment(held_room, staff, body="A note from the organisers.").is_visible


def test_a_room_without_the_option_publishes_at_once(room, participant):
    assert room.premoderate_first == 0

    assert factories.make_comment(room, participant, body="Straight in.").is_visible


# --- Links from brand-new accounts ----------------------------------------------------------


def test_a_new_account_posting_more_than_three_links_waits_for_a_moderator(participant_client, room, participant):
    assert participant.is_new_account

    response = participant_client.post(new_comment_url(room), {"body": f"Great deals: {links(4)}"})

    assert response.status_code == 302
    held = Comment.objects.get()
    assert held.is_pending
    room.refresh_from_db()
    assert room.comment_count == 0
    assert AWAITING in article_in(room_html(participant_client, room), held)


def test_links_added_by_an_edit_from_a_new_account_wait_for_a_moderator(participant, room):
    comment = factories.make_comment(room, participant, body="Nothing to see yet.")

    services.edit_comment(participant, comment=comment, body=f"Great deals: {links(4)}")

    comment.refresh_from_db()
    assert comment.is_pending
    room.refresh_from_db()
    assert room.comment_count == 0


def test_an_approved_comment_edited_to_other_text_waits_for_a_moderator_again(
    client, held_room, participant, other_participant, moderator
):
    services.follow_room(other_participant, room=held_room)
    comment = factories.make_comment(held_room, participant, body="A harmless first comment.")
    services.approve_comment(moderator, comment=comment)
    told = Notification.objects.filter(recipient=other_participant).count()

    edited = services.edit_comment(participant, comment=comment, body="Now something else entirely.")

    assert edited.is_pending
    held_room.refresh_from_db()
    assert held_room.comment_count == 0
    assert "Now something else entirely." not in room_html(client, held_room)
    services.approve_comment(moderator, comment=edited)
    assert "Now something else entirely." in room_html(client, held_room)
    # Published again: nobody is told twice of the same comment.
    assert Notification.objects.filter(recipient=other_participant).count() == told


def test_the_author_is_told_their_edit_waits_for_a_moderator(participant_client, held_room, participant, moderator):
    comment = factories.make_comment(held_room, participant, body="A harmless first comment.")
    services.approve_comment(moderator, comment=comment)

    response = participant_client.post(
        reverse("forum:edit-comment", args=[comment.pk]), {"body": "Changed words.", "language": "auto"}, follow=True
    )

    assert "A moderator will look at your edit before others can see it." in response.content.decode()


def test_an_established_participant_s_edit_is_published_at_once(held_room, participant, moderator):
    for n in range(2):
        services.approve_comment(moderator, comment=factories.make_comment(held_room, participant, body=f"Early {n}."))
    comment = factories.make_comment(held_room, participant, body="Published at once.")

    assert services.edit_comment(participant, comment=comment, body="Edited, still published.").is_visible


def test_a_new_account_posting_three_links_is_published(participant, room):
    assert factories.make_comment(room, participant, body=f"Sources: {links(3)}").is_visible


def test_an_older_account_posting_many_links_is_published(room, participant):
    older = established(participant)

    assert factories.make_comment(room, older, body=f"Sources: {links(6)}").is_visible


def test_links_to_our_own_comments_do_not_count_as_links(room, participant, other_participant, settings):
    cited = [factories.make_comment(room, other_participant, body=f"Point {n}") for n in range(5)]
    body = " ".join(f"{settings.SITE_URL}/comment/{comment.pk}/" for comment in cited)

    assert factories.make_comment(room, participant, body=f"See {body}").is_visible
