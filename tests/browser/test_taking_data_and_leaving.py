"""A participant downloads their data, then deletes their account, keeping
their texts without their name: signed out, the thread they took part in
still reads whole, under "Former participant"."""

import io
import json
import zipfile

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in


def test_a_participant_takes_their_data_and_leaves_the_thread_whole(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    person = factories.make_user("Bruno Costa")
    other = factories.make_user("Amina Diallo")
    root = factories.make_comment(room, person, body="Court fees keep people away from justice.")
    factories.make_reply(root, other, body="Fee waivers helped in our district.")

    log_in(page, live_server, person, "/accounts/profile/")
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download my data").click()
    download = downloading.value
    assert download.suggested_filename.startswith(f"{person.handle}-data-")
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        data = json.loads(archive.read("data.json"))
    assert [comment["text"] for comment in data["comments"]] == ["Court fees keep people away from justice."]

    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", level=1, name="Delete your account")).to_be_visible()
    screenshot(page, "01-confirmation")
    page.get_by_role("button", name="Delete the account").click()
    expect(page.locator("fieldset")).to_contain_text("Choose what becomes of the texts of the comments.")
    page.get_by_label("Keep them, without my name").check()
    page.get_by_label("Your password").fill("password")
    page.get_by_role("button", name="Delete the account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account has been deleted.")
    expect(page.get_by_role("navigation", name="Your account").get_by_role("link", name="Sign in")).to_be_visible()

    page.goto(live_server.url + room.get_absolute_url())
    thread = page.locator(f"#comment-{root.pk}")
    expect(thread).to_contain_text("Former participant")
    expect(thread).to_contain_text("Court fees keep people away from justice.")
    expect(page.locator("body")).not_to_contain_text("Bruno Costa")
    expect(page.locator("body")).to_contain_text("Fee waivers helped in our district.")
    screenshot(page, "02-the-thread-after")
    assert offsite_requests == [] and page_errors == []
