"""Searching what people wrote: words, names and organisations, filters, what
stays out of reach, highlighted excerpts, pages and what they cost.

Tests marked `postgresql` exercise the full-text index (stemming, ranking and
the triggers of migration 0004); the rest hold on both databases."""

import re
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum import search, services
from forum.models import Comment
from tests import factories


def search_page(client, **params):
    response = client.get(reverse("forum:search"), params)
    assert response.status_code == 200
    return response.content.decode()


def found_ids(html):
    return [int(found) for found in re.findall(r'class="search-result__open" href="/comment/(\d+)/"', html)]


def written_on(comment, day):
    """Move a comment to noon of the given day, as if written then."""
    noon = timezone.make_aware(datetime.combine(day, time(12)))
    Comment.objects.filter(pk=comment.pk).update(created_at=noon)


# --- What a search finds ----------------------------------------------------------


def test_a_word_finds_the_comments_that_contain_it(client, room, participant):
    courts = factories.make_comment(room, participant, body="Rural courts are too far away for most people.")
    factories.make_comment(room, participant, body="Legal aid clinics help a great deal.")

    assert found_ids(search_page(client, q="courts")) == [courts.pk]


def test_every_word_of_the_search_must_be_found(client, room, participant):
    both = factories.make_comment(room, participant, body="Rural courts are too far away.")
    factories.make_comment(room, participant, body="Our courts in the capital work well.")

    assert found_ids(search_page(client, q="rural courts")) == [both.pk]


def test_case_does_not_matter(client, room, participant):
    comment = factories.make_comment(room, participant, body="The Ombudsman answered quickly.")

    assert found_ids(search_page(client, q="OMBUDSMAN")) == [comment.pk]


def test_a_persons_name_finds_what_they_wrote(client, room):
    amina = factories.make_user("Amina Diallo")
    by_amina = factories.make_comment(room, amina, body="We run mobile clinics.")
    factories.make_comment(room, factories.make_user("Jean Dupont"), body="We run mobile clinics too.")

    html = search_page(client, q="Diallo")

    assert found_ids(html) == [by_amina.pk]
    assert "Amina <mark>Diallo</mark>" in html


def test_a_name_is_found_without_its_accents(client, room):
    alvaro = factories.make_user("Álvaro Herrero")
    comment = factories.make_comment(room, alvaro, body="Speaking from Madrid.")

    assert found_ids(search_page(client, q="alvaro")) == [comment.pk]


def test_an_organisation_finds_what_its_people_wrote(client, room):
    member = factories.make_user("Grace Wanjiru", organisation="Legal Aid Network")
    by_member = factories.make_comment(room, member, body="Our paralegals cover six districts.")
    factories.make_comment(room, factories.make_user("Li Wei"), body="Our volunteers cover two districts.")

    html = search_page(client, q="Legal Aid Network")

    assert found_ids(html) == [by_member.pk]
    assert "<mark>Legal</mark> <mark>Aid</mark> <mark>Network</mark>" in html


def test_a_result_shows_author_room_date_and_links_to_the_comment(client, room):
    author = factories.make_user("Kwame Mensah", organisation="Justice Watch")
    comment = factories.make_comment(room, author, body="Court fees keep poor people out.")

    html = search_page(client, q="fees")

    assert "Kwame Mensah" in html
    assert "Justice Watch" in html
    assert f'href="{room.get_absolute_url()}">{room.title}</a>' in html
    assert f'<time datetime="{comment.created_at.isoformat()}">' in html
    assert f'href="{comment.get_absolute_url()}"' in html
    assert "1 comment matches “fees”" in html


# --- Stemming, languages and ranking (PostgreSQL) -------------------------------------


@pytest.mark.postgresql
def test_a_spanish_comment_is_found_by_other_forms_of_its_words(client, room, participant):
    comment = factories.make_comment(
        room, participant, body="Los tribunales rurales necesitan más jueces.", language="es"
    )

    assert found_ids(search_page(client, q="tribunal")) == [comment.pk]
    # "necesitamos" and "necesitan" share the stem "necesit": no substring search finds this.
    html = search_page(client, q="necesitamos")
    assert found_ids(html) == [comment.pk]
    assert "<mark>necesitan</mark>" in html


