"""Sign-up, email confirmation, log-in, log-out and password reset through allauth,
and who may post in a room."""

import re
from html import unescape

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from forum.models import Comment
from tests import factories

PASSWORD = "Rule-of-law-2030"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts sign-ups and confirmation emails in the cache, which outlives
    # each test's database; without this a repeated address gets no email.
    cache.clear()
    yield
    cache.clear()


def sign_up(client, *, email="alvaro@example.org", display_name="Álvaro Herrero", **extra):
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "quoting_consent": "by_name",
        "display_name": display_name,
    }
    return client.post(reverse("account_signup"), data | extra)


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def link_in(message, path_prefix):
    """The path of the first link in an email that starts with the given prefix."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S*)", message.body)
    assert match, message.body
    return match.group(1)


def page_text(response):
    """What a reader sees: the HTML without tags, with whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def test_signing_up_creates_the_person_with_a_handle_from_their_name(client, db, mailoutbox):
    response = sign_up(client)

    assert response.status_code == 302
    person = User.objects.get(email="alvaro@example.org")
    assert person.display_name == "Álvaro Herrero"
    assert person.handle == "alvaro_herrero"
    assert person.check_password(PASSWORD)


def test_signing_up_sends_one_confirmation_email(client, db, mailoutbox):
    sign_up(client)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alvaro@example.org"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body


def test_two_people_with_the_same_name_keep_the_name_and_get_different_handles(client, db, mailoutbox):
    sign_up(client, email="alvaro@example.org")
    sign_up(Client(), email="alvaro.herrero@example.net")

    first = User.objects.get(email="alvaro@example.org")
    second = User.objects.get(email="alvaro.herrero@example.net")
    assert first.display_name == second.display_name == "Álvaro Herrero"
    assert first.handle == "alvaro_herrero"
    assert second.handle == "alvaro_herrero_2"


def test_signing_up_for_an_organisation_stores_it_and_says_the_account_speaks_for_it(client, db, mailoutbox):
    sign_up(
        client,
        email="contact@legal-aid.example.org",
        display_name="Legal Aid Network",
        organisation="Legal Aid Network",
        speaks_for_organisation="on",
    )

    account = User.objects.get(email="contact@legal-aid.example.org")
    assert account.organisation == "Legal Aid Network"
    assert account.speaks_for_organisation is True
    assert account.handle == "legal_aid_network"


def test_signing_up_without_a_name_is_refused_with_a_message(client, db, mailoutbox):
    response = sign_up(client, display_name="   ")

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="id_display_name_error"><li>This field is required\.</li>', html)
    assert not User.objects.exists()
    assert mailoutbox == []


def test_signing_up_again_with_the_same_email_does_not_make_a_second_account(client, db, mailoutbox):
    sign_up(client, email="alvaro@example.org")

    response = sign_up(Client(), email="Alvaro@Example.org", display_name="Someone Else")

    # The same "check your email" page as for a new address (test_signup_flow.py).
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.count() == 1


def test_new_person_is_signed_in_only_once_the_email_is_confirmed(client, room, mailoutbox):
    response = sign_up(client)

    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert "Please sign in or sign up to comment" in page_text(client.get(room.get_absolute_url()))


def test_signed_in_person_with_an_unconfirmed_email_is_asked_to_confirm_before_commenting(client, room):
    # Accounts from before confirmation was required can still be signed in.
    client.force_login(factories.make_user("Álvaro Herrero", confirmed=False))

    response = client.get(room.get_absolute_url())

    assert response.status_code == 200
    assert "Please confirm your email address to comment" in page_text(response)
    html = response.content.decode()
    assert f'action="{new_comment_url(room)}"' not in html
    assert 'name="body"' not in html


def test_unconfirmed_email_cannot_post_and_keeps_the_typed_text(client, room, mailoutbox):
    client.force_login(factories.make_user("Álvaro Herrero", confirmed=False))

    response = client.post(new_comment_url(room), {"body": "My view on access to justice."})

    assert response.status_code == 403
    assert "My view on access to justice." in response.content.decode()
    assert not Comment.objects.exists()


