"""Summary pages (statistics of a room and of a consultation) and the
moderators' written summaries of a room."""

import re
import zoneinfo
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import save_profile, verify_organisation
from forum import services
from forum.models import Comment, Room, RoomSummary
from forum.services.summaries import write_summary
from forum.charts import Table, column_chart, horizontal_bar_chart
from forum.selectors import latest_room_summary, room_statistics
from tests import factories

pytestmark = pytest.mark.django_db


# --- Helpers ----------------------------------------------------------------


def room_summary_url(room):
    return reverse("forum:room-summary", args=[room.consultation.slug, room.slug])


def consultation_summary_url(consultation):
    return reverse("forum:consultation-summary", args=[consultation.slug])


def summaries_url(room):
    return reverse("forum:room-summaries", args=[room.consultation.slug, room.slug])


def write_url(room):
    return reverse("forum:write-room-summary", args=[room.consultation.slug, room.slug])


def edit_url(summary):
    return reverse("forum:edit-room-summary", args=[summary.room.consultation.slug, summary.room.slug, summary.pk])


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def posted_on(comment, day, hour=12):
    """Move a comment to a day (noon, local time) so activity spreads over days."""
    moment = timezone.make_aware(datetime.combine(day, time(hour)))
    Comment.objects.filter(pk=comment.pk).update(created_at=moment)


def set_language(comment, code):
    Comment.objects.filter(pk=comment.pk).update(language=code)


def article_ids(html):
    return [int(found) for found in re.findall(r'<article id="comment-(\d+)"', html)]


def totals_in(html):
    """The figures of the "In figures" list, by their name."""
    return {name: int(value.replace(",", "")) for name, value in re.findall(r"<dt>([^<]+)</dt><dd>([\d,]+)</dd>", html)}


def summary_form(**fields):
    today = timezone.localdate()
    return {
        "kind": "interim",
        "period_start": (today - timedelta(days=6)).isoformat(),
        "period_end": today.isoformat(),
        "body": "The first week, in brief.",
    } | fields


def summarise(room, author, *, days_ago=0, length=7, kind="interim", body="What was said."):
    """A summary covering `length` days and ending `days_ago` days ago, through the service."""
    end = timezone.localdate() - timedelta(days=days_ago)
    return write_summary(
        author, room=room, kind=kind, period_start=end - timedelta(days=length - 1), period_end=end, body=body
    )


# --- Who sees the summary pages ---------------------------------------------


def _client_for(who, client, room):
    """Sign in as one kind of visitor to `room` and return the client."""
    if who == "anonymous":
        return client
    if who == "participant":
        user = factories.make_user("Pat Participant")
    elif who == "moderator":
        user = factories.make_user("Mo Moderator")
        factories.assign_moderator(room, user)
    elif who == "moderator elsewhere":
        user = factories.make_user("Other Moderator")
        factories.assign_moderator(factories.make_room(room.consultation), user)
    elif who == "moderator in another consultation":
        user = factories.make_user("Distant Moderator")
        factories.assign_moderator(factories.make_room(), user)
    elif who == "moderator off duty":
        user = factories.make_user("Past Moderator")
        factories.assign_moderator(room, user, starts_in_days=-10, ends_in_days=-1)
    else:
        user = factories.make_user("Sam Staff", is_staff=True)
    client.force_login(user)
    return client


ROOM_ACCESS = [
    # who, room state, consultation makes summaries public once closed, answer
    ("anonymous", "open", False, "login"),
    ("participant", "open", False, 403),
    ("moderator", "open", False, 200),
    ("moderator elsewhere", "open", False, 403),
    ("moderator off duty", "open", False, 403),
    ("staff", "open", False, 200),
    ("anonymous", "open", True, "login"),
    ("participant", "open", True, 403),
    ("anonymous", "closed", True, 200),
    ("participant", "closed", True, 200),
    ("moderator elsewhere", "closed", True, 200),
    ("anonymous", "closed", False, "login"),
    ("participant", "closed", False, 403),
    ("moderator", "closed", False, 200),
    ("staff", "closed", False, 200),
]


def assert_answer(response, expected):
    if expected == "login":
        assert is_login_redirect(response), response.status_code
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("who,state,public,expected", ROOM_ACCESS)
def test_who_sees_a_rooms_summary_page(client, who, state, public, expected):
    consultation = factories.make_consultation(summaries_public_when_closed=public)
    room = factories.make_room(consultation, state=state)
    client = _client_for(who, client, room)

    assert_answer(client.get(room_summary_url(room)), expected)


