"""On a 360 px phone: the summary charts' text is legible and nothing of it is
cut off, and a comment's exact date is written out, not left to a tooltip."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment
from tests import factories
from tests.browser.conftest import NARROW, log_in

# The text of every chart: its rendered size in CSS pixels and where it is,
# against the part of the chart one sees without scrolling.
MEASURE_CHART_TEXT = """() => [...document.querySelectorAll('.chart')].flatMap(figure => {
  const svg = figure.querySelector('svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const seen = figure.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].map(text => {
    const box = text.getBoundingClientRect();
    return {
      chart: figure.id, text: text.textContent,
      size: parseFloat(getComputedStyle(text).fontSize) * scale,
      left: box.left - seen.left, right: seen.right - box.right,
    };
  });
})"""


@pytest.fixture
def busy_room(transactional_db):
    room = factories.make_room(title="Access to justice")
    question = factories.make_question(room, "Which legal aid services have made the biggest difference, and how?")
    moderator = factories.make_user("Hannah Lindqvist")
    factories.assign_moderator(room, moderator)
    authors = [
        factories.make_user(f"Person {n}", country=country, organisation="Legal Aid Network" if n % 2 else "")
        for n, country in enumerate(["NG", "KE", "SN", "FR", "AR", "PE", "IN", "DE", "MA", "MX", "CO", "UA"])
    ]
    start = timezone.now() - timedelta(days=13)
    for n in range(240):
        comment = factories.make_comment(room, authors[n % 3 if n % 2 else n % len(authors)], body=f"Point {n}.")
        Comment.objects.filter(pk=comment.pk).update(created_at=start + timedelta(hours=n), guiding_question=question)
    return room, moderator


def test_summary_charts_are_legible_and_whole_at_360_px(live_server, page, busy_room):
    room, moderator = busy_room
    log_in(page, live_server, moderator, "/")
    page.set_viewport_size({"width": NARROW, "height": 800})
    page.goto(live_server.url + reverse("forum:room-summary", args=[room.consultation.slug, room.slug]))
    texts = page.evaluate(MEASURE_CHART_TEXT)
    assert {entry["chart"] for entry in texts} >= {"chart-per-day", "chart-by-country"}
    too_small = [entry for entry in texts if entry["size"] < 12]
    assert too_small == []
    cut_off = [entry for entry in texts if entry["left"] < 0 or entry["right"] < 0]
    assert cut_off == []
    values = [entry for entry in texts if entry["text"] == "240"]
    assert values, "the longest bar's number is drawn"
    scrolled = page.evaluate(
        "() => [...document.querySelectorAll('.chart')].filter(f => f.scrollWidth > f.clientWidth).length"
    )
    assert scrolled == 0


def test_a_comments_exact_date_is_written_out_on_a_phone(live_server, page, busy_room):
    room, _moderator = busy_room
    page.set_viewport_size({"width": NARROW, "height": 800})
    page.goto(live_server.url + room.get_absolute_url())
    exact = page.locator(".comment .exact-time").first
    box = exact.bounding_box()
    assert box and box["width"] > 40 and box["height"] >= 12
    assert exact.inner_text().strip()
