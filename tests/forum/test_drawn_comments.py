"""Drawn comments are kept by their cards (forum/drawn.py): drawn once, never stale."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from forum import display, drawn, services
from tests import factories

START = datetime(2026, 6, 7, 9, 0, tzinfo=timezone.get_fixed_timezone(0))
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def card_of(comment, viewer):
    return display.draw_single(viewer, comment)


def test_a_comment_is_drawn_once_and_then_served_from_memory(room, participant, other_participant):
    comment = factories.make_comment(room, participant, body="Courts far from the villages.")
    first = drawn.draw(card_of(comment, other_participant))
    again = drawn.draw(card_of(comment, other_participant))
    assert again == first and "Courts far from the villages." in first
    assert (drawn.store.misses, drawn.store.hits) == (1, 1)


def test_whatever_changes_a_comment_draws_it_anew(room, participant, other_participant, moderator):
    comment = factories.make_comment(room, participant, body="Version one.")
    before = drawn.draw(card_of(comment, other_participant))
    services.edit_comment(participant, comment=comment, body="Version two.")
    comment.refresh_from_db()
    edited = drawn.draw(card_of(comment, other_participant))
    assert "Version two." in edited and "Version one." not in edited and edited != before
    services.hide_comment(moderator, comment=comment, reason="off topic")
    comment.refresh_from_db()
    hidden = drawn.draw(card_of(comment, other_participant))
    assert "Version two." not in hidden and "Hidden by a moderator: off topic" in hidden


def test_each_language_draws_its_own_copy(room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    card = card_of(comment, other_participant)
    with translation.override("en"):
        english = drawn.draw(card)
    with translation.override("fr"):
        french = drawn.draw(card)
    assert 'aria-label="Comment by Amina Diallo"' in english
    assert 'aria-label="Commentaire de Amina Diallo"' in french


def test_relative_times_are_right_however_long_a_copy_is_kept(room, participant, other_participant):
    with time_machine.travel(START, tick=False):
        comment = factories.make_comment(room, participant)
    card = card_of(comment, other_participant)
    for later, shown in [(timedelta(minutes=5), "5\xa0minutes ago"), (timedelta(hours=2), "2\xa0hours ago")]:
        with time_machine.travel(START + later, tick=False):
            html = drawn.draw(card)
        assert shown in html, shown


def test_each_viewer_gets_their_own_csrf_token_and_it_works(room, participant, other_participant):
    comment = factories.make_comment(room, participant, body="Worth reading.")
    tokens = []
    for person in (other_participant, factories.make_user("Sara Reader")):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        html = client.get(room.get_absolute_url()).content.decode()
        form = re.search(
            r'<form method="post" action="([^"]+)" class="inline-form endorse-form">(.*?)</form>', html, re.S
        )
        token = TOKEN.search(form.group(2)).group(1)
        tokens.append(token)
        response = client.post(form.group(1), {"csrfmiddlewaretoken": token, "kind": "agree", "endorse": "on"})
        assert response.status_code in (200, 302), response.status_code
    assert "\x00" not in html
    assert tokens[0] != tokens[1]
    comment.refresh_from_db()
    assert comment.agree_count == 2


def test_an_anonymous_page_hands_out_no_token(client, room, participant):
    factories.make_comment(room, participant)
    response = client.get(room.get_absolute_url())
    assert "csrfmiddlewaretoken" not in response.content.decode().split('id="comments-heading"')[1]
    assert "csrftoken" not in response.cookies


@pytest.mark.parametrize("kept", [0, 2])
def test_the_store_is_bounded(settings, room, participant, other_participant, kept):
    settings.FORUM_DRAWN_COMMENTS_KEPT = kept
    comments = [factories.make_comment(room, participant, body=f"Comment {n}.") for n in range(3)]
    drawings = [drawn.draw(card_of(comment, other_participant)) for comment in comments]
    assert [f"Comment {n}." in html for n, html in enumerate(drawings)] == [True] * 3
    assert len(drawn.store) == kept