CONSULTATION_ACCESS = [
    ("anonymous", "open", False, "login"),
    ("participant", "open", False, 403),
    ("moderator", "open", False, 200),
    # A moderator of any of its rooms sees the whole consultation's figures.
    ("moderator elsewhere", "open", False, 200),
    ("moderator in another consultation", "open", False, 403),
    ("moderator off duty", "open", False, 403),
    ("staff", "open", False, 200),
    ("anonymous", "open", True, "login"),
    ("participant", "open", True, 403),
    ("anonymous", "closed", True, 200),
    ("participant", "closed", True, 200),
    ("anonymous", "closed", False, "login"),
    ("participant", "closed", False, 403),
    ("moderator in another consultation", "closed", False, 403),
    ("moderator", "closed", False, 200),
    ("staff", "closed", False, 200),
]


@pytest.mark.parametrize("who,state,public,expected", CONSULTATION_ACCESS)
def test_who_sees_a_consultations_summary_page(client, who, state, public, expected):
    consultation = factories.make_consultation(summaries_public_when_closed=public)
    room = factories.make_room(consultation, state=state)
    factories.make_room(consultation, state=state)
    client = _client_for(who, client, room)

    assert_answer(client.get(consultation_summary_url(consultation)), expected)


def test_a_consultation_summary_stays_private_while_one_of_its_rooms_is_open(client):
    consultation = factories.make_consultation(summaries_public_when_closed=True)
    closed = factories.make_room(consultation, state=Room.State.CLOSED)
    factories.make_room(consultation, state=Room.State.OPEN)
    # An unpublished room does not hold the summary back.
    factories.make_room(consultation, state=Room.State.OPEN, is_published=False)

    assert is_login_redirect(client.get(consultation_summary_url(consultation)))
    assert client.get(room_summary_url(closed)).status_code == 200

    Room.objects.filter(consultation=consultation, is_published=True).update(state=Room.State.CLOSED)
    assert client.get(consultation_summary_url(consultation)).status_code == 200


def test_unpublished_rooms_and_consultations_have_no_summary_page_except_for_staff(client, staff):
    draft = factories.make_consultation(is_published=False)
    draft_room = factories.make_room(draft)
    hidden_room = factories.make_room(factories.make_consultation(), is_published=False)
    moderator = factories.make_user("Mo Moderator")
    factories.assign_moderator(draft_room, moderator)
    factories.assign_moderator(hidden_room, moderator)

    client.force_login(moderator)
    assert client.get(room_summary_url(draft_room)).status_code == 404
    assert client.get(room_summary_url(hidden_room)).status_code == 404
    assert client.get(consultation_summary_url(draft)).status_code == 404
    assert client.get(summaries_url(hidden_room)).status_code == 404

    client.force_login(staff)
    assert client.get(room_summary_url(draft_room)).status_code == 200
    assert client.get(room_summary_url(hidden_room)).status_code == 200
    assert client.get(consultation_summary_url(draft)).status_code == 200


def test_a_moderator_of_any_room_sees_the_consultations_summary_page(client, room):
    other_room = factories.make_room(room.consultation)
    moderator = factories.make_user("Mo Moderator")
    factories.assign_moderator(other_room, moderator)
    client.force_login(moderator)

    assert client.get(consultation_summary_url(room.consultation)).status_code == 200
    assert client.get(room_summary_url(room)).status_code == 403


# --- The figures ------------------------------------------------------------


@pytest.fixture
def known_room(room, moderator):
    """Five visible comments by four people, and comments that must not count."""
    kenyan = factories.make_user("Wanjiru Kamau", country="KE")
    ngo = factories.make_user("Legal Aid Network", country="FR", speaks_for_organisation=True)
    second_kenyan = factories.make_user("Otieno Odhiambo", country="KE")
    no_country = factories.make_user("Ana Lima")
    first = factories.make_comment(room, kenyan, body="Courts are far away.")
    factories.make_reply(first, second_kenyan, body="And expensive.")
    factories.make_reply(first, kenyan, body="Mobile courts help.")
    second = factories.make_comment(room, ngo, body="Our clinics see this every day.")
    third = factories.make_comment(room, no_country, body="Paralegals matter.")
    for comment, code in [(first, "en"), (second, "fr"), (third, "")]:
        set_language(comment, code)
    Comment.objects.filter(author=second_kenyan).update(language="en")
    Comment.objects.filter(author=kenyan, level=1).update(language="en")

    hidden = factories.make_comment(room, factories.make_user("Spam Sender", country="BR"), body="Buy now.")
    services.hide_comment(moderator, comment=hidden, reason="Advertising.")
    leaver = factories.make_user("Changed Mind", country="DE")
    services.delete_comment(leaver, comment=factories.make_comment(room, leaver, body="Never mind."))
    Room.objects.filter(pk=room.pk).update(premoderate_first=1)
    room.refresh_from_db()
    held = factories.make_comment(room, factories.make_user("Newcomer", country="IT"), body="First post.")
    assert held.is_pending
    return room


