"""Machine translation of comments: the engines (Apertium offline, a
LibreTranslate-compatible server the test starts), what is kept out of their
reach, and when translations are made and made again."""

import json
import re
import socket
import time
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forum import machine_translation, services
from forum.machine_translation import EngineUnavailable, markup
from forum.machine_translation.apertium import Apertium
from forum.machine_translation.libretranslate import LibreTranslate
from forum.models import CommentTranslation
from tests import factories

_TEXT = re.compile(r"(<[^>]*>)")


class UppercaseEngine:
    """Translates by shouting: enough to see what reached the engine."""

    name = "uppercase"
    seen: list[str] = []

    def pairs(self):
        return frozenset((a, b) for a in ("en", "es", "fr") for b in ("en", "es", "fr") if a != b)

    def translate(self, fragments, *, source, target):
        UppercaseEngine.seen.extend(fragments)
        return [
            "".join(p if p.startswith("<") else f"[{target}] {p.upper()}" if p.strip() else p for p in _TEXT.split(f))
            for f in fragments
        ]


class BrokenEngine(UppercaseEngine):
    name = "broken"

    def translate(self, fragments, *, source, target):
        raise EngineUnavailable("down for maintenance")


class ForgetfulEngine(UppercaseEngine):
    """Drops the placeholders, as a careless engine might."""

    name = "forgetful"

    def translate(self, fragments, *, source, target):
        return [re.sub(r"qxz[a-z]{3}", "", f) for f in fragments]


@pytest.fixture
def engine(settings):
    settings.TRANSLATION_BACKEND = "tests.forum.test_machine_translation.UppercaseEngine"
    UppercaseEngine.seen = []
    return machine_translation.engine()


# --- What the engine is given, and what comes back -------------------------

BODY = (
    '<p>Gracias <a href="/u/alvaro/" class="mention">@alvaro</a> y Álvaro Herrero por '
    '<a href="https://example.org/informe" rel="nofollow ugc noopener">el informe</a>, #Justicia2030 '
    "y <code>x &lt; y</code> &amp; más.</p>"
    '<blockquote><p><a href="http://testserver/comment/7/" class="reference">Comment by Ana in Room</a>'
    '<span class="reference__excerpt">“un texto citado”</span></p></blockquote>'
)


def test_the_engine_sees_words_only_and_everything_else_comes_back_untouched():
    shielded = markup.shield(BODY, names=["Álvaro Herrero"])
    for kept in ("@alvaro", "Álvaro Herrero", "el informe", "#Justicia2030", "x &lt; y", "Comment by Ana", "citado"):
        assert kept not in shielded.html
    assert "Gracias" in shielded.html and "<blockquote>" in shielded.html
    [answer] = UppercaseEngine().translate([shielded.html], source="es", target="en")
    html = markup.unshield(answer, shielded)
    for kept in (
        '<a href="/u/alvaro/" class="mention">@alvaro</a>',
        "Álvaro Herrero",
        '<a href="https://example.org/informe" rel="nofollow ugc noopener">el informe</a>',
        "#Justicia2030",
        "<code>x &lt; y</code>",
        '<span class="reference__excerpt">“un texto citado”</span>',
    ):
        assert kept in html
    assert "GRACIAS" in html and "<blockquote>" in html


def test_a_placeholder_the_engine_capitalised_is_still_found():
    shielded = markup.shield('<p><a href="/u/a/" class="mention">@a</a> dijo</p>')
    assert markup.unshield(shielded.html.replace("qxzaaa", "QXZAAA"), shielded).startswith('<p><a href="/u/a/"')


def test_an_answer_that_lost_a_kept_element_is_refused():
    shielded = markup.shield(BODY)
    with pytest.raises(markup.LostMarkup):
        markup.unshield(shielded.html.replace("qxzaaa", ""), shielded)
    with pytest.raises(markup.LostMarkup):
        markup.unshield(shielded.html + " qxzaaa", shielded)


