"""Folding a thread or a sub-thread: the replies drawn under a comment sit in an
open <details> saying how many replies this reader can read; the markup works
without JavaScript and is the same for every anonymous visitor."""

import re

from django.test import Client
from django.urls import reverse

from forum import services
from forum.models import Room
from tests import factories

MARKS = re.compile(r'<article id="comment-(\d+)"|<details class="replies"[^>]*data-replies-of="(\d+)"[^>]*>|</details>')


def outline(html):
    """The page's comments and groups of replies, in order: 12, "[12" opens 12's replies, "]" closes a group."""
    found = []
    for match in MARKS.finditer(html):
        article, group = match.groups()
        found.append(article if article else f"[{group}" if group else "]")
    return [mark for mark in found if mark == "]" or mark.startswith("[") or mark.isdigit()]


def replies_label(html, comment):
    match = re.search(
        rf'data-replies-of="{comment.pk}"[^>]*>\s*<summary[^>]*><span class="replies__count">([^<]+)</span>', html
    )
    return match.group(1) if match else None


def room_html(client, room):
    return client.get(room.get_absolute_url()).content.decode()


def a_thread(room, participant, other_participant):
    root = factories.make_comment(room, participant, body="Root")
    first = factories.make_reply(root, other_participant, body="First reply")
    deeper = factories.make_reply(first, participant, body="Deeper")
    second = factories.make_reply(root, other_participant, body="Second reply")
    return root, first, deeper, second


def test_replies_are_grouped_under_their_comment_and_nested_groups_close_in_order(
    client, room, participant, other_participant
):
    root, first, deeper, second = a_thread(room, participant, other_participant)
    lone = factories.make_comment(room, other_participant, body="A thread without replies")
    html = room_html(client, room)
    ids = [str(comment.pk) for comment in (root, first, deeper, second, lone)]
    assert outline(html) == [ids[0], f"[{ids[0]}", ids[1], f"[{ids[1]}", ids[2], "]", ids[3], "]", ids[4]]
    assert replies_label(html, root) == "3 replies"
    assert replies_label(html, first) == "1 reply"
    assert replies_label(html, lone) is None


def test_the_groups_are_open_in_the_markup_so_nothing_is_hidden_without_javascript(
    client, room, participant, other_participant
):
    root, *_rest = a_thread(room, participant, other_participant)
    html = room_html(client, room)
    group = re.search(rf'<details class="replies"[^>]*data-replies-of="{root.pk}"[^>]*>', html).group(0)
    assert " open" in group
    assert '<summary class="replies__toggle' in html


def test_every_anonymous_visitor_gets_the_same_markup(room, participant, other_participant, settings):
    a_thread(room, participant, other_participant)
    first, second = Client(), Client()
    assert outline(room_html(first, room)) == outline(room_html(second, room))
    first_html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", room_html(first, room))
    second_html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", room_html(second, room))
    assert first_html == second_html


def test_a_hidden_reply_is_not_counted_for_readers_but_is_for_moderators(
    client, room, participant, other_participant, moderator
):
    root, first, deeper, second = a_thread(room, participant, other_participant)
    services.hide_comment(moderator, comment=second, reason="off topic")
    assert replies_label(room_html(client, room), root) == "2 replies"
    client.force_login(other_participant)
    assert replies_label(room_html(client, room), root) == "2 replies"
    client.force_login(moderator)
    assert replies_label(room_html(client, room), root) == "3 replies"


def test_a_deleted_reply_kept_as_a_placeholder_is_not_counted(client, room, participant, other_participant):
    root, first, deeper, second = a_thread(room, participant, other_participant)
    services.delete_comment(other_participant, comment=first)
    html = room_html(client, room)
    # The placeholder stays to hold its reply, which is counted; it is not.
    assert str(first.pk) in outline(html)
    assert replies_label(html, root) == "2 replies"
    assert replies_label(html, first) == "1 reply"


def test_a_held_reply_is_counted_for_its_author_only(client, room, participant, other_participant):
    root = factories.make_comment(room, participant, body="Root")
    factories.make_reply(root, other_participant, body="Published")
    Room.objects.filter(pk=room.pk).update(premoderate_first=5)
    newcomer = factories.make_user("New Comer")
    factories.make_reply(root, newcomer, body="Held for a moderator")
    room.refresh_from_db()
    assert replies_label(room_html(client, room), root) == "1 reply"
    client.force_login(newcomer)
    assert replies_label(room_html(client, room), root) == "2 replies"


def test_a_thread_page_groups_its_replies_too(client, room, participant, other_participant):
    root, first, deeper, second = a_thread(room, participant, other_participant)
    html = client.get(reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])).content.decode()
    assert replies_label(html, root) == "3 replies"
    assert html.count('<details class="replies"') == html.count("</details>") - html.count(
        '<details class="comment-form__more'
    )


def test_the_groups_are_translated(client, room, participant, other_participant):
    root, *_rest = a_thread(room, participant, other_participant)
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert replies_label(html, root) == "3 réponses"
