"""Links between comments: references drawn in the citing comment, backlinks
under the cited one, and what is never shown of a comment one may not see."""

import io
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from forum import services
from forum.models import Comment, CommentLink, Consultation, Room, RoomSummary
from forum.rendering import EXCERPT_SOURCE_LENGTH, RENDER_VERSION, DatabaseLookups, render_comment_body
from forum.services.summaries import write_summary
from tests import factories

pytestmark = pytest.mark.django_db


def post_comment_through_the_form(client, room, body):
    url = reverse("forum:new-comment", args=[room.consultation.slug, room.slug])
    response = client.post(url, {"body": body})
    assert response.status_code == 302
    return Comment.objects.filter(room=room).latest("pk")


def article_of(client, room, comment):
    """One comment's <article> as drawn on its room page."""
    response = client.get(room.get_absolute_url())
    assert response.status_code == 200
    return re.search(rf'<article id="comment-{comment.pk}".*?</article>', response.content.decode(), re.S).group(0)


def absolute(path):
    return f"{settings.SITE_URL}{path}"


@pytest.fixture
def cited(consultation, participant):
    """A comment in a room called Access to justice."""
    access = factories.make_room(consultation, title="Access to justice")
    return factories.make_comment(access, participant, body="Paralegals **reach** remote villages.")


# --- References --------------------------------------------------------------


def test_a_link_to_a_comment_in_another_room_shows_who_wrote_it_where_with_an_excerpt(
    client, room, other_participant, cited
):
    client.force_login(other_participant)
    link = absolute(f"/comment/{cited.pk}/")

    citing = post_comment_through_the_form(client, room, f"As said in {link}")

    article = article_of(client, room, citing)
    assert (
        f'<a href="{link}" class="reference">Comment by Amina Diallo in Access to justice</a> '
        '<span class="reference__excerpt">“Paralegals reach remote villages.”</span>' in article
    )
    assert list(CommentLink.objects.values_list("source_id", "target_id")) == [(citing.pk, cited.pk)]


def test_a_relative_link_with_its_own_words_keeps_them_and_says_what_it_cites(client, room, other_participant, cited):
    client.force_login(other_participant)

    citing = post_comment_through_the_form(client, room, f"I agree with [this point](/comment/{cited.pk}/).")

    article = article_of(client, room, citing)
    assert f'<a href="/comment/{cited.pk}/" class="reference">this point</a>' in article
    assert "(Comment by Amina Diallo in Access to justice: “Paralegals reach remote villages.”)" in article
    assert CommentLink.objects.filter(source=citing, target=cited).exists()


def test_the_reference_follows_the_permalink_to_the_cited_comment(client, room, other_participant, cited):
    client.force_login(other_participant)
    post_comment_through_the_form(client, room, f"See /comment/{cited.pk}/ and [this](/comment/{cited.pk}/)")

    response = client.get(f"/comment/{cited.pk}/")

    assert response.url == f"{cited.room.get_absolute_url()}#comment-{cited.pk}"


def test_links_to_our_rooms_and_consultations_show_their_titles(client, room, consultation, other_participant, cited):
    client.force_login(other_participant)
    room_link = absolute(cited.room.get_absolute_url())
    consultation_link = absolute(consultation.get_absolute_url())

    citing = post_comment_through_the_form(client, room, f"Compare {room_link} within {consultation_link}")

    article = article_of(client, room, citing)
    assert f'<a href="{room_link}" class="place">Access to justice</a>' in article
    assert f'<a href="{consultation_link}" class="place">{consultation.title}</a>' in article


def test_a_link_to_a_comment_on_another_site_stays_an_ordinary_link(client, room, other_participant, cited):
    client.force_login(other_participant)
    link = f"https://example.org/comment/{cited.pk}/"

    citing = post_comment_through_the_form(client, room, f"Elsewhere: {link}")

    article = article_of(client, room, citing)
    assert f'<a href="{link}" rel="nofollow ugc noopener">example.org/comment/{cited.pk}/</a>' in article
    assert "Paralegals" not in article
    assert not CommentLink.objects.exists()


