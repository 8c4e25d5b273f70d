from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in

REASON = "Personal attack, against rule 2."


def log_out(page):
    account = page.get_by_role("navigation", name="Your account")
    account.get_by_role("button", name="Sign out").click()
    expect(account.get_by_role("link", name="Sign in")).to_be_visible()


def test_a_reported_comment_is_hidden_from_the_queue_and_its_author_is_told_why(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    moderator = factories.make_user("Maria Moderator")
    factories.assign_moderator(room, moderator)
    author = factories.make_user("Bruno Costa")
    reporter = factories.make_user("Amina Diallo")
    factories.make_comment(room, reporter, body="Court fees keep people away from justice.")
    offending = factories.make_comment(room, author, body="Anyone who disagrees with me is an idiot.")
    room_path = room.get_absolute_url()

    # A participant reports the comment with a reason and a note.
    log_in(page, live_server, reporter, room_path)
    page.locator(f"#comment-{offending.pk}").get_by_role("link", name="Report").click()
    expect(page.get_by_role("heading", name="Report this comment to the moderators")).to_be_visible()
    page.get_by_label("Abusive or hateful").check()
    page.get_by_label("Anything the moderators should know (optional)").fill("Insults people who disagree.")
    screenshot(page, "01-report-form")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you. The moderators have been told and will look at it.")
    expect(page.locator(f"#comment-{offending.pk}")).to_be_visible()
    log_out(page)

    # The room's moderator finds it in the queue and hides it with a reason.
    log_in(page, live_server, moderator, room_path)
    page.locator(".moderator-tools").get_by_role("link", name="Moderation queue").click()
    expect(page.get_by_role("heading", level=1, name="Moderation queue")).to_be_visible()
    item = page.locator(".queue__item", has_text="Anyone who disagrees with me is an idiot.")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("1 report")
    expect(item).to_contain_text("Abusive or hateful")
    expect(item).to_contain_text("Insults people who disagree.")
    expect(item).to_contain_text("Amina Diallo")
    item.get_by_label("Reason, shown to readers").fill(REASON)
    screenshot(page, "02-moderation-queue")
    item.get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The comment is hidden; its author has been told.")
    expect(page.locator(".queue")).to_contain_text("Nothing is waiting. Thank you!")
    log_out(page)

    # Participants see the placeholder with the reason instead of the text.
    log_in(page, live_server, reporter, room_path)
    hidden = page.locator(f"#comment-{offending.pk}")
    expect(hidden).to_contain_text(f"Hidden by a moderator: {REASON}")
    expect(hidden).not_to_contain_text("idiot")
    expect(page.locator("main")).not_to_contain_text("Anyone who disagrees with me")
    expect(page.locator("main")).to_contain_text("Court fees keep people away from justice.")
    screenshot(page, "03-hidden-placeholder")
    log_out(page)

    # The author is told, with the reason.
    log_in(page, live_server, author, room_path)
    bell = page.get_by_role("link", name="Notifications 1 unread")
    expect(bell).to_be_visible()
    bell.click()
    notice = page.locator(".notification", has_text="A moderator acted on your comment in Access to justice")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(REASON)
    expect(notice).to_contain_text("This comment has since been hidden by a moderator.")
    screenshot(page, "04-author-notified")

    assert offsite_requests == []
    assert page_errors == []
