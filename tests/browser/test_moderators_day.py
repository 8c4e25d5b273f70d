"""A moderator's day in the browser: the header's count, a held comment
approved from the queue, and a shift note the next moderator reads."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from forum.models import Room, RoomModerator
from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_report_and_hide import log_out


def test_a_moderator_approves_a_held_comment_and_leaves_a_note_the_next_moderator_reads(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    Room.objects.filter(pk=room.pk).update(premoderate_first=1)
    room.refresh_from_db()
    today = timezone.localdate()
    this_week = factories.make_user("Maria Moderator")
    RoomModerator.objects.create(
        room=room, user=this_week, starts_on=today - timedelta(days=2), ends_on=today + timedelta(days=4)
    )
    next_week = factories.make_user("Nicholas Booth")
    RoomModerator.objects.create(room=room, user=next_week, starts_on=today - timedelta(days=1))
    newcomer = factories.make_user("Bruno Costa")
    held = factories.make_comment(room, newcomer, body="My first thoughts on legal aid.")
    room_path = room.get_absolute_url()

    # The header counts what waits; the queue says why the comment was held.
    log_in(page, live_server, this_week, room_path)
    desk = page.get_by_role("navigation", name="Your account").get_by_role("link", name="Moderation")
    expect(desk).to_contain_text("1")
    desk.click()
    item = page.locator(".queue__item").filter(has_text="My first thoughts on legal aid.")
    expect(item).to_contain_text("The first comment of people new to this consultation is checked first.")
    screenshot(page, "01-queue")
    item.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing is waiting. Thank you!")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Your account").get_by_role("link", name="Moderation")
    ).not_to_contain_text("1")

    # The moderator leaves a note for the next shift.
    page.goto(f"{live_server.url}{room_path}")
    page.get_by_role("link", name="Shift notes").click()
    page.get_by_label("A note for the next shifts").fill("Bruno is new: please welcome him in the legal aid thread.")
    page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_role("status")).to_contain_text("Your note is saved for the next shifts.")
    log_out(page)

    # The next moderator reads it.
    log_in(page, live_server, next_week, room_path)
    page.get_by_role("link", name="Shift notes").click()
    expect(page.get_by_text("Bruno is new: please welcome him in the legal aid thread.")).to_be_visible()
    expect(page.get_by_text("Maria Moderator")).to_be_visible()
    screenshot(page, "02-shift-notes")

    # The approved comment is public, and the room shows the rota.
    log_out(page)
    page.goto(f"{live_server.url}{room_path}")
    expect(page.locator(f"#comment-{held.pk}")).to_contain_text("My first thoughts on legal aid.")
    page.get_by_text("The whole rota").click()
    expect(page.locator(".rota")).to_contain_text("Nicholas Booth")
    assert offsite_requests == [] and page_errors == []
