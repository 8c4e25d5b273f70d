"""A French reader sees the room's French title, and its introduction, not yet
translated, in English with its language marked and a quiet note."""

import pytest
from playwright.sync_api import expect

from tests import factories


@pytest.fixture
def room(transactional_db):
    room = factories.make_room(title="Access to justice", introduction="Welcome to this discussion.")
    room.title_fr = "Accès à la justice"
    room.save()
    return room


def test_a_french_reader_sees_the_french_title_and_a_note_for_the_english_introduction(
    live_server, room, page, offsite_requests
):
    page.context.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto(live_server.url + room.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès à la justice")
    introduction = page.locator(".prose", has_text="Welcome to this discussion.")
    expect(introduction).to_have_attribute("lang", "en")
    expect(page.locator(".untranslated").first).to_have_text("Pas encore disponible en Français")
    # The same address as in English.
    assert page.url == live_server.url + room.get_absolute_url()
    assert offsite_requests == []
