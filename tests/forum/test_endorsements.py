"""Endorsing comments ("I agree", "Useful"): one per person and kind, never
one's own, counted on the comment, through a plain form or in place."""

import re
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from forum import exports, ratelimits, services
from forum.counts import recount_rooms
from forum.models import Comment, Endorsement, Room, Suspension
from tests import factories

pytestmark = pytest.mark.django_db


def endorse_url(comment):
    return reverse("forum:endorse-comment", args=[comment.pk])


def counts_of(comment):
    comment.refresh_from_db()
    return comment.agree_count, comment.useful_count


def article(html, comment):
    return re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S).group(0)


# --- The service --------------------------------------------------------


def test_an_endorsement_is_counted_once_per_person_and_kind(room, participant, other_participant):
    comment = factories.make_comment(room, participant)

    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)
    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)
    state = services.set_endorsement(other_participant, comment=comment, kind="useful", endorsed=True)

    assert counts_of(comment) == (1, 1)
    assert (state.kind, state.endorsed, state.count) == ("useful", True, 1)
    assert Endorsement.objects.filter(comment=comment).count() == 2


def test_withdrawing_an_endorsement_takes_it_off_the_count_and_never_below_zero(room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)

    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=False)
    state = services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=False)

    assert counts_of(comment) == (0, 0)
    assert (state.endorsed, state.count) == (False, 0)


def test_nobody_endorses_their_own_comment(room, participant):
    comment = factories.make_comment(room, participant)
    with pytest.raises(PermissionDenied, match="your own comment"):
        services.set_endorsement(participant, comment=comment, kind="agree", endorsed=True)
    assert counts_of(comment) == (0, 0)


def test_an_unknown_kind_is_refused(room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    with pytest.raises(ValidationError):
        services.set_endorsement(other_participant, comment=comment, kind="love", endorsed=True)


@pytest.mark.parametrize("state", [Comment.State.HIDDEN, Comment.State.PENDING, Comment.State.DELETED])
def test_a_comment_not_shown_cannot_be_endorsed(room, participant, other_participant, state):
    comment = factories.make_comment(room, participant)
    Comment.objects.filter(pk=comment.pk).update(state=state)
    comment.refresh_from_db()
    with pytest.raises(PermissionDenied, match="no longer shown"):
        services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)


def test_a_suspended_participant_cannot_endorse(room, participant, other_participant, moderator):
    comment = factories.make_comment(room, participant)
    Suspension.objects.create(
        consultation=room.consultation, user=other_participant, reason="Spam", created_by=moderator
    )
    with pytest.raises(PermissionDenied, match="suspended"):
        services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)


def test_a_closed_room_keeps_its_endorsements_as_they_are(room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)
    comment.room.refresh_from_db()
    with pytest.raises(PermissionDenied, match="closed"):
        services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)


def test_endorsing_too_fast_is_refused_for_a_while(room, participant, other_participant, settings, monkeypatch):
    settings.FORUM_RATE_LIMITS = {"endorse": [(3, 60)]}
    monkeypatch.setattr(ratelimits, "time", SimpleNamespace(time=lambda: 86_400.0 * 20_000 + 5))
    comments = [factories.make_comment(room, participant) for _ in range(4)]
    for comment in comments[:3]:
        services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)
    with pytest.raises(ratelimits.RateLimited) as limited:
        services.set_endorsement(other_participant, comment=comments[3], kind="agree", endorsed=True)
    assert limited.value.retry_after == 55
    assert counts_of(comments[3]) == (0, 0)


