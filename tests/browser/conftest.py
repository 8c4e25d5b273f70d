"""Playwright driving Debian's chromium against pytest-django's live server."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

# Playwright's sync API keeps an event loop running in this thread, and
# Django refuses ORM calls from a thread with a running loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
NARROW, WIDE = 360, 1280

expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items):
    # This hook sees the whole session's items: mark only those in this folder.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def offsite_requests():
    """URLs the page tried to load from anywhere but this machine (all assets are local)."""
    return []


@pytest.fixture
def page_errors():
    """Uncaught JavaScript errors on the pages visited."""
    return []


@pytest.fixture
def page(browser, offsite_requests, page_errors):
    context = browser.new_context(viewport={"width": WIDE, "height": 800})
    context.set_default_timeout(10_000)

    def keep_local(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            offsite_requests.append(route.request.url)
            route.abort()

    context.route(re.compile(r"^https?://"), keep_local)
    page = context.new_page()
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    yield page
    context.close()


def log_in(page, live_server, user, next_url):
    """Sign in through the log-in form and land on `next_url`."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill("password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text(user.display_name)
    # The page's deferred scripts have run: what they listen for (a selection) is heard.
    page.wait_for_load_state("load")


@pytest.fixture
def screenshot(request):
    """Save the page at phone and desktop widths into artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = request.node.name.removeprefix("test_").replace("_", "-")

    def take(page, step: str) -> None:
        size = page.viewport_size
        for width in (NARROW, WIDE):
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=SCREENSHOTS / f"{prefix}--{step}--{width}.png", full_page=True)
        page.set_viewport_size(size)

    return take
