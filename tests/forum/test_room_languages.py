"""Rooms' and consultations' texts in every language: each reader sees their own
language's text, or the consultation's with its lang and a quiet note."""

import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from forum import display, place_texts
from forum.models import GuidingQuestion, Room, RoomSummary
from forum.services import summaries
from tests import factories

pytestmark = pytest.mark.django_db


def in_language(client, url, language):
    return client.get(url, headers={"accept-language": language}).content.decode()


def translated_room(room, **languages):
    """Give the room its texts, one group heading and one question in each language
    (`es={"title": …, "introduction": …, "heading": …, "question": …}`)."""
    group = factories.make_question_group(room, "Access", position=1)
    question = factories.make_question(room, "Who lacks access?", position=1, group=group)
    for language, texts in languages.items():
        suffix = language.replace("-", "_")
        for name in ("title", "introduction", "objective", "outcome"):
            if name in texts:
                setattr(room, f"{name}_{suffix}", texts[name])
        if "heading" in texts:
            setattr(group, f"heading_{suffix}", texts["heading"])
            group.save()
        if "question" in texts:
            setattr(question, f"text_{suffix}", texts["question"])
            question.save()
    room.save()
    return room


SPANISH = {
    "title": "Acceso a la justicia",
    "introduction": "Bienvenidos a *esta* sala.",
    "heading": "Acceso",
    "question": "¿Quién carece de acceso?",
}
FRENCH = {
    "title": "Accès à la justice",
    "introduction": "Bienvenue dans *cette* salle.",
    "heading": "Accès",
    "question": "Qui n’a pas accès ?",
}


def test_each_reader_sees_the_rooms_texts_in_their_own_language(client, room):
    translated_room(room, es=SPANISH, fr=FRENCH)
    spanish = in_language(client, room.get_absolute_url(), "es")
    assert "<h1>Acceso a la justicia" in spanish
    assert "Bienvenidos a <em>esta</em> sala." in spanish
    assert "<h3>Acceso</h3>" in spanish and "¿Quién carece de acceso?" in spanish
    assert "Bienvenue" not in spanish and "Welcome to this discussion." not in spanish
    french = in_language(client, room.get_absolute_url(), "fr")
    assert "<h1>Accès à la justice" in french
    assert "Bienvenue dans <em>cette</em> salle." in french
    assert "Qui n’a pas accès ?" in french
    english = in_language(client, room.get_absolute_url(), "en")
    assert f"<h1>{room.title_en}" in english and "Welcome to this discussion." in english
    assert "Not yet available" not in english


def test_a_text_not_yet_translated_is_shown_in_the_consultations_language_with_its_lang_and_a_note(client, room):
    translated_room(room, fr={"title": "Accès à la justice"})
    html = in_language(client, room.get_absolute_url(), "fr")
    assert "<h1>Accès à la justice" in html
    # The introduction and the question are English, and marked so.
    assert '<div class="prose" lang="en" dir="ltr"><p>Welcome to this discussion.</p></div>' in html
    assert '<span lang="en" dir="ltr">Who lacks access?</span>' in html
    assert '<h3 lang="en" dir="ltr">Access</h3>' in html
    with translation.override("fr"):
        note = translation.gettext("Not yet available in %(language)s") % {"language": "Français"}
    assert f'<p class="untranslated">{note}</p>' in html
    assert "Français" in note


def test_the_fallback_is_the_consultations_own_language_with_dir_for_arabic(client):
    consultation = factories.make_consultation(language="ar", title="مشاورة", introduction="")
    with translation.override("ar"):
        room = factories.make_room(consultation, title="الوصول إلى العدالة", introduction="مرحبا بكم في هذه القاعة.")
    assert room.title_ar == "الوصول إلى العدالة" and not room.title_en
    html = in_language(client, room.get_absolute_url(), "es")
    assert '<span lang="ar" dir="rtl">الوصول إلى العدالة</span>' in html
    assert '<div class="prose" lang="ar" dir="rtl"><p>مرحبا بكم في هذه القاعة.</p></div>' in html


