"""A moderator flags a comment to a colleague: who may, to whom, and what is recorded."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forum import services
from forum.models import ModerationAction, Notification
from tests import factories

pytestmark = pytest.mark.django_db


def flag_url(comment):
    return f"/comment/{comment.pk}/flag/"


@pytest.fixture
def comment(room, participant):
    return factories.make_comment(room, participant, body="Legal aid is underfunded in rural areas.")


@pytest.fixture
def colleague(consultation):
    """A moderator of another room of the consultation."""
    person = factories.make_user("Carlos Colleague")
    factories.assign_moderator(factories.make_room(consultation), person)
    return person


@pytest.fixture
def finished_moderator(room):
    person = factories.make_user("Rota Ended")
    factories.assign_moderator(room, person, starts_in_days=-10, ends_in_days=-1)
    return person


def colleague_choices(html):
    """The names offered in the colleague list."""
    select = re.search(r'<select name="colleague".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select)


# --- Who sees the link and the page ----------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "sees_link"),
    [
        ("moderator", True),
        ("staff", True),
        ("participant", False),
        ("colleague", False),
        ("finished_moderator", False),
    ],
)
def test_the_flag_link_shows_only_to_the_rooms_moderators_on_duty_and_staff(
    client, request, room, comment, viewer, sees_link
):
    client.force_login(request.getfixturevalue(viewer))

    html = client.get(room.get_absolute_url()).content.decode()

    assert (f'<a href="{flag_url(comment)}">Flag to a colleague</a>' in html) is sees_link


def test_anonymous_visitors_see_no_flag_link_and_are_sent_to_log_in(client, room, comment):
    assert "Flag to a colleague" not in client.get(room.get_absolute_url()).content.decode()

    response = client.get(flag_url(comment))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("viewer", ["participant", "colleague", "finished_moderator"])
def test_the_flag_page_is_refused_to_anyone_not_moderating_the_room_today(client, request, comment, viewer, moderator):
    client.force_login(request.getfixturevalue(viewer))

    assert client.get(flag_url(comment)).status_code == 403
    response = client.post(flag_url(comment), {"colleague": moderator.pk, "note": "Look"})

    assert response.status_code == 403
    assert not ModerationAction.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.FLAG).exists()


def test_a_moderator_whose_rota_has_not_started_cannot_flag(client, room, comment):
    future = factories.make_user("Starts Next Week")
    factories.assign_moderator(room, future, starts_in_days=7)
    client.force_login(future)

    assert client.get(flag_url(comment)).status_code == 403


def test_flagging_a_comment_that_does_not_exist_is_not_found(client, moderator):
    client.force_login(moderator)

    assert client.get("/comment/999999999/flag/").status_code == 404


def test_the_colleagues_offered_are_moderators_on_duty_and_staff_but_not_oneself(
    client, comment, moderator, colleague, staff, participant, finished_moderator
):
    client.force_login(moderator)

    response = client.get(flag_url(comment))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Legal aid is underfunded in rural areas." in html
    assert sorted(colleague_choices(html)) == ["Carlos Colleague (@carlos_colleague)", "Sam Staff (@sam_staff)"]


# --- Flagging --------------------------------------------------------------------


def test_flagging_to_a_colleague_logs_it_and_tells_them_with_the_note(client, room, comment, moderator, colleague):
    client.force_login(moderator)

    response = client.post(
        flag_url(comment), {"colleague": colleague.pk, "note": "Relates to  Discussion 3,\n legal aid."}, follow=True
    )

    assert response.redirect_chain[0] == (f"/comment/{comment.pk}/", 302)
    assert "Carlos Colleague has been told about this comment." in response.content.decode()
    action = ModerationAction.objects.get()
    assert (action.action, action.moderator, action.comment, action.room, action.target_user, action.note) == (
        ModerationAction.Action.FLAG,
        moderator,
        comment,
        room,
        colleague,
        "Relates to Discussion 3, legal aid.",
    )
    notification = Notification.objects.get(recipient=colleague)
    assert (notification.kind, notification.actor, notification.comment) == (Notification.Kind.FLAG, moderator, comment)

    client.force_login(colleague)
    html = client.get("/notifications/").content.decode()
    assert f"<bdi>Maria Moderator</bdi> flagged a comment in <bdi>{room.title}</bdi> to you" in html
    assert '<p class="notification__note">“Relates to Discussion 3, legal aid.”</p>' in html
    assert f'href="/notifications/{notification.pk}/"' in html
    assert client.get(f"/notifications/{notification.pk}/").url == f"/comment/{comment.pk}/"


def test_staff_can_flag_a_comment_to_a_room_moderator(client, comment, staff, moderator):
    client.force_login(staff)

    response = client.post(flag_url(comment), {"colleague": moderator.pk, "note": ""})

    assert response.status_code == 302
    assert ModerationAction.objects.get().moderator == staff
    assert Notification.objects.get(recipient=moderator).kind == Notification.Kind.FLAG


def test_a_moderator_can_flag_to_staff(client, comment, moderator, staff):
    client.force_login(moderator)

    client.post(flag_url(comment), {"colleague": staff.pk, "note": "For the report."})

    assert Notification.objects.get(recipient=staff).note == "For the report."


@pytest.mark.parametrize("target", ["moderator", "participant", "finished_moderator"])
def test_flagging_to_oneself_a_participant_or_a_former_moderator_is_refused_with_a_message(
    client, request, comment, moderator, target
):
    client.force_login(moderator)

    response = client.post(flag_url(comment), {"colleague": request.getfixturevalue(target).pk, "note": "Look"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert ">\nLook</textarea>" in html
    assert not ModerationAction.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.FLAG).exists()


@pytest.mark.parametrize("colleague_value", ["", "not-a-number", "999999999"])
def test_a_missing_or_unknown_colleague_is_refused_with_a_message(client, comment, moderator, colleague_value):
    client.force_login(moderator)

    response = client.post(flag_url(comment), {"colleague": colleague_value, "note": "Look"})

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not ModerationAction.objects.exists()


def test_a_note_over_500_characters_is_refused_and_kept(client, comment, moderator, colleague):
    client.force_login(moderator)
    note = "n" * 499 + "Z!"

    response = client.post(flag_url(comment), {"colleague": colleague.pk, "note": note})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 500 characters (it has 501)." in html
    assert f">\n{note}</textarea>" in html
    assert not ModerationAction.objects.exists()


def test_a_note_of_exactly_500_characters_is_accepted(client, comment, moderator, colleague):
    client.force_login(moderator)

    response = client.post(flag_url(comment), {"colleague": colleague.pk, "note": "n" * 500})

    assert response.status_code == 302
    assert len(ModerationAction.objects.get().note) == 500


def test_a_note_that_looks_like_html_is_shown_as_text(client, comment, moderator, colleague):
    client.force_login(moderator)
    client.post(flag_url(comment), {"colleague": colleague.pk, "note": "<script>alert(1)</script> see this"})
    client.force_login(colleague)

    html = client.get("/notifications/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; see this" in html
    assert "<script>alert(1)" not in html


# --- The service's own rules, for callers other than the page ------------------------


def test_the_service_refuses_someone_who_does_not_moderate_the_room(comment, participant, colleague):
    with pytest.raises(PermissionDenied):
        services.flag_comment(participant, comment=comment, colleague=colleague, note="")
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("target", ["moderator", "participant", "finished_moderator"])
def test_the_service_refuses_a_colleague_who_is_oneself_or_not_a_moderator(request, comment, moderator, target):
    with pytest.raises(ValidationError):
        services.flag_comment(moderator, comment=comment, colleague=request.getfixturevalue(target), note="")
    assert not ModerationAction.objects.exists()
    assert not Notification.objects.filter(kind=Notification.Kind.FLAG).exists()


def test_the_service_refuses_a_note_over_500_characters(comment, moderator, colleague):
    with pytest.raises(ValidationError):
        services.flag_comment(moderator, comment=comment, colleague=colleague, note="x" * 501)
    assert not ModerationAction.objects.exists()