def test_a_link_to_a_comment_that_does_not_exist_stays_an_ordinary_link(participant_client, room):
    citing = post_comment_through_the_form(
        participant_client, room, "See [my old point](/comment/999999999/) and http://127.0.0.1:8000/comment/999999999/"
    )

    article = article_of(participant_client, room, citing)
    assert '<a href="/comment/999999999/">my old point</a>' in article
    assert '<a href="http://127.0.0.1:8000/comment/999999999/">127.0.0.1:8000/comment/999999999/</a>' in article
    assert 'class="reference"' not in article
    assert not CommentLink.objects.exists()


@pytest.mark.parametrize("unpublished", ["room", "consultation"])
def test_a_link_to_a_comment_in_an_unpublished_room_stays_an_ordinary_link_and_leaks_nothing(
    participant_client, room, unpublished
):
    draft_consultation = factories.make_consultation(title="Draft consultation in preparation")
    draft_room = factories.make_room(draft_consultation, title="Secret planning room")
    secret = factories.make_comment(draft_room, body="Confidential draft wording.")
    if unpublished == "room":
        Room.objects.filter(pk=draft_room.pk).update(is_published=False)
    else:
        Consultation.objects.filter(pk=draft_consultation.pk).update(is_published=False)
    link = absolute(f"/comment/{secret.pk}/")

    citing = post_comment_through_the_form(participant_client, room, f"See {link} and [this](/comment/{secret.pk}/)")

    html = participant_client.get(room.get_absolute_url()).content.decode()
    assert f'<a href="/comment/{secret.pk}/">this</a>' in html
    assert f'<a href="{link}">' in html
    for leaked in ["Secret planning room", "Confidential draft wording", "Draft consultation in preparation"]:
        assert leaked not in html
        assert leaked not in citing.body_html
    assert not CommentLink.objects.exists()


def test_a_link_to_an_unpublished_room_shows_no_title(participant_client, room, consultation):
    draft_room = factories.make_room(consultation, title="Secret planning room", is_published=False)
    link = absolute(draft_room.get_absolute_url())

    citing = post_comment_through_the_form(participant_client, room, f"Soon: {link}")

    article = article_of(participant_client, room, citing)
    assert "Secret planning room" not in article
    assert 'class="place"' not in article


# --- Links that only look like ours ------------------------------------------

OUR_HOST = urlsplit(settings.SITE_URL).netloc

# Each is written so that a browser following it leaves this site, whatever it
# seems to say; {path} is a comment's permalink or a room's address.
LINKS_ELSEWHERE = {
    "encoded slash before @": f"http://{OUR_HOST}%2F@evil.example{{path}}",
    "encoded hash before @": f"http://{OUR_HOST}%23@evil.example{{path}}",
    "encoded question mark before @": f"http://{OUR_HOST}%3F@evil.example{{path}}",
    "our host as user-info": f"[see](https://{OUR_HOST}@evil.example{{path}})",
    "user-info before our host": f"http://someone@{OUR_HOST}{{path}}",
    "escaped backslash before @": f"[see](http://{OUR_HOST}\\@evil.example{{path}})",
    "backslash inside the host": f"<http://{OUR_HOST}\\evil.example{{path}}>",
    "backslashes after the scheme": "[see](http:\\\\evil.example{path})",
    "three slashes": "[see](http:///evil.example{path})",
    "protocol-relative": "[see](//evil.example{path})",
    "scheme without slashes": "[see](https:evil.example{path})",
    "Cyrillic look-alike host": "http://lоcalhost{path}",
    "punycode look-alike host": "http://xn--lcalhost-nbh{path}",
    "our host on another port": "http://127.0.0.1:8001{path}",
    "a host we know on another port": "http://localhost:8000{path}",
    "our host with a trailing dot": "[see](http://localhost.{path})",
}


def _link_elsewhere(case, target):
    return LINKS_ELSEWHERE[case].format(path=target)


def _pasted_address(comment, shape):
    """A comment's address as people paste it: the permalink, or what the address bar shows after following it."""
    room = comment.room
    thread = reverse("forum:thread", args=[room.consultation.slug, room.slug, comment.get_root().pk])
    return {
        "comment": comment.get_absolute_url(),
        "room": room.get_absolute_url(),
        "permalink without its slash": comment.get_absolute_url().rstrip("/"),
        "room page with its fragment": f"{room.get_absolute_url()}?page=1#comment-{comment.pk}",
        "thread page with its fragment": f"{thread}#comment-{comment.pk}",
    }[shape]


