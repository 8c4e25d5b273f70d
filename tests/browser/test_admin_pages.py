"""The admin's own pages keep to the Content-Security-Policy (no inline script or
style), and the rota's shifts fill a line's dates as soon as they are chosen."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from forum.models import Consultation
from tests import factories

# Every violation the page reports, kept on the window as it happens.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def world(transactional_db):
    consultation = factories.make_consultation(title="Rule of law review")
    room = factories.make_room(consultation, title="Access to justice")
    group = factories.make_question_group(room, "What works")
    factories.make_question(room, "Who lacks access?", group=group)
    moderator = factories.make_user("Maria Moderator")
    factories.assign_moderator(room, moderator)
    root = factories.make_comment(room, body="Court fees keep people away.")
    reply = factories.make_reply(root, body="Mobile clinics help.")
    factories.make_reply(reply, body="Where do they work best?")
    # Dates the shifts are filled from; set once the discussion is written, as they close the room by now.
    Consultation.objects.filter(pk=consultation.pk).update(opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 29))
    admin = factories.make_user("Ada Admin", email="ada@example.org", is_staff=True, is_superuser=True)
    return {"consultation": consultation, "room": room, "comment": reply, "person": moderator, "admin": admin}


@pytest.fixture
def admin_page(page, live_server, world):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_CSP)
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Consultations, rooms and people")).to_be_visible()
    page.console_messages_seen = console
    return page


def admin_urls(world):
    consultation, room, comment, person = world["consultation"], world["room"], world["comment"], world["person"]
    return [
        reverse("admin:index"),
        reverse("admin:forum_consultation_changelist"),
        reverse("admin:forum_consultation_change", args=[consultation.pk]),
        reverse("admin:forum_consultation_add"),
        reverse("admin:forum_room_changelist"),
        reverse("admin:forum_room_change", args=[room.pk]),
        f"{reverse('admin:forum_room_add')}?consultation={consultation.pk}",
        reverse("admin:forum_comment_changelist"),
        reverse("admin:forum_comment_change", args=[comment.pk]),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[person.pk]),
    ]


def test_the_admins_pages_break_no_rule_of_the_content_security_policy(
    admin_page, live_server, world, screenshot, page_errors, offsite_requests
):
    page = admin_page
    for path in admin_urls(world):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#site-name")).to_have_text(re.compile("Public consultations"))
        violations = page.evaluate("window.cspViolations")
        assert violations == [], f"{path}: {violations}"
    csp_messages = [text for text in page.console_messages_seen if "Content Security Policy" in text]
    assert csp_messages == []
    assert page_errors == []
    assert offsite_requests == []


def test_the_comments_list_shows_replies_indented_under_their_parents(admin_page, live_server, world, screenshot):
    page = admin_page
    page.goto(f"{live_server.url}{reverse('admin:forum_comment_changelist')}")
    rows = page.locator("#result_list tbody tr .comment-depth")
    expect(rows).to_have_count(3)
    indents = [row.evaluate("(el) => getComputedStyle(el).paddingInlineStart") for row in rows.all()]
    assert indents == ["0px", "16px", "32px"]
    screenshot(page, "comments")


def test_choosing_a_shift_fills_the_dates_of_a_rota_line(admin_page, live_server, world, screenshot):
    page = admin_page
    page.goto(f"{live_server.url}{reverse('admin:forum_room_change', args=[world['room'].pk])}")
    rota = page.locator("#moderator_assignments-group")
    new_line = rota.locator("tr.form-row:not(.has_original):not(.empty-form)").first
    new_line.locator("select[name$='-shift']").select_option(label="First week")
    expect(new_line.locator("input[name$='-starts_on']")).to_have_value("2026-11-02")
    expect(new_line.locator("input[name$='-ends_on']")).to_have_value("2026-11-08")

    rota.locator(".add-row a").click()
    added = rota.locator("tr.form-row.dynamic-moderator_assignments").last
    added.locator("select[name$='-shift']").select_option(label="Rest of the consultation")
    expect(added.locator("input[name$='-starts_on']")).to_have_value("2026-11-09")
    expect(added.locator("input[name$='-ends_on']")).to_have_value("2026-11-29")
    screenshot(page, "rota")
    assert page.evaluate("window.cspViolations") == []