def test_the_totals_count_visible_comments_people_organisations_countries_and_languages(client, known_room, moderator):
    client.force_login(moderator)

    response = client.get(room_summary_url(known_room))

    assert response.status_code == 200
    assert totals_in(response.content.decode()) == {
        "Comments": 5,
        "Threads": 3,
        "Participants": 4,
        "Individuals": 3,
        "Organisations": 1,
        "Verified organisations": 0,
        "Countries": 2,
        "Languages": 2,
    }
    totals = response.context["stats"].totals
    assert totals.unknown_language_comments == 1


def test_participants_are_broken_down_by_country_and_by_kind_with_tables(client, known_room, moderator):
    client.force_login(moderator)

    response = client.get(room_summary_url(known_room))

    stats = response.context["stats"]
    assert [(share.label, share.participants, share.comments) for share in stats.by_country] == [
        ("Kenya", 2, 3),
        ("France", 1, 1),
        ("Not given", 1, 1),
    ]
    assert [(share.label, share.participants, share.comments) for share in stats.by_kind] == [
        ("Individuals", 3, 4),
        ("Organisations", 1, 1),
    ]
    html = response.content.decode()
    assert re.search(r'<th scope="row">Kenya</th><td>2</td><td>3</td>', html)
    assert re.search(r'<th scope="row">Organisations</th><td>1</td><td>1</td>', html)
    for left_out in ("Brazil", "Germany", "Italy"):
        assert left_out not in html


def test_comments_of_unknown_language_are_shown_as_unknown(client, known_room, moderator):
    client.force_login(moderator)

    response = client.get(room_summary_url(known_room))

    assert [(share.label, share.comments) for share in response.context["stats"].by_language] == [
        ("English", 3),
        ("Français", 1),
        ("Unknown", 1),
    ]
    assert re.search(r'<th scope="row">Unknown</th><td>1</td></tr>', response.content.decode())


def test_the_consultation_counts_its_published_rooms_only(client, staff, known_room):
    other = factories.make_room(known_room.consultation, title="Funding")
    factories.make_comment(other, factories.make_user("Wanjiru Again", country="KE"), body="More money.")
    draft = factories.make_room(known_room.consultation, title="Draft room")
    factories.make_comment(draft, factories.make_user("Draft Writer", country="PE"), body="Not yet public.")
    Room.objects.filter(pk=draft.pk).update(is_published=False)
    client.force_login(staff)

    response = client.get(consultation_summary_url(known_room.consultation))

    html = response.content.decode()
    assert totals_in(html)["Comments"] == 6
    assert totals_in(html)["Participants"] == 5
    assert [(share.label, share.comments, share.participants) for share in response.context["stats"].by_room] == [
        (known_room.title, 5, 4),
        ("Funding", 1, 1),
    ]
    assert "Peru" not in html
    assert "Draft room" not in html


def test_each_question_lists_its_newest_tagged_comments_and_links_to_the_rest(client, room, moderator):
    first_question = factories.make_question(room, "Who lacks access?", position=1)
    second_question = factories.make_question(room, "What does it cost?", position=2)
    author = factories.make_user("Wanjiru Kamau")
    tagged = []
    for number in range(12):
        comment = factories.make_comment(room, author, body=f"Answer number {number}.")
        posted_on(comment, timezone.localdate() - timedelta(days=12 - number))
        services.tag_comment(moderator, comment=comment, question=first_question)
        tagged.append(comment)
    hidden = factories.make_comment(room, author, body="Tagged but hidden.")
    services.tag_comment(moderator, comment=hidden, question=first_question)
    services.hide_comment(moderator, comment=hidden, reason="Off topic.")
    on_cost = factories.make_comment(room, author, body="It costs a month's wage.")
    services.tag_comment(moderator, comment=on_cost, question=second_question)
    factories.make_comment(room, author, body="Not tagged.")
    client.force_login(moderator)

    response = client.get(room_summary_url(room))

    first, second = response.context["stats"].questions
    assert (first.number, first.comment_count, first.more) == (1, 12, 2)
    assert [comment.pk for comment in first.comments] == [comment.pk for comment in reversed(tagged[2:])]
    assert [comment.pk for comment in second.comments] == [on_cost.pk]
    html = response.content.decode()
    assert "12 comments tagged with this question" in html
    assert f'href="{room.get_absolute_url()}?question={first_question.pk}"' in html
    assert "And 2 more: read them in the room" in html
    shown = article_ids(html)
    assert tagged[0].pk not in shown and tagged[1].pk not in shown
    assert hidden.pk not in shown
    assert html.index("Answer number 11.") < html.index("Answer number 10.")