@pytest.mark.parametrize(
    "target",
    ["comment", "room", "permalink without its slash", "room page with its fragment", "thread page with its fragment"],
)
@pytest.mark.parametrize("case", sorted(LINKS_ELSEWHERE))
def test_a_link_that_leads_elsewhere_is_never_drawn_as_one_of_ours(room, other_participant, cited, case, target):
    path = _pasted_address(cited, target)
    body = f"Read {_link_elsewhere(case, path)} first."

    citing = factories.make_comment(room, other_participant, body=body)

    assert 'class="reference"' not in citing.body_html
    assert 'class="place"' not in citing.body_html
    assert "Comment by" not in citing.body_html
    assert "Access to justice" not in citing.body_html
    assert 'rel="nofollow ugc noopener"' in citing.body_html
    assert render_comment_body(body).external_link_count == 1
    assert not CommentLink.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "[this point]({path})",
        f"http://{OUR_HOST}{{path}}",
        f"[this point](https://{OUR_HOST}{{path}})",
        "HTTP://LOCALHOST{path}",
        "[this point](http://LocalHost:80{path})",
        f"[this point](//{OUR_HOST}{{path}})",
        "[this point](/c/any/%2E%2e/..{path})",
    ],
)
def test_links_to_our_comments_written_in_any_of_our_ways_are_references(room, other_participant, cited, link):
    body = f"Read {link.format(path=cited.get_absolute_url())} first."

    citing = factories.make_comment(room, other_participant, body=body)

    assert 'class="reference"' in citing.body_html
    assert "Comment by Amina Diallo in Access to justice" in citing.body_html
    assert "nofollow" not in citing.body_html
    assert render_comment_body(body).external_link_count == 0
    assert list(CommentLink.objects.values_list("source_id", "target_id")) == [(citing.pk, cited.pk)]


@pytest.mark.parametrize(
    "shape",
    [
        "{permalink}",
        "{permalink_without_slash}",
        "{permalink}?utm_source=newsletter",
        "{permalink_without_slash}?ref=mail#top",
        "{permalink}#comment-{id}",
        "{room}#comment-{id}",
        "{room}?page=2#comment-{id}",
        "{room}?order=newest&page=1#comment-{id}",
        "{thread}#comment-{id}",
        "{thread}?page=1#comment-{id}",
    ],
)
@pytest.mark.parametrize("written", ["bare", "with own words"])
def test_a_comments_address_pasted_the_way_people_paste_it_is_a_reference_with_a_backlink(
    client, room, other_participant, cited, shape, written
):
    reply = factories.make_reply(cited, other_participant, body="A reply deeper in the thread.")
    target = reply if "{thread}" in shape or "{room}" in shape else cited
    access = cited.room
    address = absolute(
        shape.format(
            permalink=target.get_absolute_url(),
            permalink_without_slash=target.get_absolute_url().rstrip("/"),
            room=access.get_absolute_url(),
            thread=reverse("forum:thread", args=[access.consultation.slug, access.slug, cited.pk]),
            id=target.pk,
        )
    )
    body = f"As said in {address} before." if written == "bare" else f"As [said before]({address})."

    citing = factories.make_comment(room, other_participant, body=body)

    assert 'class="reference"' in citing.body_html
    author = "Amina Diallo" if target == cited else other_participant.display_name
    assert f"Comment by {author} in Access to justice" in citing.body_html
    assert CommentLink.objects.filter(source=citing, target=target).exists()
    backlinks = client.get(target.get_absolute_url(), follow=True).content.decode()
    assert f'href="{citing.get_absolute_url()}"' in backlinks or f"#comment-{citing.pk}" in backlinks


def test_a_room_address_naming_a_comment_of_another_room_is_only_the_rooms_link(
    room, consultation, other_participant, cited
):
    elsewhere = factories.make_comment(room, other_participant, body="In another room.")
    address = absolute(f"{cited.room.get_absolute_url()}#comment-{elsewhere.pk}")

    citing = factories.make_comment(room, other_participant, body=f"See {address}")

    assert 'class="reference"' not in citing.body_html
    assert ">Access to justice</a>" in citing.body_html  # the room's title, as for its plain address
    assert not CommentLink.objects.filter(source=citing).exists()


