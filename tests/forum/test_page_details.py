"""Details people noticed: one id per element and a label for every field, the
home page's title, the reply page's wording, and "Sign in" said one way."""

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


class Fields(HTMLParser):
    """The ids of a page, its labels' targets and its form fields."""

    def __init__(self):
        super().__init__()
        self.ids, self.labelled, self.fields = Counter(), set(), []
        self._in_template = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self._in_template += 1  # forum.js clones it and gives it its ids
        if self._in_template:
            return
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        kind = attrs.get("type", "")
        if tag in {"input", "select", "textarea"} and kind not in {"hidden", "submit", "button"}:
            self.fields.append(attrs)

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1


def parsed(html):
    fields = Fields()
    fields.feed(html)
    return fields


@pytest.fixture
def pages(participant_client, room, participant, other_participant):
    factories.make_question(room, "Who lacks access?")
    root = factories.make_comment(room, participant, body="A first point.")
    factories.make_reply(root, other_participant, body="A reply.")
    slugs = [room.consultation.slug, room.slug]
    return {
        "room": room.get_absolute_url(),
        "room filtered": room.get_absolute_url() + "?language=en",
        "thread": reverse("forum:thread", args=[*slugs, root.pk]),
        "reply": reverse("forum:reply", args=[*slugs, root.pk]),
        "new comment": reverse("forum:new-comment", args=slugs),
    }


@pytest.mark.parametrize("name", ["room", "room filtered", "thread", "reply", "new comment"])
def test_no_two_elements_share_an_id_and_every_field_has_a_label(participant_client, pages, name):
    response = participant_client.get(pages[name])
    assert response.status_code == 200
    page = parsed(response.content.decode())
    assert [id_ for id_, count in page.ids.items() if count > 1] == []
    unlabelled = [
        field for field in page.fields if field.get("id") not in page.labelled and not field.get("aria-label")
    ]
    assert unlabelled == []


def test_the_filter_and_the_comment_form_each_label_their_own_language_field(participant_client, pages):
    html = participant_client.get(pages["room"]).content.decode()
    assert '<label for="id_filter_language">Written in</label>' in html
    assert '<label for="id_language">Written in</label>' in html
    assert 'name="language" id="id_filter_language"' in html or 'id="id_filter_language"' in html


def test_the_filters_keep_their_parameter_names(client, room):
    html = client.get(room.get_absolute_url()).content.decode()
    filters = html.split('class="room-filters"')[1].split("</form>")[0]
    assert 'name="language"' in filters and 'name="question"' in filters


def test_the_home_page_is_titled_with_the_sites_name_alone(client, settings):
    settings.SITE_NAME = ""
    html = client.get("/").content.decode()
    assert "<title>Public consultations</title>" in html


def test_other_pages_are_titled_with_their_name_then_the_sites(client, room):
    html = client.get(room.get_absolute_url()).content.decode()
    assert f"<title>{room.title} · Public consultations</title>" in html


def test_the_reply_page_asks_for_a_reply(participant_client, pages):
    html = participant_client.get(pages["reply"]).content.decode()
    assert re.search(r'<label for="id_body">Your reply</label>', html)
    assert "Your comment" not in html
    new = participant_client.get(pages["new comment"]).content.decode()
    assert '<label for="id_body">Your comment</label>' in new


# A colon a template writes after a word, a name or a date, outside a translated string.
TEMPLATE_COLON = re.compile(r"(?:\}\}|%\}|</a>|</time>|</strong>): ")


def test_templates_write_colons_after_words_through_the_colon_tag():
    root = Path(__file__).resolve().parent.parent.parent / "templates"
    found = [
        f"{path.relative_to(root)}: {line.strip()[:80]}"
        for path in root.rglob("*.*")
        for line in path.read_text(encoding="utf-8").splitlines()
        if TEMPLATE_COLON.search(re.sub(r"{% blocktranslate.*?{% endblocktranslate %}", "", line))
    ]
    assert found == []


def test_in_french_a_colon_after_a_name_has_its_no_break_space(client, room, moderator):
    html = client.get(room.get_absolute_url(), headers={"accept-language": "fr"}).content.decode()
    assert f"{moderator.display_name}</a>\u00a0: " in html
    html = client.get(room.get_absolute_url(), headers={"accept-language": "en"}).content.decode()
    assert f"{moderator.display_name}</a>: " in html


def test_sign_in_is_written_one_way_on_our_pages_allauths_and_the_admins(client):
    pages = [client.get(url).content.decode() for url in ("/", reverse("account_login"), reverse("account_signup"))]
    pages.append(client.get(reverse("admin:login")).content.decode())
    for html in pages:
        assert "Sign In" not in html and "Log in" not in html and "Log In" not in html
    assert "Sign in" in pages[0] and "Sign in" in pages[1] and "Sign in" in pages[3]


def test_a_signed_in_person_signs_out(participant_client):
    html = participant_client.get("/").content.decode()
    assert "Sign out" in html and "Log out" not in html
