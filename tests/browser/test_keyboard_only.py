import re

from playwright.sync_api import expect

from tests import factories


def tab_to(page, accessible_name, *, limit=80):
    """Press Tab until the focused element has this accessible name (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const el = document.activeElement; return (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(); }"
        )
        if focused == accessible_name:
            return
    raise AssertionError(f"{accessible_name!r} was not reached with the Tab key")


def test_a_reply_with_a_mention_is_written_and_sent_with_the_keyboard_alone(
    live_server, transactional_db, page, screenshot, page_errors
):
    room = factories.make_room(title="Civic space")
    ngozi = factories.make_user("Ngozi Okafor")
    opening = factories.make_comment(room, ngozi, body="NGOs need room to work.")
    writer = factories.make_user("Mariam Diop", email="mariam@example.org")

    page.goto(f"{live_server.url}/accounts/login/?next={room.get_absolute_url()}")
    page.get_by_label("Email").focus()
    page.keyboard.type("mariam@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text("Mariam Diop")

    tab_to(page, "Reply")
    page.keyboard.press("Enter")
    reply_box = page.locator(".comment-form--reply textarea")
    expect(reply_box).to_be_focused()

    page.keyboard.type("I agree with @ngo")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_contain_text("Ngozi Okafor")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.type("on this.")
    expect(reply_box).to_have_value(f"I agree with @{ngozi.handle} on this.")
    screenshot(page, "01-reply-typed")

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Post reply")).to_be_focused()
    page.keyboard.press("Enter")

    reply = page.locator("article.comment", has_text="on this.")
    expect(reply).to_have_class(re.compile(r"\bdepth-1\b"))
    expect(reply.get_by_role("link", name="@Ngozi Okafor")).to_be_visible()
    # Right under the comment it answers, first of the replies that fold under it.
    assert reply.evaluate("el => el.closest('details.replies').previousElementSibling.id") == f"comment-{opening.pk}"
    assert writer.comments.count() == 1
    assert page_errors == []
