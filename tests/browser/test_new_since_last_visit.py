import re

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in

LONG = "Court fees keep people away from justice, and legal aid does not reach the villages. " * 6


def test_coming_back_to_a_room_shows_what_is_new_and_jumps_to_it(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    reader = factories.make_user("Amina Diallo")
    others = [factories.make_user("Bruno Costa"), factories.make_user("Ngozi Okafor")]
    threads = [factories.make_comment(room, others[n % 2], body=f"Thread {n}. {LONG}") for n in range(8)]

    # The first visit marks nothing: everything was there before.
    log_in(page, live_server, reader, room.get_absolute_url())
    expect(page.locator("article.comment").first).to_be_visible()
    expect(page.locator(".comment--new")).to_have_count(0)
    expect(page.get_by_role("link", name="Jump to the first new comment")).to_have_count(0)

    # While they are away, a reply lands low in the page and a new thread after it.
    reply = factories.make_reply(threads[6], others[0], body="A new reply, far down the page.")
    factories.make_comment(room, others[1], body="A new thread at the end.")
    factories.make_comment(room, reader, body="The reader's own, from another device.")

    page.goto(f"{live_server.url}{room.consultation.get_absolute_url()}")
    expect(page.locator(".room-list .card", has_text="Access to justice")).to_contain_text("2 new")
    screenshot(page, "01-consultation-counts")
    page.get_by_role("link", name="Access to justice").click()

    expect(page.locator(".new-comments")).to_contain_text("2 new comments since your last visit.")
    new = page.locator(".comment--new")
    expect(new).to_have_count(2)
    expect(new.first).to_have_id(f"comment-{reply.pk}")
    expect(new.first.locator(".badge--new")).to_have_text("New since your last visit")
    expect(page.locator("article", has_text="The reader's own")).not_to_have_class(re.compile(r"comment--new"))
    first_new = page.locator(f"#comment-{reply.pk}")
    expect(first_new).not_to_be_in_viewport()
    screenshot(page, "02-new-marked")

    page.get_by_role("link", name="Jump to the first new comment").click()
    expect(page).to_have_url(re.compile(rf"#comment-{reply.pk}$"))
    expect(first_new).to_be_in_viewport()
    screenshot(page, "03-jumped")

    assert offsite_requests == []
    assert page_errors == []
