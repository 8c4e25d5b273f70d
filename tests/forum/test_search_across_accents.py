"""Search across accents, case and width, on SQLite (FTS5) and PostgreSQL
(unaccent before the stemmer): what a person types without accents on a
phone keyboard finds what was written with them (migration 0021)."""

import pytest
from django.db import connection

from django.urls import reverse

from accounts.models import User
from forum import search, services
from tests import factories


def found(words, **filters):
    page = search.search_comments(words=words, **filters)
    return [result.comment.pk for result in page.object_list] if page else []


@pytest.fixture
def written(room, participant):
    return {
        "interpreters": factories.make_comment(
            room, participant, body="Faltan intérpretes de lengua de señas en los tribunales.", language="es"
        ),
        "senegal": factories.make_comment(
            room, participant, body="Au Sénégal, l’état civil reste hors de portée des villages.", language="fr"
        ),
        "other": factories.make_comment(room, participant, body="Legal aid clinics help a great deal.", language="en"),
    }


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("interpretes", "interpreters"),
        ("intérpretes", "interpreters"),
        ("INTÉRPRETES", "interpreters"),
        ("ＩＮＴÉＲＰＲＥＴＥＳ", "interpreters"),
        ("senegal", "senegal"),
        ("SÉNÉGAL", "senegal"),
        ("etat civil", "senegal"),
        ("senas", "interpreters"),
    ],
)
def test_accents_case_and_width_do_not_matter(written, words, expected):
    assert found(words) == [written[expected].pk]


def test_names_are_found_without_their_accents(room):
    author = factories.make_user("Álvaro Herrero", organisation="Fundación Árbol")
    comment = factories.make_comment(room, author, body="Propongo una reforma.", language="es")
    assert found("alvaro") == [comment.pk]
    assert found("fundacion arbol") == [comment.pk]


def test_a_renamed_author_is_found_by_the_new_name(room):
    author = factories.make_user("Ana Pérez")
    comment = factories.make_comment(room, author, body="Una idea para el programa.", language="es")
    User.objects.filter(pk=author.pk).update(display_name="Ana Gómez", search_name="ana gomez")
    assert found("gomez") == [comment.pk]
    assert found("perez") == []


def test_an_edited_or_deleted_comment_is_found_as_it_is_now(room, participant):
    comment = factories.make_comment(room, participant, body="Los jueces deben formarse.", language="es")
    services.edit_comment(participant, comment=comment, body="Los fiscales deben formarse.", language="es")
    assert found("fiscales") == [comment.pk] and found("jueces") == []
    services.delete_comment(participant, comment=comment)
    assert found("fiscales") == []


def test_chinese_words_are_found_inside_a_sentence(room, participant):
    comment = factories.make_comment(room, participant, body="我们需要更多的手语翻译。", language="zh")
    assert found("手语") == [comment.pk]


def test_more_matches_rank_first(room, participant):
    once = factories.make_comment(room, participant, body="Los intérpretes ayudan, y mucho más.", language="es")
    often = factories.make_comment(
        room, participant, body="Intérpretes, intérpretes: sin intérpretes no hay justicia.", language="es"
    )
    assert found("interpretes") == [often.pk, once.pk]


@pytest.mark.postgresql
def test_spanish_stemming_still_works_with_accents_folded(room, participant):
    assert connection.vendor == "postgresql"
    comment = factories.make_comment(room, participant, body="Los tribunales rurales están lejos.", language="es")
    assert found("tribunal") == [comment.pk]
    assert found("rural") == [comment.pk]
    assert found("estan") == [comment.pk]


# --- Searching machine translations too -------------------------------------


@pytest.fixture
def translated(settings, room, participant):
    settings.TRANSLATION_BACKEND = "tests.forum.test_machine_translation.UppercaseEngine"
    return factories.make_comment(room, participant, body="Los intérpretes son esenciales.", language="es")


def test_a_search_can_include_comments_whose_translation_matches_marked_as_such(translated):
    assert found("ESENCIALES") == [translated.pk]  # as written (the fake engine shouts)
    page = search.search_comments(words="[en]", translations_in="en")
    assert page is not None
    [result] = page.object_list
    assert result.comment.pk == translated.pk
    assert result.in_translation and result.excerpt_language == "en"
    assert "] LOS INTÉRPRETES" in result.excerpt and "<mark>en</mark>" in result.excerpt
    assert found("[en]") == []  # without asking for translations


def test_a_comment_found_as_written_is_not_marked_as_translated(translated):
    [result] = search.search_comments(words="interpretes", translations_in="en").object_list
    assert not result.in_translation and "intérpretes" in result.excerpt


def test_the_search_page_marks_what_was_found_in_a_translation(client, translated):
    html = client.get(reverse("forum:search"), {"q": "[en]", "translated": "on"}).content.decode()
    assert "Found in its machine translation into English" in html