@pytest.mark.postgresql
def test_an_english_comment_is_found_by_other_forms_of_its_words(client, room, participant):
    comment = factories.make_comment(room, participant, body="The courts of appeal hear too few cases.", language="en")

    assert found_ids(search_page(client, q="court")) == [comment.pk]
    assert found_ids(search_page(client, q="hearing")) == [comment.pk]


@pytest.mark.postgresql
def test_a_french_comment_is_found_by_other_forms_of_its_words(client, room, participant):
    comment = factories.make_comment(
        room, participant, body="Les tribunaux coutumiers jouent un rôle central.", language="fr"
    )

    html = search_page(client, q="tribunal coutumier")

    assert found_ids(html) == [comment.pk]
    assert "<mark>tribunaux</mark> <mark>coutumiers</mark>" in html


@pytest.mark.postgresql
def test_a_russian_comment_is_found_by_other_forms_of_its_words(client, room, participant):
    comment = factories.make_comment(room, participant, body="Суды перегружены делами.", language="ru")

    html = search_page(client, q="суд")

    assert found_ids(html) == [comment.pk]
    assert "<mark>Суды</mark>" in html


@pytest.mark.postgresql
def test_the_better_match_comes_first_even_when_older(client, room, participant):
    better = factories.make_comment(
        room, participant, body="Courts, courts, courts: every district needs courts it can reach.", language="en"
    )
    weaker = factories.make_comment(
        room, participant, body="Funding cycles are short, training is thin, and the courts are slow.", language="en"
    )

    assert found_ids(search_page(client, q="courts")) == [better.pk, weaker.pk]


@pytest.mark.postgresql
def test_an_edited_comment_is_found_by_its_new_words(client, room, participant):
    comment = factories.make_comment(room, participant, body="Prisons are overcrowded.", language="en")

    services.edit_comment(participant, comment=comment, body="Detention centres are overcrowded.", language="en")

    assert found_ids(search_page(client, q="detention")) == [comment.pk]
    assert found_ids(search_page(client, q="prisons")) == []


@pytest.mark.postgresql
def test_a_renamed_person_is_found_by_their_new_name(client, room):
    author = factories.make_user("Sofia Rossi", handle="sofia")
    comment = factories.make_comment(room, author, body="Greetings from Rome.")

    author.display_name = "Sofia Bianchi"
    author.save()

    assert found_ids(search_page(client, q="Bianchi")) == [comment.pk]
    assert found_ids(search_page(client, q="Rossi")) == []


@pytest.mark.postgresql
def test_comments_inserted_in_bulk_are_found(client, room, participant):
    # Imports and benchmarks write rows directly; the database indexes them all the same.
    (comment,) = Comment.objects.bulk_create(
        [
            Comment(
                room=room,
                author=participant,
                body_source="Tribunales móviles.",
                body_html="<p>Tribunales móviles.</p>",
                language="es",
                tree_id=999,
                lft=1,
                rght=2,
                level=0,
            )
        ]
    )

    assert found_ids(search_page(client, q="tribunal")) == [comment.pk]


@pytest.mark.postgresql
def test_both_queries_of_a_search_can_use_the_full_text_index(client, room, participant):
    factories.make_comment(room, participant, body="Rural courts.", language="en")
    with CaptureQueriesContext(connection) as queries:
        search_page(client, q="courts")
    matching = [query["sql"] for query in queries.captured_queries if "@@" in query["sql"]]

    assert len(matching) == 2
    with connection.cursor() as cursor:
        # A test database is too small for the planner to choose the index by itself:
        # with a room or two it would rather walk the room's comments, a nested loop.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        for sql in matching:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Bitmap Index Scan on forum_comment_search" in plan


# --- Filters -----------------------------------------------------------------------