def test_recount_repairs_endorsement_counts_and_thread_activity(room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    services.set_endorsement(other_participant, comment=comment, kind="useful", endorsed=True)
    Comment.objects.filter(pk=comment.pk).update(useful_count=5, agree_count=2, thread_activity_at=timezone.now())

    wrong = recount_rooms([room])

    assert {miscount.field for miscount in wrong} == {
        f"comment {comment.pk} useful_count",
        f"comment {comment.pk} agree_count",
        f"comment {comment.pk} thread_activity_at",
    }
    assert counts_of(comment) == (0, 1)
    assert recount_rooms([room], repair=False) == []


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_endorsements_are_each_counted_once(consultation):
    room = factories.make_room(consultation)
    author = factories.make_user()
    comment = factories.make_comment(room, author)
    people = [factories.make_user() for _ in range(8)]
    barrier = threading.Barrier(len(people) * 2)
    errors = []

    def endorse(person):
        try:
            barrier.wait()
            # Each person twice at once: a double click from two tabs.
            services.set_endorsement(person, comment=comment, kind="agree", endorsed=True)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=endorse, args=(person,)) for person in people for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert counts_of(comment) == (8, 0)
    assert Endorsement.objects.filter(comment=comment).count() == 8


# --- Through the page ---------------------------------------------------


def test_without_javascript_the_form_endorses_and_comes_back_to_the_comment(
    client, room, participant, other_participant
):
    comment = factories.make_comment(room, participant)
    client.force_login(other_participant)

    response = client.post(endorse_url(comment), {"kind": "agree"})

    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{comment.pk}")
    html = article(client.get(response.url).content.decode(), comment)
    assert re.search(r'aria-pressed="true" aria-label="I agree, 1">I agree <span class="endorse__count">1</span>', html)
    assert 'name="endorse" value="off"' in html

    client.post(endorse_url(comment), {"kind": "agree", "endorse": "off"})
    assert counts_of(comment) == (0, 0)