def test_highlighted_comments_are_listed_and_drawn_once(client, room, moderator):
    question = factories.make_question(room, "Who lacks access?")
    author = factories.make_user("Wanjiru Kamau")
    notable = factories.make_comment(room, author, body="A notable point.")
    services.tag_comment(moderator, comment=notable, question=question)
    services.highlight_comment(moderator, comment=notable)
    reply = factories.make_reply(notable, factories.make_user("Jean Dupont"), body="A notable reply.")
    services.highlight_comment(moderator, comment=reply)
    client.force_login(moderator)

    response = client.get(room_summary_url(room))

    html = response.content.decode()
    assert [comment.pk for comment in response.context["stats"].highlighted] == [reply.pk, notable.pk]
    assert article_ids(html).count(notable.pk) == 1
    assert f'<a href="#comment-{notable.pk}">shown above</a>' in html


def test_comments_per_day_fill_the_quiet_days_with_zero(client, room, moderator):
    first_day = timezone.localdate() - timedelta(days=10)
    author = factories.make_user("Wanjiru Kamau")
    for offset in (0, 1, 1, 4):
        posted_on(factories.make_comment(room, author), first_day + timedelta(days=offset))
    client.force_login(moderator)

    response = client.get(room_summary_url(room))

    per_day = response.context["stats"].per_day
    assert [(entry.day, entry.comments) for entry in per_day] == [
        (first_day, 1),
        (first_day + timedelta(days=1), 2),
        (first_day + timedelta(days=2), 0),
        (first_day + timedelta(days=3), 0),
        (first_day + timedelta(days=4), 1),
    ]
    chart = re.search(
        r'<figure class="chart chart--columns" id="chart-per-day">.*?</figure>', response.content.decode(), re.S
    )
    assert chart.group(0).count('<rect class="chart__column"') == 5
    assert chart.group(0).count('<tr><th scope="row">') == 5


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/New_York", "Pacific/Chatham"])
def test_days_are_counted_in_the_current_time_zone(room, participant, zone):
    local = zoneinfo.ZoneInfo(zone)
    day = timezone.localdate() - timedelta(days=30)
    moments = [
        datetime.combine(day, time(23, 50), local),
        datetime.combine(day + timedelta(days=1), time(0, 10), local),
        datetime.combine(day + timedelta(days=1), time(0, 20), local),
    ]
    for moment in moments:
        comment = factories.make_comment(room, participant)
        Comment.objects.filter(pk=comment.pk).update(created_at=moment)

    with timezone.override(local):
        per_day = room_statistics(room).per_day

    assert [(entry.day, entry.comments) for entry in per_day] == [(day, 1), (day + timedelta(days=1), 2)]


def test_the_most_discussed_threads_come_first_and_removed_threads_are_left_out(client, room, moderator):
    author, replier = factories.make_user("Wanjiru Kamau"), factories.make_user("Jean Dupont")

    def thread(body, replies):
        root = factories.make_comment(room, author, body=body)
        for _ in range(replies):
            factories.make_reply(root, replier)
        return root

    middling = thread("Three replies.", 3)
    quiet = thread("One reply.", 1)
    busiest = thread("Five replies.", 5)
    thread("No reply.", 0)
    removed = thread("Six replies, then hidden.", 6)
    services.hide_comment(moderator, comment=removed, reason="Personal attack.")
    client.force_login(moderator)

    response = client.get(room_summary_url(room))

    ranking = [(root.pk, root.replies) for root in response.context["stats"].most_discussed]
    assert ranking == [(busiest.pk, 5), (middling.pk, 3), (quiet.pk, 1)]
    html = response.content.decode()
    thread_url = reverse("forum:thread", args=[room.consultation.slug, room.slug, busiest.pk])
    assert f'<a href="{thread_url}">Five replies.</a>' in html
    assert "Six replies" not in html


