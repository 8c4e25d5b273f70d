"""Writing a long answer on a slow phone: drafts that survive a reload and a
failed post, the character counter, quote-reply, and threads that fold, with
and without JavaScript."""

import re

from playwright.sync_api import expect

from forum.models import Comment, CommentLink, Room
from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import assert_accessible


def room_form(page):
    return page.locator("#comment-form form.comment-form")


def test_a_draft_survives_a_reload_and_a_refused_post_and_goes_once_posted(
    live_server, transactional_db, page, screenshot, page_errors
):
    room = factories.make_room(title="Access to justice")
    person = factories.make_user("Ngozi Okafor")
    log_in(page, live_server, person, room.get_absolute_url())
    text = "Legal aid clinics should open in every district court, with paralegals paid by the state."
    body = room_form(page).get_by_role("combobox", name="Your comment")
    body.press_sequentially(text[:40])
    body.fill(text)
    page.wait_for_timeout(600)  # the draft is saved once typing pauses

    page.reload()
    body = room_form(page).get_by_role("combobox", name="Your comment")
    expect(body).to_have_value(text)
    expect(room_form(page).get_by_role("status")).to_contain_text("Draft restored.")
    screenshot(page, "01-draft-restored")

    # The server refuses the post (the room closed meanwhile): the draft is kept.
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)
    room_form(page).get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_contain_text("This room is closed")
    Room.objects.filter(pk=room.pk).update(state=Room.State.OPEN)
    page.goto(live_server.url + room.get_absolute_url())
    expect(room_form(page).get_by_role("combobox", name="Your comment")).to_have_value(text)

    # Posted: the next page says so, and the draft is gone.
    room_form(page).get_by_role("button", name="Post comment").click()
    expect(page.locator("[data-posted]")).to_contain_text("Your comment has been posted.")
    expect(page.locator("article.comment", has_text="paralegals paid by the state")).to_be_visible()
    page.goto(live_server.url + room.get_absolute_url())
    expect(room_form(page).get_by_role("combobox", name="Your comment")).to_have_value("")
    expect(page.locator(".draft-note")).to_have_count(0)
    assert Comment.objects.filter(body_source=text).count() == 1
    assert page_errors == []


def test_a_reply_draft_is_kept_per_comment_and_can_be_discarded(live_server, transactional_db, page, page_errors):
    room = factories.make_room()
    person = factories.make_user("Ngozi Okafor")
    first = factories.make_comment(room, factories.make_user("Ana Lima"), body="Courts are far away.")
    second = factories.make_comment(room, factories.make_user("Li Wei"), body="Fees are high.")
    log_in(page, live_server, person, room.get_absolute_url())
    page.locator(f"#comment-{first.pk}").get_by_role("link", name="Reply").click()
    page.get_by_role("combobox", name="Your reply").fill("Mobile courts help.")
    page.wait_for_timeout(600)

    page.reload()
    page.locator(f"#comment-{second.pk}").get_by_role("link", name="Reply").click()
    expect(page.get_by_role("combobox", name="Your reply")).to_have_value("")
    page.locator(f"#comment-{first.pk}").get_by_role("link", name="Reply").click()
    reply = page.locator(f"#comment-{first.pk} + form").get_by_role("combobox", name="Your reply")
    expect(reply).to_have_value("Mobile courts help.")
    page.locator(f"#comment-{first.pk} + form").get_by_role("button", name="Discard the draft").click()
    expect(reply).to_have_value("")
    page.reload()
    page.locator(f"#comment-{first.pk}").get_by_role("link", name="Reply").click()
    expect(page.locator(f"#comment-{first.pk} + form").get_by_role("combobox", name="Your reply")).to_have_value("")
    assert page_errors == []


def test_logging_out_forgets_the_drafts(live_server, transactional_db, page):
    room = factories.make_room()
    person = factories.make_user("Ngozi Okafor")
    log_in(page, live_server, person, room.get_absolute_url())
    room_form(page).get_by_role("combobox", name="Your comment").fill("Not for the next person.")
    page.wait_for_timeout(600)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('forum-draft:')).length") == 0


