"""/comment/<id>/ always lands on the page that shows the comment."""

import re

from django.urls import reverse

from forum.models import Room
from tests import factories


def permalink(comment):
    return reverse("forum:comment-permalink", args=[comment.pk])


def lands_on(client, comment):
    """Follow the permalink and return (url, html) of the page it points to."""
    response = client.get(permalink(comment))
    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{comment.pk}")
    page = client.get(response.url.split("#")[0])
    assert page.status_code == 200
    return response.url, page.content.decode()


def test_every_comment_is_drawn_with_its_public_anchor(client, room, participant):
    root = factories.make_comment(room, participant)
    reply = factories.make_reply(root)
    html = client.get(room.get_absolute_url()).content.decode()
    assert f'<article id="comment-{root.pk}"' in html
    assert f'<article id="comment-{reply.pk}"' in html
    assert f'href="{permalink(reply)}"' in html


def test_a_first_page_comment_redirects_to_the_room_without_a_page_number(client, room, participant):
    root = factories.make_comment(room, participant)
    url, html = lands_on(client, root)
    assert url == f"{room.get_absolute_url()}#comment-{root.pk}"
    assert f'id="comment-{root.pk}"' in html


def test_a_deep_reply_in_a_thread_on_page_seven_lands_on_page_seven(client, room, participant):
    roots = [factories.make_comment(room, participant, body=f"Thread {n}") for n in range(1, 131)]
    parent = roots[125]  # thread 126 is on page 7 (threads 121-140)
    for _ in range(6):
        parent = factories.make_reply(parent)
    url, html = lands_on(client, parent)
    assert url == f"{room.get_absolute_url()}?page=7#comment-{parent.pk}"
    assert f'id="comment-{parent.pk}"' in html


def test_a_reply_beyond_what_the_room_page_shows_lands_on_its_thread_page(client, room, participant):
    root = factories.make_comment(room, participant)
    replies = [factories.make_reply(root, body=f"Reply {n}") for n in range(150)]
    thread_url = reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])

    url, html = lands_on(client, replies[10])
    assert url.startswith(room.get_absolute_url() + "#")

    url, html = lands_on(client, replies[120])
    assert url == f"{thread_url}?page=2#comment-{replies[120].pk}"
    assert f'id="comment-{replies[120].pk}"' in html

    url, html = lands_on(client, replies[99])
    assert url == f"{thread_url}#comment-{replies[99].pk}"
    assert f'id="comment-{replies[99].pk}"' in html


def test_every_permalink_of_a_busy_room_lands_on_a_page_that_shows_it(client, room, participant):
    roots = [factories.make_comment(room, participant) for _ in range(23)]
    comments = list(roots)
    for index, root in enumerate(roots):
        parent = root
        for depth in range(index % 9):
            parent = factories.make_reply(parent if depth % 2 else root)
            comments.append(parent)
    for comment in comments:
        _, html = lands_on(client, comment)
        assert re.search(rf'<article id="comment-{comment.pk}"', html), comment.pk


def test_a_permalink_that_does_not_exist_is_not_found(client, db):
    assert client.get("/comment/999999999/").status_code == 404


def test_a_permalink_into_an_unpublished_room_is_not_found_except_for_staff(client, room, participant, staff):
    comment = factories.make_comment(room, participant)
    Room.objects.filter(pk=room.pk).update(is_published=False)
    assert client.get(permalink(comment)).status_code == 404
    client.force_login(staff)
    assert client.get(permalink(comment)).status_code == 302


def test_a_permalink_answers_only_get(client, room, participant):
    comment = factories.make_comment(room, participant)
    assert client.post(permalink(comment)).status_code == 405