def test_with_javascript_the_answer_is_json_with_the_new_count(client, room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    client.force_login(other_participant)

    response = client.post(endorse_url(comment), {"kind": "useful"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {"kind": "useful", "endorsed": True, "count": 1, "name": "Useful, 1"}


def test_a_refusal_is_403_with_the_reason(client, room, participant):
    comment = factories.make_comment(room, participant)
    client.force_login(participant)

    assert client.post(endorse_url(comment), {"kind": "agree"}).status_code == 403
    response = client.post(endorse_url(comment), {"kind": "agree"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert "your own comment" in response.json()["error"]


def test_a_rate_limited_endorsement_answers_429_with_when_to_retry(
    client, room, participant, other_participant, settings
):
    settings.FORUM_RATE_LIMITS = {"endorse": [(1, 60)]}
    comment = factories.make_comment(room, participant)
    client.force_login(other_participant)
    client.post(endorse_url(comment), {"kind": "agree"}, HTTP_ACCEPT="application/json")

    response = client.post(endorse_url(comment), {"kind": "useful"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "faster than we allow" in response.json()["error"]


def test_without_javascript_a_rate_limited_endorsement_comes_back_to_the_comment_saying_why(
    client, room, participant, other_participant, settings
):
    settings.FORUM_RATE_LIMITS = {"endorse": [(1, 60)]}
    comment = factories.make_comment(room, participant)
    client.force_login(other_participant)
    client.post(endorse_url(comment), {"kind": "agree"})

    response = client.post(endorse_url(comment), {"kind": "useful"}, follow=True)

    assert "You are endorsing faster than we allow." in response.content.decode()
    assert counts_of(comment) == (1, 0)


def test_a_held_comment_of_someone_else_is_not_found(client, room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    Comment.objects.filter(pk=comment.pk).update(state=Comment.State.PENDING)
    client.force_login(other_participant)
    assert client.post(endorse_url(comment), {"kind": "agree"}).status_code == 404
    assert client.post(reverse("forum:endorse-comment", args=[999999]), {"kind": "agree"}).status_code == 404


def test_endorsing_needs_a_post_and_a_signed_in_person(client, room, participant):
    comment = factories.make_comment(room, participant)
    response = client.post(endorse_url(comment), {"kind": "agree"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(participant)
    assert client.get(endorse_url(comment)).status_code == 405


def test_anonymous_readers_see_the_counts_and_a_log_in_link_back_to_the_comment(
    client, room, participant, other_participant
):
    comment = factories.make_comment(room, participant)
    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)

    html = article(client.get(room.get_absolute_url()).content.decode(), comment)

    assert "<form" not in html
    assert f'href="/accounts/login/?next=/comment/{comment.pk}/"' in html
    assert 'aria-label="I agree, 1 (log in to endorse)">I agree <span class="endorse__count">1</span>' in html


def test_the_author_sees_the_counts_of_their_comment_without_buttons(client, room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    services.set_endorsement(other_participant, comment=comment, kind="useful", endorsed=True)
    client.force_login(participant)

    html = article(client.get(room.get_absolute_url()).content.decode(), comment)

    assert "endorse-form" not in html
    assert 'class="endorse endorse--count">Useful' in html
    assert "I agree" not in html  # no count to show


def test_removed_comments_show_no_endorsements(client, room, participant, other_participant, moderator):
    comment = factories.make_comment(room, participant)
    factories.make_reply(comment, other_participant)
    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)
    services.hide_comment(moderator, comment=comment, reason="Off-topic")

    html = article(client.get(room.get_absolute_url()).content.decode(), comment)

    assert "endorse" not in html


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_many_endorsements_cost_the_room_page_no_query_more(client, room, participant, signed_in):
    viewer = factories.make_user()
    if signed_in:
        client.force_login(viewer)
    comments = [factories.make_comment(room, participant) for _ in range(5)]
    for comment in comments:
        factories.make_reply(comment, participant)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(room.get_absolute_url()).status_code == 200
        return len(captured)

    before = queries()
    people = [factories.make_user() for _ in range(4)] + [viewer]
    for comment in Comment.objects.filter(room=room):
        for person in people:
            services.set_endorsement(person, comment=comment, kind="agree", endorsed=True)
            services.set_endorsement(person, comment=comment, kind="useful", endorsed=True)

    assert queries() == before
    assert before <= (6 if not signed_in else 13)
    if signed_in:
        html = client.get(room.get_absolute_url()).content.decode()
        assert html.count('aria-pressed="true"') == 20


def test_a_thread_page_marks_the_viewers_endorsements(client, room, participant, other_participant):
    root = factories.make_comment(room, participant)
    reply = factories.make_reply(root, participant)
    services.set_endorsement(other_participant, comment=reply, kind="useful", endorsed=True)
    client.force_login(other_participant)

    html = client.get(reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])).content.decode()

    assert html.count('aria-pressed="true"') == 1
    assert 'aria-pressed="true" aria-label="Useful, 1"' in article(html, reply)


# --- Exports and statistics ---------------------------------------------


def test_exports_count_each_kind_per_comment(room, participant, other_participant):
    comment = factories.make_comment(room, participant)
    reply = factories.make_reply(comment, other_participant)
    services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)
    services.set_endorsement(participant, comment=reply, kind="useful", endorsed=True)

    by_id = {row["id"]: row for row in exports.rows([room])}

    assert (by_id[comment.pk]["agree_count"], by_id[comment.pk]["useful_count"]) == (1, 0)
    assert (by_id[reply.pk]["agree_count"], by_id[reply.pk]["useful_count"]) == (0, 1)


def test_the_summary_counts_endorsements_and_lists_the_most_endorsed_as_their_authors_allow(
    client, room, moderator, participant, other_participant
):
    by_name = factories.make_comment(room, participant, body="Paralegals reach villages.")
    shy = factories.make_user("Quiet Person", quoting_consent="anonymous")
    anonymous = factories.make_comment(room, shy, body="Mobile courts help.")
    private = factories.make_user("Private Person", quoting_consent="not_at_all")
    unquoted = factories.make_comment(room, private, body="Do not quote this.")
    for comment in (by_name, anonymous, unquoted):
        services.set_endorsement(other_participant, comment=comment, kind="agree", endorsed=True)
    services.set_endorsement(other_participant, comment=by_name, kind="useful", endorsed=True)
    client.force_login(moderator)

    html = client.get(reverse("forum:room-summary", args=[room.consultation.slug, room.slug])).content.decode()

    section = html.split('id="endorsed-heading"')[1].split("</section>")[0]
    assert "“I agree” 3, “Useful” 1." in section
    assert section.index("Paralegals reach villages.") < section.index("Mobile courts help.")
    assert "Amina Diallo" in section
    assert "Quiet Person" not in section and "Private Person" not in section
    assert "Do not quote this." not in section
    assert "A comment whose author asked not to be quoted" in section