def test_engine_marks_are_never_shown_and_entities_survive():
    shielded = markup.shield("<p>x</p>")
    assert markup.unshield("<p>The *PNUD and #vínculo &#39;ok&#39; @error</p>", shielded) == (
        "<p>The PNUD and vínculo 'ok' error</p>"
    )


def test_what_comes_back_is_sanitised_like_any_body():
    shielded = markup.shield("<p>hola</p>")
    html = markup.unshield('<p onclick="x()">hello</p><script>alert(1)</script>', shielded)
    assert "script" not in html and "onclick" not in html and "hello" in html


def test_a_body_that_writes_the_placeholder_prefix_gets_another_one():
    shielded = markup.shield('<p>qxzaaa <a href="/u/a/" class="mention">@a</a></p>')
    assert shielded.prefix != "qxz"
    assert markup.unshield(shielded.html, shielded) == '<p>qxzaaa <a href="/u/a/" class="mention">@a</a></p>'


# --- Apertium, offline -----------------------------------------------------


@pytest.fixture(scope="module")
def apertium():
    return Apertium()


def test_apertium_reaches_english_and_french_through_spanish(apertium):
    assert {("es", "en"), ("en", "es"), ("es", "fr"), ("fr", "es"), ("en", "fr"), ("fr", "en")} <= apertium.pairs()
    assert ("en", "ar") not in apertium.pairs()


def test_apertium_translates_and_keeps_names_and_markup(apertium):
    body = (
        "<p>Los intérpretes del PNUD y Álvaro Herrero están de acuerdo con "
        '<a href="/u/ana/" class="mention">@ana</a>.</p>'
    )
    shielded = markup.shield(body, names=["Álvaro Herrero"])
    [english] = apertium.translate([shielded.html], source="es", target="en")
    html = markup.unshield(english, shielded)
    assert "interpreters" in html
    assert "Álvaro Herrero" in html and "Smith" not in html
    assert '<a href="/u/ana/" class="mention">@ana</a>' in html
    assert "*" not in html and "PNUD" in html


def test_apertium_translates_english_into_french_in_one_batch(apertium):
    first, second = apertium.translate(
        ["<p>The civil registry is important.</p>", "<p>Thank you</p>"], source="en", target="fr"
    )
    assert "état civil" in first and "<p>" in first
    assert second.startswith("<p>") and "Thank" not in second


def test_apertium_refuses_a_pair_it_cannot_reach(apertium):
    with pytest.raises(EngineUnavailable):
        apertium.translate(["<p>hello</p>"], source="en", target="ar")


def test_apertium_missing_offers_nothing():
    assert Apertium(command="/nonexistent/apertium").pairs() == frozenset()


# --- A LibreTranslate-compatible server, started here ----------------------


class _LibreTranslateHandler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def log_message(self, *args):
        pass

    def _answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/languages":
            self._answer(
                200, [{"code": "en", "name": "English", "targets": ["en", "es"]}, {"code": "es", "targets": ["en"]}]
            )
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _LibreTranslateHandler.requests.append(payload)
        if payload.get("api_key") != "secret":
            return self._answer(403, {"error": "Invalid API key"})
        translated = [f"<p>[{payload['target']}] {q.removeprefix('<p>')}" for q in payload["q"]]
        self._answer(200, {"translatedText": translated})


@pytest.fixture
def libretranslate_server():
    _LibreTranslateHandler.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LibreTranslateHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_libretranslate_lists_its_pairs_and_translates_html(libretranslate_server):
    engine = LibreTranslate(url=libretranslate_server, api_key="secret")
    assert engine.pairs() == frozenset({("en", "es"), ("es", "en")})
    assert engine.translate(["<p>one</p>", "<p>two</p>"], source="en", target="es") == [
        "<p>[es] one</p>",
        "<p>[es] two</p>",
    ]
    sent = _LibreTranslateHandler.requests[-1]
    assert sent["format"] == "html" and sent["source"] == "en" and sent["api_key"] == "secret"


