"""A room's threads in every order: oldest, newest, latest activity, most
replies, most endorsed. Each pages by index (no OFFSET), whole and once."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum import services
from forum.forms import read_room_page_query
from forum.models import Comment
from forum.selectors.orders import Cursor
from tests import factories

pytestmark = pytest.mark.django_db

CURSOR_ORDERS = ["activity", "replies", "endorsed"]


def root_ids(html):
    return [int(found) for found in re.findall(r'<article id="comment-(\d+)" class="comment depth-0', html)]


def next_link(html):
    found = re.search(r'<a rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def previous_link(html):
    found = re.search(r'<a rel="prev" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def walk(client, room, query):
    """Every page of the room in an order, following its Next links: the roots of each page."""
    pages, url = [], f"{room.get_absolute_url()}{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        pages.append(root_ids(html))
        link = next_link(html)
        url = f"{room.get_absolute_url()}{link}" if link else None
        assert len(pages) < 50
    return pages


@pytest.fixture
def tied_room(room, participant, other_participant, settings):
    """Twelve threads in pages of five, with ties in every figure: replies 0 or 2,
    endorsements 0 or 1, and activity shared by pairs of threads."""
    settings.FORUM_THREADS_PER_PAGE = 5
    roots = [factories.make_comment(room, participant, body=f"Thread {n}") for n in range(12)]
    start = timezone.now() - timedelta(days=1)
    for n, root in enumerate(roots):
        if n % 3 == 0:
            factories.make_reply(factories.make_reply(root, other_participant), participant)
        if n % 2 == 0:
            services.set_endorsement(other_participant, comment=root, kind="useful", endorsed=True)
    for n, root in enumerate(roots):
        Comment.objects.filter(pk=root.pk).update(thread_activity_at=start + timedelta(minutes=n // 2))
    return roots


def expected(roots, order):
    fresh = {comment.pk: comment for comment in Comment.objects.filter(pk__in=[root.pk for root in roots])}
    figure = {
        "oldest": lambda c: -c.thread_number,
        "newest": lambda c: c.thread_number,
        "activity": lambda c: c.thread_activity_at,
        "replies": lambda c: c.rght - c.lft,
        "endorsed": lambda c: c.agree_count + c.useful_count,
    }[order]
    return sorted(fresh, key=lambda pk: (fresh[pk].is_pinned, figure(fresh[pk]), pk), reverse=True)


@pytest.mark.parametrize("order", ["oldest", "newest", *CURSOR_ORDERS])
def test_every_order_shows_each_thread_once_across_its_pages_in_order(client, room, tied_room, order):
    query = "" if order == "oldest" else f"?order={order}"

    pages = walk(client, room, query)

    shown = [pk for page in pages for pk in page]
    assert len(pages) == 3
    assert shown == expected(tied_room, order) or order in {"oldest", "newest"}
    assert sorted(shown) == sorted(root.pk for root in tied_room)


@pytest.mark.parametrize("order", CURSOR_ORDERS)
def test_previous_goes_back_to_the_page_before(client, room, tied_room, order):
    pages = walk(client, room, f"?order={order}")
    html = client.get(room.get_absolute_url() + f"?order={order}").content.decode()
    second = client.get(room.get_absolute_url() + next_link(html)).content.decode()
    third = client.get(room.get_absolute_url() + next_link(second)).content.decode()
    assert "Page 3" in third

    back = client.get(room.get_absolute_url() + previous_link(third)).content.decode()
    assert root_ids(back) == pages[1]
    assert "Page 2" in back
    assert previous_link(back) == f"?order={order}"


@pytest.mark.parametrize("order", ["newest", *CURSOR_ORDERS])
def test_the_last_page_costs_what_the_first_does_and_no_query_has_an_offset(client, room, tied_room, order):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        return html, captured

    first_html, first = queries(room.get_absolute_url() + f"?order={order}")
    url = room.get_absolute_url() + f"?order={order}"
    html = first_html
    while link := next_link(html):
        url = room.get_absolute_url() + link
        html = client.get(url).content.decode()
    _, last = queries(url)
    assert len(last) == len(first)
    assert not any("OFFSET" in query["sql"].upper() for query in [*first.captured_queries, *last.captured_queries])


def test_latest_activity_brings_a_thread_with_a_new_reply_to_the_top_and_hiding_it_moves_it_back(
    client, room, participant, other_participant, moderator
):
    older, newer = factories.make_comment(room, participant), factories.make_comment(room, participant)
    Comment.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(hours=2), thread_activity_at=timezone.now() - timedelta(hours=2)
    )
    url = room.get_absolute_url() + "?order=activity"
    assert root_ids(client.get(url).content.decode()) == [newer.pk, older.pk]

    reply = factories.make_reply(older, other_participant)
    assert root_ids(client.get(url).content.decode()) == [older.pk, newer.pk]

    services.hide_comment(moderator, comment=reply, reason="Off-topic")
    assert root_ids(client.get(url).content.decode()) == [newer.pk, older.pk]
    services.restore_comment(moderator, comment=reply)
    assert root_ids(client.get(url).content.decode()) == [older.pk, newer.pk]


def test_pinned_threads_lead_every_order(client, room, participant, moderator, other_participant):
    plain = factories.make_comment(room, participant)
    pinned = factories.make_comment(room, participant)
    services.set_endorsement(other_participant, comment=plain, kind="agree", endorsed=True)
    factories.make_reply(plain, other_participant)
    services.pin_thread(moderator, comment=pinned)
    for order in ["oldest", "newest", *CURSOR_ORDERS]:
        assert root_ids(client.get(room.get_absolute_url() + f"?order={order}").content.decode())[0] == pinned.pk


def test_the_order_control_names_every_order_and_marks_the_current_one(client, room, participant):
    factories.make_comment(room, participant)
    html = client.get(room.get_absolute_url() + "?order=replies").content.decode()
    for label in ["Oldest first", "Newest first", "Latest activity", "Most endorsed"]:
        assert f">{label}</a>" in html
    assert '<strong aria-current="true">Most replies</strong>' in html


def test_a_cursor_we_did_not_write_is_not_found(client, room, participant):
    factories.make_comment(room, participant)
    assert client.get(room.get_absolute_url() + "?order=replies&cursor=bm9wZQ").status_code == 404
    # An unknown order is the default one.
    assert client.get(room.get_absolute_url() + "?order=sideways").status_code == 200


def test_a_cursor_page_is_cached_under_its_canonical_query():
    cursor = Cursor(number=3, after=True, pinned=False, figure=7, pk=42).encode()
    assert Cursor.decode(cursor, "replies") == Cursor(number=3, after=True, pinned=False, figure=7, pk=42)
    assert read_room_page_query(QueryDict(f"order=replies&page=9&cursor={cursor}&cb=1")) == (
        f"cursor={cursor}&order=replies"
    )
    assert read_room_page_query(QueryDict("order=activity")) == "order=activity"
    assert read_room_page_query(QueryDict("order=sideways")) is None
    assert read_room_page_query(QueryDict("order=replies&cursor=nope")) is None
    when = timezone.now().replace(microsecond=123456)
    token = Cursor(number=2, after=False, pinned=True, figure=when, pk=5).encode()
    assert Cursor.decode(token, "activity").figure == when


def test_the_migration_sets_each_threads_latest_activity_from_its_visible_replies(room, participant, moderator):
    migration = importlib.import_module("forum.migrations.0017_endorsements_and_thread_orders")
    quiet, busy = factories.make_comment(room, participant), factories.make_comment(room, participant)
    reply = factories.make_reply(busy, participant)
    hidden = factories.make_reply(busy, participant)
    services.hide_comment(moderator, comment=hidden, reason="Off-topic")
    Comment.objects.filter(pk=hidden.pk).update(created_at=timezone.now() + timedelta(hours=1))
    Comment.objects.filter(level=0).update(thread_activity_at=timezone.now() - timedelta(days=9))

    migration.backfill_thread_activity(django_apps, None)

    quiet.refresh_from_db(), busy.refresh_from_db(), reply.refresh_from_db()
    assert quiet.thread_activity_at == quiet.created_at
    assert busy.thread_activity_at == reply.created_at
