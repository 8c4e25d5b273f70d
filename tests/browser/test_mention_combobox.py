import re

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in


def test_writer_mentions_someone_from_the_room_with_the_keyboard_only(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    alvaro = factories.make_user("Álvaro Herrero", organisation="Rule of Law Institute")
    factories.make_comment(room, alvaro, "Court fees keep people away.")
    factories.make_comment(factories.make_room(room.consultation), factories.make_user("Alice Martin"))
    writer = factories.make_user("Ngozi Adeyemi")
    log_in(page, live_server, writer, room.get_absolute_url())

    body = page.get_by_role("combobox", name="Your comment")
    expect(body).to_have_attribute("aria-expanded", "false")
    expect(body).to_have_attribute("aria-autocomplete", "list")
    body.focus()
    page.keyboard.type("Thanks @al")

    listbox = page.get_by_role("listbox", name="People to mention")
    expect(listbox).to_be_visible()
    expect(body).to_have_attribute("aria-expanded", "true")
    expect(body).to_have_attribute("aria-controls", listbox.get_attribute("id"))
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Álvaro Herrero")
    expect(options.nth(0)).to_contain_text("@alvaro_herrero")
    expect(options.nth(0)).to_contain_text("Rule of Law Institute")
    expect(options.nth(1)).to_contain_text("Alice Martin")
    expect(page.locator(".mentions__status")).to_have_text("2 suggestions")
    expect(body).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    screenshot(page, "01-suggestions-open")

    page.keyboard.press("ArrowDown")
    expect(body).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
    active = page.locator(f"#{body.get_attribute('aria-activedescendant')}")
    expect(active).to_have_attribute("role", "option")
    expect(active).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(body).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
    page.keyboard.press("Enter")

    expect(body).to_have_value("Thanks @alvaro_herrero ")
    expect(body).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(body).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    page.keyboard.type("for the figures on court fees.")
    expect(body).to_have_value("Thanks @alvaro_herrero for the figures on court fees.")

    # Past the folded "Language" choice, to the button.
    page.keyboard.press("Tab")
    expect(page.locator("summary", has_text="Language")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Post comment")).to_be_focused()
    page.keyboard.press("Enter")

    comment = page.locator("article.comment", has_text="for the figures on court fees")
    expect(comment).to_be_visible()
    mention = comment.get_by_role("link", name="@Álvaro Herrero")
    expect(mention).to_have_attribute("href", "/u/alvaro_herrero/")
    screenshot(page, "02-comment-with-mention")
    comment_id = comment.get_attribute("id")

    # The mentioned person logs in, sees the count, opens the notification and lands on the comment.
    page.get_by_role("button", name="Sign out").click()
    log_in(page, live_server, alvaro, "/")
    page.get_by_role("link", name="Notifications 1 unread").click()
    item = page.locator(".notification", has_text="Ngozi Adeyemi mentioned you in Access to justice")
    expect(item).to_contain_text("for the figures on court fees")
    item.get_by_role("link", name="Open the comment").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(room.get_absolute_url())}#{comment_id}$"))
    expect(page.locator(f"#{comment_id}")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    screenshot(page, "03-mentioned-person-lands-on-the-comment")

    assert offsite_requests == []
    assert page_errors == []


def test_reply_form_suggests_the_threads_people_first_and_a_click_chooses(
    live_server, transactional_db, page, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    factories.make_comment(room, factories.make_user("Álvaro Herrero"), "Court fees keep people away.")
    root = factories.make_comment(room, factories.make_user("Bruno Costa"), "Legal aid needs funding.")
    factories.make_reply(root, factories.make_user("Alma Petrova"), "And training.")
    writer = factories.make_user("Ngozi Adeyemi")
    log_in(page, live_server, writer, room.get_absolute_url())

    page.locator(f"#comment-{root.pk}").get_by_role("link", name="Reply").click()
    body = page.get_by_role("combobox", name="Your reply")
    expect(body).to_be_focused()
    page.keyboard.type("Agreed, @Al")

    options = page.get_by_role("listbox", name="People to mention").get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Alma Petrova")
    expect(options.nth(1)).to_contain_text("Álvaro Herrero")
    options.nth(1).click()

    expect(body).to_be_focused()
    expect(body).to_have_value("Agreed, @alvaro_herrero ")
    expect(body).to_have_attribute("aria-expanded", "false")

    # Escape closes the list and keeps what was typed.
    page.keyboard.type("and @alm")
    expect(options).to_have_count(1)
    page.keyboard.press("Escape")
    expect(body).to_have_attribute("aria-expanded", "false")
    expect(body).to_have_value("Agreed, @alvaro_herrero and @alm")

    assert offsite_requests == []
    assert page_errors == []