def test_libretranslate_refusing_or_down_is_unavailable_not_an_error(libretranslate_server):
    with pytest.raises(EngineUnavailable):
        LibreTranslate(url=libretranslate_server, api_key="wrong").translate(["<p>x</p>"], source="en", target="es")
    closed = LibreTranslate(url="http://127.0.0.1:9", api_key="")
    assert closed.pairs() == frozenset()
    with pytest.raises(EngineUnavailable):
        closed.translate(["<p>x</p>"], source="en", target="es")


def test_the_site_can_be_set_to_use_the_server(settings, libretranslate_server, room):
    settings.TRANSLATION_BACKEND = "forum.machine_translation.libretranslate.LibreTranslate"
    settings.TRANSLATION_SERVER_URL = libretranslate_server
    settings.TRANSLATION_API_KEY = "secret"
    machine_translation._engine_for.cache_clear()
    try:
        comment = factories.make_comment(room, body="The civil registry matters to everyone here.", language="en")
        translation = CommentTranslation.objects.get(comment=comment)
        assert (translation.language, translation.engine) == ("es", "libretranslate")
        assert translation.body_html.startswith("<p>[es] ")
    finally:
        machine_translation._engine_for.cache_clear()


# --- When translations are made -------------------------------------------


def test_a_published_comment_is_translated_into_the_other_site_languages(engine, room):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    made = dict(CommentTranslation.objects.filter(comment=comment).values_list("language", "body_html"))
    assert set(made) == {"en", "fr"}
    assert made["en"] == "<p>[en] LOS INTÉRPRETES SON ESENCIALES.</p>"
    assert all(t.translates(comment) for t in CommentTranslation.objects.filter(comment=comment))


def test_names_of_the_rooms_people_reach_the_engine_as_placeholders(engine, room):
    factories.make_comment(room, author=factories.make_user("Álvaro Herrero"), body="Hola a todos.", language="es")
    comment = factories.make_comment(room, body="Estoy de acuerdo con Álvaro Herrero.", language="es")
    assert all("Herrero" not in fragment for fragment in UppercaseEngine.seen)
    assert "Álvaro Herrero" in CommentTranslation.objects.get(comment=comment, language="en").body_html


def test_an_edit_makes_the_translations_again(engine, room):
    comment = factories.make_comment(room, body="Primera versión del texto.", language="es")
    services.edit_comment(comment.author, comment=comment, body="Segunda versión del texto.", language="es")
    english = CommentTranslation.objects.get(comment=comment, language="en")
    assert "SEGUNDA" in english.body_html
    comment.refresh_from_db()
    assert english.translates(comment)


def test_a_translation_of_an_earlier_body_is_stale(engine, room):
    comment = factories.make_comment(room, body="Primera versión.", language="es")
    english = CommentTranslation.objects.get(comment=comment, language="en")
    comment.body_html = "<p>Otra cosa</p>"
    assert not english.translates(comment)
    comment.refresh_from_db()
    comment.language = "fr"
    assert not english.translates(comment)


def test_held_and_hidden_comments_are_never_translated(engine, room, settings):
    room.premoderate_first = 1
    room.save()
    held = factories.make_comment(room, body="Un comentario retenido.", language="es")
    assert held.is_pending and not CommentTranslation.objects.filter(comment=held).exists()
    from forum.services.translations import translate_comment

    hidden = factories.make_comment(room, author=held.author, body="Otro.", language="es")
    CommentTranslation.objects.filter(comment=hidden).delete()
    hidden.state = hidden.State.HIDDEN
    hidden.save(update_fields=["state"])
    assert translate_comment.call(hidden.pk) == {"translated": []}
    assert not CommentTranslation.objects.filter(comment=hidden).exists()


def test_an_approved_comment_is_translated_then(engine, room, moderator):
    room.premoderate_first = 1
    room.save()
    held = factories.make_comment(room, body="Un comentario retenido.", language="es")
    services.approve_comment(moderator, comment=held)
    assert set(CommentTranslation.objects.filter(comment=held).values_list("language", flat=True)) == {"en", "fr"}


def test_a_comment_of_unknown_language_is_not_sent_to_the_engine(engine, room):
    comment = factories.make_comment(room, body="ok")
    assert comment.language == "" and not CommentTranslation.objects.filter(comment=comment).exists()


