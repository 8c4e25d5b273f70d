"""Signing in with an organisation, end to end: our live server and a real
OpenID Connect provider (django-oauth-toolkit, tests/oidc_provider) started in
a second process on 127.0.0.1. A requests session plays the browser, following
the real redirects: our log-in page, the provider's log-in form and consent,
our callback (the code exchanged for tokens at the provider), signed in."""

import os
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.models import User
from tests import factories
from tests.accounts.test_signup_flow import confirmation_path

pytestmark = pytest.mark.oidc_provider

ROOT = Path(__file__).resolve().parent.parent.parent
PROVIDER_ID = "test-org"
PROVIDER_NAME = "Test Organisation"
PROVIDER_PASSWORD = "provider-password"  # tests/oidc_provider/serve.py
CLIENT_ID, CLIENT_SECRET = "consultation-forum", "a-client-secret-only-for-this-test"
ROOM_BOX = "#comment-form"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def provider_url(live_server, tmp_path_factory):
    """The provider's issuer address; it is stopped by its pid when the module's tests are done."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    port = free_port()
    env = os.environ | {
        "OIDC_PROVIDER_DB": str(folder / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY": str(folder / "key.pem"),
        "OIDC_PROVIDER_REDIRECT_URI": f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/",
        "OIDC_PROVIDER_CLIENT_ID": CLIENT_ID,
        "OIDC_PROVIDER_CLIENT_SECRET": CLIENT_SECRET,
    }
    log = folder / "provider.log"  # a file, not a pipe: a full pipe would block the provider
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )
    url = f"http://127.0.0.1:{port}/o"
    try:
        wait_until_it_answers(process, f"{url}/.well-known/openid-configuration", log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_it_answers(process, url, log, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The test provider stopped:\n{log.read_text()}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)  # a process starting, not application time: nothing to freeze
    pytest.fail(f"The test provider did not answer at {url} within {seconds} s")


def provider_apps(server_url):
    return factories.oidc_provider_setting(
        id=PROVIDER_ID, name=PROVIDER_NAME, server_url=server_url, client_id=CLIENT_ID, secret=CLIENT_SECRET
    )


@pytest.fixture
def organisation(settings, provider_url):
    settings.SOCIALACCOUNT_PROVIDERS = provider_apps(provider_url)


@pytest.fixture
def browser():
    session = requests.Session()
    session.trust_env = False  # no proxy: everything here is on 127.0.0.1
    yield session
    session.close()


class Form:
    def __init__(self, attrs):
        self.action = attrs.get("action") or ""
        self.id = attrs.get("id") or ""
        self.fields = {}


class FormsOnPage(HTMLParser):
    """The forms of a page, with what a browser would send (required boxes ticked)."""

    def __init__(self, html):
        super().__init__()
        self.forms, self._form = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        elif self._form and tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            if attrs.get("type") in ("checkbox", "radio") and "required" not in attrs and "checked" not in attrs:
                return
            self._form.fields[attrs["name"]] = attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def form_on(response, *, action=None, id=None):
    for form in FormsOnPage(response.text).forms:
        if (action is not None and form.action == action) or (id and form.id == id):
            return form
    raise AssertionError(f"No form {action or id} on {response.url} ({response.status_code}):\n{response.text}")


def sign_in_with_the_provider(browser, live_server, username, *, next_url="", allowed=True):
    """From our log-in page through the provider's log-in and consent; returns our page at the end."""
    login_url = f"{live_server.url}/accounts/login/" + (f"?next={quote(next_url)}" if next_url else "")
    our_login = browser.get(login_url)
    button = form_on(our_login, action=f"/accounts/oidc/{PROVIDER_ID}/login/")
    provider_login = browser.post(urljoin(our_login.url, button.action), data=button.fields)
    assert urlsplit(provider_login.url).path == "/login/", provider_login.url
    login = form_on(provider_login, id="provider-login")
    consent = browser.post(
        provider_login.url, data=login.fields | {"username": username, "password": PROVIDER_PASSWORD}
    )
    allow = form_on(consent, id="authorizationForm")
    return browser.post(consent.url, data=allow.fields | ({"allow": "Authorize"} if allowed else {}))


def signed_in_as(browser, live_server):
    """The display name on the profile page, or None when not signed in."""
    profile = browser.get(f"{live_server.url}/accounts/profile/", allow_redirects=False)
    if profile.status_code != 200:
        return None
    return form_on(profile, action="").fields["display_name"]


def redirects_to(response):
    return [hop.headers["Location"] for hop in response.history]


def test_the_log_in_and_sign_up_pages_offer_the_provider_and_keep_the_way_back(
    browser, live_server, organisation, room
):
    room_box = room.get_absolute_url() + ROOM_BOX

    for page in ("login", "signup"):
        response = browser.get(f"{live_server.url}/accounts/{page}/?next={quote(room_box)}")
        button = form_on(response, action=f"/accounts/oidc/{PROVIDER_ID}/login/")
        assert f"Sign in with {PROVIDER_NAME}" in response.text
        assert button.fields["next"] == room_box
        assert button.fields["process"] == "login"