def test_the_room_filter_keeps_that_rooms_comments(client, consultation, participant):
    access, reform = factories.make_room(consultation), factories.make_room(consultation)
    in_access = factories.make_comment(access, participant, body="Paralegals help.")
    factories.make_comment(reform, participant, body="Paralegals need training.")

    assert found_ids(search_page(client, q="paralegals", room=access.pk)) == [in_access.pk]


def test_the_consultation_filter_keeps_that_consultations_comments(client, participant):
    first, second = factories.make_room(), factories.make_room()
    in_first = factories.make_comment(first, participant, body="Paralegals help.")
    factories.make_comment(second, participant, body="Paralegals need training.")

    assert found_ids(search_page(client, q="paralegals", consultation=first.consultation.slug)) == [in_first.pk]


def test_the_author_filter_keeps_that_persons_comments(client, room, participant, other_participant):
    by_participant = factories.make_comment(room, participant, body="Paralegals help.")
    factories.make_comment(room, other_participant, body="Paralegals need training.")

    assert found_ids(search_page(client, q="paralegals", author=participant.handle)) == [by_participant.pk]
    assert found_ids(search_page(client, q="paralegals", author=f"@{participant.handle.upper()}")) == [
        by_participant.pk
    ]


def test_the_question_filter_keeps_the_answers_to_it(client, room, participant):
    question = factories.make_question(room, "Who lacks access?")
    other = factories.make_question(room, "What works?", position=1)
    answer = factories.make_comment(room, participant, body="Paralegals reach villages.", guiding_question=question)
    factories.make_comment(room, participant, body="Paralegals work.", guiding_question=other)

    html = search_page(client, q="paralegals", room=room.pk, question=question.pk)

    assert found_ids(html) == [answer.pk]
    assert "Answering: Who lacks access?" in html


def test_the_question_filter_offers_the_chosen_rooms_questions(client, room, consultation):
    factories.make_question(room, "Who lacks access?")
    factories.make_question(factories.make_room(consultation), "Which reforms worked?")

    html = search_page(client, q="anything", room=room.pk)

    assert "Who lacks access?" in html
    assert "Which reforms worked?" not in html


def test_the_language_filter_keeps_comments_in_that_language(client, room, participant):
    spanish = factories.make_comment(room, participant, body="Paralegales en cada distrito.", language="es")
    factories.make_comment(room, participant, body="Paralegales everywhere, please.", language="en")

    assert found_ids(search_page(client, q="paralegales", language="es")) == [spanish.pk]


def test_the_dates_keep_comments_written_between_them_both_days_included(client, room, participant):
    march = [factories.make_comment(room, participant, body=f"Budget note {n}.") for n in range(4)]
    for comment, day in zip(march, (1, 10, 20, 31)):
        written_on(comment, date(2026, 3, day))

    html = search_page(client, q="budget", **{"from": "2026-03-10", "to": "2026-03-20"})

    assert sorted(found_ids(html)) == [march[1].pk, march[2].pk]


def test_a_badly_written_date_gets_a_message_instead_of_an_error(client, room, participant):
    factories.make_comment(room, participant, body="Budget note.")

    html = search_page(client, q="budget", **{"from": "31/03/2026", "to": "2026-02-30"})

    assert html.count("Write the date as YYYY-MM-DD") >= 2
    assert found_ids(html) == []


def test_dates_in_the_wrong_order_get_a_message(client, db):
    html = search_page(client, q="budget", **{"from": "2026-04-01", "to": "2026-03-01"})

    assert "The end date comes before the start date." in html


def test_filters_that_match_nothing_here_get_messages_instead_of_errors(client, room):
    html = search_page(
        client,
        q="budget",
        consultation="no-such-thing",
        room="abc",
        question="99999999999999999999",
        author="nobody_here",
        language="xx",
        **{"from": "0001-01-01"},
    )

    assert "There is no public consultation at that address." in html
    assert "That room does not exist or is not public." in html
    assert "That guiding question does not exist or is not public." in html
    assert "Nobody here has the handle @nobody_here." in html
    assert "We do not know that language." in html
    assert "Choose a date between 1900-01-01 and 2999-12-31." in html