def test_after_confirming_the_email_the_person_can_post_and_the_comment_shows_in_the_room(client, room, mailoutbox):
    sign_up(client)
    confirm_url = link_in(mailoutbox[0], "/accounts/confirm-email/")

    # Opening the link only shows a button, so that mail scanners cannot confirm.
    opened = client.get(confirm_url)
    assert opened.status_code == 200
    assert not User.objects.get(email="alvaro@example.org").emailaddress_set.filter(verified=True).exists()
    confirmed = client.post(confirm_url)
    assert confirmed.status_code == 302
    assert User.objects.get(email="alvaro@example.org").emailaddress_set.filter(verified=True).exists()

    room_page = client.get(room.get_absolute_url())
    assert f'action="{new_comment_url(room)}"' in room_page.content.decode()
    posted = client.post(new_comment_url(room), {"body": "Courts should publish their decisions."})
    assert posted.status_code == 302
    comment = Comment.objects.get()
    assert comment.author.handle == "alvaro_herrero"
    room_page = client.get(room.get_absolute_url())
    assert "Courts should publish their decisions." in room_page.content.decode()
    assert f'id="comment-{comment.pk}"' in room_page.content.decode()


def test_logging_in_with_email_and_password_signs_the_person_in(client, db):
    person = factories.make_user("Amina Diallo", email="amina@example.org")

    response = client.post(reverse("account_login"), {"login": "amina@example.org", "password": "password"})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(person.pk)
    assert "Amina Diallo" in client.get("/").content.decode()


def test_logging_in_with_a_wrong_password_is_refused(client, db):
    factories.make_user("Amina Diallo", email="amina@example.org")

    response = client.post(reverse("account_login"), {"login": "amina@example.org", "password": "not-it"})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_logging_out_with_a_post_signs_the_person_out(client, db):
    person = factories.make_user("Amina Diallo")
    client.force_login(person)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    assert "Sign in" in client.get("/").content.decode()


def test_logging_out_by_following_a_link_only_asks_for_confirmation(client, db):
    person = factories.make_user("Amina Diallo")
    client.force_login(person)

    response = client.get(reverse("account_logout"))

    assert response.status_code == 200
    assert signed_in_user_id(client) == str(person.pk)


def test_password_reset_sends_an_email_with_a_link_that_sets_a_new_password(client, db, mailoutbox):
    person = factories.make_user("Amina Diallo", email="amina@example.org")

    response = client.post(reverse("account_reset_password"), {"email": "amina@example.org"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["amina@example.org"]
    reset_url = link_in(mailoutbox[0], "/accounts/password/reset/key/")
    # allauth moves the key out of the address into the session before showing the form.
    opened = client.get(reset_url)
    assert opened.status_code == 302
    form_page = client.get(opened.url)
    assert 'name="password1"' in form_page.content.decode()
    done = client.post(opened.url, {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


@pytest.mark.parametrize("url_name", ["account_signup", "account_login", "account_reset_password"])
def test_account_pages_use_the_site_layout(client, db, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Public consultations" in html
    assert 'class="skip-link" href="#main"' in html
    assert 'id="main"' in html


def test_sign_up_page_asks_for_the_public_name(client, db):
    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert 'name="display_name"' in html
    assert "Your name as others will see it" in html


def test_anonymous_visitor_is_invited_to_log_in_or_sign_up_and_comes_back_to_the_room(client, room):
    person = factories.make_user("Amina Diallo", email="amina@example.org")

    response = client.get(room.get_absolute_url())

    assert "Please sign in or sign up to comment" in page_text(response)
    html = response.content.decode()
    assert 'name="body"' not in html
    room_url = room.get_absolute_url()
    # The comment box's links come back to the box itself.
    login_link = f"{reverse('account_login')}?next={room_url}%23comment-form"
    signup_link = f"{reverse('account_signup')}?next={room_url}%23comment-form"
    assert f'href="{login_link}"' in html
    assert f'href="{signup_link}"' in html

    logged_in = client.post(login_link, {"login": "amina@example.org", "password": "password"})
    assert logged_in.status_code == 302
    assert logged_in.url == f"{room_url}#comment-form"
    assert signed_in_user_id(client) == str(person.pk)


def test_signing_up_from_the_room_link_comes_back_to_the_room_once_confirmed(client, room, mailoutbox):
    room_url = room.get_absolute_url()

    response = client.post(
        f"{reverse('account_signup')}?next={room_url}",
        {
            "email": "alvaro@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "quoting_consent": "by_name",
            "display_name": "Álvaro Herrero",
        },
    )
    confirmed = client.post(link_in(mailoutbox[0], "/accounts/confirm-email/"))

    assert response.status_code == 302
    assert confirmed.url == room_url


def test_anonymous_post_to_the_comment_url_goes_to_log_in_and_stores_nothing(client, room):
    url = new_comment_url(room)

    response = client.post(url, {"body": "Anonymous opinion."})

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"
    assert not Comment.objects.exists()
