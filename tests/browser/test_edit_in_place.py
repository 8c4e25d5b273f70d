import re

from playwright.sync_api import expect

from tests import factories


def test_an_author_edits_their_comment_in_place_and_readers_see_it_was_edited(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Accountable institutions")
    author = factories.make_user("Mariam Diop", email="mariam@example.org")
    comment = factories.make_comment(room, author, body="Audit offices need **budgets**.")

    page.goto(f"{live_server.url}/accounts/login/?next={room.get_absolute_url()}")
    page.get_by_label("Email").fill("mariam@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("password")
    page.get_by_role("button", name="Sign In").click()

    article = page.locator(f"#comment-{comment.pk}")
    article.get_by_role("link", name="Edit").click()
    # The form opens where the text was, with the text as written.
    body = article.get_by_role("combobox", name="Your comment")
    expect(body).to_be_focused()
    expect(body).to_have_value("Audit offices need **budgets**.")
    expect(page).to_have_url(re.compile(re.escape(room.get_absolute_url()) + "$"))
    screenshot(page, "01-editing-in-place")
    body.fill("Audit offices need **independent** budgets.")
    article.get_by_role("button", name="Save changes").click()

    article = page.locator(f"#comment-{comment.pk}")
    expect(article.locator("strong")).to_have_text("independent")
    expect(article.locator(".comment__edited")).to_contain_text("edited")
    expect(page.get_by_role("status")).to_contain_text("Your comment has been updated.")
    screenshot(page, "02-edited")
    assert offsite_requests == []
    assert page_errors == []