def test_every_chart_is_an_svg_image_with_a_title_a_description_and_a_table(client, known_room, moderator):
    factories.make_question(known_room, "Who lacks access?")
    services.tag_comment(
        moderator, comment=Comment.objects.filter(room=known_room, level=0).first(), question=known_room.questions.get()
    )
    client.force_login(moderator)

    html = client.get(room_summary_url(known_room)).content.decode()

    figures = re.findall(r'<figure class="chart.*?</figure>', html, re.S)
    assert len(figures) == 5  # per question, per day, country, kind, language
    for figure in figures:
        labelled_by = re.search(r'<svg [^>]*role="img" aria-labelledby="([^"]+)"', figure).group(1).split()
        for element_id in labelled_by:
            assert re.search(rf'<(title|desc) id="{element_id}">[^<]+</\1>', figure)
        assert "<table" in figure and "<details" in figure


def test_chart_coordinates_stay_plain_numbers_in_any_language(client, known_room, moderator):
    client.force_login(moderator)

    html = client.get(room_summary_url(known_room), headers={"accept-language": "fr"}).content.decode()

    assert '<html lang="fr">' in html
    coordinates = [
        value
        for rect in re.findall(r"<rect [^>]*>", html)
        for value in re.findall(r' (?:x|y|width|height)="([^"]*)"', rect)
    ]
    assert any("." in value for value in coordinates)
    for value in coordinates:
        assert re.fullmatch(r"-?\d+(\.\d+)?", value), value


def test_bar_geometry_is_proportional_to_the_values():
    chart = horizontal_bar_chart("t", "Title", "Description", [("A", 10), ("B", 5), ("C", 0)], Table(("x", "y"), []))
    a, b, c = chart.bars
    assert b.width * 2 == pytest.approx(a.width)
    assert c.width == 0
    assert a.y < b.y < c.y
    assert chart.height >= c.y + c.height

    columns = column_chart("d", "Title", "Description", [("d1", 4), ("d2", 2)], ["1", "2"], Table(("x", "y"), []))
    first, second = columns.bars
    assert first.y + first.height == second.y + second.height  # one baseline
    assert second.height * 2 == pytest.approx(first.height)
    assert first.x < second.x


def test_a_room_without_comments_has_a_summary_page_without_charts(client, room, moderator):
    client.force_login(moderator)

    response = client.get(room_summary_url(room))

    assert response.status_code == 200
    assert "<svg" not in response.content.decode().split("<main")[1]
    assert totals_in(response.content.decode())["Comments"] == 0


# --- What the pages cost ----------------------------------------------------


def _fill(room, count, moderator):
    """`count` comments over several days, by several people, some replies, some tagged and highlighted."""
    question = room.questions.first() or factories.make_question(room, "Who lacks access?")
    people = [factories.make_user(country=country) for country in ("KE", "FR", "BR", "")]
    roots = []
    for number in range(count):
        author = people[number % len(people)]
        if number % 3 and roots:
            comment = factories.make_reply(roots[-1], author)
        else:
            comment = factories.make_comment(room, author)
            roots.append(comment)
        posted_on(comment, timezone.localdate() - timedelta(days=number % 9))
        if number % 4 == 0:
            services.tag_comment(moderator, comment=comment, question=question)
        if number % 7 == 0:
            services.highlight_comment(moderator, comment=comment)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_summary_pages_cost_the_same_queries_with_10_and_100_comments(client, room, moderator):
    other_room = factories.make_room(room.consultation)
    summarise(room, moderator, days_ago=1, kind="final")
    client.force_login(moderator)
    _fill(room, 10, moderator)
    _fill(other_room, 10, factories.make_user("Sam Staff", is_staff=True))
    small = (_queries(client, room_summary_url(room)), _queries(client, consultation_summary_url(room.consultation)))

    _fill(room, 90, moderator)
    _fill(other_room, 90, factories.make_user("Sam Staff 2", is_staff=True))
    large = (_queries(client, room_summary_url(room)), _queries(client, consultation_summary_url(room.consultation)))

    assert small == large
    # Session, user, page objects, the rota, ten for the figures, the summaries, the
    # bell, and (for a moderator on duty) the queue's count in the header.
    assert large[0] <= 17 and large[1] <= 18, large


# --- Moderators' written summaries ------------------------------------------


