"""Abuse limits as people meet them: posting, editing and reporting too fast is
refused with when to retry (the typed text kept), each person counted apart;
allauth's own limits guard log-in, sign-up and password reset."""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

from consultation import settings as project_settings
from forum import ratelimits
from forum.models import Comment, Report
from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# 20 seconds into a day, so into a minute, ten minutes and an hour as well.
START = 86_400 * 20_000 + 20


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, moved by the test, so that no window ends mid-test."""
    fake = SimpleNamespace(now=float(START))
    monkeypatch.setattr(ratelimits, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


@pytest.fixture
def default_limits(settings, clock):
    """The limits the project ships with (the test settings turn them off)."""
    settings.FORUM_RATE_LIMITS = project_settings.FORUM_RATE_LIMITS
    return clock


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def reply_url(comment):
    return reverse("forum:reply", args=[comment.room.consultation.slug, comment.room.slug, comment.pk])


def edit_url(comment):
    return reverse("forum:edit-comment", args=[comment.pk])


def report_url(comment):
    return reverse("forum:report-comment", args=[comment.pk])


def post(client, room, body):
    return client.post(new_comment_url(room), {"body": body})


# --- The settings --------------------------------------------------------------------


def test_the_shipped_limits_are_five_comments_a_minute_and_sixty_an_hour_with_edits_and_reports_limited_too():
    limits = project_settings.FORUM_RATE_LIMITS

    assert limits["post"] == [(5, 60), (60, 3600)]
    assert limits["edit"] and limits["report"]
    for rules in limits.values():
        assert all(times >= 1 and seconds >= 1 for times, seconds in rules)


def test_with_redis_url_the_limits_are_counted_in_redis_shared_by_every_app_process():
    code = "from django.conf import settings; import json;print(json.dumps(settings.CACHES['default']))"
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "consultation.settings", "DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/1"}

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    cache = json.loads(result.stdout)
    assert cache["BACKEND"] == "consultation.cache.TolerantRedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/1"


# --- Posting -------------------------------------------------------------------------------


def test_the_sixth_comment_in_a_minute_is_refused_with_when_to_retry_and_the_text_kept(
    default_limits, participant_client, room
):
    for n in range(5):
        assert post(participant_client, room, f"Point {n}").status_code == 302

    response = post(participant_client, room, "One point too many, typed with care.")

    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait 40 seconds and try again; your text is kept below." in html
    assert "One point too many, typed with care.</textarea>" in html
    assert response["Retry-After"] == "40"
    assert Comment.objects.count() == 5


def test_after_the_wait_the_same_person_can_post_again(default_limits, participant_client, room):
    for n in range(6):
        post(participant_client, room, f"Point {n}")

    default_limits.now += 40

    assert post(participant_client, room, "Now it goes through.").status_code == 302
    assert Comment.objects.filter(body_source="Now it goes through.").exists()


def test_one_persons_limit_does_not_hold_back_another(
    default_limits, participant_client, client, room, other_participant
):
    for n in range(6):
        post(participant_client, room, f"Point {n}")
    client.force_login(other_participant)

    assert post(client, room, "My first comment today.").status_code == 302


def test_the_limit_counts_a_person_across_rooms_and_replies(default_limits, participant_client, consultation, room):
    other_room = factories.make_room(consultation)
    thread = factories.make_comment(other_room, body="A question to answer.")
    post(participant_client, room, "One")
    post(participant_client, room, "Two")
    post(participant_client, other_room, "Three")
    participant_client.post(reply_url(thread), {"body": "Four"})
    post(participant_client, other_room, "Five")

    refused_reply = participant_client.post(reply_url(thread), {"body": "A sixth, as a reply."})
    refused_post = post(participant_client, room, "A sixth, in the first room.")

    assert refused_reply.status_code == 429
    assert "Please wait 40 seconds" in refused_reply.content.decode()
    assert "A sixth, as a reply.</textarea>" in refused_reply.content.decode()
    assert refused_post.status_code == 429
    assert Comment.objects.filter(author__display_name="Amina Diallo").count() == 5


def test_the_sixty_first_comment_in_an_hour_is_refused_until_the_hour_ends(
    default_limits, participant_client, participant, room
):
    for minute in range(12):
        for n in range(5):
            factories.make_comment(room, participant, body=f"Minute {minute}, point {n}")
        default_limits.now += 60

    response = post(participant_client, room, "The sixty-first.")

    assert response.status_code == 429
    # 12 minutes and 20 seconds into the hour.
    assert "Please wait 2860 seconds" in response.content.decode()
    assert Comment.objects.count() == 60


def test_a_refused_empty_comment_does_not_use_up_the_limit(default_limits, participant_client, room):
    for _ in range(5):
        assert post(participant_client, room, "   ").status_code == 400

    for n in range(5):
        assert post(participant_client, room, f"Point {n}").status_code == 302


# --- Editing -----------------------------------------------------------------------------------


def test_editing_too_fast_is_refused_with_when_to_retry_and_the_text_kept(
    default_limits, participant_client, room, participant
):
    comment = factories.make_comment(room, participant, body="Version 0")
    edits_a_minute = project_settings.FORUM_RATE_LIMITS["edit"][0][0]
    for n in range(1, edits_a_minute + 1):
        assert participant_client.post(edit_url(comment), {"body": f"Version {n}"}).status_code == 302

    response = participant_client.post(edit_url(comment), {"body": "One rewrite too many."})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait 40 seconds" in html
    assert "One rewrite too many.</textarea>" in html
    comment.refresh_from_db()
    assert comment.body_source == f"Version {edits_a_minute}"


def test_saving_an_unchanged_comment_does_not_count_as_an_edit(default_limits, participant_client, room, participant):
    comment = factories.make_comment(room, participant, body="Version 0")
    edits_a_minute = project_settings.FORUM_RATE_LIMITS["edit"][0][0]
    for _ in range(edits_a_minute + 5):
        participant_client.post(edit_url(comment), {"body": "Version 0"})

    assert participant_client.post(edit_url(comment), {"body": "Version 1"}).status_code == 302


# --- Reporting ----------------------------------------------------------------------------------


def test_reporting_too_fast_is_refused_with_when_to_retry(default_limits, participant_client, room):
    reports_allowed, period = project_settings.FORUM_RATE_LIMITS["report"][0]
    comments = [factories.make_comment(room, body=f"Comment {n}") for n in range(reports_allowed + 1)]
    for comment in comments[:-1]:
        assert participant_client.post(report_url(comment), {"reason": "spam"}).status_code == 302

    response = participant_client.post(report_url(comments[-1]), {"reason": "spam"})

    assert response.status_code == 429
    assert f"Please wait {period - 20} seconds" in response.content.decode()
    assert Report.objects.count() == reports_allowed


def test_one_persons_reports_do_not_hold_back_anothers(
    default_limits, participant_client, client, room, other_participant
):
    reports_allowed, _period = project_settings.FORUM_RATE_LIMITS["report"][0]
    comments = [factories.make_comment(room, body=f"Comment {n}") for n in range(reports_allowed + 1)]
    for comment in comments:
        participant_client.post(report_url(comment), {"reason": "spam"})
    client.force_login(other_participant)

    response = client.post(report_url(comments[-1]), {"reason": "spam"})

    assert response.status_code == 302


# --- allauth's own limits -------------------------------------------------------------------------


def test_after_five_failed_log_ins_for_an_email_even_the_right_password_is_refused(client, db):
    person = factories.make_user("Ada Okafor", email="ada@example.org")
    login_url = reverse("account_login")
    for _ in range(5):
        response = client.post(login_url, {"login": "ada@example.org", "password": "not-my-password"})
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()

    response = client.post(login_url, {"login": "ada@example.org", "password": "password"})

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same place is not locked out.
    factories.make_user("Bea Mensah", email="bea@example.org")
    assert client.post(login_url, {"login": "bea@example.org", "password": "password"}).status_code == 302
    assert client.session["_auth_user_id"] != str(person.pk)


def test_password_reset_requests_for_one_email_are_limited(client, db, mailoutbox):
    factories.make_user("Ada Okafor", email="ada@example.org")
    reset_url = reverse("account_reset_password")
    for _ in range(5):
        assert client.post(reset_url, {"email": "ada@example.org"}).status_code == 302

    response = client.post(reset_url, {"email": "ada@example.org"})

    assert response.status_code == 429
    assert len(mailoutbox) == 5


def test_sign_up_attempts_from_one_address_are_limited(client, db):
    signup_url = reverse("account_signup")
    for _ in range(20):
        assert client.post(signup_url, {"email": "not-an-address"}).status_code == 200

    assert client.post(signup_url, {"email": "not-an-address"}).status_code == 429