def test_text_in_prefers_the_reader_then_the_consultation_then_any_language(room):
    room.consultation.language = "fr"
    room.title_fr, room.title_es, room.title_en = "Salle", "Sala", ""
    assert place_texts.text_in(room, "title", "es") == place_texts.LocalText("Sala", "es")
    assert place_texts.text_in(room, "title", "ru") == place_texts.LocalText("Salle", "fr", is_fallback=True)
    room.title_fr = " "
    assert place_texts.text_in(room, "title", "ru") == place_texts.LocalText("Sala", "es", is_fallback=True)
    # A regional variant reads its language's text.
    assert place_texts.text_in(room, "title", "es-mx").text == "Sala"
    assert place_texts.text_in(room, "title", "zh-Hans").language in place_texts.LANGUAGES


def test_the_consultation_page_and_home_page_show_texts_in_the_readers_language(client, room):
    consultation = room.consultation
    consultation.title_es = "Revisión del programa"
    consultation.introduction_es = "Queremos escucharle."
    consultation.save()
    translated_room(room, es=SPANISH)
    page = in_language(client, consultation.get_absolute_url(), "es")
    assert "<h1>Revisión del programa</h1>" in page
    assert "Queremos escucharle." in page
    assert ">Acceso a la justicia</a>" in page
    assert "Bienvenidos a esta sala." in page  # the room's excerpt
    home = in_language(client, reverse("forum:home"), "es")
    assert ">Revisión del programa</a>" in home and "Queremos escucharle." in home
    french = in_language(client, consultation.get_absolute_url(), "fr")
    assert f'<h1 lang="en" dir="ltr">{consultation.title_en}</h1>' in french
    assert f'lang="en" dir="ltr">{room.title_en}</a>' in french


def test_slugs_and_permalinks_are_the_same_in_every_language(client, room, participant):
    translated_room(room, es=SPANISH, fr=FRENCH)
    comment = factories.make_comment(room, participant, body="A comment.")
    urls = set()
    for language in ("en", "es", "fr", "ar"):
        with translation.override(language):
            urls.add((room.get_absolute_url(), comment.get_absolute_url(), room.consultation.get_absolute_url()))
        response = client.get(comment.get_absolute_url(), headers={"accept-language": language})
        assert response.status_code == 302
        assert response.url.endswith(f"{room.get_absolute_url()}#comment-{comment.pk}")
    assert len(urls) == 1
    assert "/c/review-" in next(iter(urls))[0]


def test_each_languages_html_is_rendered_from_that_languages_source(room):
    translated_room(room, es=SPANISH, fr=FRENCH)
    room.refresh_from_db()
    assert room.introduction_html_es == "<p>Bienvenidos a <em>esta</em> sala.</p>"
    assert room.introduction_html_fr == "<p>Bienvenue dans <em>cette</em> salle.</p>"
    assert room.introduction_html_en == "<p>Welcome to this discussion.</p>"
    assert not room.introduction_html_ru


def test_a_reference_stored_in_a_comment_names_the_room_in_the_consultations_language(room, participant):
    room.title_fr = "Salle en français"
    room.save()
    cited = factories.make_comment(room, participant, body="Courts close at noon.")
    with translation.override("fr"):
        # Written on a French page, read by everyone: the stored HTML is the same for all.
        citing = factories.make_comment(room, participant, body=f"See {settings.SITE_URL}/comment/{cited.pk}/")
        assert room.title_en in citing.body_html
        assert "Salle en français" not in citing.body_html
    room.consultation.language = "fr"
    room.consultation.save()
    later = factories.make_comment(room, participant, body=f"Again {settings.SITE_URL}/comment/{cited.pk}/")
    assert "Salle en français" in later.body_html


def test_exports_give_the_guiding_question_in_the_consultations_language(client, room, participant, moderator):
    question = factories.make_question(room, "Who lacks access?")
    question.text_fr = "Qui n’a pas accès ?"
    question.save()
    factories.make_comment(room, participant, body="Rural women.", guiding_question=question)
    client.force_login(moderator)
    url = reverse("forum:room-export-json", args=[room.consultation.slug, room.slug])
    response = client.get(url, headers={"accept-language": "fr"})
    [row] = json.loads(b"".join(response.streaming_content))
    assert row["guiding_question"] == "Who lacks access?"


