"""Anonymous room pages come from the cache, and never stale after a change."""

import gzip
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.test.utils import CaptureQueriesContext

from forum import services
from forum.cache import ServeKeptRoomPages
from forum.models import Room
from tests import factories


@pytest.fixture(autouse=True)
def caching_on(settings):
    settings.FORUM_CACHE_ROOM_PAGES = True


def get(client, room, query=""):
    return client.get(room.get_absolute_url() + query)


def test_the_second_anonymous_visit_is_served_from_the_cache_with_one_query(client, room, participant):
    factories.make_comment(room, participant, body="First thoughts.")
    url = room.get_absolute_url()
    assert client.get(url)["X-Room-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response["X-Room-Cache"] == "hit"
    assert "First thoughts." in response.content.decode()
    assert len(queries) == 0


@pytest.mark.django_db(transaction=True)
def test_a_new_comment_shows_at_once(client, room, participant):
    get(client, room)
    factories.make_comment(room, participant, body="Breaking news from the field.")
    response = get(client, room)
    assert response["X-Room-Cache"] == "miss"
    assert "Breaking news from the field." in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_hiding_a_comment_shows_at_once(client, room, participant, moderator):
    comment = factories.make_comment(room, participant, body="Rude words here.")
    assert "Rude words here." in get(client, room).content.decode()
    services.hide_comment(moderator, comment=comment, reason="insult")
    html = get(client, room).content.decode()
    assert "Rude words here." not in html
    assert "Hidden by a moderator: insult" in html


@pytest.mark.django_db(transaction=True)
def test_editing_and_deleting_show_at_once(client, room, participant):
    comment = factories.make_comment(room, participant, body="Version one.")
    get(client, room)
    services.edit_comment(participant, comment=comment, body="Version two.")
    assert "Version two." in get(client, room).content.decode()
    services.delete_comment(participant, comment=comment)
    assert "Version two." not in get(client, room).content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_admin_change_to_the_room_shows_at_once(client, room):
    assert get(client, room)["X-Room-Cache"] == "miss"
    fresh = Room.objects.get(pk=room.pk)
    fresh.introduction = "A new introduction from the admin."
    fresh.save()
    assert "A new introduction from the admin." in get(client, room).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_renamed_author_shows_at_once(client, room, participant):
    factories.make_comment(room, participant, body="Hello.")
    get(client, room)
    participant.display_name = "Amina D. Diallo"
    participant.save()
    services.follow_renamed_person(participant, old_handle=participant.handle)
    assert "Amina D. Diallo" in get(client, room).content.decode()


def test_signed_in_people_always_get_a_fresh_personal_page(client, room, participant):
    get(client, room)
    client.force_login(participant)
    response = get(client, room)
    assert "X-Room-Cache" not in response
    assert participant.display_name in response.content.decode()


def test_each_page_language_and_filter_is_cached_apart(client, room, participant):
    factories.make_comment(room, participant, body="Los tribunales rurales necesitan más jueces y fiscales.")
    assert get(client, room, "?language=es")["X-Room-Cache"] == "miss"
    assert get(client, room)["X-Room-Cache"] == "miss"
    spanish = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es")
    assert spanish["X-Room-Cache"] == "miss"


def test_without_a_shared_cache_pages_are_not_cached(client, room, settings):
    settings.FORUM_CACHE_ROOM_PAGES = False
    get(client, room)
    assert "X-Room-Cache" not in get(client, room)


def test_a_page_with_a_message_for_the_visitor_is_not_cached(client, room):
    get(client, room)
    client.cookies["messages"] = "something"
    assert "X-Room-Cache" not in get(client, room)


def test_parameters_the_page_does_not_read_share_one_cached_page(client, room, participant):
    factories.make_comment(room, participant, body="First thoughts.")
    assert get(client, room, "?cb=1")["X-Room-Cache"] == "miss"
    for query in ["?cb=2", "", "?utm_source=newsletter&page=1", "?fbclid=x&order=oldest&language="]:
        response = get(client, room, query)
        assert response["X-Room-Cache"] == "hit", query
        assert "First thoughts." in response.content.decode()


def test_a_cached_page_carries_none_of_its_first_visitors_other_parameters(client, room):
    get(client, room, "?cb=secret-of-the-first-visitor")
    response = get(client, room, "?cb=2")
    assert response["X-Room-Cache"] == "hit"
    assert "secret-of-the-first-visitor" not in response.content.decode()


def test_each_parameter_the_page_reads_keeps_a_page_of_its_own(client, room, participant, settings):
    settings.FORUM_THREADS_PER_PAGE = 1
    question = factories.make_question(room, "What should change first?")
    factories.make_comment(room, participant, body="An answer.", guiding_question=question)
    factories.make_comment(room, participant, body="Los tribunales rurales necesitan más jueces y fiscales.")
    readings = ["", "?page=2", "?order=newest", f"?question={question.pk}", "?language=es", "?language=es&page=1"]
    for query in readings[:-1]:
        assert get(client, room, query)["X-Room-Cache"] == "miss", query
    for query in readings:
        assert get(client, room, query)["X-Room-Cache"] == "hit", query


def test_parameter_values_the_page_ignores_fill_no_cache(client, room, participant):
    factories.make_comment(room, participant, body="First thoughts.")
    for query in ["?question=999999", "?question=1&language=xx", "?page=01", "?question=abc"]:
        for _ in range(2):
            response = get(client, room, query)
            assert response.status_code == 200, query
            assert response.get("X-Room-Cache") != "hit", query


@pytest.mark.django_db(transaction=True)
def test_an_endorsement_shows_its_count_at_once(client, room, participant, other_participant):
    comment = factories.make_comment(room, participant, body="Worth reading.")
    count = 'aria-label="I agree, {} (log in to endorse)"'
    assert count.format(0) in get(client, room).content.decode()
    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)
    response = get(client, room)
    assert response["X-Room-Cache"] == "miss"
    assert count.format(1) in response.content.decode()


