import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests import factories

CONFIRMATION_LINK = re.compile(r"https?://\S+?/accounts/confirm-email/\S+")


def test_newcomer_signs_up_confirms_comments_and_sees_their_reply_nested(
    live_server, transactional_db, mailoutbox, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    room_url = live_server.url + room.get_absolute_url()

    # A visitor reads the room and is asked to sign up before commenting.
    page.goto(room_url)
    expect(page.get_by_role("heading", level=1, name="Access to justice")).to_be_visible()
    comment_box = page.locator("#comment-form")
    expect(comment_box).to_contain_text("Please sign in or sign up to comment.")
    comment_box.get_by_role("link", name="sign up").click()

    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.get_by_label("Email").fill("ada.okafor@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("quiet-harbour-lantern-58")
    page.get_by_label("Password (again)").fill("quiet-harbour-lantern-58")
    page.get_by_label("Your name as others will see it").fill("Ada Okafor")
    # How the report may quote her: asked, with nothing ticked beforehand.
    expect(page.get_by_role("radio", name="By name")).not_to_be_checked()
    page.get_by_role("radio", name="By name").check()
    screenshot(page, "01-signup-form")
    page.get_by_role("button", name="Sign Up").click()

    # Nothing says yet whether the address had an account: check your email.
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    assert mailoutbox, "no confirmation email was sent"
    mail = mailoutbox[-1]
    assert mail.to == ["ada.okafor@example.org"]
    link = CONFIRMATION_LINK.search(mail.body)
    assert link, f"no confirmation link in:\n{mail.body}"
    # The mail names the public site; the test server listens elsewhere.
    confirmation = urlsplit(link.group(0))
    page.goto(live_server.url + confirmation.path)
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()

    # Signed in and back in the room, at the comment box.
    expect(page).to_have_url(room_url + "#comment-form")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Ada Okafor")
    expect(page.get_by_role("status")).to_contain_text("You have confirmed ada.okafor@example.org")
    expect(comment_box.get_by_label("Your comment")).to_be_visible()
    expect(comment_box.get_by_label("Your comment")).to_be_in_viewport()
    page.get_by_label("Your comment").fill("Legal aid clinics need stable funding to reach rural areas.")
    page.get_by_role("button", name="Post comment").click()

    comment = page.locator("article.comment", has_text="Legal aid clinics need stable funding")
    expect(comment).to_be_visible()
    expect(comment).to_have_attribute("aria-label", "Comment by Ada Okafor")
    expect(comment).to_have_class(re.compile(r"\bdepth-0\b"))
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    comment_id = comment.get_attribute("id")
    screenshot(page, "02-room-with-comment")

    # Reply opens a form in place, under the comment.
    comment.get_by_role("link", name="Reply").click()
    reply_form = page.locator(f"#{comment_id} + form.comment-form--reply")
    expect(reply_form).to_be_visible()
    reply_form.get_by_label("Your reply").fill("Mobile clinics worked well in the northern districts.")
    reply_form.get_by_role("button", name="Post reply").click()

    reply = page.locator("article.comment", has_text="Mobile clinics worked well")
    expect(reply).to_be_visible()
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()
    expect(reply).to_have_class(re.compile(r"\bdepth-1\b"))
    expect(reply).to_have_id(re.compile(r"^comment-\d+$"))
    thread = page.locator(".thread", has=page.locator(f"#{comment_id}"))
    expect(thread).to_have_count(1)
    expect(thread.locator("article.comment")).to_have_count(2)
    expect(thread.locator("article.comment").nth(0)).to_have_id(comment_id)
    expect(thread.locator("article.comment").nth(1)).to_have_id(reply.get_attribute("id"))
    screenshot(page, "03-room-with-nested-reply")

    assert offsite_requests == []
    assert page_errors == []
