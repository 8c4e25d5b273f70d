"""Inviting a moderator who has no account yet: the admin keeps a rota line for
an address, the link in the email brings the person to sign up (or log in) and
puts them on the rota; links that were changed, have expired or were used say so."""

import re
import time
from datetime import date
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from forum import invitations, services
from forum.models import Consultation, ModeratorInvitation, RoomModerator
from tests import factories
from tests.forum.admin_forms import room_change_form

PASSWORD = "Rule-of-law-2030"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts sign-ups in the cache, which outlives each test's database.
    cache.clear()


@pytest.fixture
def ada(db):
    return factories.make_user("Ada Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, ada):
    client.force_login(ada)
    return client


@pytest.fixture
def invitation(room, ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invite_moderator(
            ada, room=room, email="newcomer@example.org", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 8)
        )


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitation/\S+/)", message.body).group(1)


def test_an_admin_invites_someone_without_an_account_on_the_rota(
    admin_client, room, ada, mailoutbox, django_capture_on_commit_callbacks
):
    Consultation.objects.filter(pk=room.consultation.pk).update(
        opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 29)
    )
    data = room_change_form(
        room, moderator_assignments=[{"user": "", "invite_email": "Newcomer@Example.org ", "shift": "first_week"}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 302, re.findall(r"errorlist.*?</ul>", response.content.decode(), re.S)
    invitation = ModeratorInvitation.objects.get()
    assert (invitation.email, invitation.starts_on, invitation.ends_on) == (
        "newcomer@example.org",
        date(2026, 11, 2),
        date(2026, 11, 8),
    )
    assert invitation.invited_by == ada
    assert invitation.emailed_at is not None
    assert not RoomModerator.objects.exists()
    [message] = mailoutbox
    assert message.to == ["newcomer@example.org"]
    assert room.title in message.subject
    assert "Ada Admin invites you to moderate" in message.body
    assert "From Nov. 2, 2026 until Nov. 8, 2026" in message.body
    assert link_path(message) in message.alternatives[0].content
    page = admin_client.get(reverse("admin:forum_room_change", args=[room.pk])).content.decode()
    assert "Moderator invitations" in page
    assert "newcomer@example.org" in page
    assert "Invited" in page


def test_an_address_that_already_has_an_account_is_refused_with_its_owner(admin_client, room):
    factories.make_user("Known Person", email="known@example.org")
    data = room_change_form(room, moderator_assignments=[{"invite_email": "known@example.org"}])
    response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 200
    assert "Known Person already has an account with this address" in response.content.decode()
    assert not ModeratorInvitation.objects.exists()


def test_a_line_with_both_a_person_and_an_address_or_neither_is_refused(admin_client, room):
    person = factories.make_user()
    for line, error in [
        ({"user": person.pk, "invite_email": "someone@example.org"}, "Either choose a moderator or invite someone"),
        ({"starts_on": "2026-11-02"}, "Choose a moderator, or invite someone by email."),
    ]:
        response = admin_client.post(
            reverse("admin:forum_room_change", args=[room.pk]), room_change_form(room, moderator_assignments=[line])
        )
        assert response.status_code == 200
        assert error in response.content.decode()
    assert not ModeratorInvitation.objects.exists()
    assert not RoomModerator.objects.exists()


def test_a_newcomer_signs_up_from_the_link_with_the_address_filled_in_and_joins_the_rota(
    client, room, invitation, mailoutbox
):
    path = link_path(mailoutbox[0])
    page = client.get(path).content.decode()
    assert "You are invited to moderate the discussion room" in page
    signup_url = f"{reverse('account_signup')}?next={path}"
    assert f'href="{signup_url}"' in page.replace("%3A", ":")
    signup = client.get(signup_url).content.decode()
    assert 'value="newcomer@example.org"' in signup

    data = {
        "email": "newcomer@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "quoting_consent": "by_name",
        "display_name": "New Comer",
    }
    response = client.post(signup_url, data | {"next": path}, follow=True)

    assert response.redirect_chain[-1][0] == room.get_absolute_url()
    assert "You are on the moderator rota of" in response.content.decode()
    line = RoomModerator.objects.get(room=room)
    assert (line.user.display_name, line.starts_on, line.ends_on) == ("New Comer", date(2026, 11, 2), date(2026, 11, 8))
    assert EmailAddress.objects.get(user=line.user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == line.user
    assert len(mailoutbox) == 1  # no confirmation email: the invitation confirmed the address


def test_someone_logged_in_with_the_invited_address_accepts_it_with_one_click(client, room, invitation, mailoutbox):
    person = factories.make_user("Newcomer", email="newcomer@example.org", confirmed=False)
    client.force_login(person)
    path = link_path(mailoutbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert "Accept the invitation" in page.content.decode()
    assert not RoomModerator.objects.exists()  # a GET only asks: mail scanners open links

    response = client.post(path)

    assert response.url == room.get_absolute_url()
    assert RoomModerator.objects.get(room=room).user == person
    assert EmailAddress.objects.get(user=person).verified
    again = client.post(path, follow=True)
    assert "You are on this room&#x27;s rota already." in again.content.decode()
    assert RoomModerator.objects.count() == 1


def test_someone_with_an_account_logs_in_from_the_link_and_joins_the_rota(client, room, invitation, mailoutbox):
    person = factories.make_user("Has Account", email="newcomer@example.org", confirmed=False)
    path = link_path(mailoutbox[0])
    page = client.get(path).content.decode()
    assert "Sign in to accept" in page
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": "password", "next": path}, follow=True
    )
    assert response.redirect_chain[-1][0] == room.get_absolute_url()
    assert RoomModerator.objects.get(room=room).user == person


def test_someone_logged_in_as_another_person_is_told_whom_the_invitation_is_for(client, room, invitation, mailoutbox):
    client.force_login(factories.make_user(email="other@example.org"))
    response = client.get(link_path(mailoutbox[0]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "This invitation was sent to newcomer@example.org, but you are signed in as other@example.org" in html
    assert client.post(link_path(mailoutbox[0])).status_code == 403
    assert not RoomModerator.objects.exists()


def test_a_changed_link_is_refused_clearly(client, invitation, mailoutbox):
    path = link_path(mailoutbox[0])
    response = client.get(path[:-3] + ("x" if path[-2] != "x" else "y") + "/")
    assert response.status_code == 400
    assert "This invitation link is not valid" in response.content.decode()
    assert client.get("/invitation/nonsense/").status_code == 400


def test_an_expired_link_is_refused_clearly(client, invitation, settings):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 15 * 24 * 3600):
        path = invitations.invitation_path(invitation)
    response = client.get(path)
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_a_used_link_is_refused_to_anyone_else(client, room, invitation, mailoutbox):
    person = factories.make_user(email="newcomer@example.org")
    services.accept_invitation(person, invitation=invitation)
    response = client.get(link_path(mailoutbox[0]))
    assert response.status_code == 410
    assert "This invitation has already been accepted." in response.content.decode()


def test_a_withdrawn_invitation_says_so(client, invitation, mailoutbox):
    invitation.delete()
    response = client.get(link_path(mailoutbox[0]))
    assert response.status_code == 404
    assert "This invitation has been withdrawn." in response.content.decode()


def test_only_staff_invite_moderators(room, participant):
    with pytest.raises(PermissionDenied):
        services.invite_moderator(participant, room=room, email="someone@example.org")
    assert not ModeratorInvitation.objects.exists()
