"""Notification emails: sent after the comment commits, through the task queue,
retried when the mail server fails, gathered in a daily digest, and stopped by
a one-click link that needs no log-in."""

import smtplib
import threading
import time
from datetime import timedelta

import pytest
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult, get_date_max

from forum import emails, services
from forum.models import EmailPreference, Notification
from tests import factories

Email = Notification.Email
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class BrokenMailServer(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowMailServer(locmem.EmailBackend):
    """A mail server that takes its time, so two senders overlap."""

    def send_messages(self, email_messages):
        time.sleep(0.3)
        return super().send_messages(email_messages)


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def unsubscribe_path(user, kind):
    return reverse("forum:unsubscribe", args=[emails.unsubscribe_token(user, kind)])


def pretend_minutes_passed(minutes):
    """Move notifications and tasks scheduled for later back in time, as if the minutes had passed."""
    earlier = timedelta(minutes=minutes)
    Notification.objects.update(created_at=F("created_at") - earlier)
    DBTaskResult.objects.exclude(run_after=get_date_max()).update(run_after=F("run_after") - earlier)


def html_part(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


# --- One email per notification -----------------------------------------------


def test_a_mention_is_emailed_with_text_and_html_the_excerpt_and_links(
    participant_client, other_participant, room, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://consult.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        participant_client.post(new_comment_url(room), {"body": "@jean_dupont legal aid must reach rural areas."})
    notification = Notification.objects.get(recipient=other_participant)
    comment = notification.comment

    [message] = mailoutbox
    assert message.to == [other_participant.email]
    assert "Amina Diallo mentioned you in" in message.subject
    permalink = f"https://consult.example.org/comment/{comment.pk}/"
    unsubscribe = f"https://consult.example.org{unsubscribe_path(other_participant, 'mention')}"
    for body in (message.body, html_part(message)):
        assert "legal aid must reach rural areas." in body
        assert permalink in body
        assert unsubscribe in body
        assert room.title in body
    assert "Amina Diallo wrote:" in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    notification.refresh_from_db()
    assert notification.email == Email.SENT
    assert notification.emailed_at is not None


def test_no_email_leaves_before_the_comment_commits(
    participant, other_participant, room, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        factories.make_comment(room, participant, body="Agreed, @jean_dupont.")
        assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


def test_a_flag_email_carries_the_moderators_note(
    room, moderator, staff, participant, mailoutbox, django_capture_on_commit_callbacks
):
    comment = factories.make_comment(room, participant, body="Courts in the north close at noon.")
    with django_capture_on_commit_callbacks(execute=True):
        services.flag_comment(moderator, comment=comment, colleague=staff, note="Relates to Discussion 3")
    [message] = mailoutbox
    assert message.to == [staff.email]
    assert "Note: Relates to Discussion 3" in message.body
    assert "Relates to Discussion 3" in html_part(message)
    assert "Courts in the north close at noon." in message.body


def test_names_in_the_plain_text_part_are_not_html_escaped(
    room, other_participant, mailoutbox, django_capture_on_commit_callbacks
):
    author = factories.make_user("Seán O'Brien & Partners")
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(room, author, body="@jean_dupont see <this> & that")
    [message] = mailoutbox
    assert "Seán O'Brien & Partners mentioned you" in message.subject
    assert "Seán O'Brien & Partners wrote:" in message.body
    assert "see <this> & that" in message.body
    assert "Seán O&#x27;Brien &amp; Partners" in html_part(message)


def test_never_means_no_email_but_the_notification_still_shows(
    participant, other_participant, room, mailoutbox, django_capture_on_commit_callbacks
):
    services.set_email_preference(other_participant, kind="mention", delivery="never")
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(room, participant, body="@jean_dupont what do you think?")
    assert mailoutbox == []
    assert Notification.objects.get(recipient=other_participant).email == Email.NONE


@pytest.mark.parametrize(
    "change",
    [{"is_active": False}, {"email": "someone-else@example.org"}],
    ids=["deactivated", "address changed to an unconfirmed one"],
)
def test_someone_who_changed_before_the_email_goes_is_not_emailed(
    participant, other_participant, room, mailoutbox, django_capture_on_commit_callbacks, change
):
    with django_capture_on_commit_callbacks() as callbacks:
        factories.make_comment(room, participant, body="@jean_dupont over to you.")
    for field, value in change.items():
        setattr(other_participant, field, value)
    other_participant.save()
    for callback in callbacks:
        callback()
    assert mailoutbox == []
    assert Notification.objects.get(recipient=other_participant).email == Email.NONE


def test_an_unconfirmed_address_is_never_emailed(participant, room, mailoutbox, django_capture_on_commit_callbacks):
    # Anyone can sign someone else's address up: until its owner confirms it, it gets nothing.
    signed_up_for_someone = factories.make_user("Not Their Address", handle="not_theirs", confirmed=False)
    services.follow_room(signed_up_for_someone, room=room)
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(room, participant, body="@not_theirs hello.")
    call_command("send_digests", verbosity=0)

    assert mailoutbox == []
    assert Notification.objects.get(recipient=signed_up_for_someone).email == Email.NONE


def test_a_mention_in_an_unpublished_room_tells_nobody_who_cannot_see_it(
    client, staff, participant, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    draft = factories.make_room(consultation, title="Draft room title", is_published=False)
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(draft, staff, body="@amina_diallo will open this room soon.")

    assert not Notification.objects.filter(recipient=participant).exists()
    assert mailoutbox == []


def test_notifications_from_a_room_unpublished_later_are_no_longer_shown_or_emailed(
    client, participant, other_participant, room, mailoutbox, django_capture_on_commit_callbacks
):
    services.follow_room(other_participant, room=room)
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(room, participant, body="@jean_dupont first.")
        factories.make_comment(room, participant, body="Second, for the digest.")
    mailoutbox.clear()
    Notification.objects.filter(email=Email.SENT).update(email=Email.PENDING)
    type(room).objects.filter(pk=room.pk).update(is_published=False)

    emails.send_pending_notification_emails(Notification.objects.values_list("pk", flat=True))
    call_command("send_digests", verbosity=0)
    client.force_login(other_participant)
    page = client.get(reverse("forum:notifications")).content.decode()

    assert mailoutbox == []
    assert room.title not in page
    assert "first." not in page


def test_an_email_is_never_sent_twice(
    participant, other_participant, room, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(room, participant, body="@jean_dupont hello")
    notification = Notification.objects.get(recipient=other_participant)
    emails.send_pending_notification_emails([notification.pk])
    pretend_minutes_passed(10)
    call_command("send_pending_emails", verbosity=0)
    assert len(mailoutbox) == 1


# --- The daily digest -----------------------------------------------------------


def test_comments_where_someone_follows_wait_for_the_daily_digest(
    room, participant, other_participant, mailoutbox, django_capture_on_commit_callbacks
):
    services.follow_room(other_participant, room=room)
    second_room = factories.make_room(room.consultation, title="Access to justice")
    services.follow_room(other_participant, room=second_room)
    follower = factories.make_user("Ines Follower")
    services.follow_room(follower, room=room)
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(room, participant, body="Mobile courts work.")
        factories.make_comment(second_room, participant, body="Legal aid clinics too.")
    assert mailoutbox == []
    assert set(Notification.objects.values_list("email", flat=True)) == {Email.DIGEST}

    call_command("send_digests", verbosity=0)

    assert sorted(message.to[0] for message in mailoutbox) == sorted([other_participant.email, follower.email])
    [digest] = [message for message in mailoutbox if message.to == [other_participant.email]]
    assert "2 new notifications" in digest.subject
    for body in (digest.body, html_part(digest)):
        assert body.index(room.title) < body.index("Mobile courts work.") < body.index("Access to justice")
        assert body.index("Access to justice") < body.index("Legal aid clinics too.")
    assert digest.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe_path(other_participant, 'digest')}>")
    assert set(Notification.objects.values_list("email", flat=True)) == {Email.SENT}

    call_command("send_digests", verbosity=0)
    assert len(mailoutbox) == 2


def test_the_digest_leaves_out_what_was_already_read(room, participant, other_participant, mailoutbox):
    services.follow_room(other_participant, room=room)
    factories.make_comment(room, participant, body="Seen on the site already.")
    services.mark_read(other_participant)
    call_command("send_digests", verbosity=0)
    assert mailoutbox == []
    assert Notification.objects.get().email == Email.NONE


def test_the_digests_link_stops_every_kind_that_goes_in_the_digest(room, participant, other_participant):
    services.set_email_preference(other_participant, kind="reply", delivery="digest")
    services.follow_room(other_participant, room=room)
    factories.make_comment(room, participant, body="Waiting for the digest.")
    response = Client().post(unsubscribe_path(other_participant, "digest"))
    assert response.status_code == 200
    assert "The daily digest" in response.content.decode()
    chosen = dict(EmailPreference.objects.filter(user=other_participant).values_list("kind", "delivery"))
    assert chosen == {"reply": "never", "follow": "never"}
    assert Notification.objects.get().email == Email.NONE


# --- Unsubscribing without logging in ---------------------------------------------


def test_the_unsubscribe_link_asks_first_then_stops_that_kind(other_participant, client):
    path = unsubscribe_path(other_participant, "mention")
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop these emails" in page.content.decode()
    assert "You were mentioned" in page.content.decode()
    assert not EmailPreference.objects.exists()

    done = client.post(path)
    assert done.status_code == 200
    assert "We will no longer email" in done.content.decode()
    assert EmailPreference.objects.get(user=other_participant, kind="mention").delivery == "never"


def test_a_mail_clients_one_click_post_needs_no_csrf_token(
    participant, other_participant, room, mailoutbox, django_capture_on_commit_callbacks
):
    path = unsubscribe_path(other_participant, "mention")
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(room, participant, body="@jean_dupont are you there?")
    assert mailoutbox == []


def test_unsubscribing_cancels_emails_still_waiting_for_that_kind(
    participant, other_participant, room, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        factories.make_comment(room, participant, body="@jean_dupont a question for you")
    Client().post(unsubscribe_path(other_participant, "mention"))
    for callback in callbacks:
        callback()
    assert mailoutbox == []


@pytest.mark.parametrize("tamper", [lambda token: token[:-2], lambda token: "x" + token, lambda token: "garbage"])
def test_a_tampered_unsubscribe_link_says_so_and_changes_nothing(other_participant, client, tamper):
    token = tamper(emails.unsubscribe_token(other_participant, "mention"))
    path = reverse("forum:unsubscribe", args=[token])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_a_link_for_another_kind_cannot_be_forged_from_a_real_one(other_participant, client):
    signature = emails.unsubscribe_token(other_participant, "mention").rsplit(":", 1)[1]
    forged = emails.unsubscribe_token(other_participant, "follow").rsplit(":", 1)[0] + ":" + signature
    assert client.post(reverse("forum:unsubscribe", args=[forged])).status_code == 400


# --- The email settings page ---------------------------------------------------------


def test_the_email_settings_page_needs_a_log_in(client):
    response = client.get(reverse("forum:email-preferences"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_the_email_settings_page_shows_the_defaults_and_saves_choices(participant_client, participant):
    url = reverse("forum:email-preferences")
    page = participant_client.get(url).content.decode()
    assert '<option value="immediately" selected>Immediately</option>' in page
    assert '<option value="digest" selected>In a daily digest</option>' in page
    assert "follow the threads I start or reply to" in page
    # Participants are not asked about moderators' notifications.
    assert 'name="report"' not in page

    choices = {
        "mention": "digest",
        "reply": "never",
        "follow": "immediately",
        "moderation": "immediately",
        "cited": "immediately",
    }
    response = participant_client.post(url, choices)
    assert response.status_code == 302
    chosen = dict(EmailPreference.objects.filter(user=participant).values_list("kind", "delivery"))
    assert chosen == {"mention": "digest", "reply": "never", "follow": "immediately"}
    participant.refresh_from_db()
    assert participant.follow_threads_on_post is False
    page = participant_client.get(url).content.decode()
    assert "Your email settings have been saved." in page
    assert '<option value="never" selected>Never</option>' in page


def test_moderators_choose_how_they_hear_about_flags_and_reports(client, moderator):
    client.force_login(moderator)
    page = client.get(reverse("forum:email-preferences")).content.decode()
    assert 'name="flag"' in page
    assert 'name="report"' in page


def test_an_unknown_choice_is_refused(participant_client):
    response = participant_client.post(
        reverse("forum:email-preferences"),
        {"mention": "hourly", "reply": "never", "follow": "digest", "moderation": "immediately"},
    )
    assert response.status_code == 400
    assert not EmailPreference.objects.exists()


# --- When the mail server fails ----------------------------------------------------------


def test_a_mail_server_failure_keeps_the_comment_and_the_email_goes_on_retry(
    participant_client, other_participant, room, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.forum.test_email.BrokenMailServer"
    with django_capture_on_commit_callbacks(execute=True):
        response = participant_client.post(new_comment_url(room), {"body": "@jean_dupont the courts are closed."})
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=other_participant)
    assert notification.comment.body_source == "@jean_dupont the courts are closed."
    assert (notification.email, notification.email_attempts) == (Email.PENDING, 1)
    assert mailoutbox == []

    # Not yet due: the next attempt waits a minute after the comment.
    call_command("send_pending_emails", verbosity=0)
    settings.EMAIL_BACKEND = LOCMEM
    call_command("send_pending_emails", verbosity=0)
    assert mailoutbox == []

    pretend_minutes_passed(2)
    call_command("send_pending_emails", verbosity=0)
    call_command("send_pending_emails", verbosity=0)
    assert len(mailoutbox) == 1
    assert "the courts are closed." in mailoutbox[0].body
    notification.refresh_from_db()
    assert (notification.email, notification.email_attempts) == (Email.SENT, 1)


def test_the_sweep_sends_an_email_whose_task_was_lost(
    participant, other_participant, room, mailoutbox, django_capture_on_commit_callbacks
):
    # The callbacks are never run: the process died between the commit and queueing the task.
    with django_capture_on_commit_callbacks():
        factories.make_comment(room, participant, body="@jean_dupont are the clinics open?")
    call_command("send_pending_emails", verbosity=0)
    assert mailoutbox == []
    pretend_minutes_passed(2)
    call_command("send_pending_emails", verbosity=0)
    assert len(mailoutbox) == 1
    assert Notification.objects.get(recipient=other_participant).email == Email.SENT


def test_after_two_days_of_failures_the_email_is_given_up(
    participant, other_participant, room, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.forum.test_email.BrokenMailServer"
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_comment(room, participant, body="@jean_dupont hello")
    pretend_minutes_passed(3 * 24 * 60)
    for _ in range(emails.MAX_EMAIL_ATTEMPTS):
        call_command("send_pending_emails", verbosity=0)
    notification = Notification.objects.get(recipient=other_participant)
    assert (notification.email, notification.email_attempts) == (Email.NONE, emails.MAX_EMAIL_ATTEMPTS)
    settings.EMAIL_BACKEND = LOCMEM
    call_command("send_pending_emails", verbosity=0)
    assert mailoutbox == []


def test_a_failed_digest_is_sent_by_the_next_run(room, participant, other_participant, settings, mailoutbox):
    services.follow_room(other_participant, room=room)
    factories.make_comment(room, participant, body="For the digest.")
    settings.EMAIL_BACKEND = "tests.forum.test_email.BrokenMailServer"
    call_command("send_digests", verbosity=0)
    notification = Notification.objects.get()
    assert (notification.email, notification.email_attempts) == (Email.DIGEST, 1)
    settings.EMAIL_BACKEND = LOCMEM
    call_command("send_digests", verbosity=0)
    assert len(mailoutbox) == 1
    assert Notification.objects.get().email == Email.SENT


# --- Through the database queue and its worker ------------------------------------------
# These commit for real, as the site does: the worker closes stale database
# connections between tasks, which a test wrapped in one transaction would not survive.


@pytest.mark.django_db(transaction=True)
def test_posting_queues_a_task_and_the_worker_sends_the_email(
    participant_client, other_participant, room, mailoutbox, settings
):
    settings.TASKS = DATABASE_QUEUE
    response = participant_client.post(new_comment_url(room), {"body": "@jean_dupont see the annex."})
    assert response.status_code == 302
    # The comment is stored; telling people is the worker's, which queues the email in turn.
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "forum.services.comments.announce_comment"
    assert not Notification.objects.exists()
    assert mailoutbox == []

    factories.run_task_worker()

    assert len(mailoutbox) == 1
    assert Notification.objects.get(recipient=other_participant).email == Email.SENT
    assert sorted(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("forum.services.comments.announce_comment", "SUCCESSFUL"),
        ("forum.tasks.send_notification_emails", "SUCCESSFUL"),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_worker_queues_a_retry_when_the_mail_server_fails(
    participant_client, other_participant, room, mailoutbox, settings
):
    settings.TASKS = DATABASE_QUEUE
    settings.EMAIL_BACKEND = "tests.forum.test_email.BrokenMailServer"
    response = participant_client.post(new_comment_url(room), {"body": "@jean_dupont see the annex."})
    assert response.status_code == 302
    factories.run_task_worker()
    notification = Notification.objects.get(recipient=other_participant)
    assert (notification.email, notification.email_attempts) == (Email.PENDING, 1)
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after == notification.created_at + timedelta(minutes=1)
    assert not DBTaskResult.objects.ready().exists()

    settings.EMAIL_BACKEND = LOCMEM
    factories.run_task_worker()
    assert mailoutbox == []

    pretend_minutes_passed(2)
    factories.run_task_worker()
    call_command("send_pending_emails", verbosity=0)
    assert len(mailoutbox) == 1
    assert Notification.objects.get(recipient=other_participant).email == Email.SENT


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_the_email_once(participant, other_participant, room, settings, mailoutbox):
    factories.make_comment(room, participant, body="@jean_dupont one email, please.")
    notification = Notification.objects.get(recipient=other_participant)
    # Its email waits for the two senders below, rather than the queue.
    Notification.objects.filter(pk=notification.pk).update(email=Email.PENDING, emailed_at=None, email_attempts=0)
    mailoutbox.clear()
    settings.EMAIL_BACKEND = "tests.forum.test_email.SlowMailServer"
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait(timeout=30)
            emails.send_pending_notification_emails([notification.pk])
        finally:
            connection.close()

    senders = [threading.Thread(target=send) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=60)

    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=notification.pk).email == Email.SENT