def test_each_order_and_cursor_page_is_cached_apart(client, room, participant, settings):
    settings.FORUM_THREADS_PER_PAGE = 1
    first = factories.make_comment(room, participant, body="The first thread.")
    factories.make_comment(room, participant, body="The second thread.")
    factories.make_reply(first, participant)
    html = get(client, room, "?order=replies").content.decode()
    assert "The first thread." in html
    next_page = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    for query in ["?order=activity", next_page]:
        assert get(client, room, query)["X-Room-Cache"] == "miss", query
    for query in ["?order=replies", "?order=activity", next_page, next_page + "&page=7"]:
        assert get(client, room, query)["X-Room-Cache"] == "hit", query
    assert "The second thread." in get(client, room, next_page).content.decode()


def test_a_kept_page_goes_out_compressed_to_those_who_accept_it_and_plain_to_others(client, room, participant):
    factories.make_comment(room, participant, body="First thoughts.")
    first = client.get(room.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")
    assert first["X-Room-Cache"] == "miss" and first["Content-Encoding"] == "gzip"
    compressed = client.get(room.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, br")
    assert compressed["X-Room-Cache"] == "hit" and compressed["Content-Encoding"] == "gzip"
    assert "First thoughts." in gzip.decompress(compressed.content).decode()
    plain = client.get(room.get_absolute_url())
    assert plain["X-Room-Cache"] == "hit" and "Content-Encoding" not in plain
    assert "First thoughts." in plain.content.decode()
    assert int(plain["Content-Length"]) == len(plain.content)


def test_a_kept_page_carries_the_headers_of_a_drawn_one(client, room):
    drawn = get(client, room)
    kept = get(client, room)
    assert kept["X-Room-Cache"] == "hit"
    for header in ["Content-Security-Policy", "X-Frame-Options", "Content-Language", "X-Content-Type-Options"]:
        assert kept[header] == drawn[header], header
    assert {"accept-encoding", "accept-language", "cookie"} <= {
        name.strip().lower() for name in kept["Vary"].split(",")
    }


def test_a_visitor_with_a_session_is_drawn_a_page_afresh(client, room):
    get(client, room)
    client.cookies[settings.SESSION_COOKIE_NAME] = "an-anonymous-session"
    assert "X-Room-Cache" not in get(client, room)


def test_a_page_kept_yesterday_is_drawn_again_today(client, room):
    evening = datetime(2026, 6, 7, 23, 59, 30, tzinfo=timezone.get_fixed_timezone(0))
    room.consultation.time_zone = "UTC"
    room.consultation.save()
    with time_machine.travel(evening, tick=False):
        assert get(client, room)["X-Room-Cache"] == "miss"
        assert get(client, room)["X-Room-Cache"] == "hit"
    with time_machine.travel(evening + timedelta(seconds=40), tick=False):
        assert get(client, room)["X-Room-Cache"] == "miss"


def test_a_host_not_allowed_gets_no_kept_page(client, room):
    get(client, room)
    response = client.get(room.get_absolute_url(), HTTP_HOST="evil.example")
    assert response.status_code == 400


def test_pages_whose_paths_look_like_a_room_s_are_not_served_from_its_copies(client, room, settings):
    room.consultation.summaries_public_when_closed = True
    room.consultation.save()
    summary = reverse("forum:consultation-summary", args=[room.consultation.slug])
    assert summary.count("/") == room.get_absolute_url().count("/")
    for _ in range(2):
        response = client.get(summary)
        assert "X-Room-Cache" not in response
        assert response.status_code in (200, 302, 403, 404)


def _through_the_wsgi_front(environ):
    """What ServeKeptRoomPages answers, and whether it passed the request on to Django."""
    passed_on, answered = [], {}

    def django(environ, start_response):
        passed_on.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"from Django"]

    def start_response(status, headers):
        answered.update(status=status, headers=dict(headers))

    body = b"".join(ServeKeptRoomPages(django)(environ, start_response))
    return answered, body, bool(passed_on)


def test_a_kept_page_goes_out_before_django_s_handler(client, room, participant, rf):
    factories.make_comment(room, participant, body="First thoughts.")
    client.get(room.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    environ = rf.get(room.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip").environ
    answered, body, passed_on = _through_the_wsgi_front(environ)
    assert not passed_on
    assert answered["status"] == "200 OK" and answered["headers"]["X-Room-Cache"] == "hit"
    assert answered["headers"]["Content-Encoding"] == "gzip"
    assert int(answered["headers"]["Content-Length"]) == len(body)
    assert "Content-Security-Policy" in answered["headers"]
    assert "First thoughts." in gzip.decompress(body).decode()


def test_what_the_wsgi_front_cannot_serve_goes_on_to_django(client, room, rf):
    client.get(room.get_absolute_url())
    refused_host = rf.get(room.get_absolute_url(), HTTP_HOST="evil.example").environ
    signed_in = rf.get(room.get_absolute_url(), HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc").environ
    posted = rf.post(room.get_absolute_url()).environ
    for environ in (refused_host, signed_in, posted, rf.get("/").environ):
        assert _through_the_wsgi_front(environ)[2]
