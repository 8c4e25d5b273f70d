"""@handles in comments: written through the form, read on the room page, and
kept up to date when the person mentioned changes their name or handle."""

import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.admin import UserAdmin
from accounts.models import User
from forum.models import Comment, Mention, Notification
from tests import factories

pytestmark = pytest.mark.django_db


def post_comment_through_the_form(client, room, body):
    url = reverse("forum:new-comment", args=[room.consultation.slug, room.slug])
    return client.post(url, {"body": body})


def comment_html(client, room, comment):
    """The <article> of one comment as drawn on the room page."""
    html = client.get(room.get_absolute_url()).content.decode()
    return re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S).group(0)


def test_a_handle_in_a_posted_comment_links_to_the_persons_profile_with_their_name(
    participant_client, room, other_participant
):
    response = post_comment_through_the_form(participant_client, room, "Thanks @jean_dupont, good point.")

    assert response.status_code == 302
    comment = Comment.objects.get()
    article = comment_html(participant_client, room, comment)
    assert '<a href="/u/jean_dupont/" class="mention">@Jean Dupont</a>' in article
    assert list(Mention.objects.values_list("user_id", flat=True)) == [other_participant.pk]


def test_an_unknown_handle_stays_plain_text(participant_client, room):
    post_comment_through_the_form(participant_client, room, "Hello @nobody_here and @ghost")

    article = comment_html(participant_client, room, Comment.objects.get())
    assert "Hello @nobody_here and @ghost" in article
    assert 'class="mention"' not in article
    assert not Mention.objects.exists()


@pytest.mark.parametrize("written", ["@JEAN_DUPONT", "@Jean_Dupont", "@jean_DUPONT"])
def test_a_handle_is_recognised_whatever_its_case(participant_client, room, other_participant, written):
    post_comment_through_the_form(participant_client, room, f"cc {written}")

    article = comment_html(participant_client, room, Comment.objects.get())
    assert '<a href="/u/jean_dupont/" class="mention">@Jean Dupont</a>' in article
    assert Notification.objects.filter(recipient=other_participant, kind=Notification.Kind.MENTION).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        "Write to jean_dupont@example.org for the report.",
        "The syntax is `@jean_dupont` in a comment.",
        "See [@jean_dupont's page](https://example.org/people).",
        "```\n@jean_dupont\n```",
    ],
    ids=["email-address", "inline-code", "link-text", "code-block"],
)
def test_an_email_address_code_and_link_text_are_not_mentions(participant_client, room, other_participant, body):
    response = post_comment_through_the_form(participant_client, room, body)

    assert response.status_code == 302
    article = comment_html(participant_client, room, Comment.objects.get())
    assert 'class="mention"' not in article
    assert "jean_dupont" in article
    assert not Mention.objects.exists()
    assert not Notification.objects.filter(recipient=other_participant).exists()


def test_a_handle_written_with_look_alike_letters_mentions_no_one(participant_client, room):
    alvaro = factories.make_user("Alvaro Herrero", handle="alvaro")
    look_alike = "@\u0430lvaro"  # Cyrillic а

    response = post_comment_through_the_form(participant_client, room, f"Over to you {look_alike}")

    assert response.status_code == 302
    article = comment_html(participant_client, room, Comment.objects.get())
    assert f"Over to you {look_alike}" in article
    assert 'class="mention"' not in article
    assert not Notification.objects.filter(recipient=alvaro).exists()


def test_a_new_display_name_shows_in_earlier_mentions(client, room, participant, other_participant):
    earlier = factories.make_comment(room, participant, body="As @jean_dupont said.")
    client.force_login(other_participant)

    response = client.post("/accounts/profile/", {"display_name": "Jean-Baptiste Dupont", "handle": "jean_dupont"})

    assert response.status_code == 302
    article = comment_html(client, room, earlier)
    assert '<a href="/u/jean_dupont/" class="mention">@Jean-Baptiste Dupont</a>' in article
    assert "@Jean Dupont<" not in article


def test_a_new_handle_rewrites_earlier_mentions_to_it(client, room, participant, other_participant):
    earlier = factories.make_comment(room, participant, body="As @Jean_Dupont said, and @jean_dupont again.")
    client.force_login(other_participant)

    response = client.post("/accounts/profile/", {"display_name": "Jean D.", "handle": "jbd"})

    assert response.status_code == 302
    article = comment_html(client, room, earlier)
    assert article.count('<a href="/u/jbd/" class="mention">@Jean D.</a>') == 2
    assert "/u/jean_dupont/" not in article
    earlier.refresh_from_db()
    assert earlier.body_source == "As @jbd said, and @jbd again."
    assert client.get("/u/jbd/").status_code == 200


