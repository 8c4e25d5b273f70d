"""Sign-up that keeps the person's place, forms that don't tell who has an
account, and failed log-ins that can't keep the owner out for long."""

import re
import time
from unittest import mock

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests import factories

PASSWORD = "Rule-of-law-2030"
ROOM_BOX = "#comment-form"
# allauth counts sign-ups and failed log-ins in the cache, which tests/conftest.py clears before each test.


def sign_up(client, *, next_url="", email="alvaro@example.org", display_name="Álvaro Herrero"):
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "quoting_consent": "by_name",
        "display_name": display_name,
    }
    url = reverse("account_signup") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def confirmation_path(message):
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def log_in(client, email, password, ip):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_room_links_to_sign_up_and_log_in_bring_the_person_back_to_the_comment_box(client, room):
    response = client.get(room.get_absolute_url())

    html = response.content.decode()
    assert f'href="{reverse("account_signup")}?next={room.get_absolute_url()}%23comment-form"' in html
    assert f'href="{reverse("account_login")}?next={room.get_absolute_url()}%23comment-form"' in html


def test_sign_up_ends_on_check_your_email_and_does_not_sign_in_yet(client, room, mailoutbox):
    response = sign_up(client, next_url=room.get_absolute_url() + ROOM_BOX)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert len(mailoutbox) == 1


def test_confirming_the_email_signs_in_and_goes_back_to_the_room_with_the_comment_box(client, room, mailoutbox):
    room_box = room.get_absolute_url() + ROOM_BOX
    sign_up(client, next_url=room_box.replace("#", "%23"))

    confirmed = client.post(confirmation_path(mailoutbox[0]))

    person = User.objects.get(email="alvaro@example.org")
    assert confirmed.status_code == 302
    assert confirmed.url == room_box
    assert signed_in_user_id(client) == str(person.pk)
    assert person.emailaddress_set.filter(verified=True).exists()
    room_page = client.get(room.get_absolute_url())
    assert 'id="comment-form"' in room_page.content.decode()
    assert 'name="body"' in room_page.content.decode()


def test_a_next_pointing_to_another_site_is_dropped_after_confirming(client, db, mailoutbox):
    sign_up(client, next_url="https://evil.example.com/")

    confirmed = client.post(confirmation_path(mailoutbox[0]))

    assert confirmed.status_code == 302
    assert "evil.example.com" not in confirmed.url
    assert signed_in_user_id(client) is not None


def test_confirming_from_another_browser_confirms_but_asks_to_log_in(client, room, mailoutbox):
    sign_up(client, next_url=room.get_absolute_url())

    elsewhere = Client()
    confirmed = elsewhere.post(confirmation_path(mailoutbox[0]))

    assert confirmed.status_code == 302
    assert signed_in_user_id(elsewhere) is None
    assert User.objects.get(email="alvaro@example.org").emailaddress_set.filter(verified=True).exists()


def test_sign_up_with_a_registered_address_looks_the_same_and_tells_the_owner(client, db, mailoutbox):
    owner = factories.make_user("Amina Diallo", email="amina@example.org")

    new = sign_up(Client(), email="someone.new@example.org", display_name="Someone New")
    taken = sign_up(client, email="amina@example.org", display_name="Someone Else")

    assert taken.status_code == new.status_code == 302
    assert taken.url == new.url == reverse("account_email_verification_sent")
    assert Client().get(taken.url).content == Client().get(new.url).content
    assert User.objects.filter(email="amina@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.display_name == "Amina Diallo"
    to_owner = [m for m in mailoutbox if m.to == ["amina@example.org"]]
    assert len(to_owner) == 1
    assert "/accounts/confirm-email/" not in to_owner[0].body
    assert "/accounts/password/reset/" in to_owner[0].body


def test_password_reset_for_an_unknown_address_shows_the_same_page(client, db, mailoutbox):
    factories.make_user("Amina Diallo", email="amina@example.org")

    known = Client().post(reverse("account_reset_password"), {"email": "amina@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert Client().get(known.url).content == Client().get(unknown.url).content


def test_logging_in_with_an_unknown_address_says_the_same_as_a_wrong_password(client, db):
    factories.make_user("Amina Diallo", email="amina@example.org")

    wrong_password = Client().post(reverse("account_login"), {"login": "amina@example.org", "password": "not-it"})
    unknown = client.post(reverse("account_login"), {"login": "nobody@example.org", "password": "not-it"})

    assert wrong_password.status_code == unknown.status_code == 200
    assert "The email address and/or password you specified are not correct." in wrong_password.content.decode()
    assert "The email address and/or password you specified are not correct." in unknown.content.decode()


def test_a_burst_of_wrong_passwords_keeps_the_owner_out_only_for_a_short_while(db):
    owner = factories.make_user("Amina Diallo", email="amina@example.org")
    attacker, owner_browser = Client(), Client()
    now = 1_800_000_000.0

    with mock.patch("allauth.core.internal.ratelimit.time.time", return_value=now):
        for _ in range(12):
            log_in(attacker, "amina@example.org", "guess", ip="203.0.113.9")
        refused = log_in(owner_browser, "amina@example.org", "password", ip="198.51.100.7")
        assert "Too many failed login attempts" in refused.content.decode()
        assert signed_in_user_id(owner_browser) is None

    with mock.patch("allauth.core.internal.ratelimit.time.time", return_value=now + 61):
        allowed = log_in(owner_browser, "amina@example.org", "password", ip="198.51.100.7")

    assert allowed.status_code == 302
    assert signed_in_user_id(owner_browser) == str(owner.pk)


def test_the_attacking_ip_is_still_refused_for_other_addresses(db):
    factories.make_user("Jean Dupont", email="jean@example.org")
    attacker = Client()
    now = 1_800_000_000.0

    with mock.patch("allauth.core.internal.ratelimit.time.time", return_value=now):
        for n in range(10):
            log_in(attacker, f"guess{n}@example.org", "guess", ip="203.0.113.9")
        refused = log_in(attacker, "jean@example.org", "password", ip="203.0.113.9")

    assert "Too many failed login attempts" in refused.content.decode()


def test_confirming_after_the_pending_log_in_expired_asks_to_log_in_and_then_goes_back_to_the_room(
    client, room, mailoutbox
):
    room_box = room.get_absolute_url() + ROOM_BOX
    sign_up(client, next_url=room_box.replace("#", "%23"))

    # allauth keeps the pending log-in for 15 minutes.
    with mock.patch("time.time", return_value=time.time() + 16 * 60):
        confirmed = client.post(confirmation_path(mailoutbox[0]))

    assert signed_in_user_id(client) is None
    assert confirmed.url == f"{reverse('account_login')}?next={room.get_absolute_url()}%23comment-form"
    logged_in = client.post(confirmed.url, {"login": "alvaro@example.org", "password": PASSWORD})
    assert logged_in.url == room_box
    assert signed_in_user_id(client) is not None