def test_a_new_person_signs_up_through_the_provider_and_lands_back_at_the_comment_box(
    browser, live_server, organisation, room
):
    room_box = room.get_absolute_url() + ROOM_BOX

    signup = sign_in_with_the_provider(browser, live_server, "noor", next_url=room_box)

    assert urlsplit(signup.url).path == "/accounts/3rdparty/signup/"
    form = form_on(signup, action="/accounts/3rdparty/signup/")
    assert form.fields["email"] == "noor.haddad@example.org"
    assert form.fields["display_name"] == "Noor Haddad"
    assert not User.objects.filter(email="noor.haddad@example.org").exists()

    done = browser.post(
        signup.url, data=form.fields | {"display_name": "Noor Haddad (Amman)", "quoting_consent": "anonymous"}
    )

    assert redirects_to(done)[0] == room_box
    assert signed_in_as(browser, live_server) == "Noor Haddad (Amman)"
    noor = User.objects.get(email="noor.haddad@example.org")
    assert EmailAddress.objects.get(user=noor).verified  # the provider vouched for it: no email to confirm
    assert SocialAccount.objects.get(user=noor).provider == PROVIDER_ID
    assert not noor.has_usable_password()
    assert not SocialToken.objects.exists()
    assert 'id="comment-form"' in browser.get(f"{live_server.url}{room.get_absolute_url()}").text


def test_a_new_address_the_provider_does_not_vouch_for_is_confirmed_by_email_then_back_to_the_room(
    browser, live_server, organisation, room, mailoutbox
):
    room_box = room.get_absolute_url() + ROOM_BOX
    signup = sign_in_with_the_provider(browser, live_server, "sami", next_url=room_box)

    sent = browser.post(signup.url, data=form_on(signup, action="/accounts/3rdparty/signup/").fields)

    assert urlsplit(sent.url).path == "/accounts/confirm-email/"
    assert signed_in_as(browser, live_server) is None
    path = confirmation_path(mailoutbox[0])
    confirm = browser.get(f"{live_server.url}{path}")
    # The page signs the key afresh: the same address, and a second later another timestamp.
    (form,) = [form for form in FormsOnPage(confirm.text).forms if form.action.startswith("/accounts/confirm-email/")]
    confirmed = browser.post(urljoin(confirm.url, form.action), data=form.fields)
    assert redirects_to(confirmed)[0] == room_box
    assert signed_in_as(browser, live_server) == "Sami Laine"
    assert SocialAccount.objects.get().user.email == "sami@example.org"


def test_an_existing_person_with_a_verified_address_is_connected_signed_in_and_can_sign_out(
    browser, live_server, organisation, room
):
    amina = factories.make_user("Amina Diallo", email="amina@example.org")
    room_box = room.get_absolute_url() + ROOM_BOX

    arrived = sign_in_with_the_provider(browser, live_server, "amina", next_url=room_box)

    assert redirects_to(arrived)[-1] == room_box
    assert signed_in_as(browser, live_server) == "Amina Diallo"
    assert SocialAccount.objects.get(provider=PROVIDER_ID).user == amina
    amina.refresh_from_db()
    assert amina.check_password("password")
    assert User.objects.count() == 1

    browser.post(f"{live_server.url}/accounts/logout/", headers={"X-CSRFToken": browser.cookies["csrftoken"]})
    assert signed_in_as(browser, live_server) is None


def test_an_address_the_provider_does_not_vouch_for_never_opens_the_local_account(
    browser, live_server, organisation, mailoutbox
):
    amina = factories.make_user("Amina Diallo", email="amina@example.org")

    signup = sign_in_with_the_provider(browser, live_server, "impostor")

    assert urlsplit(signup.url).path == "/accounts/3rdparty/signup/"
    assert signed_in_as(browser, live_server) is None
    form = form_on(signup, action="/accounts/3rdparty/signup/")
    sent = browser.post(signup.url, data=form.fields | {"quoting_consent": "by_name"})
    # The same "check your email" as for a new address; the owner hears of it.
    assert urlsplit(sent.url).path == "/accounts/confirm-email/"
    assert signed_in_as(browser, live_server) is None
    assert not SocialAccount.objects.exists()
    assert User.objects.get() == amina
    assert [message.to for message in mailoutbox] == [["amina@example.org"]]
    assert "/accounts/confirm-email/" not in mailoutbox[0].body
    amina.refresh_from_db()
    assert amina.check_password("password")


def test_a_local_account_whose_address_is_unconfirmed_is_not_taken_over_by_a_verified_provider_address(
    browser, live_server, organisation
):
    lena = factories.make_user("Lena Novak", email="lena@example.org", confirmed=False)

    signup = sign_in_with_the_provider(browser, live_server, "lena")

    assert urlsplit(signup.url).path == "/accounts/3rdparty/signup/"
    assert signed_in_as(browser, live_server) is None
    browser.post(signup.url, data=form_on(signup, action="/accounts/3rdparty/signup/").fields)
    assert signed_in_as(browser, live_server) is None
    assert not SocialAccount.objects.exists()
    assert User.objects.get() == lena
    lena.refresh_from_db()
    assert lena.check_password("password")


def test_a_provider_that_does_not_answer_gets_a_page_that_says_so(browser, live_server, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = provider_apps(f"http://127.0.0.1:{free_port()}/o")
    our_login = browser.get(f"{live_server.url}/accounts/login/")
    button = form_on(our_login, action=f"/accounts/oidc/{PROVIDER_ID}/login/")

    response = browser.post(urljoin(our_login.url, button.action), data=button.fields)

    assert response.status_code == 502
    assert f"{PROVIDER_NAME} does not answer" in response.text
    assert 'href="/accounts/login/"' in response.text


def test_refusing_at_the_providers_consent_comes_back_to_a_page_that_says_so(browser, live_server, organisation):
    back = sign_in_with_the_provider(browser, live_server, "noor", allowed=False)

    assert back.status_code == 200
    assert urlsplit(back.url).path == "/accounts/3rdparty/login/cancelled/"
    assert signed_in_as(browser, live_server) is None
    assert not User.objects.exists()
