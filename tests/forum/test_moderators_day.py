"""A moderator's working day: the badge a comment keeps, the rota readers see,
held comments and why they wait, and rooms that open and close by their dates.
Time-dependent behaviour is tested by travelling in time."""

import csv
import io
import re
from datetime import date, datetime
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from forum import services
from forum.models import Comment, Consultation, Notification, Room, RoomModerator
from tests import factories

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.get_fixed_timezone(0)))


def article_of(html, comment):
    found = re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S)
    return found.group(0) if found else ""


def has_badge(article):
    return '<span class="badge">Moderator</span>' in article.split("comment__body")[0]


@pytest.fixture
def first_week(room):
    """A room whose consultation runs from 1 June, with a first-week moderator."""
    Consultation.objects.filter(pk=room.consultation_id).update(opens_on=date(2026, 6, 1), closes_on=date(2026, 6, 30))
    room.refresh_from_db()
    person = factories.make_user("First Week Moderator")
    RoomModerator.objects.create(room=room, user=person, starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 7))
    return person


# --- A badge that lasts ------------------------------------------------------------


def test_a_welcome_written_on_day_1_keeps_its_badge_on_day_8(client, room, first_week):
    with at(date(2026, 6, 1)):
        welcome = factories.make_comment(room, first_week, body="Welcome, I moderate this first week.")
    with at(date(2026, 6, 8)):
        later = factories.make_comment(room, first_week, body="Now writing as a participant.")
        html = client.get(room.get_absolute_url()).content.decode()

    assert has_badge(article_of(html, welcome))
    assert not has_badge(article_of(html, later))
    assert (welcome.written_as_moderator, later.written_as_moderator) == (True, False)


def test_an_edit_keeps_the_badge(room, first_week):
    with at(date(2026, 6, 2)):
        welcome = factories.make_comment(room, first_week, body="Welcome.")
    with at(date(2026, 6, 20)):
        services.edit_comment(first_week, comment=welcome, body="Welcome, everyone.")
    welcome.refresh_from_db()
    assert welcome.written_as_moderator


def test_staff_comments_carry_the_badge(room, staff):
    assert factories.make_comment(room, staff).written_as_moderator


def test_exports_carry_the_badge(client, room, first_week, staff):
    with at(date(2026, 6, 1)):
        factories.make_comment(room, first_week, body="Welcome.")
    with at(date(2026, 6, 9)):
        factories.make_comment(room, first_week, body="Later.")
    client.force_login(staff)
    url = reverse("forum:room-export-csv", args=[room.consultation.slug, room.slug])
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get(url).streaming_content).decode("utf-8-sig"))))
    assert {row["body_source"]: row["written_as_moderator"] for row in rows} == {"Welcome.": "true", "Later.": "false"}


def test_the_migration_sets_the_badge_from_the_rota_dates(room, first_week, participant):
    with at(date(2026, 6, 3)):
        during = factories.make_comment(room, first_week, body="During the shift.")
        by_participant = factories.make_comment(room, participant)
    with at(date(2026, 6, 10)):
        after = factories.make_comment(room, first_week, body="After the shift.")
    Comment.objects.update(written_as_moderator=False)

    import_module("forum.migrations.0014_moderators_day").mark_comments_written_as_moderators(apps, None)

    flags = dict(Comment.objects.values_list("pk", "written_as_moderator"))
    assert (flags[during.pk], flags[by_participant.pk], flags[after.pk]) == (True, False, False)


# --- The rota, visible --------------------------------------------------------------


def test_the_rota_on_day_1_and_day_8(client, room, first_week):
    rest = factories.make_user("Rest Of Consultation")
    RoomModerator.objects.create(room=room, user=rest, starts_on=date(2026, 6, 8), ends_on=date(2026, 6, 30))

    with at(date(2026, 6, 1)):
        day_1 = client.get(room.get_absolute_url()).content.decode()
    with at(date(2026, 6, 8)):
        day_8 = client.get(room.get_absolute_url()).content.decode()

    now_1, rota_1 = day_1.split("On duty now:")[1].split("The whole rota")
    now_8 = day_8.split("On duty now:")[1].split("The whole rota")[0]
    assert "First Week Moderator" in now_1 and "Rest Of Consultation" not in now_1
    assert "Rest Of Consultation" in now_8 and "First Week Moderator" not in now_8
    assert "First Week Moderator</a>: June 1 to June 7, 2026" in rota_1
    assert "Rest Of Consultation</a>: June 8 to June 30, 2026" in rota_1


