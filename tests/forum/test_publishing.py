"""Consultations and rooms are published as they are made; staff preview the
ones that are not, under a banner that says so."""

import re

import pytest
from django.urls import reverse

from forum.models import Consultation, Room
from tests import factories

BANNER = "Not published: only staff see this preview."


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_new_consultations_and_rooms_are_published_unless_told_otherwise(db):
    consultation = Consultation.objects.create(title="Review", slug="review")
    room = Room.objects.create(consultation=consultation, title="Access", slug="access")
    assert consultation.is_published and room.is_published


def test_the_admin_forms_start_published(client, db):
    client.force_login(factories.make_user("Ada Admin", is_staff=True, is_superuser=True))
    for url in [reverse("admin:forum_consultation_add"), reverse("admin:forum_room_add")]:
        html = client.get(url).content.decode()
        assert re.search(r'<input type="checkbox" name="is_published"[^>]* checked>', html)


def test_staff_see_an_unpublished_room_under_a_preview_banner(staff_client, room):
    Room.objects.filter(pk=room.pk).update(is_published=False)
    html = staff_client.get(room.get_absolute_url()).content.decode()
    assert BANNER in html
    assert f'href="{reverse("admin:forum_room_change", args=[room.pk])}"' in html


def test_a_room_of_an_unpublished_consultation_is_a_preview_too(staff_client, room):
    Consultation.objects.filter(pk=room.consultation.pk).update(is_published=False)
    assert BANNER in staff_client.get(room.get_absolute_url()).content.decode()
    consultation_page = staff_client.get(room.consultation.get_absolute_url()).content.decode()
    assert BANNER in consultation_page
    assert f'href="{reverse("admin:forum_consultation_change", args=[room.consultation.pk])}"' in consultation_page


def test_published_pages_have_no_preview_banner(staff_client, client, room):
    assert BANNER not in staff_client.get(room.get_absolute_url()).content.decode()
    assert BANNER not in staff_client.get(room.consultation.get_absolute_url()).content.decode()
