"""The log-in page and the connections page with an organisation's provider
configured, in chromium: accessible, within the CSP, at phone and desktop widths.
(Signing in through a real provider is tests/accounts/test_oidc_sign_in.py.)"""

from playwright.sync_api import expect

from tests import factories
from tests.browser.test_accessibility import assert_accessible


def test_the_log_in_and_connections_pages_offer_the_provider(live_server, settings, page, screenshot, page_errors):
    person = factories.make_user("Ngozi Okafor", email="ngozi@example.org")
    settings.SOCIALACCOUNT_PROVIDERS = factories.oidc_provider_setting()

    page.goto(f"{live_server.url}/accounts/login/?next=/")
    expect(page.get_by_role("button", name="Sign in with Contoso")).to_be_visible()
    assert_accessible(page, "log-in page with a provider")
    screenshot(page, "log-in")

    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_role("button", name="Sign in", exact=True).click()  # not "Sign in with Contoso"
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="Organisation sign-in").click()
    expect(page.get_by_role("heading", name="Organisation sign-in")).to_be_visible()
    expect(page.get_by_role("button", name="Connect Contoso")).to_be_visible()
    assert_accessible(page, "connections page")
    screenshot(page, "connections")
    assert page_errors == []