def test_the_rota_s_dates_are_written_as_each_language_writes_them(client, room, first_week):
    spanish = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    french = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 de junio" in spanish and "7 de junio de 2026" in spanish
    assert "1 juin" in french and "7 juin 2026" in french


def test_the_rota_follows_the_consultation_s_time_zone(client, room, first_week):
    Consultation.objects.filter(pk=room.consultation_id).update(time_zone="Pacific/Auckland")
    # 13:00 UTC on 7 June is already 8 June in Auckland: the first week is over there.
    with time_machine.travel(datetime(2026, 6, 7, 13, 0, tzinfo=timezone.get_fixed_timezone(0))):
        html = client.get(room.get_absolute_url()).content.decode()
    assert "On duty now:" not in html


def test_the_cached_anonymous_page_changes_with_the_day(client, room, first_week, settings):
    settings.FORUM_CACHE_ROOM_PAGES = True
    with at(date(2026, 6, 7), hour=23):
        assert "First Week Moderator" in client.get(room.get_absolute_url()).content.decode().split("The whole rota")[0]
    with at(date(2026, 6, 8), hour=0):
        html = client.get(room.get_absolute_url()).content.decode()
    assert "On duty now:" not in html


def test_a_moderator_s_profile_lists_their_shifts(client, room, first_week):
    html = client.get(reverse("forum:profile", args=[first_week.handle])).content.decode()
    assert "Moderation shifts" in html
    assert f"{room.title}</a> ({room.consultation.title}): June 1 to June 7, 2026" in html


def test_an_unpublished_room_s_shift_is_not_listed_for_visitors(client, room, first_week):
    Room.objects.filter(pk=room.pk).update(is_published=False)
    assert "Moderation shifts" not in client.get(reverse("forum:profile", args=[first_week.handle])).content.decode()


# --- Held comments: why, and who hears of them ---------------------------------------------


@pytest.fixture
def held_room(room):
    Room.objects.filter(pk=room.pk).update(premoderate_first=1)
    room.refresh_from_db()
    return room


def test_the_author_and_the_queue_read_why_a_comment_waits(client, held_room, participant, moderator):
    held = factories.make_comment(held_room, participant, body="My first thoughts.")
    reason = "The first comment of people new to this consultation is checked first."

    client.force_login(participant)
    assert reason in article_of(client.get(held_room.get_absolute_url()).content.decode(), held)
    client.force_login(moderator)
    assert reason in client.get(reverse("forum:moderation-queue")).content.decode()


def test_a_link_heavy_comment_says_how_many_links_are_checked(client, room, participant, settings):
    links = " ".join(f"https://shop{n}.example/" for n in range(5))
    held = factories.make_comment(room, participant, body=f"Deals: {links}")
    client.force_login(participant)
    article = article_of(client.get(room.get_absolute_url()).content.decode(), held)
    assert (
        f"Comments from new accounts with more than {settings.FORUM_NEW_ACCOUNT_MAX_LINKS} links are checked first."
        in article
    )


