"""Endorsing a comment in the browser: a plain form without JavaScript, in
place with it, and a log-in that brings an anonymous reader back to the comment."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in


@pytest.fixture
def thread(transactional_db):
    room = factories.make_room(title="Access to justice")
    author = factories.make_user("Ngozi Okafor")
    reader = factories.make_user("Jean Dupont")
    comment = factories.make_comment(room, author, body="Paralegals reach villages the courts never see.")
    return {"room": room, "author": author, "reader": reader, "comment": comment}


def agree_button(page, comment):
    return page.locator(f"#comment-{comment.pk}").get_by_role("button", name=re.compile(r"^I agree, \d+$"))


def test_without_javascript_the_endorse_button_posts_and_comes_back_pressed(live_server, thread, browser, screenshot):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    comment = thread["comment"]
    log_in(page, live_server, thread["reader"], thread["room"].get_absolute_url())
    expect(agree_button(page, comment)).to_have_attribute("aria-pressed", "false")

    agree_button(page, comment).click()

    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    expect(page.locator(f"#comment-{comment.pk}").get_by_role("button", name="I agree, 1")).to_have_attribute(
        "aria-pressed", "true"
    )
    screenshot(page, "endorsed-without-javascript")
    page.locator(f"#comment-{comment.pk}").get_by_role("button", name="I agree, 1").click()
    expect(page.locator(f"#comment-{comment.pk}").get_by_role("button", name="I agree, 0")).to_have_attribute(
        "aria-pressed", "false"
    )
    context.close()


def test_with_javascript_the_button_changes_in_place(live_server, thread, page, page_errors):
    comment = thread["comment"]
    log_in(page, live_server, thread["reader"], thread["room"].get_absolute_url())
    page.evaluate("window.stillHere = true")

    page.locator(f"#comment-{comment.pk}").get_by_role("button", name="Useful, 0").click()

    useful = page.locator(f"#comment-{comment.pk}").get_by_role("button", name="Useful, 1")
    expect(useful).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.stillHere") is True
    useful.click()
    expect(page.locator(f"#comment-{comment.pk}").get_by_role("button", name="Useful, 0")).to_have_attribute(
        "aria-pressed", "false"
    )
    page.reload()
    expect(page.locator(f"#comment-{comment.pk}").get_by_role("button", name="Useful, 0")).to_be_visible()
    assert page_errors == []


def test_an_anonymous_reader_logs_in_from_the_count_and_comes_back_to_the_comment(live_server, thread, page):
    comment = thread["comment"]
    page.goto(live_server.url + thread["room"].get_absolute_url())

    page.locator(f"#comment-{comment.pk}").get_by_role("link", name=re.compile(r"^I agree, 0")).click()
    page.get_by_label("Email").fill(thread["reader"].email)
    page.get_by_label(re.compile(r"^Password:?$")).fill("password")
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    expect(agree_button(page, comment)).to_be_visible()