def test_a_thread_address_naming_a_comment_of_another_thread_is_no_reference(room, other_participant, cited):
    other_thread = factories.make_comment(cited.room, other_participant, body="Another thread.")
    access = cited.room
    thread = reverse("forum:thread", args=[access.consultation.slug, access.slug, cited.pk])

    citing = factories.make_comment(room, other_participant, body=f"See {absolute(thread)}#comment-{other_thread.pk}")

    assert 'class="reference"' not in citing.body_html
    assert not CommentLink.objects.filter(source=citing).exists()


@pytest.mark.parametrize(
    "fragment", ["#comment-", "#comment-x1", "#comment-1%32", "#Comment-{id}", "#comment-{id}x", "#top"]
)
def test_a_room_address_with_any_other_fragment_names_no_comment(room, other_participant, cited, fragment):
    address = absolute(cited.room.get_absolute_url() + fragment.format(id=cited.pk))

    citing = factories.make_comment(room, other_participant, body=f"See {address}")

    assert 'class="reference"' not in citing.body_html
    assert not CommentLink.objects.filter(source=citing).exists()


def test_an_encoded_slash_in_the_path_reaches_the_comment_our_server_would_show(room, other_participant, cited):
    citing = factories.make_comment(room, other_participant, body=f"[this point](/comment%2F{cited.pk}/)")

    assert "Comment by Amina Diallo in Access to justice" in citing.body_html
    assert CommentLink.objects.filter(source=citing, target=cited).exists()


# --- When the cited comment changes ------------------------------------------


@pytest.mark.parametrize(
    ("state", "says"),
    [
        (Comment.State.HIDDEN, "A comment hidden by a moderator, in Access to justice"),
        (Comment.State.DELETED, "A comment no longer available, in Access to justice"),
    ],
)
def test_once_the_cited_comment_is_removed_the_reference_says_so_without_its_text(
    client, room, other_participant, cited, state, says
):
    client.force_login(other_participant)
    citing = post_comment_through_the_form(
        client, room, f"See {absolute(f'/comment/{cited.pk}/')} and [this](/comment/{cited.pk}/)"
    )
    assert "Paralegals reach remote villages." in article_of(client, room, citing)

    Comment.objects.filter(pk=cited.pk).update(state=state)
    services.refresh_citations_of(cited)

    article = article_of(client, room, citing)
    assert article.count(says) == 2
    assert "Paralegals" not in article
    assert "Amina Diallo" not in article


def _change(how, comment, moderator):
    if how == "hidden":
        services.hide_comment(moderator, comment=comment, reason="Off topic.")
    elif how == "edited":
        services.edit_comment(comment.author, comment=comment, body="Courts are too far from villages.")
    else:
        services.delete_comment(comment.author, comment=comment)


def test_a_reference_never_carries_the_excerpt_of_a_comment_its_comment_cites(room, other_participant, cited):
    middle = factories.make_comment(room, other_participant, body=f"Agreed: {absolute(cited.get_absolute_url())}")
    quoting_middle = factories.make_comment(room, body=f"As Jean says, [here]({middle.get_absolute_url()}).")

    assert "Paralegals reach remote villages." in middle.body_html
    assert "(Comment by Jean Dupont in " in quoting_middle.body_html
    assert "Paralegals" not in quoting_middle.body_html


@pytest.mark.parametrize("how", ["hidden", "edited", "deleted"])
def test_a_removed_or_changed_comment_leaves_no_text_two_citations_away(
    client, room, moderator, other_participant, cited, how
):
    factories.assign_moderator(cited.room, moderator)
    middle = factories.make_comment(room, other_participant, body=f"Agreed: {absolute(cited.get_absolute_url())}")
    first = factories.make_comment(
        room, body=f"See {absolute(middle.get_absolute_url())} and [this]({middle.get_absolute_url()})"
    )

    _change(how, cited, moderator)

    first.refresh_from_db()
    assert "Agreed:" in first.body_html
    for words in ["Paralegals", "remote villages", "Courts are too far"]:
        assert words not in first.body_html
        assert words not in article_of(client, room, first)
    profile = client.get(reverse("forum:profile", args=[first.author.handle])).content.decode()
    assert "Paralegals" not in profile


