"""axe-core (bundled by axe-playwright-python) in Debian's chromium: no WCAG 2.1
A or AA violations on the pages people use, signed in or not."""

import re

import pytest
from django.core.files.base import ContentFile
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from forum import services
from forum.models import Comment, RoomDocument
from tests import factories

WCAG_21_A_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page, what):
    results = Axe().run(page, options=WCAG_21_A_AA)
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in violation["nodes"][:5]
        )
        for violation in results.response["violations"]
    ]
    assert problems == [], f"{what}:\n" + "\n".join(problems)


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill("password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text(user.display_name)


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    room = factories.make_room(title="Access to justice", objective="Agree on priorities.", outcome="A short list.")
    review = RoomDocument(room=room, title="Mid-term review", content_type="application/pdf", size=9)
    review.file.save("mid-term-review.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    factories.make_question(room, "Who lacks access?", group=factories.make_question_group(room, "What works"))
    factories.make_question(room, "What does it cost?", group=factories.make_question_group(room, "Looking ahead"))
    moderator = factories.make_user("Hannah Lindqvist", organisation="Global Programme team")
    factories.assign_moderator(room, moderator)
    participant = factories.make_user("Ngozi Okafor", organisation="Lagos Justice Clinic", country="NG")
    author = factories.make_user("Álvaro Herrero")
    root = factories.make_comment(room, moderator, body="Welcome! Tell us **who you are**.")
    reply = factories.make_reply(root, author, body=f"Hola, soy Álvaro. @{participant.handle} what do you see?")
    factories.make_reply(reply, participant, body="Court fees keep people away, see https://example.org/report")
    hidden = factories.make_comment(room, participant, body="Something rude.")
    factories.make_reply(hidden, author, body="Please keep it civil.")
    services.hide_comment(moderator, comment=hidden, reason="personal attack")
    deleted = factories.make_comment(room, author, body="Withdrawn.")
    factories.make_reply(deleted, participant, body="Noted.")
    services.delete_comment(author, comment=deleted)
    services.report_comment(
        participant, comment=Comment.objects.get(body_source="Please keep it civil."), reason="other"
    )
    # Endorsement buttons in both states, and counts for anonymous readers.
    services.set_endorsement(participant, comment=root, kind="agree", endorsed=True)
    services.set_endorsement(author, comment=root, kind="useful", endorsed=True)
    return {"room": room, "moderator": moderator, "participant": participant, "author": author, "root": root}


def test_public_pages_have_no_wcag_violations(live_server, world, page, screenshot):
    room = world["room"]
    for name, path in [
        ("home", "/"),
        ("consultation", room.consultation.get_absolute_url()),
        ("room, anonymous, with hidden and deleted comments", room.get_absolute_url()),
        ("room, anonymous, most endorsed first", room.get_absolute_url() + "?order=endorsed"),
        ("profile", world["participant"].get_absolute_url()),
        ("log-in", reverse("account_login")),
        ("sign-up", reverse("account_signup")),
    ]:
        page.goto(live_server.url + path)
        assert_accessible(page, name)
        screenshot(page, name.split(",")[0].replace(" ", "-"))


def test_signed_in_pages_have_no_wcag_violations(live_server, world, page, screenshot):
    room = world["room"]
    log_in(page, live_server, world["participant"])
    page.goto(live_server.url + room.get_absolute_url())
    page.locator(f"#comment-{world['root'].pk}").get_by_role("link", name="Reply").click()
    expect(page.locator(".comment-form--reply textarea")).to_be_focused()
    assert_accessible(page, "room, signed in, reply form open")
    screenshot(page, "room-reply-form-open")
    page.goto(live_server.url + reverse("forum:notifications"))
    assert_accessible(page, "notifications")
    page.goto(live_server.url + reverse("forum:email-preferences"))
    assert_accessible(page, "email settings")
    page.goto(live_server.url + reverse("accounts:profile-edit"))
    assert_accessible(page, "profile edit")
    # A page with a message (the profile saved) announces it in a live region around the list.
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_be_visible()
    assert_accessible(page, "a page with a message")


def test_moderator_pages_have_no_wcag_violations(live_server, world, page, screenshot):
    log_in(page, live_server, world["moderator"])
    page.goto(live_server.url + reverse("forum:moderation-queue"))
    assert_accessible(page, "moderation queue")
    screenshot(page, "moderation-queue")
    page.goto(live_server.url + world["room"].get_absolute_url())
    assert_accessible(page, "room, as a moderator")
    page.goto(live_server.url + reverse("forum:moderate-comment", args=[world["root"].pk]))
    assert_accessible(page, "moderating one comment")
    room = world["room"]
    slugs = [room.consultation.slug, room.slug]
    page.goto(live_server.url + reverse("forum:write-room-summary", args=slugs))
    assert_accessible(page, "writing a summary")
    for name, url in [
        ("room summary", reverse("forum:room-summary", args=slugs)),
        ("consultation summary", reverse("forum:consultation-summary", args=[room.consultation.slug])),
        ("room summaries", reverse("forum:room-summaries", args=slugs)),
    ]:
        page.goto(live_server.url + url)
        assert_accessible(page, name)
        screenshot(page, name.replace(" ", "-"))


def test_pages_in_spanish_and_french_have_no_wcag_violations(live_server, world, page):
    for language in ["es", "fr"]:
        page.context.set_extra_http_headers({"Accept-Language": language})
        page.goto(live_server.url + world["room"].get_absolute_url())
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page, f"room in {language}")
