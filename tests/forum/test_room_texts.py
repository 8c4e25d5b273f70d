"""Consultations' and rooms' texts, written by admins in the renderer's Markdown
and shown as the HTML rendered when they were saved."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from forum.models import Consultation, Room
from forum.rendering import RENDER_VERSION
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_rooms_texts_show_their_markdown_and_clickable_links(client):
    room = factories.make_room(
        introduction="Read **the mid-term review** first:\nhttps://example.org/review.pdf",
        objective="- Agree on priorities\n- Name the gaps",
        outcome="A list *for the report*.",
    )
    html = client.get(room.get_absolute_url()).content.decode()
    assert "<strong>the mid-term review</strong>" in html
    assert '<a href="https://example.org/review.pdf" rel="nofollow ugc noopener">example.org/review.pdf</a>' in html
    assert "<li>Agree on priorities</li>" in html
    assert "<em>for the report</em>" in html


def test_a_consultations_texts_show_as_rendered_html(client):
    consultation = factories.make_consultation(
        introduction="We want to hear **from you**.", objective="See https://example.org", outcome="A _report_."
    )
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert "We want to hear <strong>from you</strong>." in html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">example.org</a>' in html
    assert "A <em>report</em>." in html


def test_markup_in_a_text_is_sanitised_when_saved_and_not_when_read(client):
    room = factories.make_room(
        introduction="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert "<script>" not in room.introduction_html and "<img" not in room.introduction_html
    assert 'href="javascript:' not in room.introduction_html
    assert room.texts_render_version == RENDER_VERSION
    html = client.get(room.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_print_the_stored_html_without_rendering_again(client):
    room = factories.make_room(introduction="As written")
    Room.objects.filter(pk=room.pk).update(introduction_html="<p>Stored <strong>HTML</strong></p>")
    html = client.get(room.get_absolute_url()).content.decode()
    assert "<p>Stored <strong>HTML</strong></p>" in html
    assert "As written" not in html


def test_a_mention_in_a_text_is_a_profile_link_but_notifies_no_one(client, participant):
    room = factories.make_room(introduction=f"Ask @{participant.handle} about legal aid.")
    assert f'href="/u/{participant.handle}/" class="mention">@{participant.display_name}</a>' in room.introduction_html
    assert not participant.notifications.exists()


def test_a_link_to_a_comment_in_a_text_is_a_reference_without_a_backlink(room, participant):
    cited = factories.make_comment(room, participant, body="Legal aid must be free.")
    other = factories.make_room(
        consultation=room.consultation, introduction=f"Start from {settings.SITE_URL}/comment/{cited.pk}/"
    )
    assert 'class="reference"' in other.introduction_html
    assert "Legal aid must be free." in other.introduction_html
    assert not cited.links_in.exists()


def test_an_empty_text_leaves_no_empty_block(client):
    room = factories.make_room(introduction="Only an introduction.", objective="", outcome="  ")
    html = client.get(room.get_absolute_url()).content.decode()
    assert room.objective_html == room.outcome_html == ""
    assert "Objective" not in html and "Expected outcome" not in html


def test_rerender_bodies_renders_texts_stored_by_an_older_renderer(room):
    consultation = room.consultation
    Room.objects.filter(pk=room.pk).update(introduction_html="<p>old</p>", texts_render_version=RENDER_VERSION - 1)
    Consultation.objects.filter(pk=consultation.pk).update(introduction_html="<p>old</p>", texts_render_version=0)
    out = io.StringIO()
    call_command("rerender_bodies", stdout=out)
    room.refresh_from_db()
    consultation.refresh_from_db()
    assert room.introduction_html == "<p>Welcome to this discussion.</p>"
    assert consultation.introduction_html == "<p>We want to hear from you.</p>"
    assert room.texts_render_version == consultation.texts_render_version == RENDER_VERSION
    assert "the texts of 2 consultation(s) and room(s)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_changed_text_shows_at_once_on_the_cached_room_page(client, room, settings):
    settings.FORUM_CACHE_ROOM_PAGES = True
    url = room.get_absolute_url()
    assert client.get(url)["X-Room-Cache"] == "miss"
    assert client.get(url)["X-Room-Cache"] == "hit"
    room.objective = "A **new** objective."
    room.save()
    assert "A <strong>new</strong> objective." in client.get(url).content.decode()
    consultation = room.consultation
    consultation.title = "A renamed consultation"
    consultation.save()
    assert "A renamed consultation" in client.get(url).content.decode()


def test_lists_of_consultations_and_rooms_show_the_texts_words_without_markup(client):
    consultation = factories.make_consultation(introduction="We want **your** views & ideas.")
    room = factories.make_room(consultation=consultation, introduction="Talk about *access* here.")
    home = client.get("/").content.decode()
    assert "We want your views &amp; ideas." in home and "**" not in home
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Talk about access here." in page
    assert room.introduction_html == "<p>Talk about <em>access</em> here.</p>"
