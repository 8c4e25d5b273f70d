"""Rooms kept under their version (FORUM_CACHE_ROOMS): what a room page shows
around its comments comes from the cache, and never stale after a change."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import services
from forum.models import Comment, Room
from forum.selectors import threads
from tests import factories


@pytest.fixture(autouse=True)
def rooms_kept(settings):
    settings.FORUM_CACHE_ROOMS = True


def page(client, room):
    response = client.get(room.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def queries(client, room):
    with CaptureQueriesContext(connection) as captured:
        page(client, room)
    return len(captured)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_a_kept_room_saves_its_three_queries(client, settings, room, participant, signed_in):
    factories.make_question(room, "What works?")
    factories.assign_moderator(room, factories.make_user("Maria Moderator"))
    if signed_in:
        client.force_login(participant)
    settings.FORUM_CACHE_ROOMS = False
    drawn = queries(client, room)
    settings.FORUM_CACHE_ROOMS = True
    queries(client, room)
    kept = queries(client, room)
    assert kept <= drawn - 3
    assert kept <= (3 if not signed_in else 9)


@pytest.mark.django_db(transaction=True)
def test_changes_to_the_room_show_at_once(client, room, participant):
    client.force_login(participant)
    page(client, room)
    fresh = Room.objects.get(pk=room.pk)
    fresh.introduction = "A new introduction from the admin."
    fresh.save()
    assert "A new introduction from the admin." in page(client, room)
    group = factories.make_question_group(room, "Rural courts")
    factories.make_question(room, "Who travels to court?", group=group)
    html = page(client, room)
    assert "Rural courts" in html and "Who travels to court?" in html


@pytest.mark.django_db(transaction=True)
def test_an_answer_counts_under_its_question_at_once(client, room, participant):
    question = factories.make_question(room, "What works?")
    page(client, room)
    factories.make_comment(room, participant, body="Mobile courts.", guiding_question=question)
    assert "1 answer" in page(client, room)


@pytest.mark.django_db(transaction=True)
def test_the_rota_shows_at_once_who_joins_and_who_is_suspended(client, room, participant):
    client.force_login(participant)
    maria = factories.make_user("Maria Moderator")
    page(client, room)
    factories.assign_moderator(room, maria)
    assert "On duty now" in page(client, room) and "Maria Moderator" in page(client, room)
    staff = factories.make_user("Sam Staff", is_staff=True)
    services.suspend_participant(staff, consultation=room.consultation, person=maria, reason="A break.")
    assert "On duty now" not in page(client, room)


@pytest.mark.django_db(transaction=True)
def test_closing_the_room_shows_at_once(client, room, participant, moderator):
    client.force_login(participant)
    assert 'name="body"' in page(client, room)
    services.close_room(moderator, room=room)
    assert "This room is closed" in page(client, room)


def test_the_day_s_rota_changes_at_midnight(client, room, participant):
    room.consultation.time_zone = "UTC"
    room.consultation.save()
    evening = datetime(2026, 6, 7, 23, 59, 30, tzinfo=timezone.get_fixed_timezone(0))
    with time_machine.travel(evening, tick=False):
        factories.assign_moderator(room, factories.make_user("Maria Moderator"), starts_in_days=1)
        assert "On duty now" not in page(client, room)
        assert "On duty now" not in page(client, room)
    with time_machine.travel(evening + timedelta(seconds=40), tick=False):
        assert "On duty now" in page(client, room)


def test_a_draft_room_kept_for_staff_stays_hidden_from_others(client, room, participant):
    Room.objects.filter(pk=room.pk).update(is_published=False)
    client.force_login(factories.make_user("Sam Staff", is_staff=True))
    page(client, room)
    client.force_login(participant)
    assert client.get(room.get_absolute_url()).status_code == 404


def endorse_button(html, comment):
    article = html.split(f'id="comment-{comment.pk}"')[1].split("</article>")[0]
    return re.search(r'class="endorse" aria-pressed="(\w+)" aria-label="I agree, (\d+)"', article).groups()


def test_a_kept_page_of_threads_shows_each_viewer_their_own_endorsements(client, room, participant, other_participant):
    comment = factories.make_comment(room, participant, body="Worth reading.")
    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)
    client.force_login(other_participant)
    page(client, room)
    assert endorse_button(page(client, room), comment) == ("true", "1")
    assert threads._kept_pages.hits >= 1
    client.force_login(factories.make_user("Sara Reader"))
    assert endorse_button(page(client, room), comment) == ("false", "1")


def test_a_comment_awaiting_a_moderator_shows_to_its_author_alone(client, room, participant, other_participant):
    comment = factories.make_comment(room, participant, body="Held for a moderator.")
    Comment.objects.filter(pk=comment.pk).update(state=Comment.State.PENDING)
    client.force_login(other_participant)
    page(client, room)
    assert "Held for a moderator." not in page(client, room)
    client.force_login(participant)
    assert "Held for a moderator." in page(client, room)


@pytest.mark.django_db(transaction=True)
def test_a_new_comment_shows_at_once_on_a_kept_page_of_threads(client, room, participant, other_participant):
    factories.make_comment(room, participant, body="The first thread.")
    client.force_login(other_participant)
    page(client, room)
    factories.make_comment(room, participant, body="Breaking news from the field.")
    assert "Breaking news from the field." in page(client, room)


@pytest.mark.django_db(transaction=True)
def test_nothing_kept_comes_back_when_the_shared_cache_starts_again_empty(client, room, participant):
    page(client, room)
    factories.make_comment(room, participant, body="Posted before the restart.")
    cache.clear()  # Redis restarted with nothing: its versions start again
    assert "Posted before the restart." in page(client, room)


def test_while_the_shared_cache_does_not_answer_nothing_is_kept(client, room, participant, monkeypatch):
    factories.make_comment(room, participant, body="A thought.")
    monkeypatch.setattr(cache, "get_many", lambda keys, version=None: {})
    page(client, room)
    assert "A thought." in page(client, room)
    assert len(threads._kept_pages) == 0