def test_an_engine_that_is_down_stores_nothing_and_the_post_still_works(settings, room):
    settings.TRANSLATION_BACKEND = "tests.forum.test_machine_translation.BrokenEngine"
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    assert comment.pk and not CommentTranslation.objects.filter(comment=comment).exists()


def test_an_engine_that_loses_markup_is_recorded_as_failed_not_shown(settings, room):
    settings.TRANSLATION_BACKEND = "tests.forum.test_machine_translation.ForgetfulEngine"
    mentioned = factories.make_user(handle="ana")
    comment = factories.make_comment(room, body="Gracias @ana por todo.", language="es")
    assert mentioned.pk
    failed = CommentTranslation.objects.get(comment=comment, language="en")
    assert failed.status == CommentTranslation.Status.FAILED and failed.body_html == ""


def test_no_engine_means_no_task_at_all(settings, room):
    settings.TRANSLATION_BACKEND = "none"
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    assert not CommentTranslation.objects.filter(comment=comment).exists()


# --- A reader asks for a comment in their language -------------------------


def _translation_page(client, comment, language="en", **headers):
    return client.get(reverse("forum:comment-translation", args=[comment.pk, language]), **headers)


def test_the_translation_page_shows_the_translation_labelled_and_the_original(client, engine, room):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    html = _translation_page(client, comment).content.decode()
    assert "Machine translation from Español" in html
    assert "[en] LOS INTÉRPRETES SON ESENCIALES." in html
    assert f'href="/comment/{comment.pk}/"' in html and "Show original" in html
    assert "Los intérpretes son esenciales." in html  # the original, below


def test_a_translation_not_made_yet_is_asked_of_the_worker(client, engine, room, settings):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    CommentTranslation.objects.filter(comment=comment).delete()
    html = _translation_page(client, comment).content.decode()
    # The tests' queue runs the task at once: the page shows what it made.
    assert "[en] LOS INTÉRPRETES" in html
    assert CommentTranslation.objects.filter(comment=comment, language="en").exists()


