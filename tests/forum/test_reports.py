"""Participants report comments to the moderators: the form, one open report per
person, hiding after enough reports, and the moderators on duty being told."""

import re
from datetime import timedelta

import pytest
from django.utils import translation
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User

from forum import services
from forum.models import (
    Comment,
    Consultation,
    EmailPreference,
    ModerationAction,
    Notification,
    Report,
)
from tests import factories

pytestmark = pytest.mark.django_db

AUTO_HIDDEN = "Hidden by a moderator: waiting for a moderator after several reports"


def report_url(comment):
    return reverse("forum:report-comment", args=[comment.pk])


def article_of(client, room, comment):
    html = client.get(room.get_absolute_url()).content.decode()
    found = re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S)
    return found.group(0) if found else None


@pytest.fixture
def comment(room, other_participant):
    return factories.make_comment(room, other_participant, body="Buy cheap watches at my shop.")


def report_by(person, comment, reason=Report.Reason.SPAM):
    return services.report_comment(person, comment=comment, reason=reason)


# --- The form ----------------------------------------------------------------------


def test_the_report_link_leads_to_a_form_with_every_reason_and_an_optional_note(participant_client, room, comment):
    assert f'<a href="{report_url(comment)}">Report</a>' in article_of(participant_client, room, comment)

    response = participant_client.get(report_url(comment))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Buy cheap watches at my shop." in html
    for label in [
        "Spam or advertising",
        "Abusive or hateful",
        "Off-topic",
        "Shares personal information",
        "Something else",
    ]:
        assert label in html
    assert 'name="note"' in html


def test_a_report_is_stored_and_the_reporter_is_thanked(participant_client, participant, room, comment):
    response = participant_client.post(
        report_url(comment), {"reason": "spam", "note": "Same link in  three rooms."}, follow=True
    )

    assert response.redirect_chain[0] == (f"/comment/{comment.pk}/", 302)
    assert "Thank you. The moderators have been told and will look at it." in response.content.decode()
    report = Report.objects.get()
    assert (report.comment, report.reporter, report.reason, report.note) == (
        comment,
        participant,
        Report.Reason.SPAM,
        "Same link in three rooms.",
    )
    assert report.resolved_at is None
    comment.refresh_from_db()
    assert comment.is_visible