def test_moderators_on_duty_are_told_and_emailed_of_each_held_comment(
    held_room, participant, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    off_duty = factories.make_user("Off Duty")
    factories.assign_moderator(held_room, off_duty, starts_in_days=-20, ends_in_days=-10)

    with django_capture_on_commit_callbacks(execute=True):
        held = factories.make_comment(held_room, participant, body="My first thoughts.")

    told = Notification.objects.filter(kind=Notification.Kind.HELD)
    assert list(told.values_list("recipient", "comment")) == [(moderator.pk, held.pk)]
    assert [message.to for message in mailoutbox] == [[moderator.email]]
    assert "waits for your approval" in mailoutbox[0].subject


# --- Rooms open and close by their dates --------------------------------------------------------


@pytest.fixture
def dated_room(room):
    Room.objects.filter(pk=room.pk).update(opens_on=date(2026, 6, 3), closes_on=date(2026, 6, 20))
    room.refresh_from_db()
    return room


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def test_before_its_opening_date_a_room_says_when_it_opens_and_refuses_posts(participant_client, dated_room):
    with at(date(2026, 6, 2)):
        html = participant_client.get(dated_room.get_absolute_url()).content.decode()
        refused = participant_client.post(new_comment_url(dated_room), {"body": "Too early?"})
    assert "Opens on June 3." in html
    assert refused.status_code == 403
    assert "This room opens on June 3, 2026." in refused.content.decode()
    assert "Too early?" in refused.content.decode()
    assert not Comment.objects.exists()


def test_a_room_opens_and_closes_by_itself(participant_client, dated_room):
    with at(date(2026, 6, 3)):
        assert participant_client.post(new_comment_url(dated_room), {"body": "First day."}).status_code == 302
    with at(date(2026, 6, 20), hour=23):
        assert participant_client.post(new_comment_url(dated_room), {"body": "Last evening."}).status_code == 302
    with at(date(2026, 6, 21)):
        html = participant_client.get(dated_room.get_absolute_url()).content.decode()
        refused = participant_client.post(new_comment_url(dated_room), {"body": "Too late."})
    assert "This room is closed." in html
    assert refused.status_code == 403
    assert Comment.objects.count() == 2


def test_the_consultation_s_dates_bound_its_rooms(participant_client, room):
    Consultation.objects.filter(pk=room.consultation_id).update(closes_on=date(2026, 6, 10))
    with at(date(2026, 6, 11)):
        assert participant_client.post(new_comment_url(room), {"body": "After the consultation."}).status_code == 403


def test_the_dates_follow_the_consultation_s_time_zone(participant_client, dated_room):
    Consultation.objects.filter(pk=dated_room.consultation_id).update(time_zone="America/Lima")
    # 02:00 UTC on 21 June is still 20 June in Lima.
    with time_machine.travel(datetime(2026, 6, 21, 2, 0, tzinfo=timezone.get_fixed_timezone(0))):
        assert participant_client.post(new_comment_url(dated_room), {"body": "Still 20 June here."}).status_code == 302


def test_a_moderator_may_close_early_and_reopen_after_the_closing_date(
    client, participant_client, dated_room, moderator
):
    client.force_login(moderator)
    url = reverse("forum:room-state", args=[dated_room.consultation.slug, dated_room.slug])
    with at(date(2026, 6, 10)):
        client.post(url, {"confirm": "yes"})
        dated_room.refresh_from_db()
        assert dated_room.is_closed
    with at(date(2026, 6, 25)):
        client.post(url, {"on": "off"})
        dated_room.refresh_from_db()
        assert dated_room.state == Room.State.REOPENED
        assert participant_client.post(new_comment_url(dated_room), {"body": "Reopened."}).status_code == 302


def test_the_demo_s_rooms_are_open_today(db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    rooms = list(Room.objects.select_related("consultation"))
    assert rooms and all(room.is_open for room in rooms)


# --- A moderator's desk in the header ----------------------------------------------------


def desk_link(html):
    found = re.search(r'<a class="desk" href="/moderation/">(.*?)</a>', html, re.S)
    return found.group(1) if found else None


def test_the_header_counts_what_waits_for_a_moderator_on_duty(client, room, moderator, participant, other_participant):
    Room.objects.filter(pk=room.pk).update(premoderate_first=1)
    room.refresh_from_db()
    factories.make_comment(room, participant, body="Held for approval.")
    reported = factories.make_comment(room, moderator, body="A moderator's own comment.")
    services.report_comment(other_participant, comment=reported, reason="spam")
    client.force_login(moderator)

    link = desk_link(client.get("/").content.decode())

    assert link is not None and "Moderation" in link
    assert '<span class="bell__count">2</span>' in link


def test_the_header_has_no_desk_for_participants_or_after_the_shift(client, room, participant, first_week):
    client.force_login(participant)
    assert desk_link(client.get("/").content.decode()) is None
    client.force_login(first_week)
    with at(date(2026, 6, 3)):
        assert desk_link(client.get("/").content.decode()) is not None
    with at(date(2026, 6, 9)):
        assert desk_link(client.get("/").content.decode()) is None


def test_the_desk_costs_participants_no_query(client, room, participant, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The queries' own SQL, which PostgreSQL's prepared statements would hide behind their names.
    settings.FORUM_PREPARED_STATEMENTS = False
    client.force_login(participant)
    client.get(room.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        client.get(room.get_absolute_url())
    assert not any("forum_report" in query["sql"] for query in queries.captured_queries)
    assert sum("forum_roommoderator" in query["sql"] for query in queries.captured_queries) == 2


# --- The moderators' daily activity email ---------------------------------------------------


def test_moderators_on_duty_get_the_day_s_activity_of_their_rooms(
    room, first_week, participant, other_participant, mailoutbox
):
    from django.core.management import call_command

    off_duty = factories.make_user("Rest Of Consultation")
    RoomModerator.objects.create(room=room, user=off_duty, starts_on=date(2026, 6, 8))
    # Accounts made long before the days travelled to.
    User.objects.update(date_joined=datetime(2026, 1, 1, tzinfo=timezone.get_fixed_timezone(0)))
    participant.refresh_from_db()
    with at(date(2026, 6, 1)):
        waiting = factories.make_comment(room, participant, body="Nobody answers me.")
    with at(date(2026, 6, 4)):
        factories.make_comment(room, other_participant, body="A new thread today.")
        factories.make_comment(room, participant, body=f"@{first_week.handle} can you look?")
        reported = factories.make_comment(room, other_participant, body="Cheap watches.")
        services.report_comment(participant, comment=reported, reason="spam")
        mailoutbox.clear()
        call_command("send_digests", verbosity=0)

    [email] = [
        message
        for message in mailoutbox
        if "rooms you moderate" in message.subject or "room you moderate" in message.subject
    ]
    assert email.to == [first_week.email]
    body = email.body
    assert body.index("New threads") < body.index("A new thread today.")
    assert body.index("Nobody has answered for 48 hours") < body.index("Nobody answers me.")
    assert "Mentioning a moderator" in body and "can you look?" in body
    assert body.index("Open reports") < body.rindex("Cheap watches.")
    assert waiting.get_absolute_url() in body


def test_a_quiet_day_sends_no_activity_email_and_never_means_never(room, first_week, mailoutbox):
    from django.core.management import call_command

    with at(date(2026, 6, 4)):
        call_command("send_digests", verbosity=0)
    assert mailoutbox == []
    services.set_email_preference(first_week, kind=Notification.Kind.ACTIVITY, delivery="never")
    with at(date(2026, 6, 4)):
        factories.make_comment(room, body="Something happened.")
        call_command("send_digests", verbosity=0)
    assert [message for message in mailoutbox if first_week.email in message.to] == []


# --- Handover between shifts -------------------------------------------------------------------


def notes_url(room):
    return reverse("forum:shift-notes", args=[room.consultation.slug, room.slug])


def test_a_moderator_leaves_a_shift_note_that_only_moderators_and_staff_read(
    client, room, first_week, participant, staff
):
    client.force_login(first_week)
    with at(date(2026, 6, 5)):
        saved = client.post(
            notes_url(room), {"body": "Watch the thread on legal aid; I promised an answer."}, follow=True
        )
    assert "Your note is saved for the next shifts." in saved.content.decode()
    assert "I promised an answer." in saved.content.decode()

    client.force_login(participant)
    assert client.get(notes_url(room)).status_code == 403
    assert client.post(notes_url(room), {"body": "Let me in."}).status_code == 403
    client.force_login(staff)
    assert "I promised an answer." in client.get(notes_url(room)).content.decode()


def test_an_empty_note_is_refused_with_the_form_again(client, room, moderator):
    client.force_login(moderator)
    response = client.post(notes_url(room), {"body": "   "})
    assert response.status_code == 400


def test_the_incoming_moderator_is_told_once_with_the_notes_and_what_waits(
    client, room, first_week, participant, other_participant, mailoutbox, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    incoming = factories.make_user("Second Week Moderator")
    RoomModerator.objects.create(room=room, user=incoming, starts_on=date(2026, 6, 8), ends_on=date(2026, 6, 14))
    User.objects.update(date_joined=datetime(2026, 1, 1, tzinfo=timezone.get_fixed_timezone(0)))
    participant.refresh_from_db()
    with at(date(2026, 6, 5)):
        services.write_shift_note(first_week, room=room, body="Legal aid thread needs an answer.")
        reported = factories.make_comment(room, other_participant, body="Cheap watches.")
        services.report_comment(participant, comment=reported, reason="spam")
    with at(date(2026, 6, 7)):
        call_command("start_shifts", verbosity=0)
    assert not Notification.objects.filter(recipient=incoming).exists()

    with at(date(2026, 6, 8)), django_capture_on_commit_callbacks(execute=True):
        call_command("start_shifts", verbosity=0)
        call_command("start_shifts", verbosity=0)

    [told] = Notification.objects.filter(recipient=incoming, kind=Notification.Kind.SHIFT)
    assert told.room == room and told.comment is None
    assert "1 open report, 0 held comments" in told.explanation
    assert "First Week Moderator: Legal aid thread needs an answer." in told.note
    [email] = [message for message in mailoutbox if message.to == [incoming.email]]
    assert f"Your moderation shift in {room.title} starts today" in email.subject
    assert "Legal aid thread needs an answer." in email.body
    client.force_login(incoming)
    with at(date(2026, 6, 8)):
        page = client.get(reverse("forum:notifications")).content.decode()
        assert "Legal aid thread needs an answer." in page
        opened = client.get(reverse("forum:open-notification", args=[told.pk]))
    assert opened.url == notes_url(room)
