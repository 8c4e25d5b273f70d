"""The room page in Arabic, Chinese and Russian: no WCAG 2.1 A or AA violations,
signed in or not; and in Arabic, right to left, mirrored from the same style sheet."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests import factories
from tests.browser.conftest import NARROW, SCREENSHOTS, WIDE, log_in
from tests.browser.test_accessibility import assert_accessible


@pytest.fixture
def world(transactional_db):
    # Its title in English and Arabic; the rest in English only (with the note "not yet available").
    room = factories.make_room(
        title="Access to justice", title_ar="الوصول إلى العدالة", objective="Agree on priorities."
    )
    factories.make_question(room, "Who lacks access?")
    moderator = factories.make_user("Hannah Lindqvist", organisation="Global Programme team")
    factories.assign_moderator(room, moderator)
    participant = factories.make_user("نجوى الخطيب", organisation="مركز العدالة")
    author = factories.make_user("Álvaro Herrero")
    root = factories.make_comment(room, moderator, body="Welcome! Tell us **who you are** and what you see.")
    reply = factories.make_reply(
        root, participant, body=f"شكراً. رسوم المحاكم تبعد الناس عن العدالة، @{author.handle} ما رأيك؟"
    )
    nested = factories.make_reply(reply, author, body="Court fees keep people away, see https://example.org/report")
    factories.make_comment(room, author, body="法院费用让很多人无法诉诸司法，我们需要援助。")
    factories.make_comment(room, participant, body="Судебные расходы не позволяют людям обращаться в суд.")
    return {"room": room, "participant": participant, "root": root, "reply": reply, "nested": nested}


def in_language(page, language):
    page.context.set_extra_http_headers({"Accept-Language": language})


@pytest.mark.parametrize("language", ["ar", "zh-hans", "ru"])
def test_the_room_page_has_no_wcag_violations_in_arabic_chinese_and_russian(live_server, world, page, language):
    room, participant = world["room"], world["participant"]
    in_language(page, language)
    page.goto(live_server.url + room.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page, f"room in {language}, anonymous")

    in_language(page, "en")
    log_in(page, live_server, participant, room.get_absolute_url())
    User.objects.filter(pk=participant.pk).update(language=language)
    page.goto(live_server.url + room.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator(f"#comment-{world['root'].pk} .comment__reply").click()
    expect(page.locator(".comment-form--reply textarea")).to_be_focused()
    assert_accessible(page, f"room in {language}, signed in, reply form open")


def test_the_arabic_room_page_reads_right_to_left(live_server, world, page):
    in_language(page, "ar")
    page.goto(live_server.url + world["room"].get_absolute_url())
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    parent = page.locator(f"#comment-{world['reply'].pk}").bounding_box()
    reply = page.locator(f"#comment-{world['nested'].pk}").bounding_box()
    # Indented from the right: the reply's box ends left of its parent's.
    assert reply["x"] + reply["width"] < parent["x"] + parent["width"] - 5
    line = page.locator(f"#comment-{world['nested'].pk}").evaluate(
        "e => { const s = getComputedStyle(e); return [s.borderRightWidth, s.borderLeftWidth]; }"
    )
    assert line == ["2px", "0px"], "the thread line is on the right"
    # A Latin comment on an Arabic page keeps its own direction.
    body = page.locator(f"#comment-{world['nested'].pk} .comment__body")
    expect(body).to_have_attribute("dir", "auto")
    assert body.evaluate("e => getComputedStyle(e.querySelector('p')).direction") == "ltr"
    badge = page.locator(f"#comment-{world['root'].pk} .badge").bounding_box()
    author = page.locator(f"#comment-{world['root'].pk} .comment__author").bounding_box()
    assert badge["x"] < author["x"], "the moderator badge follows the name, to its left"


def test_the_mention_suggestions_open_under_the_arabic_comment_box(live_server, world, page):
    room, participant = world["room"], world["participant"]
    log_in(page, live_server, participant, room.get_absolute_url())
    User.objects.filter(pk=participant.pk).update(language="ar")
    page.goto(live_server.url + room.get_absolute_url())
    body = page.locator(".comment-box textarea")
    body.focus()
    page.keyboard.type("شكراً @alv")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    box, suggestions = body.bounding_box(), listbox.bounding_box()
    assert abs((box["x"] + box["width"]) - (suggestions["x"] + suggestions["width"])) < 2
    assert abs(box["width"] - suggestions["width"]) < 2
    handle = listbox.locator(".mentions__handle").first
    expect(handle).to_have_attribute("dir", "ltr")


def test_the_arabic_room_page_is_saved_at_phone_and_desktop_widths(live_server, world, page, screenshot):
    in_language(page, "ar")
    page.goto(live_server.url + world["room"].get_absolute_url())
    screenshot(page, "room-in-arabic")
    in_language(page, "zh-hans")
    page.goto(live_server.url + world["room"].get_absolute_url())
    screenshot(page, "room-in-chinese")
    prefix = "the-arabic-room-page-is-saved-at-phone-and-desktop-widths"
    for step in ("room-in-arabic", "room-in-chinese"):
        for width in (NARROW, WIDE):
            saved = SCREENSHOTS / f"{prefix}--{step}--{width}.png"
            assert saved.exists() and saved.stat().st_size > 20_000, saved
