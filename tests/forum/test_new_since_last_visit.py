""" "New since your last visit": what a signed-in person coming back to a room
finds marked, where the jump link leads, and what the consultation page counts."""

import logging
import re
from datetime import timedelta

from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.models import Comment, RoomVisit
from forum.selectors import get_room_to_read
from tests import factories

NEW_BADGE = '<span class="badge badge--new">New<span class="visually-hidden"> since your last visit</span></span>'


def new_comment_ids(html):
    """The comments drawn with the "New" marker, in page order."""
    return [int(found) for found in re.findall(r'<article id="comment-(\d+)" class="[^"]*\bcomment--new\b', html)]


def jump_link(html):
    found = re.search(r'<a href="([^"]+)">Jump to the first new comment</a>', html)
    return found.group(1) if found else None


def visit(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def end_the_visit(user, room):
    """As if the person last looked at the room two hours ago."""
    RoomVisit.objects.filter(user=user, room=room).update(seen_at=timezone.now() - timedelta(hours=2))


def test_nothing_is_new_on_a_first_visit_and_what_came_since_is_marked_on_the_next(
    participant_client, room, other_participant
):
    before = factories.make_comment(room, other_participant, body="Posted before the first visit.")
    first = visit(participant_client, room.get_absolute_url())
    assert new_comment_ids(first) == []
    assert jump_link(first) is None
    assert "since your last visit" not in first

    since = factories.make_reply(before, other_participant, body="Posted since.")
    second = visit(participant_client, room.get_absolute_url())

    assert new_comment_ids(second) == [since.pk]
    article = re.search(rf'<article id="comment-{since.pk}".*?</article>', second, re.S).group(0)
    assert NEW_BADGE in article
    assert "1 new comment since your last visit." in second
    assert jump_link(second) == f"#comment-{since.pk}"


def test_ones_own_comments_are_never_new(participant_client, room, participant, other_participant):
    visit(participant_client, room.get_absolute_url())
    mine = factories.make_comment(room, participant, body="My own, posted in another tab.")
    theirs = factories.make_reply(mine, other_participant, body="An answer to it.")
    html = visit(participant_client, room.get_absolute_url())
    assert new_comment_ids(html) == [theirs.pk]
    assert "1 new comment since your last visit." in html


def test_every_page_of_a_visit_marks_the_same_comments_and_the_next_visit_starts_after_them(
    participant_client, room, participant, other_participant
):
    visit(participant_client, room.get_absolute_url())
    new = factories.make_comment(room, other_participant, body="New to the reader.")
    thread_url = reverse("forum:thread", args=[room.consultation.slug, room.slug, new.pk])

    # Reloading, or opening the thread's own page, during the same visit.
    assert new_comment_ids(visit(participant_client, room.get_absolute_url())) == [new.pk]
    assert new_comment_ids(visit(participant_client, thread_url)) == [new.pk]
    assert new_comment_ids(visit(participant_client, room.get_absolute_url())) == [new.pk]

    # After a break, what the last visit showed is no longer new; what came later is.
    end_the_visit(participant, room)
    later = factories.make_reply(new, other_participant, body="Posted after the visit.")
    assert new_comment_ids(visit(participant_client, thread_url)) == [later.pk]
    end_the_visit(participant, room)
    html = visit(participant_client, room.get_absolute_url())
    assert new_comment_ids(html) == []
    assert jump_link(html) is None
    assert RoomVisit.objects.filter(user=participant).count() == 1


def test_hidden_held_and_deleted_comments_are_not_marked_new(participant_client, room, other_participant):
    root = factories.make_comment(room, other_participant, body="Root.")
    visit(participant_client, room.get_absolute_url())
    hidden = factories.make_reply(root, other_participant, body="Hidden one.")
    deleted = factories.make_reply(root, other_participant, body="Deleted one.")
    factories.make_reply(deleted, other_participant, body="Keeps the deleted one drawn.")
    Comment.objects.filter(pk=hidden.pk).update(state=Comment.State.HIDDEN, hidden_reason="off topic")
    Comment.objects.filter(pk=deleted.pk).update(state=Comment.State.DELETED)

    html = visit(participant_client, room.get_absolute_url())

    assert f'id="comment-{hidden.pk}"' in html and f'id="comment-{deleted.pk}"' in html
    assert hidden.pk not in new_comment_ids(html) and deleted.pk not in new_comment_ids(html)
    assert "1 new comment since your last visit." in html


def test_the_jump_link_leads_to_the_first_new_comment_in_reading_order(participant_client, room, other_participant):
    first_thread = factories.make_comment(room, other_participant, body="First thread.")
    visit(participant_client, room.get_absolute_url())
    new_thread = factories.make_comment(room, other_participant, body="A new thread, further down.")
    new_reply = factories.make_reply(first_thread, other_participant, body="A new reply, higher up.")

    html = visit(participant_client, room.get_absolute_url())

    assert new_comment_ids(html) == [new_reply.pk, new_thread.pk]
    assert jump_link(html) == f"#comment-{new_reply.pk}"
    assert "2 new comments since your last visit." in html


def test_a_new_comment_on_another_page_is_reached_through_its_permalink_and_marked_there(
    participant_client, room, other_participant, settings
):
    settings.FORUM_THREADS_PER_PAGE = 2
    for n in range(3):
        factories.make_comment(room, other_participant, body=f"Thread {n}.")
    visit(participant_client, room.get_absolute_url())
    new = factories.make_comment(room, other_participant, body="The fourth thread, on page 2.")

    first_page = visit(participant_client, room.get_absolute_url())
    assert new_comment_ids(first_page) == []
    assert jump_link(first_page) == reverse("forum:comment-permalink", args=[new.pk])
    assert "1 new comment since your last visit." in first_page

    landing = participant_client.get(jump_link(first_page))
    assert landing.url == f"{room.get_absolute_url()}?page=2#comment-{new.pk}"
    second_page = visit(participant_client, landing.url)
    assert new_comment_ids(second_page) == [new.pk]
    assert jump_link(second_page) == f"#comment-{new.pk}"


def test_the_consultation_page_counts_new_comments_per_room(
    participant_client, consultation, room, participant, other_participant
):
    quiet = factories.make_room(consultation, title="Quiet room")
    never_opened = factories.make_room(consultation, title="Never opened")
    root = factories.make_comment(room, other_participant)
    factories.make_comment(quiet, other_participant)
    for each in (room, quiet):
        visit(participant_client, each.get_absolute_url())

    factories.make_reply(root, other_participant, body="New one.")
    factories.make_comment(room, other_participant, body="Another new one.")
    factories.make_reply(root, participant, body="My own.")
    hidden = factories.make_reply(root, other_participant, body="Hidden.")
    held = factories.make_reply(root, other_participant, body="Held for a moderator.")
    deleted = factories.make_reply(root, other_participant, body="Deleted.")
    Comment.objects.filter(pk=hidden.pk).update(state=Comment.State.HIDDEN)
    Comment.objects.filter(pk=held.pk).update(state=Comment.State.PENDING)
    Comment.objects.filter(pk=deleted.pk).update(state=Comment.State.DELETED)
    factories.make_comment(never_opened, other_participant)

    html = visit(participant_client, consultation.get_absolute_url())

    def room_card(title):
        return re.search(rf"<li class=\"card\">\s*<h3><a [^>]*>{title}</a>.*?</li>", html, re.S).group(0)

    assert '<span class="badge badge--new">2 new</span>' in room_card(room.title)
    assert "new</span>" not in room_card("Quiet room")
    assert "new</span>" not in room_card("Never opened")

    # Opening the room is a look at it: the count starts again from there.
    visit(participant_client, room.get_absolute_url())
    assert "new</span>" not in visit(participant_client, consultation.get_absolute_url())


def test_the_consultation_page_reads_every_rooms_count_in_the_same_queries(
    participant_client, consultation, room, other_participant
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            visit(participant_client, consultation.get_absolute_url())
        return len(captured)

    visit(participant_client, room.get_absolute_url())
    factories.make_comment(room, other_participant)
    one_room = queries()
    for n in range(4):
        other = factories.make_room(consultation)
        visit(participant_client, other.get_absolute_url())
        factories.make_comment(other, other_participant)
    html = visit(participant_client, consultation.get_absolute_url())
    assert html.count('<span class="badge badge--new">1 new</span>') == 5
    assert queries() == one_room


def test_two_peoples_visits_are_their_own(client, room, participant, other_participant):
    third = factories.make_user("Bruno Costa")
    client.force_login(participant)
    visit(client, room.get_absolute_url())
    client.force_login(other_participant)
    visit(client, room.get_absolute_url())

    by_third = factories.make_comment(room, third, body="For both of them.")
    end_the_visit(participant, room)
    end_the_visit(other_participant, room)
    client.force_login(other_participant)
    assert new_comment_ids(visit(client, room.get_absolute_url())) == [by_third.pk]
    end_the_visit(other_participant, room)
    assert new_comment_ids(visit(client, room.get_absolute_url())) == []

    # Jean's visits moved only Jean's position.
    client.force_login(participant)
    assert new_comment_ids(visit(client, room.get_absolute_url())) == [by_third.pk]
    assert RoomVisit.objects.filter(room=room).count() == 2


def test_anonymous_visitors_see_nothing_new_and_leave_no_trace(client, room, participant, consultation):
    factories.make_comment(room, participant)
    html = visit(client, room.get_absolute_url())
    factories.make_comment(room, participant)
    html = visit(client, room.get_absolute_url())
    assert "comment--new" not in html and jump_link(html) is None
    assert "new</span>" not in visit(client, consultation.get_absolute_url())
    assert not RoomVisit.objects.exists()


def test_a_visit_that_cannot_be_recorded_does_not_break_the_page(
    participant_client, room, other_participant, monkeypatch, caplog
):
    factories.make_comment(room, other_participant, body="Still shown.")

    def fail(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "record_room_visit", fail)
    with caplog.at_level(logging.WARNING, logger="forum.views.comments"):
        html = visit(participant_client, room.get_absolute_url())
    assert "Still shown." in html
    assert "Could not record that person" in caplog.text


def test_a_page_read_earlier_but_recorded_last_does_not_move_the_position_back(room, participant, other_participant):
    def read():
        return get_room_to_read(participant, room.consultation.slug, room.slug)

    factories.make_comment(room, other_participant)
    room_first, first = read()
    services.record_room_visit(participant, room=room_first, reading=first)
    room_then, earlier = read()
    newest = factories.make_comment(room, other_participant)
    room_now, later = read()

    services.record_room_visit(participant, room=room_now, reading=later)
    services.record_room_visit(participant, room=room_then, reading=earlier)  # another tab, slower

    assert RoomVisit.objects.get(user=participant, room=room).last_seen_comment_id == newest.pk