def test_a_report_without_a_reason_is_refused_with_the_form_again(participant_client, comment):
    response = participant_client.post(report_url(comment), {"note": "Spam"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("reason", [choice for choice, _label in Report.Reason.choices])
def test_every_reason_can_be_given_without_a_note(participant_client, comment, reason):
    response = participant_client.post(report_url(comment), {"reason": reason})

    assert response.status_code == 302
    assert Report.objects.get().reason == reason


def test_reporting_the_same_comment_twice_is_refused_with_a_message(participant_client, comment):
    participant_client.post(report_url(comment), {"reason": "spam"})

    response = participant_client.post(report_url(comment), {"reason": "abusive", "note": "And rude"})

    assert response.status_code == 400
    assert "You have already reported this comment; the moderators will look at it." in response.content.decode()
    assert Report.objects.count() == 1


def test_after_a_dismissal_the_same_person_may_report_again(participant, comment, moderator):
    report_by(participant, comment)
    services.dismiss_reports(moderator, comment=comment)

    report_by(participant, comment, reason=Report.Reason.ABUSIVE)

    assert Report.objects.filter(reporter=participant).count() == 2
    assert Report.objects.filter(reporter=participant, resolved_at__isnull=True).count() == 1


def test_people_cannot_report_their_own_comment(client, room, comment, other_participant):
    client.force_login(other_participant)
    assert "Report</a>" not in article_of(client, room, comment)

    response = client.post(report_url(comment), {"reason": "spam"})

    assert response.status_code == 403
    assert "You cannot report your own comment" in response.content.decode()
    assert not Report.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in_to_report(client, room, comment):
    assert "Report</a>" not in article_of(client, room, comment)

    response = client.post(report_url(comment), {"reason": "spam"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Report.objects.exists()


# --- Hiding after enough reports -------------------------------------------------------


def test_three_reports_from_different_people_hide_the_comment_until_a_moderator_decides(client, room, comment):
    factories.make_comment(room, body="Another view.")
    reporters = [factories.make_user(f"Reporter {n}") for n in range(3)]
    for reporter in reporters[:2]:
        report_by(reporter, comment)
    comment.refresh_from_db()
    assert comment.is_visible

    report_by(reporters[2], comment)

    comment.refresh_from_db()
    assert comment.state == Comment.State.HIDDEN
    room.refresh_from_db()
    assert room.comment_count == 1
    article = article_of(client, room, comment)
    assert AUTO_HIDDEN in article
    assert "Buy cheap watches" not in article
    assert "Comments (1)" in client.get(room.get_absolute_url()).content.decode()
    action = ModerationAction.objects.get()
    assert (action.action, action.moderator, action.comment, action.room) == (
        ModerationAction.Action.AUTO_HIDE,
        None,
        comment,
        room,
    )
    assert action.note == "3 reports"
    # Written in each reader's language, not stored in one.
    assert comment.hidden_after_reports and comment.hidden_reason == ""
    french = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "en attente de l'équipe de modération après plusieurs signalements" in french.replace("&#x27;", "'")


def test_the_threshold_is_a_setting_of_the_consultation(consultation, room, comment):
    Consultation.objects.filter(pk=consultation.pk).update(hide_after_reports=2)

    report_by(factories.make_user(), comment)
    report_by(factories.make_user(), comment)

    comment.refresh_from_db()
    assert comment.is_hidden


def test_a_threshold_of_zero_never_hides_a_comment(consultation, room, comment):
    Consultation.objects.filter(pk=consultation.pk).update(hide_after_reports=0)

    for _ in range(5):
        report_by(factories.make_user(), comment)

    comment.refresh_from_db()
    assert comment.is_visible
    room.refresh_from_db()
    assert room.comment_count == 1
    assert not ModerationAction.objects.exists()


def test_dismissed_reports_do_not_count_towards_hiding(room, comment, moderator):
    report_by(factories.make_user(), comment)
    report_by(factories.make_user(), comment)
    services.dismiss_reports(moderator, comment=comment)

    report_by(factories.make_user(), comment)

    comment.refresh_from_db()
    assert comment.is_visible


def test_a_moderator_dismissing_the_reports_shows_an_auto_hidden_comment_again(client, room, comment, moderator):
    for _ in range(3):
        report_by(factories.make_user(), comment)
    client.force_login(moderator)

    response = client.post(reverse("forum:act-on-comment", args=[comment.pk, "dismiss"]), follow=True)

    assert "The reports are dismissed." in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_visible
    assert comment.hidden_reason == ""
    room.refresh_from_db()
    assert room.comment_count == 1
    assert set(Report.objects.values_list("outcome", "resolved_by")) == {(Report.Outcome.DISMISSED, moderator.pk)}
    assert "Buy cheap watches at my shop." in article_of(client, room, comment)


def test_a_moderator_restoring_an_auto_hidden_comment_settles_its_reports(client, room, comment, moderator):
    for _ in range(3):
        report_by(factories.make_user(), comment)
    client.force_login(moderator)

    client.post(reverse("forum:act-on-comment", args=[comment.pk, "restore"]))

    # The moderator has decided: the comment leaves the queue, and the
    # reports already weighed do not hide it again with the next one.
    assert "Nothing is waiting. Thank you!" in client.get(reverse("forum:moderation-queue")).content.decode()
    report_by(factories.make_user(), Comment.objects.get(pk=comment.pk))
    comment.refresh_from_db()
    assert comment.is_visible


def test_dismissing_reports_does_not_show_a_comment_a_moderator_hid(comment, moderator):
    report_by(factories.make_user(), comment)
    services.hide_comment(moderator, comment=comment, reason="advertising")

    services.dismiss_reports(moderator, comment=comment)

    comment.refresh_from_db()
    assert comment.is_hidden
    assert comment.hidden_reason == "advertising"


def test_a_hidden_comment_cannot_be_reported_again(participant_client, comment):
    for _ in range(3):
        report_by(factories.make_user(), comment)

    response = participant_client.post(report_url(comment), {"reason": "spam"})

    assert response.status_code == 403
    assert Report.objects.count() == 3


# --- Moderators on duty are told ------------------------------------------------------


def test_the_moderators_on_duty_are_told_of_a_reported_comment_in_the_app(
    client, room, comment, participant, moderator
):
    second = factories.make_user("Second Moderator")
    factories.assign_moderator(room, second)
    off_rota = factories.make_user("Last Week Moderator")
    factories.assign_moderator(room, off_rota, starts_in_days=-14, ends_in_days=-7)
    elsewhere = factories.make_user("Other Room Moderator")
    factories.assign_moderator(factories.make_room(room.consultation), elsewhere)

    services.report_comment(participant, comment=comment, reason=Report.Reason.ABUSIVE, note="Rude too")
    # Further reports wait in the queue; they do not call everyone again.
    report_by(factories.make_user(), comment, reason=Report.Reason.SPAM)

    told = Notification.objects.filter(kind=Notification.Kind.REPORT)
    assert sorted(told.values_list("recipient__display_name", flat=True)) == ["Maria Moderator", "Second Moderator"]
    assert set(told.values_list("comment_id", flat=True)) == {comment.pk}
    assert set(told.values_list("note", "reason")) == {("Rude too", Report.Reason.ABUSIVE)}
    assert {n.explanation for n in told} == {"Abusive or hateful"}
    client.force_login(moderator)
    assert (
        f"A comment was reported in <bdi>{room.title}</bdi>"
        in client.get(reverse("forum:notifications")).content.decode()
    )


def test_a_report_after_the_last_ones_were_settled_tells_the_moderators_again(room, comment, moderator):
    report_by(factories.make_user(), comment)
    services.dismiss_reports(moderator, comment=comment)

    report_by(factories.make_user(), comment)

    assert Notification.objects.filter(recipient=moderator, kind=Notification.Kind.REPORT).count() == 2


def test_a_moderator_who_reports_is_not_told_of_their_own_report(room, comment, moderator):
    second = factories.make_user("Second Moderator")
    factories.assign_moderator(room, second)

    report_by(moderator, comment)

    assert list(Notification.objects.filter(kind=Notification.Kind.REPORT).values_list("recipient", flat=True)) == [
        second.pk
    ]


def test_the_moderators_on_duty_are_emailed_each_report(
    participant_client, room, comment, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    off_rota = factories.make_user("Last Week Moderator")
    factories.assign_moderator(room, off_rota, starts_in_days=-14, ends_in_days=-7)

    with django_capture_on_commit_callbacks(execute=True):
        response = participant_client.post(report_url(comment), {"reason": "spam", "note": "Watches again"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    [message] = mailoutbox
    assert message.to == [moderator.email]
    assert f"A comment was reported in {room.title}" in message.subject
    assert "Buy cheap watches at my shop." in message.body
    assert "Watches again" in message.body


def test_a_moderator_who_wants_no_report_emails_is_told_only_in_the_app(
    participant, room, comment, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    services.set_email_preference(moderator, kind=Notification.Kind.REPORT, delivery=EmailPreference.Delivery.NEVER)

    with django_capture_on_commit_callbacks(execute=True):
        report_by(participant, comment)

    assert mailoutbox == []
    assert Notification.objects.filter(recipient=moderator, kind=Notification.Kind.REPORT).count() == 1


# --- Throwaway accounts ----------------------------------------------------------------


def established_user(name=None):
    """An account a month old: past any account-age rule."""
    person = factories.make_user(name)
    User.objects.filter(pk=person.pk).update(date_joined=timezone.now() - timedelta(days=30))
    person.refresh_from_db()
    return person


def test_an_unconfirmed_account_cannot_report(client, comment):
    unconfirmed = factories.make_user("Throwaway", confirmed=False)
    client.force_login(unconfirmed)

    response = client.post(report_url(comment), {"reason": "spam"})

    assert response.status_code == 403
    assert "confirm your email address" in response.content.decode()
    assert not Report.objects.exists()


def test_an_account_minutes_old_cannot_report(client, comment, settings):
    settings.FORUM_REPORT_MIN_ACCOUNT_AGE_HOURS = 1
    brand_new = factories.make_user("Minutes Old")
    client.force_login(brand_new)

    response = client.post(report_url(comment), {"reason": "spam"})

    assert response.status_code == 403
    assert not Report.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert client.post(report_url(comment), {"reason": "spam"}).status_code == 302
    assert Report.objects.count() == 1


def test_reports_from_new_accounts_alert_the_moderators_instead_of_hiding(room, comment, moderator, settings):
    settings.FORUM_REPORT_COUNTS_AFTER_HOURS = 24
    for n in range(3):
        report_by(factories.make_user(f"New Account {n}"), comment)

    comment.refresh_from_db()
    assert comment.is_visible
    told = Notification.objects.filter(recipient=moderator, kind=Notification.Kind.REPORT)
    assert [n.explanation for n in told if "new accounts" in n.explanation] == [
        "3 reports (3 from new accounts): not hidden, please look at it"
    ]


def test_what_the_site_says_of_a_report_is_written_in_each_readers_language(room, comment, moderator, settings):
    settings.FORUM_REPORT_COUNTS_AFTER_HOURS = 24
    for n in range(3):
        report_by(factories.make_user(f"New Account {n}"), comment, reason=Report.Reason.SPAM)
    first, alert = Notification.objects.filter(recipient=moderator, kind=Notification.Kind.REPORT).order_by("pk")
    with translation.override("fr"):
        assert first.explanation == "Spam ou publicité"
        assert "3 signalements (dont 3 provenant de nouveaux comptes)" in alert.explanation
    with translation.override("en"):
        assert first.explanation == "Spam or advertising"


def test_the_same_people_reporting_again_after_a_dismissal_do_not_hide_it_again(room, comment, moderator):
    reporters = [established_user() for _ in range(3)]
    for reporter in reporters:
        report_by(reporter, comment)
    services.dismiss_reports(moderator, comment=comment)
    comment.refresh_from_db()
    assert comment.is_visible

    for reporter in reporters:
        report_by(reporter, comment)

    comment.refresh_from_db()
    assert comment.is_visible


@pytest.mark.parametrize("author_kind", ["moderator", "staff"])
def test_reports_do_not_hide_a_moderator_s_or_staff_comment(room, moderator, staff, author_kind):
    author = moderator if author_kind == "moderator" else staff
    welcome = factories.make_comment(room, author, body="Welcome to the room.")

    for _ in range(4):
        report_by(established_user(), welcome)

    welcome.refresh_from_db()
    assert welcome.is_visible
    assert Report.objects.filter(comment=welcome, resolved_at__isnull=True).count() == 4


def test_moderators_are_told_once_of_a_comment_s_open_reports(
    room, comment, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_by(established_user(), comment)
        report_by(established_user(), comment)

    assert Notification.objects.filter(recipient=moderator, kind=Notification.Kind.REPORT).count() == 1
    assert len(mailoutbox) == 1
