from playwright.sync_api import expect

from tests import factories


def log_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign In").click()


def test_a_mentioned_person_sees_the_count_opens_the_notification_and_lands_on_the_comment(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Civic space")
    factories.make_user("Álvaro Herrero", email="alvaro@example.org")
    author = factories.make_user("Ngozi Okafor")
    factories.make_comment(room, author, body="Opening the discussion.")
    mention = factories.make_comment(
        room, author, body="@alvaro_herrero, your clinics see this every week: what works?"
    )

    log_in(page, live_server, "alvaro@example.org")
    bell = page.get_by_role("link", name="Notifications 1 unread")
    expect(bell).to_be_visible()
    bell.click()

    item = page.locator(".notification", has_text="Ngozi Okafor mentioned you in Civic space")
    expect(item).to_be_visible()
    expect(item).to_contain_text("your clinics see this every week")
    screenshot(page, "01-notifications")
    item.get_by_role("link", name="Open the comment").click()

    expect(page).to_have_url(live_server.url + room.get_absolute_url() + f"#comment-{mention.pk}")
    target = page.locator(f"#comment-{mention.pk}")
    expect(target).to_be_visible()
    expect(target.get_by_role("link", name="@Álvaro Herrero")).to_have_attribute("href", "/u/alvaro_herrero/")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    screenshot(page, "02-landed-on-the-comment")
    assert offsite_requests == []
    assert page_errors == []