@pytest.mark.django_db(transaction=True)
def test_a_spanish_and_a_french_visitor_get_their_own_texts_from_the_cache(client, settings):
    settings.FORUM_CACHE_ROOM_PAGES = True
    room = translated_room(factories.make_room(), es=SPANISH, fr=FRENCH)
    url = room.get_absolute_url()
    for language, title in [("es", "Acceso a la justicia"), ("fr", "Accès à la justice")]:
        first = client.get(url, headers={"accept-language": language})
        assert first["X-Room-Cache"] == "miss"
    for language, title, other in [
        ("es", "Acceso a la justicia", "Accès à la justice"),
        ("fr", "Accès à la justice", "Acceso a la justicia"),
    ]:
        again = client.get(url, headers={"accept-language": language})
        assert again["X-Room-Cache"] == "hit"
        html = again.content.decode()
        assert f"<h1>{title}" in html and other not in html
    # Editing one language's text drops the cached pages.
    room.title_fr = "Accès au droit"
    room.save()
    fresh = client.get(url, headers={"accept-language": "fr"})
    assert fresh["X-Room-Cache"] == "miss"
    assert "<h1>Accès au droit" in fresh.content.decode()
    question = GuidingQuestion.objects.get(room=room)
    question.text_es = "¿Quién no tiene acceso?"
    question.save()
    assert "¿Quién no tiene acceso?" in client.get(url, headers={"accept-language": "es"}).content.decode()


def _queries(client, url, language):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers={"accept-language": language}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_room_page_keeps_its_query_budget_with_texts_in_every_language(
    client, room, participant, moderator, signed_in
):
    every_language = {
        code: {
            "title": f"Room [{code}]",
            "introduction": f"Intro [{code}]",
            "heading": f"H [{code}]",
            "question": f"Q [{code}]",
        }
        for code in place_texts.LANGUAGES
    }
    translated_room(room, **every_language)
    factories.make_question(room, "Only in English", position=2)
    for _ in range(3):
        factories.make_reply(factories.make_comment(room, participant))
    summaries.write_summary(
        moderator,
        room=room,
        kind="interim",
        period_start=room.consultation.today(),
        period_end=room.consultation.today(),
        body="Week one.",
    )
    if signed_in:
        client.force_login(participant)
    url = room.get_absolute_url()
    english = _queries(client, url, "en")
    for language in ("es", "fr", "ar", "ru", "zh-hans"):
        assert _queries(client, url, language) == english
    assert english <= (6 if not signed_in else 13)


# --- The admin -------------------------------------------------------------------


def test_the_admin_change_page_shows_every_languages_fields(admin_client, room):
    html = admin_client.get(reverse("admin:forum_room_change", args=[room.pk])).content.decode()
    for code in place_texts.LANGUAGES:
        suffix = code.replace("-", "_")
        for name in ("title", "introduction", "objective", "outcome"):
            assert f'name="{name}_{suffix}"' in html
    assert re.search(r'name="title_ar"[^>]*dir="rtl"|dir="rtl"[^>]*name="title_ar"', html)
    # No rendered HTML to edit, no slug per language, nothing from a CDN.
    assert 'name="introduction_html' not in html and 'name="slug_' not in html
    assert "googleapis" not in html and "//ajax." not in html
    consultation_page = admin_client.get(reverse("admin:forum_consultation_change", args=[room.consultation.pk]))
    assert 'name="language"' in consultation_page.content.decode()


def test_an_admin_saves_a_rooms_spanish_and_french_texts(admin_client, room):
    from tests.forum.admin_forms import room_change_form

    data = room_change_form(room) | {
        "title_es": "Acceso a la justicia",
        "introduction_es": "Bienvenidos.",
        "title_fr": "Accès à la justice",
        "introduction_fr": "Bienvenue.",
    }
    response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    room.refresh_from_db()
    assert (room.title_es, room.title_fr, room.slug) == ("Acceso a la justicia", "Accès à la justice", room.slug)
    assert room.introduction_html_es == "<p>Bienvenidos.</p>"
    assert room.introduction_html_fr == "<p>Bienvenue.</p>"
    assert room.title_en == data["title_en"]  # the English text, as it was


