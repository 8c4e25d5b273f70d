"""Verified organisations: an organisation account asks, staff check and verify it
in the admin, and its comments and profile then carry a badge that a
self-declared organisation does not."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

EDIT_URL = "/accounts/profile/"
ASK_URL = "/accounts/profile/verify-organisation/"
BADGE = "Verified organisation</span>"


def make_organisation(name="Legal Aid Network", **fields):
    return factories.make_user(name, organisation=name, speaks_for_organisation=True, **fields)


def verified(person, staff):
    services.verify_organisation(staff, person=person, note="Listed in the national register.")
    person.refresh_from_db()
    return person


def article_of(html, comment):
    return re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S).group(0)


def edit_profile(client, person, **changes):
    data = {
        "display_name": person.display_name,
        "handle": person.handle,
        "organisation": person.organisation,
        "speaks_for_organisation": "on" if person.speaks_for_organisation else "",
        "quoting_consent": person.quoting_consent,
    }
    return client.post(EDIT_URL, data | changes)


# --- Asking ---------------------------------------------------------------


def test_an_organisation_asks_to_be_verified_from_its_profile_page(client):
    ngo = make_organisation()
    client.force_login(ngo)
    assert "Ask to be verified as an organisation" in client.get(EDIT_URL).content.decode()

    response = client.post(ASK_URL, follow=True)

    html = response.content.decode()
    assert "Staff will check that this account speaks for your organisation." in html
    assert "You asked to be verified as Legal Aid Network." in html
    assert "Ask to be verified as an organisation" not in html
    ngo.refresh_from_db()
    assert ngo.organisation_verification_requested_at is not None
    assert not ngo.is_verified_organisation


def test_a_person_not_speaking_for_an_organisation_cannot_ask(client, participant):
    client.force_login(participant)
    assert "Ask to be verified as an organisation" not in client.get(EDIT_URL).content.decode()

    response = client.post(ASK_URL, follow=True)

    assert (
        "Only an account that speaks for an organisation, and names it, can be verified." in response.content.decode()
    )
    participant.refresh_from_db()
    assert participant.organisation_verification_requested_at is None


# --- Verifying: staff only ----------------------------------------------------


def test_only_staff_can_verify_an_organisation(participant):
    ngo = make_organisation()

    with pytest.raises(PermissionDenied):
        services.verify_organisation(participant, person=ngo, note="Trust me.")
    with pytest.raises(PermissionDenied):
        services.verify_organisation(ngo, person=ngo, note="Trust me.")

    ngo.refresh_from_db()
    assert not ngo.is_verified_organisation


def test_an_organisation_cannot_verify_itself_through_its_profile_form(client):
    ngo = make_organisation()
    client.force_login(ngo)

    edit_profile(
        client,
        ngo,
        organisation_verified="on",
        organisation_verified_at="2026-01-01 10:00",
        organisation_verification_note="Trust me.",
    )

    ngo.refresh_from_db()
    assert not ngo.is_verified_organisation
    assert ngo.organisation_verification_note == ""


def test_an_account_that_declares_no_organisation_cannot_be_verified(staff, participant):
    with pytest.raises(ValidationError):
        services.verify_organisation(staff, person=participant, note="")


def test_staff_verify_an_organisation_with_a_note_in_the_admin(client, staff):
    admin = factories.make_user("Ada Admin", is_staff=True, is_superuser=True)
    ngo = make_organisation()
    services.request_organisation_verification(ngo)
    client.force_login(admin)
    asked = client.get(reverse("admin:accounts_user_changelist"), {"verification": "asked"}).content.decode()
    assert "Legal Aid Network" in asked

    response = client.post(
        reverse("admin:accounts_user_change", args=[ngo.pk]),
        {
            "email": ngo.email,
            "display_name": ngo.display_name,
            "handle": ngo.handle,
            "organisation": ngo.organisation,
            "speaks_for_organisation": "on",
            "organisation_verified": "on",
            "organisation_verification_note": "Listed in the national register.",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "emailaddress_set-TOTAL_FORMS": "0",
            "emailaddress_set-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    ngo.refresh_from_db()
    assert ngo.is_verified_organisation
    assert ngo.organisation_verified_by == admin
    assert ngo.organisation_verification_note == "Listed in the national register."


# --- The badge ----------------------------------------------------------------


def test_a_verified_organisations_comments_and_profile_show_the_badge(client, room, staff):
    ngo = verified(make_organisation(), staff)
    comment = factories.make_comment(room, ngo)

    room_html = client.get(room.get_absolute_url()).content.decode()
    profile_html = client.get(ngo.get_absolute_url()).content.decode()

    assert BADGE in article_of(room_html, comment)
    assert BADGE in profile_html.split('aria-labelledby="profile-comments"')[0]


def test_a_self_declared_organisation_shows_no_badge(client, room):
    ngo = make_organisation()
    comment = factories.make_comment(room, ngo)
    factories.make_comment(room, factories.make_user("Jean Dupont"))

    room_html = client.get(room.get_absolute_url()).content.decode()
    profile_html = client.get(ngo.get_absolute_url()).content.decode()

    assert BADGE not in room_html
    assert "Legal Aid Network" in article_of(room_html, comment)
    assert BADGE not in profile_html
    assert "Organisation</span>" in profile_html


def test_the_organisation_is_named_once_when_it_is_also_the_display_name(client, room):
    ngo = make_organisation("Legal Aid Network")
    person = factories.make_user("Amina Diallo", organisation="Legal Aid Network")
    own = factories.make_comment(room, ngo)
    members = factories.make_comment(room, person)

    html = client.get(room.get_absolute_url()).content.decode()

    assert article_of(html, own).count("Legal Aid Network") == 2  # the link's text and the aria-label
    assert 'class="comment__org"' not in article_of(html, own)
    assert '<span class="comment__org" dir="auto">Legal Aid Network</span>' in article_of(html, members)


# --- Changing the name withdraws it ------------------------------------------------


def test_changing_the_organisation_name_withdraws_the_verification(client, room, staff):
    ngo = verified(make_organisation(), staff)
    comment = factories.make_comment(room, ngo)
    client.force_login(ngo)

    response = edit_profile(client, ngo, organisation="Legal Aid Network International")

    assert response.status_code == 302
    ngo.refresh_from_db()
    assert not ngo.is_verified_organisation
    assert ngo.organisation_verification_requested_at is None
    assert BADGE not in article_of(client.get(room.get_absolute_url()).content.decode(), comment)
    assert "Ask to be verified as an organisation" in client.get(EDIT_URL).content.decode()


def test_editing_the_rest_of_the_profile_keeps_the_verification(client, staff):
    ngo = verified(make_organisation(), staff)
    client.force_login(ngo)

    edit_profile(client, ngo, bio="Free legal advice since 1998.")

    ngo.refresh_from_db()
    assert ngo.is_verified_organisation
    assert (
        "Staff have verified that this account speaks for Legal Aid Network." in client.get(EDIT_URL).content.decode()
    )


def test_no_longer_speaking_for_the_organisation_withdraws_the_verification(staff):
    ngo = verified(make_organisation(), staff)
    ngo.speaks_for_organisation = False

    services.save_profile(ngo, person=ngo)

    assert not User.objects.get(pk=ngo.pk).organisation_verified_at