def test_someone_taking_a_freed_handle_does_not_take_over_old_mentions(client, room, participant, other_participant):
    earlier = factories.make_comment(room, participant, body="Thanks @jean_dupont")
    client.force_login(other_participant)
    client.post("/accounts/profile/", {"display_name": "Jean Dupont", "handle": "jean_d"})
    newcomer = factories.make_user("Someone Else", handle="jean_dupont")

    article = comment_html(client, room, earlier)

    assert '<a href="/u/jean_d/" class="mention">@Jean Dupont</a>' in article
    assert "Someone Else" not in article
    assert not Mention.objects.filter(user=newcomer).exists()


def test_a_display_name_changed_in_the_admin_shows_in_earlier_mentions(client, room, participant, other_participant):
    earlier = factories.make_comment(room, participant, body="Thanks @jean_dupont")
    admin = User.objects.create_superuser(email="root@example.org", password="password", display_name="Root")
    client.force_login(admin)
    person = User.objects.get(pk=other_participant.pk)

    response = client.post(
        reverse("admin:accounts_user_change", args=[person.pk]),
        {
            "email": person.email,
            "display_name": "Jean Dupont (UNDP)",
            "handle": person.handle,
            "organisation": "",
            "title": "",
            "country": "",
            "languages": "",
            "bio": "",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
            # The person's email addresses, listed below their profile, unchanged.
            "emailaddress_set-TOTAL_FORMS": "0",
            "emailaddress_set-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=person.pk).display_name == "Jean Dupont (UNDP)"
    article = comment_html(client, room, earlier)
    assert '<a href="/u/jean_dupont/" class="mention">@Jean Dupont (UNDP)</a>' in article


def test_a_handle_changed_through_the_admin_model_save_rewrites_earlier_mentions(room, participant, other_participant):
    earlier = factories.make_comment(room, participant, body="Thanks @jean_dupont")
    admin = User.objects.create_superuser(email="root@example.org", password="password", display_name="Root")
    request = RequestFactory().post("/admin/")
    request.user = admin
    person = User.objects.get(pk=other_participant.pk)
    person.handle = "jdupont"

    UserAdmin(User, admin_site).save_model(request, person, form=None, change=True)

    earlier.refresh_from_db()
    assert earlier.body_source == "Thanks @jdupont"
    assert '<a href="/u/jdupont/" class="mention">@Jean Dupont</a>' in earlier.body_html


def _room_page_queries(client, room):
    url = room.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_room_page_costs_the_same_queries_with_few_and_many_mentions(client, room, participant):
    people = [factories.make_user(f"Named Person {n}", handle=f"named{n}") for n in range(10)]
    everyone = " ".join(f"@{person.handle}" for person in people)
    client.force_login(participant)
    factories.make_comment(room, participant, body=everyone)
    few, html = _room_page_queries(client, room)
    assert html.count('class="mention"') == 10

    for _ in range(19):
        factories.make_comment(room, participant, body=everyone)
    many, html = _room_page_queries(client, room)
    assert html.count('class="mention"') == 200

    assert few == many


def test_display_names_that_look_like_html_are_escaped_on_the_room_and_notifications_pages(client, room):
    writer = factories.make_user("<img src=x onerror=alert(1)>", handle="writer")
    mentioned = factories.make_user('"><script>alert(2)</script>', handle="mentioned")
    client.force_login(writer)

    response = post_comment_through_the_form(client, room, "Over to @mentioned here.")

    assert response.status_code == 302
    html = client.get(room.get_absolute_url()).content.decode()
    assert "<img src=x" not in html
    assert "<script>alert(2)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # A quote needs no escaping in element text; the angle brackets do.
    assert '<a href="/u/mentioned/" class="mention">@"&gt;&lt;script&gt;alert(2)&lt;/script&gt;</a>' in html
    client.force_login(mentioned)
    notifications = client.get(reverse("forum:notifications")).content.decode()
    assert "<bdi>&lt;img src=x onerror=alert(1)&gt;</bdi> mentioned you in" in notifications
    assert "<img src=x" not in notifications
    assert "<script>alert(2)" not in notifications
