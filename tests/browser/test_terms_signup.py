import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from accounts.models import Acceptance, User
from tests import factories
from tests.browser.conftest import log_in

CONFIRMATION_LINK = re.compile(r"https?://\S+?/accounts/confirm-email/\S+")


def test_newcomer_signs_up_from_a_room_accepts_the_terms_confirms_and_lands_back_signed_in(
    live_server, transactional_db, mailoutbox, page, screenshot, offsite_requests, page_errors
):
    terms_of_use = factories.publish_document("terms", "1", title="Terms of use", body="Be respectful.")
    privacy = factories.publish_document("privacy", "1", title="Privacy notice", body="We keep your email address.")
    room = factories.make_room(title="Access to justice")
    room_url = live_server.url + room.get_absolute_url()

    page.goto(room_url)
    page.locator("#comment-form").get_by_role("link", name="sign up").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.get_by_label("Email").fill("ada.okafor@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("quiet-harbour-lantern-58")
    page.get_by_label("Password (again)").fill("quiet-harbour-lantern-58")
    page.get_by_label("Your name as others will see it").fill("Ada Okafor")
    # How the report may quote her: asked, with nothing ticked beforehand.
    expect(page.get_by_role("radio", name="By name")).not_to_be_checked()
    page.get_by_role("radio", name="By name").check()

    # The box is required: the browser itself stops the form until it is ticked.
    box = page.get_by_label(re.compile("I accept the terms of use and I have read the privacy notice"))
    expect(box).not_to_be_checked()
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    assert mailoutbox == []

    # Each document opens beside the form, which keeps what was typed.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="terms of use", exact=True).click()
    document = opened.value
    expect(document.get_by_role("heading", level=1, name="Terms of use")).to_be_visible()
    expect(document.get_by_text("Be respectful.")).to_be_visible()
    document.close()
    expect(page.get_by_label("Your name as others will see it")).to_have_value("Ada Okafor")

    box.check()
    screenshot(page, "01-signup-with-terms")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    link = CONFIRMATION_LINK.search(mailoutbox[-1].body)
    assert link, mailoutbox[-1].body
    page.goto(live_server.url + urlsplit(link.group(0)).path)
    page.get_by_role("button", name="Confirm").click()

    # Signed in and back in the room, at the comment box, with nothing more to accept.
    expect(page).to_have_url(room_url + "#comment-form")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Ada Okafor")
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_be_visible()
    expect(page.get_by_text("Please read and accept before your next post")).to_have_count(0)
    person = User.objects.get(email="ada.okafor@example.org")
    accepted = set(Acceptance.objects.filter(user=person).values_list("document_id", flat=True))
    assert accepted == {terms_of_use.pk, privacy.pk}
    screenshot(page, "02-back-in-the-room")

    assert offsite_requests == []
    assert page_errors == []


def test_a_person_asked_to_accept_a_new_version_accepts_it_with_their_comment_and_posts(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    person = factories.make_user("Jean Dupont")
    factories.accept_documents(person, factories.publish_document("terms", "1"))
    room = factories.make_room(title="Access to justice")
    factories.publish_document("terms", "2", changes="Reports are now kept for a year.")
    log_in(page, live_server, person, room.get_absolute_url())

    # Reading stays open; the banner says what to do.
    banner = page.get_by_role("region", name="Please read and accept before your next post")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Terms of use, version 2")

    # Without the box ticked the browser stops the post; the text stays.
    box = page.locator("#comment-form").get_by_label("I accept the terms of use.")
    page.get_by_label("Your comment").fill("Legal aid needs stable funding.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_label("Your comment")).to_have_value("Legal aid needs stable funding.")

    box.check()
    screenshot(page, "03-comment-with-new-terms")
    page.get_by_role("button", name="Post comment").click()

    expect(page.locator("article.comment", has_text="Legal aid needs stable funding.")).to_be_visible()
    expect(page.get_by_role("region", name="Please read and accept before your next post")).to_have_count(0)
    assert Acceptance.objects.filter(user=person, document__version="2", source="comment_form").exists()

    assert offsite_requests == []
    assert page_errors == []
