"""What a visitor sees in a room, how threads are paged, and what it costs."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from forum.models import Comment, Room
from forum.selectors import replies_shown_per_thread
from tests import factories


def shown_comment_ids(html):
    return [int(found) for found in re.findall(r'<article id="comment-(\d+)"', html)]


def test_the_room_shows_its_texts_questions_and_moderators(client, room, moderator):
    room.objective, room.outcome = "Agree on priorities.", "A list for the report."
    room.save()
    access = factories.make_question_group(room, "Access", position=1)
    reform = factories.make_question_group(room, "Reform", position=2)
    factories.make_question(room, "Which reforms worked?", position=1, group=reform)
    factories.make_question(room, "Who lacks access?", position=1, group=access)
    factories.make_question(room, "What does it cost?", position=2, group=access)
    html = client.get(room.get_absolute_url()).content.decode()
    assert "Welcome to this discussion." in html
    assert "Agree on priorities." in html
    assert "A list for the report." in html
    assert html.index("Access") < html.index("Who lacks access?") < html.index("Reform") < html.index("Which reforms")
    # Numbering runs on across the groups.
    assert re.search(r'<li value="3">\s*Which reforms worked\?', html)
    assert "On duty now:" in html
    assert moderator.display_name in html


def test_the_moderators_on_duty_are_named_and_the_whole_rota_has_its_dates(client, room):
    on_duty = factories.make_user("On Duty")
    finished = factories.make_user("Rota Ended")
    not_yet = factories.make_user("Starts Next Week")
    factories.assign_moderator(room, on_duty, starts_in_days=-3, ends_in_days=3)
    factories.assign_moderator(room, finished, starts_in_days=-10, ends_in_days=-1)
    factories.assign_moderator(room, not_yet, starts_in_days=7)
    html = client.get(room.get_absolute_url()).content.decode()
    now, rota = html.split("On duty now:")[1].split("The whole rota")
    assert "On Duty" in now
    assert "Rota Ended" not in now and "Starts Next Week" not in now
    today = timezone.localdate()
    assert rota.index("Rota Ended") < rota.index("On Duty") < rota.index("Starts Next Week")
    next_week = today + timedelta(days=7)
    assert f"Starts Next Week</a>: from {date_format(next_week, 'DATE_FORMAT')}" in rota
    ended = today - timedelta(days=10), today - timedelta(days=1)
    assert (
        f"Rota Ended</a>: {date_format(ended[0], 'MONTH_DAY_FORMAT')} to {date_format(ended[1], 'DATE_FORMAT')}" in rota
    )


def test_comments_show_author_organisation_moderator_badge_and_time(client, room, participant, moderator):
    by_participant = factories.make_comment(room, participant, body="From the field")
    by_moderator = factories.make_reply(by_participant, moderator, body="Welcome!")
    html = client.get(room.get_absolute_url()).content.decode()
    participant_article = re.search(rf'<article id="comment-{by_participant.pk}".*?</article>', html, re.S).group(0)
    moderator_article = re.search(rf'<article id="comment-{by_moderator.pk}".*?</article>', html, re.S).group(0)
    assert "Amina Diallo" in participant_article
    assert "Legal Aid Network" in participant_article
    assert "Moderator" not in participant_article.split("comment__body")[0]
    assert '<span class="badge">Moderator</span>' in moderator_article
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">now</time>', participant_article)


def test_older_comments_say_how_long_ago_with_the_exact_time_on_hover(client, room, participant):
    comment = factories.make_comment(room, participant)
    three_hours_ago = comment.created_at - timedelta(hours=3)
    Comment.objects.filter(pk=comment.pk).update(created_at=three_hours_ago)
    html = client.get(room.get_absolute_url()).content.decode()
    exact = date_format(timezone.localtime(three_hours_ago), "DATETIME_FORMAT")
    assert f'title="{exact}">3\xa0hours ago</time>' in html


def test_the_heading_counts_visible_comments(client, room, participant):
    root = factories.make_comment(room, participant)
    factories.make_reply(root)
    assert "Comments (2)" in client.get(room.get_absolute_url()).content.decode()


def test_anonymous_visitors_are_invited_to_sign_in_and_come_back(client, room):
    html = client.get(room.get_absolute_url()).content.decode()
    assert "Please" in html and "sign in</a> or" in html and "sign up</a> to comment" in html
    back = f"?next={room.get_absolute_url()}"
    assert f'href="{reverse("account_login")}{back}"' in html
    assert f'href="{reverse("account_signup")}{back}"' in html
    assert 'name="body"' not in html


def test_an_unpublished_room_is_not_found_except_for_staff(client, room, participant, staff):
    Room.objects.filter(pk=room.pk).update(is_published=False)
    assert client.get(room.get_absolute_url()).status_code == 404
    client.force_login(participant)
    assert client.get(room.get_absolute_url()).status_code == 404
    client.force_login(staff)
    assert client.get(room.get_absolute_url()).status_code == 200


def test_a_room_of_an_unpublished_consultation_is_not_found(client, room, consultation):
    consultation.is_published = False
    consultation.save()
    assert client.get(room.get_absolute_url()).status_code == 404
    assert client.get(consultation.get_absolute_url()).status_code == 404


def test_threads_are_paged_twenty_at_a_time_oldest_first(client, room, participant):
    roots = [factories.make_comment(room, participant, body=f"Thread {n}") for n in range(1, 46)]
    first = shown_comment_ids(client.get(room.get_absolute_url()).content.decode())
    third = shown_comment_ids(client.get(room.get_absolute_url() + "?page=3").content.decode())
    assert first == [root.pk for root in roots[:20]]
    assert third == [root.pk for root in roots[40:]]
    assert client.get(room.get_absolute_url() + "?page=4").status_code == 404
    assert client.get(room.get_absolute_url() + "?page=abc").status_code == 404


def test_newest_first_puts_the_latest_threads_on_page_one(client, room, participant):
    roots = [factories.make_comment(room, participant, body=f"Thread {n}") for n in range(1, 26)]
    first = shown_comment_ids(client.get(room.get_absolute_url() + "?order=newest").content.decode())
    second = shown_comment_ids(client.get(room.get_absolute_url() + "?order=newest&page=2").content.decode())
    assert first == [root.pk for root in reversed(roots[5:])]
    assert second == [root.pk for root in reversed(roots[:5])]


def test_a_page_with_replies_keeps_each_thread_in_reading_order(client, room, participant):
    first = factories.make_comment(room, participant, body="First")
    second = factories.make_comment(room, participant, body="Second")
    a = factories.make_reply(first)
    b = factories.make_reply(second)
    a1 = factories.make_reply(a)
    c = factories.make_reply(first)
    ids = shown_comment_ids(client.get(room.get_absolute_url()).content.decode())
    assert ids == [first.pk, a.pk, a1.pk, c.pk, second.pk, b.pk]


def test_a_long_thread_shows_its_first_replies_and_continues_on_its_own_page(client, room, participant, settings):
    root = factories.make_comment(room, participant, body="Big thread")
    replies = [factories.make_reply(root, body=f"Reply {n}") for n in range(120)]
    html = client.get(room.get_absolute_url()).content.decode()
    ids = shown_comment_ids(html)
    assert len(ids) == settings.FORUM_COMMENTS_PER_ROOM_PAGE
    assert ids == [root.pk] + [reply.pk for reply in replies[:99]]
    thread_url = reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])
    assert "Continue this thread" in html and thread_url in html
    page_one = shown_comment_ids(client.get(thread_url).content.decode())
    page_two = shown_comment_ids(client.get(thread_url + "?page=2").content.decode())
    assert page_one == [root.pk] + [reply.pk for reply in replies[:100]]
    assert page_two == [root.pk] + [reply.pk for reply in replies[100:]]


def test_the_room_page_never_draws_more_than_about_a_hundred_comments(client, room, participant):
    for n in range(25):
        root = factories.make_comment(room, participant, body=f"Thread {n}")
        for _ in range(6):
            factories.make_reply(root)
    ids = shown_comment_ids(client.get(room.get_absolute_url()).content.decode())
    assert 90 <= len(ids) <= 100
    assert len([i for i in ids if Comment.objects.get(pk=i).level == 0]) == 20


def test_the_reply_budget_shows_short_threads_whole_and_shares_the_rest():
    assert replies_shown_per_thread([1, 2, 3], budget=97) == 3
    assert replies_shown_per_thread([0, 0, 200], budget=80) == 80
    assert replies_shown_per_thread([2, 50, 50], budget=80) == 39
    assert replies_shown_per_thread([10] * 20, budget=80) == 4
    assert replies_shown_per_thread([], budget=100) == 0


def test_a_thread_page_for_a_reply_id_is_not_found(client, room, participant):
    root = factories.make_comment(room, participant)
    reply = factories.make_reply(root)
    url = reverse("forum:thread", args=[room.consultation.slug, room.slug, reply.pk])
    assert client.get(url).status_code == 404


def test_a_thread_page_of_another_room_is_not_found(client, room, consultation, participant):
    other = factories.make_room(consultation)
    root = factories.make_comment(other, participant)
    url = reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])
    assert client.get(url).status_code == 404


def test_hidden_and_deleted_comments_keep_the_thread_readable(client, room, participant):
    root = factories.make_comment(room, participant, body="Root")
    hidden = factories.make_reply(root, body="Insulting words")
    deleted_with_reply = factories.make_reply(root, body="I take this back")
    kept = factories.make_reply(deleted_with_reply, body="Answer to the deleted one")
    deleted_leaf = factories.make_reply(root, body="Gone entirely")
    Comment.objects.filter(pk=hidden.pk).update(state=Comment.State.HIDDEN, hidden_reason="personal attack")
    Comment.objects.filter(pk__in=[deleted_with_reply.pk, deleted_leaf.pk]).update(state=Comment.State.DELETED)
    html = client.get(room.get_absolute_url()).content.decode()
    assert "Hidden by a moderator: personal attack" in html
    assert "Insulting words" not in html
    assert "Comment deleted by its author." in html
    assert "I take this back" not in html
    assert "Answer to the deleted one" in html
    assert f'id="comment-{deleted_leaf.pk}"' not in html
    assert "Gone entirely" not in html
    assert shown_comment_ids(html) == [root.pk, hidden.pk, deleted_with_reply.pk, kept.pk]


def test_a_display_name_with_markup_is_escaped(client, room):
    author = factories.make_user('<img src=x onerror=alert(1)>"><script>x</script>', organisation="<b>NGO</b>")
    factories.make_comment(room, author)
    html = client.get(room.get_absolute_url()).content.decode()
    assert "<img src=x" not in html
    assert "<script>x" not in html
    assert "<b>NGO</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def _room_page_queries(client, room):
    url = room.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _fill_room(room, participant, comments):
    """Threads of ten (a root and nine replies, three levels deep) up to `comments`."""
    made = 0
    while made < comments:
        root = factories.make_comment(room, participant)
        parent, made = root, made + 1
        for n in range(9):
            if made >= comments:
                break
            parent = factories.make_reply(parent if n % 3 else root)
            made += 1


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_room_page_costs_the_same_queries_with_10_and_500_comments(client, room, participant, moderator, signed_in):
    factories.make_question(room)
    if signed_in:
        client.force_login(participant)
    _fill_room(room, participant, 10)
    small = _room_page_queries(client, room)
    _fill_room(room, participant, 490)
    room.refresh_from_db()
    assert room.comment_count == 500
    large = _room_page_queries(client, room)
    assert small == large
    # Signed in: the visit recorded after the page is drawn (tests/forum/test_new_since_last_visit.py).
    assert large <= (6 if not signed_in else 12)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_a_thread_page_costs_the_same_queries_with_10_and_120_replies(client, room, participant, signed_in):
    if signed_in:
        client.force_login(participant)
    root = factories.make_comment(room, participant)
    url = reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add_replies(count):
        parent = root
        for n in range(count):
            parent = factories.make_reply(parent if n % 3 else root)

    add_replies(10)
    small = queries()
    add_replies(110)
    large = queries()
    assert small == large
    assert large <= (5 if not signed_in else 12)


def test_the_last_page_costs_the_same_queries_as_the_first(client, room, participant):
    _fill_room(room, participant, 300)
    first = _room_page_queries(client, room)
    last_page = room.get_absolute_url() + "?page=2"
    with CaptureQueriesContext(connection) as queries:
        client.get(last_page)
    assert len(queries) == first
    assert not any("OFFSET" in query["sql"].upper() for query in queries.captured_queries)


def test_the_newest_summary_is_pinned_at_the_top_within_the_query_budget(client, room, participant, moderator):
    from datetime import timedelta

    from django.utils.timezone import localdate

    from forum.services.summaries import write_summary

    factories.make_comment(room, participant, body="Before the summary.")
    yesterday = localdate() - timedelta(days=1)
    write_summary(
        moderator,
        room=room,
        kind="interim",
        period_start=yesterday,
        period_end=yesterday,
        body="Week one: **funding**.",
    )
    three_days_ago = localdate() - timedelta(days=3)
    write_summary(
        moderator, room=room, kind="interim", period_start=three_days_ago, period_end=three_days_ago, body="Older."
    )
    url = room.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    assert len(queries) <= 6
    assert "Week one: <strong>funding</strong>." in html
    assert "Older." not in html
    assert "1 comment posted since the period this summary covers." in html


def test_a_locked_thread_offers_no_reply_when_the_room_is_filtered_by_question(
    participant_client, room, other_participant
):
    question = factories.make_question(room, "What works?")
    root = factories.make_comment(room, other_participant, body="Tagged and locked.", guiding_question=question)
    reply = factories.make_reply(root, other_participant, body="A reply in the locked thread.")
    Comment.objects.filter(pk=root.pk).update(is_locked=True)
    Comment.objects.filter(pk=reply.pk).update(guiding_question=question)

    response = participant_client.get(f"{room.get_absolute_url()}?question={question.pk}")

    assert response.status_code == 200
    assert f'data-reply-to="{root.pk}"' not in response.content.decode()
    assert f'data-reply-to="{reply.pk}"' not in response.content.decode()