def test_a_moderator_writes_a_summary_that_cites_comments_as_references(client, room, moderator, participant):
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    client.force_login(moderator)
    body = f"Participants agreed on [this point](/comment/{cited.pk}/).\n\nSee also {settings.SITE_URL}/comment/{cited.pk}/"

    response = client.post(write_url(room), summary_form(body=body))

    summary = RoomSummary.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{summaries_url(room)}#summary-{summary.pk}"
    assert (summary.author, summary.kind, summary.body_source) == (moderator, "interim", body)
    assert summary.render_version > 0
    listed = client.get(summaries_url(room)).content.decode()
    assert f'<a href="/comment/{cited.pk}/" class="reference">this point</a>' in listed
    assert f"Comment by Amina Diallo in {room.title}" in listed


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("hidden", "A comment hidden by a moderator, in "),
        ("edited", "“Courts are too far from villages.”"),
        ("deleted", "A comment no longer available, in "),
    ],
)
def test_a_summary_follows_the_comments_it_cites_when_they_are_hidden_edited_or_deleted(
    client, room, moderator, participant, how, says
):
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    summary = summarise(room, moderator, body=f"Participants agreed: {settings.SITE_URL}/comment/{cited.pk}/")
    assert "Paralegals reach remote villages." in summary.body_html

    if how == "hidden":
        services.hide_comment(moderator, comment=cited, reason="Off topic.")
    elif how == "edited":
        services.edit_comment(participant, comment=cited, body="Courts are too far from villages.")
    else:
        services.delete_comment(participant, comment=cited)

    summary.refresh_from_db()
    assert says in summary.body_html
    assert "Paralegals" not in summary.body_html
    assert "Paralegals" not in client.get(summaries_url(room)).content.decode()


def test_a_summary_shows_a_restored_comment_again(room, moderator, participant):
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    services.hide_comment(moderator, comment=cited, reason="Checking a claim.")
    summary = summarise(room, moderator, body=f"See {settings.SITE_URL}/comment/{cited.pk}/")
    assert "Paralegals" not in summary.body_html

    services.restore_comment(moderator, comment=cited)

    summary.refresh_from_db()
    assert "“Paralegals reach remote villages.”" in summary.body_html


def test_a_summary_names_a_cited_author_by_their_new_name(room, moderator, participant):
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    summary = summarise(room, moderator, body=f"See {settings.SITE_URL}/comment/{cited.pk}/")

    participant.display_name = "Amina Diallo-Sow"
    save_profile(participant, person=participant)

    summary.refresh_from_db()
    assert f"Comment by Amina Diallo-Sow in {room.title}" in summary.body_html


@pytest.mark.parametrize(
    ("consent", "shown", "hidden"),
    [
        ("anonymous", ["Comment by a participant in ", "“Paralegals reach remote villages.”"], ["Amina"]),
        ("not_at_all", ["Comment by a participant in "], ["Amina", "Paralegals"]),
        ("by_name", ["Comment by Amina Diallo in ", "“Paralegals reach remote villages.”"], []),
    ],
)
def test_a_summary_names_and_quotes_cited_authors_only_as_they_agreed(
    client, room, moderator, participant, consent, shown, hidden
):
    participant.quoting_consent = consent
    participant.save()
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")

    summary = summarise(
        room, moderator, body=f"Agreed: {settings.SITE_URL}/comment/{cited.pk}/ and [this]({cited.get_absolute_url()})"
    )

    page = client.get(summaries_url(room)).content.decode()
    for text in shown:
        assert text in summary.body_html and text in page
    for text in hidden:
        assert text not in summary.body_html and text not in page


def test_a_summary_follows_a_cited_author_who_withdraws_their_consent(room, moderator, participant):
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    summary = summarise(room, moderator, body=f"Agreed: {settings.SITE_URL}/comment/{cited.pk}/")
    assert "Amina Diallo" in summary.body_html

    participant.quoting_consent = "not_at_all"
    save_profile(participant, person=participant)

    summary.refresh_from_db()
    assert "Amina" not in summary.body_html
    assert "Paralegals" not in summary.body_html


@pytest.mark.parametrize("who", ["participant", "moderator elsewhere", "moderator off duty"])
def test_only_the_rooms_moderators_and_staff_write_summaries(client, room, who):
    client = _client_for(who, client, room)

    assert client.get(write_url(room)).status_code == 403
    assert client.post(write_url(room), summary_form()).status_code == 403
    assert not RoomSummary.objects.exists()


