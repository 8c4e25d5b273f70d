"""A French reader reads a Spanish comment in French, translated offline by
Apertium, with the original one click away: without JavaScript, and in place
with it."""

import pytest
from playwright.sync_api import expect

from tests import factories

BODY = "Los intérpretes de lengua de señas son esenciales para el acceso a la justicia."


@pytest.fixture
def spanish_comment(settings, transactional_db):
    settings.TRANSLATION_BACKEND = "forum.machine_translation.apertium.Apertium"
    room = factories.make_room(title="Acceso a la justicia")
    author = factories.make_user("Álvaro Herrero")
    return factories.make_comment(room, author, body=BODY, language="es")


def _french_reader(browser, *, javascript: bool):
    context = browser.new_context(
        locale="fr-FR", java_script_enabled=javascript, viewport={"width": 1280, "height": 800}
    )
    return context, context.new_page()


def test_without_javascript_the_translation_is_a_page_and_the_original_one_click_away(
    browser, live_server, spanish_comment
):
    context, page = _french_reader(browser, javascript=False)
    try:
        page.goto(live_server.url + spanish_comment.room.get_absolute_url())
        article = page.locator(f"#comment-{spanish_comment.pk}")
        expect(article.locator(".comment__body")).to_contain_text("Los intérpretes")
        article.get_by_role("link", name="Traduire en Français").click()

        translation = page.locator(f"#translation-{spanish_comment.pk}")
        expect(translation).to_contain_text("Traduction automatique (original en Español)")
        expect(translation.locator(".comment__body")).to_contain_text("interprètes")
        expect(translation.locator(".comment__body")).to_have_attribute("lang", "fr")
        translation.get_by_role("link", name="Voir l’original").click()

        expect(page).to_have_url(
            f"{live_server.url}{spanish_comment.room.get_absolute_url()}#comment-{spanish_comment.pk}"
        )
        expect(page.locator(f"#comment-{spanish_comment.pk} .comment__body")).to_contain_text("Los intérpretes")
    finally:
        context.close()


def test_with_javascript_the_translation_takes_the_texts_place_and_gives_it_back(browser, live_server, spanish_comment):
    context, page = _french_reader(browser, javascript=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        room_url = live_server.url + spanish_comment.room.get_absolute_url()
        page.goto(room_url)
        article = page.locator(f"#comment-{spanish_comment.pk}")
        article.get_by_role("link", name="Traduire en Français").click()

        translation = article.locator(".translation")
        expect(translation).to_contain_text("interprètes")
        expect(article.locator(":scope > .comment__body")).to_be_hidden()
        expect(page).to_have_url(room_url)  # drawn in place, no navigation

        translation.get_by_role("link", name="Voir l’original").click()
        expect(article.locator(":scope > .comment__body")).to_be_visible()
        expect(translation).to_be_hidden()
        expect(article.get_by_role("link", name="Traduire en Français")).to_be_focused()
        assert errors == []
    finally:
        context.close()
