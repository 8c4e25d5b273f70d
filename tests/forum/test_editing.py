"""Authors edit their own comments: the plain edit page, the 'edited' mark, the
versions kept for moderators, and what an edit renders and notifies again."""

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from forum.models import Comment, CommentLink, CommentRevision, Mention, Notification, Room
from tests import factories

pytestmark = pytest.mark.django_db


def edit_url(comment):
    return reverse("forum:edit-comment", args=[comment.pk])


def history_url(comment):
    return reverse("forum:comment-history", args=[comment.pk])


def absolute(comment):
    """A comment's permalink as people paste it."""
    return f"{django_settings.SITE_URL}/comment/{comment.pk}/"


def article_of(client, room, comment):
    """One comment's <article> as drawn on its room page."""
    response = client.get(room.get_absolute_url())
    assert response.status_code == 200
    found = re.search(rf'<article id="comment-{comment.pk}".*?</article>', response.content.decode(), re.S)
    assert found, f"comment {comment.pk} is not on the room page"
    return found.group(0)


@pytest.fixture
def comment(room, participant):
    return factories.make_comment(room, participant, body="Legal aid is **underfunded** in rural areas.")


# --- The plain edit page -------------------------------------------------------


def test_the_edit_page_works_without_javascript_and_holds_the_text_as_written(participant_client, comment):
    response = participant_client.get(edit_url(comment))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<form method="post" action="{edit_url(comment)}"' in html
    assert "Legal aid is **underfunded** in rural areas.</textarea>" in html
    assert "Save changes" in html


def test_saving_an_edit_lands_on_the_comment_which_shows_the_new_text_and_edited(participant_client, room, comment):
    response = participant_client.post(edit_url(comment), {"body": "Legal aid is *badly* underfunded."}, follow=True)

    assert response.redirect_chain[0] == (f"/comment/{comment.pk}/", 302)
    assert response.redirect_chain[-1][0] == f"{room.get_absolute_url()}#comment-{comment.pk}"
    assert "Your comment has been updated." in response.content.decode()
    article = article_of(participant_client, room, comment)
    assert "Legal aid is <em>badly</em> underfunded." in article
    assert "in rural areas" not in article
    assert '<span class="comment__edited">edited <time' in article
    comment.refresh_from_db()
    assert comment.edited_at is not None
    assert comment.body_source == "Legal aid is *badly* underfunded."


def test_a_comment_never_edited_does_not_say_edited(participant_client, room, comment):
    assert "comment__edited" not in article_of(participant_client, room, comment)


def test_each_edit_keeps_the_version_it_replaced(participant_client, comment):
    participant_client.post(edit_url(comment), {"body": "Second version."})
    first_edit_at = Comment.objects.get(pk=comment.pk).edited_at
    participant_client.post(edit_url(comment), {"body": "Third version."})

    comment.refresh_from_db()
    assert comment.body_source == "Third version."
    revisions = list(CommentRevision.objects.filter(comment=comment).order_by("pk"))
    assert [revision.body_source for revision in revisions] == [
        "Legal aid is **underfunded** in rural areas.",
        "Second version.",
    ]
    # Each version says when it was written: the posting time, then the first edit.
    assert [revision.written_at for revision in revisions] == [comment.created_at, first_edit_at]


def test_saving_the_same_text_keeps_no_version_and_does_not_mark_it_edited(participant_client, room, comment):
    response = participant_client.post(edit_url(comment), {"body": comment.body_source})

    assert response.status_code == 302
    assert not CommentRevision.objects.exists()
    comment.refresh_from_db()
    assert comment.edited_at is None
    assert "comment__edited" not in article_of(participant_client, room, comment)


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_edit_is_refused_with_a_message_and_the_comment_is_unchanged(participant_client, comment, body):
    response = participant_client.post(edit_url(comment), {"body": body})

    assert response.status_code == 400
    assert "Please write something before posting." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body_source == "Legal aid is **underfunded** in rural areas."
    assert comment.edited_at is None
    assert not CommentRevision.objects.exists()


def test_an_edit_that_is_too_long_is_refused_and_the_typed_text_is_kept(participant_client, comment, settings):
    settings.FORUM_COMMENT_MAX_LENGTH = 40
    too_long = "A rewrite that runs well past the forty characters allowed."

    response = participant_client.post(edit_url(comment), {"body": too_long})

    assert response.status_code == 400
    html = response.content.decode()
    assert "the limit is 40" in html
    assert f"{too_long}</textarea>" in html
    comment.refresh_from_db()
    assert comment.body_source == "Legal aid is **underfunded** in rural areas."


# --- Who may edit ----------------------------------------------------------------


def test_someone_else_cannot_edit_my_comment(client, comment, other_participant, moderator):
    for person in (other_participant, moderator):
        client.force_login(person)

        assert client.get(edit_url(comment)).status_code == 403
        response = client.post(edit_url(comment), {"body": "Rewritten by someone else."})

        assert response.status_code == 403
        assert "Only the author can edit a comment." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body_source == "Legal aid is **underfunded** in rural areas."


def test_an_anonymous_visitor_is_sent_to_log_in(client, comment):
    response = client.post(edit_url(comment), {"body": "Anonymous rewrite."})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    comment.refresh_from_db()
    assert comment.body_source == "Legal aid is **underfunded** in rural areas."


def test_a_comment_in_a_closed_room_cannot_be_edited_and_the_page_says_why(participant_client, room, comment):
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)

    assert participant_client.get(edit_url(comment)).status_code == 403
    response = participant_client.post(edit_url(comment), {"body": "Too late to change this."})

    assert response.status_code == 403
    assert "This room is closed" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body_source == "Legal aid is **underfunded** in rural areas."