def test_staff_write_summaries_of_any_room(client, room, staff):
    client.force_login(staff)

    assert client.post(write_url(room), summary_form(kind="final")).status_code == 302
    assert RoomSummary.objects.get().kind == "final"


def test_visitors_are_asked_to_log_in_to_write_a_summary(client, room):
    assert is_login_redirect(client.get(write_url(room)))
    assert is_login_redirect(client.post(write_url(room), summary_form()))


def test_a_period_ending_before_it_starts_is_refused_and_the_text_is_kept(client, room, moderator):
    client.force_login(moderator)
    today = timezone.localdate()

    response = client.post(
        write_url(room),
        summary_form(
            period_start=today.isoformat(), period_end=(today - timedelta(days=3)).isoformat(), body="My careful words."
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The period must end on or after the day it starts." in html
    assert "My careful words." in html
    assert not RoomSummary.objects.exists()


def test_a_period_ending_in_the_future_is_refused(client, room, moderator):
    client.force_login(moderator)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(write_url(room), summary_form(period_end=tomorrow.isoformat(), body="Too early."))

    assert response.status_code == 400
    assert "A summary cannot cover days to come" in response.content.decode()
    assert "Too early." in response.content.decode()


def test_an_empty_summary_is_refused(client, room, moderator):
    client.force_login(moderator)

    response = client.post(write_url(room), summary_form(body="   \n "))

    assert response.status_code == 400
    assert "Please write the summary before saving it." in response.content.decode()


def test_the_form_proposes_the_days_since_the_last_summary(client, room, moderator):
    summarise(room, moderator, days_ago=3)
    client.force_login(moderator)

    form = client.get(write_url(room)).context["form"]

    today = timezone.localdate()
    assert form.initial["period_start"] == today - timedelta(days=2)
    assert form.initial["period_end"] == today
    assert form.initial["kind"] == "interim"


def test_the_form_proposes_a_final_summary_once_the_room_is_closed(client, room, moderator):
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)
    client.force_login(moderator)

    assert client.get(write_url(room)).context["form"].initial["kind"] == "final"


def test_any_moderator_of_the_room_edits_a_summary_which_is_marked_edited(client, room, moderator):
    summary = summarise(room, moderator, body="First draft.")
    colleague = factories.make_user("Colleague Moderator")
    factories.assign_moderator(room, colleague)
    client.force_login(colleague)

    form = client.get(edit_url(summary)).content.decode()
    assert "First draft." in form
    response = client.post(edit_url(summary), summary_form(kind="final", body="Second draft."))

    assert response.status_code == 302
    summary.refresh_from_db()
    assert (summary.body_source, summary.kind, summary.author) == ("Second draft.", "final", moderator)
    assert summary.edited_at is not None
    assert "Second draft." in summary.body_html


@pytest.mark.parametrize("who", ["participant", "moderator elsewhere"])
def test_others_cannot_edit_a_summary(client, room, moderator, who):
    summary = summarise(room, moderator, body="First draft.")
    client = _client_for(who, client, room)

    assert client.get(edit_url(summary)).status_code == 403
    assert client.post(edit_url(summary), summary_form(body="Defaced.")).status_code == 403
    summary.refresh_from_db()
    assert summary.body_source == "First draft."


def test_a_summary_of_another_room_cannot_be_edited_through_this_one(client, room, moderator):
    elsewhere = summarise(factories.make_room(room.consultation), factories.make_user("Sam", is_staff=True))
    client.force_login(moderator)

    url = reverse("forum:edit-room-summary", args=[room.consultation.slug, room.slug, elsewhere.pk])
    assert client.get(url).status_code == 404


def test_everyone_reads_the_rooms_summaries_newest_first_and_only_moderators_see_write_links(client, room, moderator):
    older = summarise(room, moderator, days_ago=8, body="Week one.")
    newer = summarise(room, moderator, days_ago=1, body="Week two.")

    html = client.get(summaries_url(room)).content.decode()

    assert html.index(f'id="summary-{newer.pk}"') < html.index(f'id="summary-{older.pk}"')
    assert "Write a summary" not in html and "Edit this summary" not in html
    client.force_login(moderator)
    html = client.get(summaries_url(room)).content.decode()
    assert write_url(room) in html and edit_url(newer) in html


def test_the_latest_summary_comes_with_the_comments_posted_after_its_period_in_one_query(room, moderator, participant):
    summarise(room, moderator, days_ago=5, body="Older.")
    latest = summarise(room, moderator, days_ago=1, body="Latest.")
    yesterday = timezone.localdate() - timedelta(days=1)
    posted_on(factories.make_comment(room, participant, body="Within the period."), yesterday, hour=23)
    factories.make_comment(room, participant, body="After it.")
    factories.make_comment(room, participant, body="After it too.")
    hidden = factories.make_comment(room, participant, body="After it, hidden.")
    services.hide_comment(moderator, comment=hidden, reason="Off topic.")
    factories.make_comment(factories.make_room(room.consultation), participant, body="Another room.")

    with CaptureQueriesContext(connection) as queries:
        summary, comments_since = latest_room_summary(room)
        # What the partial draws is loaded with it.
        summary.author.display_name, summary.room.consultation.slug

    assert len(queries) == 1
    assert (summary.pk, comments_since) == (latest.pk, 2)


def test_days_after_the_period_are_counted_in_the_current_time_zone(room, moderator, participant):
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    with timezone.override(auckland):
        end = timezone.localdate() - timedelta(days=2)
        write_summary(moderator, room=room, kind="interim", period_start=end, period_end=end, body="One day.")
        late_that_day = factories.make_comment(room, participant, body="Late on the last day.")
        early_next_day = factories.make_comment(room, participant, body="Early the next day.")
        Comment.objects.filter(pk=late_that_day.pk).update(created_at=datetime.combine(end, time(23, 30), auckland))
        next_day = end + timedelta(days=1)
        Comment.objects.filter(pk=early_next_day.pk).update(
            created_at=datetime.combine(next_day, time(0, 30), auckland)
        )

        assert latest_room_summary(room)[1] == 1


def test_a_room_without_summaries_has_no_latest_summary(room, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert latest_room_summary(room) == (None, 0)


def test_the_summary_partial_needs_only_the_summary_and_the_count(room, moderator):
    summarise(room, moderator, days_ago=1, body="**Key** points.")
    summary, _ = latest_room_summary(room)

    html = render_to_string("forum/partials/room_summary.html", {"summary": summary, "comments_since": 3})

    assert "<strong>Key</strong> points." in html
    assert "The moderators' summary so far" in html
    assert "3 comments posted since the period this summary covers." in html
    assert "Maria Moderator" in html
    assert summaries_url(room) in html
    assert "Edit this summary" not in html


def test_the_consultation_summary_gathers_each_rooms_latest_final_summary(client, room, moderator, staff):
    funding = factories.make_room(room.consultation, title="Funding")
    summarise(room, moderator, days_ago=20, kind="final", body="An early final word.")
    summarise(room, moderator, days_ago=2, kind="final", body="The last final word.")
    summarise(room, moderator, days_ago=1, kind="interim", body="A later interim note.")
    summarise(funding, staff, days_ago=1, kind="interim", body="Funding so far.")
    client.force_login(staff)

    html = client.get(consultation_summary_url(room.consultation)).content.decode()

    assert "The last final word." in html
    assert "An early final word." not in html
    assert "A later interim note." not in html and "Funding so far." not in html
    assert re.search(r"No final summary yet:\s*<a [^>]*>Funding</a>", html)


def test_the_room_summary_page_shows_the_latest_summary_and_a_write_link(client, room, moderator):
    summarise(room, moderator, days_ago=1, body="Where we stand.")
    client.force_login(moderator)

    html = client.get(room_summary_url(room)).content.decode()

    assert "Where we stand." in html
    assert write_url(room) in html


def test_the_stylesheet_prints_summary_pages_as_a_clean_document():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "forum.css").read_text()
    summary_part = css[css.index("/* Summary pages") :]

    print_rules = summary_part[summary_part.index("@media print") :]
    assert ".summary-page__links" in print_rules
    assert ".chart" in print_rules


def test_verified_organisations_are_counted_apart_from_self_declared_ones(client, known_room, moderator, staff):
    declared = factories.make_user("Rights Watch", organisation="Rights Watch", speaks_for_organisation=True)
    services.approve_comment(moderator, comment=factories.make_comment(known_room, declared, body="We monitor trials."))
    ngo = User.objects.get(display_name="Legal Aid Network")
    ngo.organisation = "Legal Aid Network"
    save_profile(ngo, person=ngo)
    verify_organisation(staff, person=ngo, note="Listed in the national register.")
    client.force_login(moderator)

    response = client.get(room_summary_url(known_room))

    totals = totals_in(response.content.decode())
    assert (totals["Organisations"], totals["Verified organisations"], totals["Individuals"]) == (2, 1, 3)
    assert response.context["stats"].totals.verified_organisations == 1