def test_a_room_from_another_consultation_gets_a_message(client, room):
    elsewhere = factories.make_room()

    html = search_page(client, q="budget", consultation=room.consultation.slug, room=elsewhere.pk)

    assert "This room is not part of the chosen consultation." in html


# --- What never shows ----------------------------------------------------------------


@pytest.mark.parametrize("as_staff", [False, True])
def test_hidden_deleted_and_pending_comments_never_show(
    client, consultation, room, participant, moderator, staff, as_staff
):
    visible = factories.make_comment(room, participant, body="Ombudsman offices: visible.")
    hidden = factories.make_comment(room, participant, body="Ombudsman offices: hidden.")
    services.hide_comment(moderator, comment=hidden, reason="Off-topic.")
    deleted = factories.make_comment(room, participant, body="Ombudsman offices: deleted.")
    services.delete_comment(participant, comment=deleted)
    held_room = factories.make_room(consultation, premoderate_first=1)
    pending = factories.make_comment(held_room, factories.make_user("Newcomer"), body="Ombudsman offices: pending.")
    assert pending.is_pending
    if as_staff:
        client.force_login(staff)

    html = search_page(client, q="ombudsman")

    assert found_ids(html) == [visible.pk]
    for word in ("hidden.", "deleted.", "pending."):
        assert word not in html


@pytest.mark.parametrize("as_staff", [False, True])
def test_comments_in_unpublished_rooms_or_consultations_never_show(client, participant, staff, as_staff):
    published = factories.make_room()
    shown = factories.make_comment(published, participant, body="Ombudsman offices: public.")
    draft_room = factories.make_room(published.consultation, title="Secret drafting room")
    factories.make_comment(draft_room, participant, body="Ombudsman offices: draft room.")
    draft_room.is_published = False
    draft_room.save()
    draft_consultation = factories.make_consultation(title="Secret draft consultation")
    room_of_draft = factories.make_room(draft_consultation)
    factories.make_comment(room_of_draft, participant, body="Ombudsman offices: draft consultation.")
    draft_consultation.is_published = False
    draft_consultation.save()
    if as_staff:
        client.force_login(staff)

    html = search_page(client, q="ombudsman")

    assert found_ids(html) == [shown.pk]
    # (Every page loads drafts.js, for the drafts of comments: the comments' own words are what must not show.)
    assert "draft room" not in html and "draft consultation" not in html
    # Their names do not leak through the filters either.
    assert draft_room.title not in html
    assert draft_consultation.title not in html
    assert "That room does not exist or is not public." in search_page(client, q="ombudsman", room=draft_room.pk)


# --- Excerpts ----------------------------------------------------------------------