def test_a_closed_room_shows_no_edit_link(participant_client, room, comment):
    assert f'href="{edit_url(comment)}"' in article_of(participant_client, room, comment)
    Room.objects.filter(pk=room.pk).update(state=Room.State.CLOSED)

    assert f'href="{edit_url(comment)}"' not in article_of(participant_client, room, comment)


def test_a_hidden_comment_cannot_be_edited_by_its_author(participant_client, comment):
    Comment.objects.filter(pk=comment.pk).update(state=Comment.State.HIDDEN, hidden_reason="personal attack")

    response = participant_client.post(edit_url(comment), {"body": "Let me soften that."})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body_source == "Legal aid is **underfunded** in rural areas."


# --- Earlier versions, for moderators and staff ---------------------------------------


def test_moderators_and_staff_read_the_earlier_versions(client, participant_client, comment, moderator, staff):
    participant_client.post(edit_url(comment), {"body": "A milder second version."})

    for person in (moderator, staff):
        client.force_login(person)
        response = client.get(history_url(comment))

        assert response.status_code == 200
        html = response.content.decode()
        assert '<pre class="revision__text">Legal aid is **underfunded** in rural areas.</pre>' in html
        assert "A milder second version." in html


def test_the_moderation_page_links_to_the_earlier_versions(client, participant_client, comment, moderator):
    participant_client.post(edit_url(comment), {"body": "A milder second version."})
    client.force_login(moderator)

    html = client.get(reverse("forum:moderate-comment", args=[comment.pk])).content.decode()

    assert f'<a href="{history_url(comment)}">1 earlier version</a>' in html


def test_the_author_and_other_participants_cannot_read_earlier_versions(
    client, participant_client, comment, other_participant
):
    participant_client.post(edit_url(comment), {"body": "A milder second version."})

    assert participant_client.get(history_url(comment)).status_code == 403
    client.force_login(other_participant)
    assert client.get(history_url(comment)).status_code == 403


def test_a_moderator_of_another_room_cannot_read_earlier_versions(client, consultation, comment):
    elsewhere = factories.make_user("Other Room Moderator")
    factories.assign_moderator(factories.make_room(consultation), elsewhere)
    client.force_login(elsewhere)

    assert client.get(history_url(comment)).status_code == 403


# --- Rendering again: mentions and cross-links --------------------------------------


def test_an_edit_that_adds_a_mention_tells_only_the_newly_mentioned(participant_client, room, participant):
    already = factories.make_user("Jean Dupont")
    newcomer = factories.make_user("Carla Costa")
    comment = factories.make_comment(room, participant, body="Thanks @jean_dupont for the figures.")
    assert Notification.objects.filter(recipient=already, kind=Notification.Kind.MENTION).count() == 1

    participant_client.post(edit_url(comment), {"body": "Thanks @jean_dupont and @carla_costa for the figures."})

    assert Notification.objects.filter(recipient=already).count() == 1
    told = Notification.objects.get(recipient=newcomer)
    assert (told.kind, told.comment, told.actor) == (Notification.Kind.MENTION, comment, participant)
    assert set(Mention.objects.filter(comment=comment).values_list("user_id", flat=True)) == {already.pk, newcomer.pk}
    article = article_of(participant_client, room, comment)
    assert '<a href="/u/carla_costa/" class="mention">@Carla Costa</a>' in article


def test_an_edit_that_removes_a_mention_forgets_it_and_tells_nobody(participant_client, room, participant):
    jean = factories.make_user("Jean Dupont")
    comment = factories.make_comment(room, participant, body="Thanks @jean_dupont for the figures.")

    participant_client.post(edit_url(comment), {"body": "Thanks for the figures."})

    assert not Mention.objects.filter(comment=comment).exists()
    assert Notification.objects.filter(recipient=jean).count() == 1
    assert "/u/jean_dupont/" not in article_of(participant_client, room, comment)


def test_an_edit_that_adds_a_link_to_a_comment_draws_the_reference_and_the_backlink(
    participant_client, room, consultation, comment
):
    other_room = factories.make_room(consultation, title="Access to justice")
    cited = factories.make_comment(
        other_room, factories.make_user("Rosa Ruiz"), body="Paralegals reach remote villages."
    )

    participant_client.post(edit_url(comment), {"body": f"As said in {absolute(cited)}"})

    assert list(CommentLink.objects.values_list("source_id", "target_id")) == [(comment.pk, cited.pk)]
    article = article_of(participant_client, room, comment)
    assert f'<a href="{absolute(cited)}" class="reference">Comment by Rosa Ruiz in Access to justice</a>' in article
    assert '<span class="reference__excerpt">“Paralegals reach remote villages.”</span>' in article
    cited_article = article_of(participant_client, other_room, cited)
    assert f'<a href="/comment/{comment.pk}/"><bdi>Amina Diallo</bdi> in <bdi>{room.title}</bdi></a>' in cited_article


def test_comments_citing_an_edited_comment_show_its_new_excerpt(
    participant_client, room, consultation, comment, other_participant
):
    other_room = factories.make_room(consultation, title="Access to justice")
    citing = factories.make_comment(other_room, other_participant, body=f"I agree with {absolute(comment)}")
    assert "Legal aid is underfunded in rural areas." in article_of(participant_client, other_room, citing)

    participant_client.post(edit_url(comment), {"body": "Courts are too far from villages."})

    article = article_of(participant_client, other_room, citing)
    assert "“Courts are too far from villages.”" in article
    assert "underfunded" not in article
