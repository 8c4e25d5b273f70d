"""The demo tells the truth: each comment is tagged with the question it says
it answers, the dates are spread over the first two weeks as a discussion's
are, and the moderation queue has something waiting."""

import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from forum.management.commands.seed_demo import CONSULTATION, DISCUSSION_DAYS, HELD_COMMENT, REPORTED_REPLY
from forum.models import Comment, Consultation, Report, Room, RoomModerator, RoomSummary
from forum.selectors import room_statistics

pytestmark = pytest.mark.django_db

# How the demo's comments say which question they answer, in its three languages.
SAYS_IT_ANSWERS = re.compile(r"(?:This is about question|Sur la question|Sobre la pregunta) (\d+)")


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    return Consultation.objects.get(slug=CONSULTATION["slug"])


def question_numbers(room):
    return {question.pk: number for number, question in enumerate(room.questions.in_order(), start=1)}


def test_each_comment_that_names_its_question_is_tagged_with_that_question_and_no_other(demo):
    checked = 0
    for room in demo.rooms.all():
        numbers = question_numbers(room)
        for comment in room.comments.all():
            said = SAYS_IT_ANSWERS.search(comment.body_source)
            tagged = numbers.get(comment.guiding_question_id)
            assert tagged == (int(said.group(1)) if said else None), comment.body_source[:80]
            checked += bool(said)
    assert checked >= 6


def test_comments_are_spread_over_the_first_two_weeks_before_now(demo):
    zone = ZoneInfo(demo.time_zone)
    opened = datetime.combine(demo.opens_on, time(0), tzinfo=zone)
    comments = Comment.objects.filter(room__consultation=demo, author__email__endswith="@example.org")
    story = comments.exclude(body_source__in=[HELD_COMMENT.strip(), REPORTED_REPLY.strip()])
    moments = list(story.values_list("created_at", flat=True))
    assert all(opened <= moment <= opened + timedelta(days=DISCUSSION_DAYS) for moment in moments)
    assert all(moment < timezone.now() for moment in comments.values_list("created_at", flat=True))
    days = {timezone.localtime(moment, zone).date() for moment in moments}
    assert len(days) >= 7


def test_replies_come_after_their_parents_and_threads_run_forward(demo):
    for comment in Comment.objects.filter(room__consultation=demo, parent__isnull=False).select_related("parent"):
        assert comment.created_at > comment.parent.created_at
    for root in Comment.objects.filter(room__consultation=demo, parent__isnull=True):
        in_order = list(
            Comment.objects.filter(tree_id=root.tree_id).order_by("lft").values_list("created_at", flat=True)
        )
        assert in_order[0] == min(in_order)
    for room in demo.rooms.all():
        roots = list(
            room.comments.filter(parent__isnull=True).order_by("thread_number").values_list("created_at", flat=True)
        )
        assert roots == sorted(roots)
    assert not Comment.objects.filter(edited_at__isnull=False, edited_at__lte=F("created_at")).exists()


def test_the_rooms_last_activity_is_their_newest_comment(demo):
    for room in demo.rooms.all():
        newest = room.comments.visible().order_by("-created_at").values_list("created_at", flat=True).first()
        assert room.last_activity_at >= newest


def test_the_comments_per_day_chart_and_the_summary_period_agree_with_the_dates(demo):
    room = demo.rooms.get(slug="access-to-justice")
    per_day = room_statistics(room).per_day
    assert per_day[0].day >= demo.opens_on
    assert per_day[-1].day <= demo.opens_on + timedelta(days=DISCUSSION_DAYS)
    assert sum(1 for entry in per_day if entry.comments) >= 4
    summary = room.latest_summary
    assert summary.period_start == demo.opens_on
    assert summary.period_end == demo.opens_on + timedelta(days=6)
    zone = ZoneInfo(demo.time_zone)
    dates = [timezone.localtime(moment, zone).date() for moment in room.comments.values_list("created_at", flat=True)]
    assert any(summary.period_start <= day <= summary.period_end for day in dates)
    assert any(day > summary.period_end for day in dates)


def test_the_room_page_says_the_comments_were_written_days_ago(client, demo):
    html = client.get(demo.rooms.get(slug="access-to-justice").get_absolute_url()).content.decode()
    assert re.search(r"\d+\xa0(?:days?|weeks?), ago|\d+\xa0(?:days?|weeks?) ago", html)


def test_the_moderation_queue_shows_a_held_comment_and_an_open_report(client, demo):
    held = Comment.objects.get(room__consultation=demo, state=Comment.State.PENDING)
    assert held.room.slug == "access-to-justice"
    report = Report.objects.get(comment__room__consultation=demo, resolved_at__isnull=True)
    assert report.comment.is_visible
    client.force_login(User.objects.get(email="hannah.lindqvist@example.org"))
    html = client.get("/moderation/").content.decode()
    assert "Who do we contact at the programme" in html  # held
    assert "Transparency will change nothing" in html


def test_the_room_holding_newcomers_first_comments_says_so(demo):
    assert Room.objects.get(consultation=demo, slug="access-to-justice").premoderate_first == 1


def test_run_weeks_later_the_discussion_moves_with_the_dates(demo):
    first = Comment.objects.filter(room__consultation=demo).order_by("created_at").first()
    summary = demo.rooms.get(slug="access-to-justice").latest_summary
    weeks = timedelta(days=42)
    Consultation.objects.filter(pk=demo.pk).update(opens_on=demo.opens_on - weeks, closes_on=demo.closes_on - weeks)
    Room.objects.filter(consultation=demo).update(opens_on=F("opens_on") - weeks, closes_on=F("closes_on") - weeks)
    RoomModerator.objects.filter(room__consultation=demo).update(
        starts_on=F("starts_on") - weeks, ends_on=F("ends_on") - weeks
    )
    Comment.objects.filter(room__consultation=demo).update(created_at=F("created_at") - weeks)
    RoomSummary.objects.filter(pk=summary.pk).update(
        period_start=F("period_start") - weeks, period_end=F("period_end") - weeks
    )

    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())

    first.refresh_from_db()
    summary.refresh_from_db()
    demo.refresh_from_db()
    opened = datetime.combine(demo.opens_on, time(0), tzinfo=ZoneInfo(demo.time_zone))
    assert opened <= first.created_at <= opened + timedelta(days=1)
    assert summary.period_start == demo.opens_on