def test_the_excerpt_shows_markup_from_the_comment_as_text_and_marks_only_the_words(client, room, participant):
    factories.make_comment(
        room, participant, body='Courts <script>alert("x")</script> and <b>bold</b> claims & "quotes".'
    )

    html = search_page(client, q="courts")
    excerpt = re.search(r'<p class="search-result__excerpt"[^>]*>(.*?)</p>', html, re.S).group(1)

    assert excerpt.startswith("<mark>Courts</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
    assert "&lt;b&gt;bold&lt;/b&gt;" in excerpt
    assert "&amp;" in excerpt
    assert "<" not in re.sub(r"</?mark>", "", excerpt)


def test_a_long_comment_is_excerpted_around_the_first_match(client, room, participant):
    opening = "We met with many people in the districts over the summer months. " * 8
    factories.make_comment(room, participant, body=opening + "The ombudsman never replied to our letters. " + opening)

    html = search_page(client, q="ombudsman")
    excerpt = re.search(r'<p class="search-result__excerpt"[^>]*>(.*?)</p>', html, re.S).group(1)

    assert excerpt.startswith("… ")
    assert excerpt.endswith(" …")
    assert "The <mark>ombudsman</mark> never replied" in excerpt
    assert len(re.sub(r"<[^>]+>", "", excerpt)) <= search.EXCERPT_LENGTH + 4


# --- The page itself -----------------------------------------------------------------


def test_the_page_has_a_search_box_that_works_without_javascript(client, db):
    html = search_page(client)

    assert '<form method="get" action="/search/"' in html
    assert 'type="search" name="q"' in html


def test_an_empty_search_invites_words_and_shows_no_results(client, room, participant):
    factories.make_comment(room, participant, body="Anything at all.")

    for params in ({}, {"q": ""}, {"q": "   "}, {"q": "", "room": room.pk}):
        html = search_page(client, **params)
        assert "Type a word, a name or an organisation" in html
        assert found_ids(html) == []


def test_a_search_that_finds_nothing_says_so(client, room, participant):
    factories.make_comment(room, participant, body="Anything at all.")

    html = search_page(client, q="zebra")

    assert "No comment matches “zebra”." in html


def test_a_very_long_search_is_shortened_and_still_answered(client, room, participant):
    comment = factories.make_comment(room, participant, body="Mobile courts visit the islands.")

    html = search_page(client, q="mobile courts " + "x" * 2000)

    assert "That was long: we searched for “mobile courts” only." in html
    assert found_ids(html) == [comment.pk]
    html = search_page(client, q=" ".join(["islands"] * 1000))
    assert "That was long" in html
    assert found_ids(html) == [comment.pk]
    assert found_ids(search_page(client, q="y" * 2000)) == []


def test_search_syntax_characters_are_just_text(client, room, participant):
    comment = factories.make_comment(room, participant, body="Mobile courts visit the islands.")

    assert found_ids(search_page(client, q='"mobile courts"')) == [comment.pk]
    assert found_ids(search_page(client, q="courts! (islands) & visit:*")) == [comment.pk]
    assert "Type a word" in search_page(client, q="- & | ! ( ) : * ' \\")


def test_results_come_twenty_to_a_page_and_the_next_page_keeps_the_filters(client, room, participant):
    comments = [factories.make_comment(room, participant, body=f"Budget line {n}.") for n in range(25)]

    first = search_page(client, q="budget", room=room.pk)
    second = search_page(client, q="budget", room=room.pk, page=2)

    assert len(found_ids(first)) == 20
    assert len(found_ids(second)) == 5
    assert set(found_ids(first)) | set(found_ids(second)) == {comment.pk for comment in comments}
    assert f'href="?page=2&amp;q=budget&amp;room={room.pk}"' in first
    assert "25 comments match “budget”" in first


def test_past_the_last_result_page_the_last_page_shows(client, room, participant):
    comment = factories.make_comment(room, participant, body="Budget line.")

    for page in ("7", "abc", "-1"):
        assert found_ids(search_page(client, q="budget", page=page)) == [comment.pk]


def test_a_search_matching_very_many_comments_counts_only_as_far_as_the_pages_reach(
    client, room, participant, monkeypatch
):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    monkeypatch.setattr(search, "RESULTS_PER_PAGE", 2)
    for n in range(5):
        factories.make_comment(room, participant, body=f"Budget line {n}.")

    html = search_page(client, q="budget")

    assert "More than 3 comments match “budget”" in html
    assert "Page 1 of 2" in html


def _search_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        html = search_page(client, **params)
    return len(queries), html


def test_a_search_costs_the_same_queries_for_5_and_50_results(client, room, participant):
    question = factories.make_question(room)
    for n in range(5):
        factories.make_comment(room, participant, body=f"Budget line {n}.", guiding_question=question)
    small, html = _search_queries(client, q="budget")
    assert len(found_ids(html)) == 5
    for n in range(45):
        factories.make_comment(room, participant, body=f"Budget line {n}.", guiding_question=question)

    large, html = _search_queries(client, q="budget")

    assert len(found_ids(html)) == 20
    assert "50 comments match" in html
    assert small == large
    # The consultation and room choices, the count and the page.
    assert large <= 4
    filtered, _html = _search_queries(client, q="budget", room=room.pk, author=participant.handle)
    assert filtered <= large + 4