def test_a_translation_on_its_way_says_so(client, engine, room, settings):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    CommentTranslation.objects.filter(comment=comment).delete()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    html = _translation_page(client, comment, "fr", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "est en cours" in html or "being made" in html


def test_a_pair_the_engine_cannot_translate_says_so(client, settings, room):
    settings.TRANSLATION_BACKEND = "forum.machine_translation.apertium.Apertium"
    comment = factories.make_comment(room, body="This is a comment in English.", language="en")
    settings.LANGUAGES = [*settings.LANGUAGES, ("ar", "العربية")]
    response = _translation_page(client, comment, "ar")
    assert response.status_code == 200
    assert "No machine translation from English into" in response.content.decode()


def test_asking_too_often_is_refused_with_a_wait(client, engine, room, settings):
    settings.FORUM_RATE_LIMITS = {"translate": [(1, 600)]}
    first = factories.make_comment(room, body="Primera cosa que decir.", language="es")
    second = factories.make_comment(room, body="Segunda cosa que decir.", language="es")
    CommentTranslation.objects.all().delete()
    assert _translation_page(client, first).status_code == 200
    refused = _translation_page(client, second)
    assert refused.status_code == 429 and "many translations" in refused.content.decode()


@pytest.mark.parametrize("state", ["hidden", "pending", "deleted"])
def test_hidden_held_and_deleted_comments_are_never_shown_translated(client, engine, room, state):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    assert CommentTranslation.objects.filter(comment=comment, language="en").exists()
    comment.state = state
    comment.save(update_fields=["state"])
    assert _translation_page(client, comment).status_code == 404


def test_no_translation_into_the_comments_own_or_an_unknown_language(client, engine, room):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    assert _translation_page(client, comment, "es").status_code == 404
    assert _translation_page(client, comment, "xx").status_code == 404


def test_a_comment_in_an_unpublished_room_is_not_found(client, engine, room):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    room.is_published = False
    room.save()
    assert _translation_page(client, comment).status_code == 404


def test_a_translation_is_never_what_exports_quote(client, engine, room, moderator):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    client.force_login(moderator)
    export = client.get(reverse("forum:room-export-csv", args=[room.consultation.slug, room.slug]))
    text = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "Los intérpretes son esenciales." in text and "LOS INTÉRPRETES" not in text
    assert comment.pk


def test_the_room_page_offers_a_translation_into_the_readers_language_only(client, engine, room):
    spanish = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    french = factories.make_comment(room, body="Les interprètes sont essentiels.", language="fr")
    unknown = factories.make_comment(room, body="ok")
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    link = reverse("forum:comment-translation", args=[spanish.pk, "fr"])
    assert f'href="{link}" data-translate="{spanish.pk}" rel="nofollow">Traduire en Français</a>' in html
    assert f'data-translate="{french.pk}"' not in html
    assert f'data-translate="{unknown.pk}"' not in html


def test_no_link_is_offered_where_the_engine_cannot_go(client, settings, room):
    comment = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'data-translate="{comment.pk}"' not in html  # TRANSLATION_BACKEND is "none"


# --- Reading comments translated at once ------------------------------------


def test_a_person_who_chose_so_reads_comments_translated_with_the_original_a_click_away(client, engine, room):
    spanish = factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    factories.make_reply(spanish, body="Estoy de acuerdo con esto.", language="es")
    reader = factories.make_user(reads_translations=True)
    client.force_login(reader)
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "[en] LOS INTÉRPRETES SON ESENCIALES." in html and "[en] ESTOY DE ACUERDO" in html
    assert '<details class="comment__original"><summary>Show original</summary>' in html
    assert "Los intérpretes son esenciales." in html
    thread = client.get(
        reverse("forum:thread", args=[room.consultation.slug, room.slug, spanish.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "[en] LOS INTÉRPRETES" in thread and "[en] ESTOY DE ACUERDO" in thread


def test_others_see_comments_as_written(client, engine, room):
    factories.make_comment(room, body="Los intérpretes son esenciales.", language="es")
    client.force_login(factories.make_user())
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "LOS INTÉRPRETES" not in html and "Translate to English" in html


def test_an_edited_comment_shows_no_translation_of_its_old_text(client, settings, room):
    settings.TRANSLATION_BACKEND = "tests.forum.test_machine_translation.UppercaseEngine"
    comment = factories.make_comment(room, body="Primera versión.", language="es")
    settings.TRANSLATION_BACKEND = "tests.forum.test_machine_translation.BrokenEngine"
    services.edit_comment(comment.author, comment=comment, body="Segunda versión.", language="es")
    assert not CommentTranslation.objects.filter(comment=comment).exists()
    client.force_login(factories.make_user(reads_translations=True))
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "PRIMERA" not in html and "Segunda versión." in html


def test_reading_translated_costs_the_room_page_no_query(client, engine, room):
    for n in range(5):
        parent = factories.make_comment(room, body=f"Comentario número {n} en español.", language="es")
        factories.make_reply(parent, body="Una respuesta en español.", language="es")
    plain, translated = factories.make_user(), factories.make_user(reads_translations=True)
    counts = []
    for reader in (plain, translated):
        client.force_login(reader)
        client.get(room.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            client.get(room.get_absolute_url())
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_the_choice_is_in_the_profile(client, participant):
    client.force_login(participant)
    data = {"display_name": participant.display_name, "handle": participant.handle, "reads_translations": "on"}
    client.post(reverse("accounts:profile-edit"), data)
    participant.refresh_from_db()
    assert participant.reads_translations


def test_a_hanging_server_delays_a_page_by_two_seconds_at_most_once_a_minute():
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()  # accepts the connection, never answers
    try:
        engine = LibreTranslate(url=f"http://127.0.0.1:{listening.getsockname()[1]}", api_key="")
        started = time.monotonic()
        assert engine.pairs() == frozenset()
        assert time.monotonic() - started < 5
        started = time.monotonic()
        assert engine.pairs() == frozenset()  # not asked again so soon
        assert time.monotonic() - started < 0.5
    finally:
        listening.close()