def test_the_counter_shows_the_length_against_the_limit(live_server, transactional_db, page, settings):
    settings.FORUM_COMMENT_MAX_LENGTH = 30
    room = factories.make_room()
    log_in(page, live_server, factories.make_user("Ngozi Okafor"), room.get_absolute_url())
    body = room_form(page).get_by_role("combobox", name="Your comment")
    counter = room_form(page).locator(".char-counter")
    expect(counter).to_contain_text("0 of 30 characters")
    body.fill("Twelve chars")
    expect(counter).to_contain_text("12 of 30 characters")
    body.fill("x" * 33)
    expect(counter).to_contain_text("33 of 30 characters: 3 too many")
    expect(counter).to_have_class(re.compile(r"char-counter--over"))
    # Near the limit, screen readers hear it once typing pauses.
    expect(counter.locator("[aria-live=polite]")).to_contain_text("33 of 30 characters", timeout=5_000)
    assert body.get_attribute("aria-describedby")


def test_quoting_selected_words_puts_a_quote_and_a_reference_in_the_reply(
    live_server, transactional_db, page, screenshot, page_errors
):
    room = factories.make_room(title="Access to justice")
    quoted = factories.make_comment(
        room, factories.make_user("Ana Lima"), body="Courts are far away. Mobile hearings reach villages twice a year."
    )
    person = factories.make_user("Ngozi Okafor")
    log_in(page, live_server, person, room.get_absolute_url())
    page.evaluate(
        """(id) => {
            const text = document.querySelector(`#comment-${id} .comment__body p`).firstChild;
            const start = text.data.indexOf("Mobile hearings");
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + "Mobile hearings reach villages".length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        quoted.pk,
    )
    button = page.locator(".quote-button")
    expect(button).to_be_visible()
    screenshot(page, "01-quote-offered")
    button.click()
    reply = page.get_by_role("combobox", name="Your reply")
    expect(reply).to_be_focused()
    expect(reply).to_have_value(re.compile(rf"/comment/{quoted.pk}/\n> Mobile hearings reach villages\n"))
    reply.press("End")
    reply.press_sequentially("Twice a year is not enough.")
    page.locator(f"#comment-{quoted.pk} + form").get_by_role("button", name="Post reply").click()

    posted = page.locator("article.comment", has_text="Twice a year is not enough.")
    expect(posted.locator("blockquote")).to_have_text("Mobile hearings reach villages")
    expect(posted.locator("a.reference")).to_have_text("Comment by Ana Lima in Access to justice")
    expect(page.locator(f"#comment-{quoted.pk} .comment__backlinks")).to_contain_text("Ngozi Okafor")
    reply_comment = Comment.objects.get(body_source__contains="is not enough")
    assert CommentLink.objects.filter(source=reply_comment, target=quoted).exists()
    assert page_errors == []


def test_the_keyboard_quotes_a_whole_comment_from_its_actions(live_server, transactional_db, page):
    room = factories.make_room()
    quoted = factories.make_comment(room, factories.make_user("Ana Lima"), body="Fees keep people away.")
    log_in(page, live_server, factories.make_user("Ngozi Okafor"), room.get_absolute_url())
    quote = page.locator(f"#comment-{quoted.pk}").get_by_role("button", name="Quote")
    quote.focus()
    page.keyboard.press("Enter")
    reply = page.get_by_role("combobox", name="Your reply")
    expect(reply).to_be_focused()
    expect(reply).to_have_value(re.compile(rf"/comment/{quoted.pk}/\n> Fees keep people away.\n"))


def a_thread(room):
    root = factories.make_comment(room, factories.make_user("Ana Lima"), body="Root of the thread")
    first = factories.make_reply(root, factories.make_user("Li Wei"), body="First reply")
    deeper = factories.make_reply(first, factories.make_user("Jean Dupont"), body="Deeper reply")
    factories.make_reply(root, factories.make_user("Olga Petrova"), body="Second reply")
    return root, first, deeper


def test_a_folded_thread_stays_folded_across_a_reload_and_a_permalink_unfolds_it(
    live_server, transactional_db, page, screenshot, page_errors
):
    room = factories.make_room()
    root, first, deeper = a_thread(room)
    page.goto(live_server.url + room.get_absolute_url())
    toggle = page.locator(f"#replies-{root.pk} > summary")
    expect(toggle).to_have_text("3 replies to this comment")
    expect(page.get_by_text("Deeper reply")).to_be_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Deeper reply")).to_be_hidden()
    expect(page.get_by_text("Root of the thread")).to_be_visible()
    screenshot(page, "01-folded")

    page.reload()
    expect(page.get_by_text("Root of the thread")).to_be_visible()
    expect(page.get_by_text("First reply")).to_be_hidden()

    # A link to a comment inside the folded thread opens it.
    page.goto(f"{live_server.url}/comment/{deeper.pk}/")
    expect(page).to_have_url(re.compile(rf"#comment-{deeper.pk}$"))
    expect(page.get_by_text("Deeper reply")).to_be_visible()
    # Folded again, and the address changes on the same page: it opens again.
    page.locator(f"#replies-{root.pk} > summary").click()
    expect(page.get_by_text("Deeper reply")).to_be_hidden()
    page.evaluate("location.hash = ''")
    page.evaluate(f"location.hash = 'comment-{first.pk}'")
    expect(page.get_by_text("First reply")).to_be_visible()
    assert page_errors == []


def test_without_javascript_threads_fold_and_unfold_with_their_reply_count(live_server, transactional_db, browser):
    room = factories.make_room()
    root, first, deeper = a_thread(room)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/comment/{deeper.pk}/")
        # Open by default: the permalink's comment shows.
        expect(page.get_by_text("Deeper reply")).to_be_visible()
        toggle = page.locator(f"#replies-{root.pk} > summary")
        expect(toggle).to_contain_text("3 replies")
        expect(page.locator(f"#replies-{first.pk} > summary")).to_contain_text("1 reply")
        toggle.click()
        expect(page.get_by_text("Second reply")).to_be_hidden()
        expect(toggle).to_be_visible()
        toggle.click()
        expect(page.get_by_text("Second reply")).to_be_visible()
        # Nothing of the writing aids without scripts; the Preview button is a plain submit.
        expect(page.locator(".quote-button, .char-counter, .comment__quote")).to_have_count(0)
    finally:
        context.close()


def test_the_preview_button_works_without_javascript(live_server, transactional_db, browser):
    room = factories.make_room()
    person = factories.make_user("Ngozi Okafor")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, live_server, person, room.get_absolute_url())
        page.get_by_label("Your comment").fill("A **strong** point.")
        page.get_by_role("button", name="Preview").click()
        preview = page.get_by_role("region", name="Preview: not posted yet")
        expect(preview.locator("strong")).to_have_text("strong")
        expect(page.get_by_label("Your comment")).to_have_value("A **strong** point.")
        assert not Comment.objects.exists()
        page.get_by_role("button", name="Post comment").click()
        expect(page.locator("article.comment strong")).to_have_text("strong")
    finally:
        context.close()


def test_the_room_page_with_the_writing_aids_has_no_wcag_violations(live_server, transactional_db, page, screenshot):
    room = factories.make_room(title="Access to justice")
    root, first, deeper = a_thread(room)
    page.goto(live_server.url + room.get_absolute_url())
    page.locator(f"#replies-{first.pk} > summary").click()
    assert_accessible(page, "room, anonymous, a sub-thread folded")

    log_in(page, live_server, factories.make_user("Ngozi Okafor"), room.get_absolute_url())
    room_form(page).get_by_role("combobox", name="Your comment").fill("A draft to restore.")
    page.wait_for_timeout(600)
    page.reload()
    expect(page.locator(".draft-note")).to_be_visible()
    page.locator(f"#comment-{root.pk}").get_by_role("link", name="Reply").click()
    page.evaluate(
        """(id) => {
            const body = document.querySelector(`#comment-${id} .comment__body p`);
            const range = document.createRange();
            range.selectNodeContents(body);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        root.pk,
    )
    expect(page.locator(".quote-button")).to_be_visible()
    assert_accessible(page, "room, signed in, draft restored, reply form open, quote offered")
    screenshot(page, "02-writing-aids")


def test_an_edit_in_place_keeps_its_draft_and_discarding_puts_back_the_comment(
    live_server, transactional_db, page, page_errors
):
    room = factories.make_room()
    author = factories.make_user("Mariam Diop")
    comment = factories.make_comment(room, author, body="Audit offices need budgets.")
    log_in(page, live_server, author, room.get_absolute_url())
    article = page.locator(f"#comment-{comment.pk}")
    article.get_by_role("link", name="Edit").click()
    body = article.get_by_role("combobox", name="Your comment")
    expect(body).to_have_value("Audit offices need budgets.")
    body.fill("Audit offices need independent budgets.")
    page.wait_for_timeout(600)

    page.reload()
    article = page.locator(f"#comment-{comment.pk}")
    article.get_by_role("link", name="Edit").click()
    body = article.get_by_role("combobox", name="Your comment")
    expect(body).to_have_value("Audit offices need independent budgets.")
    expect(article.locator(".char-counter")).to_contain_text("39 of 10,000 characters")
    article.get_by_role("button", name="Discard the draft").click()
    expect(body).to_have_value("Audit offices need budgets.")
    assert page_errors == []


def test_with_javascript_a_reply_is_previewed_in_place(live_server, transactional_db, page, page_errors, settings):
    room = factories.make_room()
    parent = factories.make_comment(room, factories.make_user("Ana Lima"), body="What would help?")
    log_in(page, live_server, factories.make_user("Ngozi Okafor"), room.get_absolute_url())
    page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()
    form = page.locator(f"#comment-{parent.pk} + form")
    form.get_by_role("combobox", name="Your reply").fill("Courts _nearer_ people.")
    form.get_by_role("button", name="Preview").click()
    expect(form.get_by_role("region", name="Preview: not posted yet").locator("em")).to_have_text("nearer")
    expect(page).to_have_url(re.compile(re.escape(room.get_absolute_url()) + "$"))
    expect(form.get_by_role("combobox", name="Your reply")).to_have_value("Courts _nearer_ people.")
    assert Comment.objects.count() == 1

    # A refused preview says why, in the form.
    settings.FORUM_RATE_LIMITS = {"preview": [(1, 3600)]}
    form.get_by_role("button", name="Preview").click()
    form.get_by_role("button", name="Preview").click()
    expect(form.get_by_role("alert")).to_contain_text("faster than we allow")
    form.get_by_role("button", name="Post reply").click()
    expect(page.locator("article.comment", has_text="Courts nearer people.")).to_be_visible()
    assert page_errors == []


def test_on_the_reply_page_quoting_the_parent_fills_the_reply(live_server, transactional_db, page):
    room = factories.make_room()
    parent = factories.make_comment(room, factories.make_user("Ana Lima"), body="Fees keep people away from court.")
    reply_page = f"{room.get_absolute_url()}reply/{parent.pk}/"
    log_in(page, live_server, factories.make_user("Ngozi Okafor"), reply_page)
    page.evaluate(
        """(id) => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector(`#comment-${id} .comment__body p`));
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        parent.pk,
    )
    page.locator(".quote-button").click()
    expect(page.get_by_role("combobox", name="Your reply")).to_have_value(
        re.compile(rf"/comment/{parent.pk}/\n> Fees keep people away from court.\n")
    )