def test_the_admin_asks_for_the_title_in_the_consultations_language_only(admin_client, room):
    from tests.forum.admin_forms import room_change_form

    room.consultation.language = "es"
    room.consultation.save()
    data = room_change_form(room) | {"title_en": "In English only"}
    response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 200
    assert "Español" in response.content.decode()
    data["title_es"] = "Sólo en español"
    data["title_en"] = ""
    assert admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data).status_code == 302
    assert Room.objects.get(pk=room.pk).title_es == "Sólo en español"


def test_staff_translate_a_summary_in_the_admin_and_readers_see_it(admin_client, client, room, moderator):
    summary = summaries.write_summary(
        moderator,
        room=room,
        kind="interim",
        period_start=room.consultation.today(),
        period_end=room.consultation.today(),
        body="Week one: **funding**.",
    )
    assert summary.body_source_en == "Week one: **funding**."
    url = reverse("admin:forum_roomsummary_change", args=[summary.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="body_source_fr"' in html and 'name="body_source_en"' in html
    data = {f"body_source_{code.replace('-', '_')}": "" for code in place_texts.LANGUAGES}
    data |= {"body_source_en": "Week one: **funding**.", "body_source_fr": "Semaine un : le **financement**."}
    assert admin_client.post(url, data).status_code == 302
    summary = RoomSummary.objects.get(pk=summary.pk)
    assert summary.body_html_fr == "<p>Semaine un : le <strong>financement</strong>.</p>"
    assert "Semaine un : le <strong>financement</strong>." in in_language(client, room.get_absolute_url(), "fr")
    assert "Week one: <strong>funding</strong>." in in_language(client, room.get_absolute_url(), "es")


def test_admin_search_finds_a_room_by_its_title_in_any_language(admin_client, room):
    translated_room(room, fr={"title": "Accès à la justice"})
    found = admin_client.get(reverse("admin:forum_room_changelist") + "?q=Accès").content.decode()
    assert f"/admin/forum/room/{room.pk}/change/" in found


def test_the_migration_copies_each_existing_text_into_its_consultations_language(migrator):
    before, after = [("forum", "0024_comment_may_be_quoted")], [("forum", "0025_texts_in_every_language")]
    migrator.migrate(before)
    apps = migrator.loader.project_state(before).apps
    consultation = apps.get_model("forum", "Consultation").objects.create(
        title="Old", slug="old", introduction="Old intro", introduction_html="<p>Old intro</p>"
    )
    room = apps.get_model("forum", "Room").objects.create(
        consultation=consultation, title="Old room", slug="old-room", introduction="Hi"
    )
    group = apps.get_model("forum", "QuestionGroup").objects.create(room=room, heading="Old heading")
    apps.get_model("forum", "GuidingQuestion").objects.create(room=room, group=group, text="Old question?")

    migrator.loader.build_graph()
    migrator.migrate(after)
    apps = migrator.loader.project_state(after).apps
    copied = apps.get_model("forum", "Consultation").objects.get(slug="old")
    assert (copied.language, copied.title_en, copied.introduction_html_en) == ("en", "Old", "<p>Old intro</p>")
    assert copied.title_fr is None
    room = apps.get_model("forum", "Room").objects.get(slug="old-room")
    assert (room.title_en, room.introduction_en) == ("Old room", "Hi")
    assert apps.get_model("forum", "QuestionGroup").objects.get(room=room).heading_en == "Old heading"
    assert apps.get_model("forum", "GuidingQuestion").objects.get(room=room).text_en == "Old question?"


def test_a_comment_s_own_pages_and_its_room_name_fall_back_to_the_consultations_language(client, participant):
    consultation = factories.make_consultation(language="es")
    room = factories.make_room(consultation, title="Access to justice")
    room.title_es = "Acceso a la justicia"
    room.save()
    comment = factories.make_comment(room, participant, body="Los tribunales están lejos.")
    client.force_login(factories.make_user("Jean Dupont"))
    html = in_language(client, reverse("forum:report-comment", args=[comment.pk]), "fr")
    title = html.split("<title>")[1].split("</title>")[0]
    assert "Acceso a la justicia" in title and "Access to justice" not in title
    with translation.override("fr"):
        card = display.draw_single(participant, comment, name_room=True)
    assert card.place.title == "Acceso a la justicia"