# --- What citing costs ---------------------------------------------------------


def test_a_comment_of_links_to_one_long_comment_stores_a_bounded_body(settings, room, other_participant, cited):
    length = settings.FORUM_COMMENT_MAX_LENGTH
    long_cited = factories.make_comment(cited.room, body=("Paralegals reach remote villages. " * 400)[: length - 1])
    link = f"[see](/comment/{long_cited.pk}/) "
    body = (link * (length // len(link)))[:length]

    citing = factories.make_comment(room, other_participant, body=body)

    assert citing.body_html.count('class="reference"') == settings.FORUM_MAX_REFERENCES_PER_COMMENT
    assert len(citing.body_html) < 3 * length
    assert list(CommentLink.objects.values_list("source_id", "target_id")) == [(citing.pk, long_cited.pk)]


def test_only_the_start_of_a_cited_body_is_read_to_make_its_excerpt(room, cited):
    long_cited = factories.make_comment(cited.room, body="Paralegals reach remote villages. " * 250)

    found = DatabaseLookups().comments({long_cited.pk})

    assert len(long_cited.body_html) > EXCERPT_SOURCE_LENGTH
    assert found[long_cited.pk].body_html == long_cited.body_html[:EXCERPT_SOURCE_LENGTH]


# This one commits for real, as the site does: the worker closes stale database
# connections between tasks, which a test wrapped in one transaction would not survive.
@pytest.mark.django_db(transaction=True)
def test_citing_comments_are_rendered_again_by_the_task_worker_after_the_change_commits(
    settings, room, other_participant, cited
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    citing = factories.make_comment(room, other_participant, body=f"See {absolute(cited.get_absolute_url())}")

    services.edit_comment(cited.author, comment=cited, body="Courts are too far from villages.")

    citing.refresh_from_db()
    assert "Paralegals reach remote villages." in citing.body_html
    queued = DBTaskResult.objects.get(task_path="forum.services.comments.refresh_citing_comments")
    assert queued.args_kwargs["args"] == [cited.pk]

    factories.run_task_worker()

    citing.refresh_from_db()
    assert "“Courts are too far from villages.”" in citing.body_html
    assert "Paralegals" not in citing.body_html


def test_a_refresh_does_not_undo_an_edit_made_while_it_ran(room, other_participant, cited):
    citing = factories.make_comment(room, other_participant, body=f"See {absolute(cited.get_absolute_url())}")
    stale = Comment.objects.only("pk", "room_id", "body_source").get(pk=citing.pk)
    services.edit_comment(other_participant, comment=citing, body="I changed my mind.")

    services.rerender_comments([stale])

    citing.refresh_from_db()
    assert "I changed my mind." in citing.body_html


def test_bodies_stored_by_an_older_renderer_are_rendered_again_by_a_command(room, moderator, participant, cited):
    # Stored before links were judged as a browser reads them: a card for a link to another site.
    link = f"http://{OUR_HOST}%2F@evil.example/comment/{cited.pk}/"
    citing = factories.make_comment(room, participant, body=f"See {link}")
    summary = write_summary(
        moderator, room=room, kind="interim", period_start=date.today(), period_end=date.today(), body=f"See {link}"
    )
    fooled = f'<a href="{link}" class="reference">Comment by Amina Diallo in Access to justice</a>'
    Comment.objects.filter(pk=citing.pk).update(body_html=fooled, render_version=RENDER_VERSION - 1)
    RoomSummary.objects.filter(pk=summary.pk).update(body_html=fooled, render_version=RENDER_VERSION - 1)
    CommentLink.objects.create(source=citing, target=cited)
    summary.cited_comments.set([cited])

    call_command("rerender_bodies", stdout=io.StringIO())

    citing.refresh_from_db()
    summary.refresh_from_db()
    for stored in (citing, summary):
        assert stored.render_version == RENDER_VERSION
        assert 'rel="nofollow ugc noopener"' in stored.body_html and "Comment by" not in stored.body_html
    assert not CommentLink.objects.exists()
    assert not summary.cited_comments.exists()


# --- Backlinks -----------------------------------------------------------------


def test_the_cited_comment_lists_the_comments_that_reference_it(client, room, other_participant, cited):
    client.force_login(other_participant)
    citing = post_comment_through_the_form(client, room, f"As said in [here](/comment/{cited.pk}/)")
    later = post_comment_through_the_form(client, room, f"Again: [this](/comment/{cited.pk}/)")

    article = article_of(client, cited.room, cited)

    assert "Referenced in:" in article
    assert (
        f'<a href="/comment/{citing.pk}/"><bdi>Jean Dupont</bdi> in <bdi>{room.title}</bdi></a>, '
        f'<a href="/comment/{later.pk}/"><bdi>Jean Dupont</bdi> in <bdi>{room.title}</bdi></a>' in article
    )


def test_a_comment_nobody_references_has_no_backlinks(client, cited):
    assert "Referenced in:" not in article_of(client, cited.room, cited)


def test_hidden_and_deleted_citing_comments_are_not_listed_as_backlinks(client, room, cited):
    shown = factories.make_comment(room, body=f"[kept](/comment/{cited.pk}/)")
    hidden = factories.make_comment(room, body=f"[hidden](/comment/{cited.pk}/)")
    deleted = factories.make_comment(room, body=f"[deleted](/comment/{cited.pk}/)")
    Comment.objects.filter(pk=hidden.pk).update(state=Comment.State.HIDDEN)
    Comment.objects.filter(pk=deleted.pk).update(state=Comment.State.DELETED)

    article = article_of(client, cited.room, cited)

    assert f'href="/comment/{shown.pk}/"' in article
    assert f'href="/comment/{hidden.pk}/"' not in article
    assert f'href="/comment/{deleted.pk}/"' not in article


def test_citing_comments_in_unpublished_rooms_are_not_listed_as_backlinks(client, consultation, cited):
    draft_room = factories.make_room(consultation, title="Secret planning room")
    factories.make_comment(draft_room, body=f"[this](/comment/{cited.pk}/)")
    Room.objects.filter(pk=draft_room.pk).update(is_published=False)

    article = article_of(client, cited.room, cited)

    assert "Referenced in:" not in article
    assert "Secret planning room" not in article


# --- What it costs ---------------------------------------------------------------


def _add_cross_linked_comments(room, elsewhere, people, how_many):
    """Threads of ten in `room`; each comment cites a comment in `elsewhere` and the
    comment before it (which then shows a backlink), and mentions someone."""
    root = None
    for n in range(how_many):
        writer, mentioned = people[n % 3], people[(n + 1) % 3]
        target = factories.make_comment(elsewhere, mentioned, body=f"Point {n} made elsewhere.")
        body = f"See {absolute(target.get_absolute_url())} and @{mentioned.handle}"
        previous = Comment.objects.filter(room=room).order_by("-pk").first()
        if previous:
            body += f" and [the one before]({previous.get_absolute_url()})"
        if n % 10 == 0:
            root = factories.make_comment(room, writer, body=body)
        else:
            factories.make_reply(root, writer, body=body)


def _room_page_queries(client, room):
    url = room.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_the_room_page_costs_the_same_queries_with_10_and_200_cross_linked_comments(
    client, room, consultation, participant, signed_in
):
    elsewhere = factories.make_room(consultation, title="Elsewhere")
    people = [factories.make_user(f"Named Person {n}", handle=f"named{n}") for n in range(3)]
    if signed_in:
        client.force_login(participant)

    _add_cross_linked_comments(room, elsewhere, people, 10)
    few, html = _room_page_queries(client, room)
    assert html.count('class="reference"') == 10 + 9
    assert html.count('class="mention"') == 10
    assert html.count("Referenced in:") == 9

    _add_cross_linked_comments(room, elsewhere, people, 190)
    many, html = _room_page_queries(client, room)
    assert CommentLink.objects.filter(source__room=room).count() == 200 + 199
    assert html.count('class="reference"') > 150
    assert html.count('class="mention"') > 75

    assert few == many
