"""The Preview button on the comment, reply and edit forms: the text rendered by
the real renderer above the form, the text kept, and nothing written."""

import pytest
from django.conf import settings
from django.urls import reverse

from forum.models import Comment, CommentLink, Mention, Notification, Room
from tests import factories


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def reply_url(room, parent):
    return reverse("forum:reply", args=[room.consultation.slug, room.slug, parent.pk])


def what_is_stored():
    return {
        "comments": Comment.objects.count(),
        "mentions": Mention.objects.count(),
        "links": CommentLink.objects.count(),
        "notifications": Notification.objects.count(),
        "rooms": list(Room.objects.values_list("comment_count", "thread_count")),
    }


def test_a_preview_shows_the_rendered_text_above_the_form_and_keeps_the_text(participant_client, room):
    body = "A **bold** idea, see https://example.org/a-report"
    response = participant_client.post(new_comment_url(room), {"body": body, "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: not posted yet" in html
    assert "<strong>bold</strong>" in html
    assert 'rel="nofollow ugc noopener"' in html
    # The text stays in the form, escaped, ready to post.
    assert "A **bold** idea, see https://example.org/a-report</textarea>" in html
    assert html.index("Preview: not posted yet") < html.index("</textarea>")


def test_a_preview_writes_nothing_no_comment_mention_citation_notification_or_count(
    participant_client, room, participant, other_participant
):
    cited = factories.make_comment(room, other_participant, body="Legal aid desks in every court.")
    before = what_is_stored()
    body = f"@{other_participant.handle} agreed: {settings.SITE_URL}/comment/{cited.pk}/"
    response = participant_client.post(new_comment_url(room), {"body": body, "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    # Rendered as posting renders: the mention and the reference card.
    assert f'href="/u/{other_participant.handle}/" class="mention"' in html
    assert 'class="reference"' in html and "Comment by Jean Dupont in" in html
    assert what_is_stored() == before


def test_a_reply_preview_keeps_the_reply_form_under_its_parent(participant_client, room, other_participant):
    parent = factories.make_comment(room, other_participant, body="What would help?")
    response = participant_client.post(reply_url(room, parent), {"body": "_Courts_ nearer people.", "preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<em>Courts</em> nearer people." in html
    assert "What would help?" in html
    assert "_Courts_ nearer people.</textarea>" in html
    assert Comment.objects.count() == 1


def test_an_edit_preview_shows_the_new_text_and_leaves_the_comment_as_it_was(participant_client, room, participant):
    comment = factories.make_comment(room, participant, body="First words.")
    response = participant_client.post(
        reverse("forum:edit-comment", args=[comment.pk]), {"body": "Second *words*.", "preview": "1"}
    )
    assert response.status_code == 200
    assert "Second <em>words</em>." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body_source == "First words."
    assert comment.edited_at is None
    assert not comment.revisions.exists()


def test_an_empty_preview_says_what_to_do(participant_client, room):
    response = participant_client.post(new_comment_url(room), {"body": "  ", "preview": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please write something before posting." in html
    assert "Preview: not posted yet" not in html


def test_a_preview_of_a_too_long_text_says_so_and_keeps_it(participant_client, room, settings):
    settings.FORUM_COMMENT_MAX_LENGTH = 20
    response = participant_client.post(new_comment_url(room), {"body": "x" * 25, "preview": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "the limit is 20" in html
    assert "x" * 25 + "</textarea>" in html


def test_previews_are_rate_limited_and_the_text_is_kept(participant_client, room, settings):
    settings.FORUM_RATE_LIMITS = {"preview": [(2, 60)]}
    for _ in range(2):
        assert participant_client.post(new_comment_url(room), {"body": "Draft", "preview": "1"}).status_code == 200
    response = participant_client.post(new_comment_url(room), {"body": "Draft", "preview": "1"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "Draft</textarea>" in response.content.decode()
    # Posting has its own limit: the comment still goes through.
    assert participant_client.post(new_comment_url(room), {"body": "Draft"}).status_code == 302


def test_no_preview_for_someone_who_may_not_post(client, room):
    suspended = factories.make_user("Sus Pended")
    closed = factories.make_room(room.consultation, slug="closed-room")
    Room.objects.filter(pk=closed.pk).update(state=Room.State.CLOSED)
    client.force_login(suspended)
    response = client.post(new_comment_url(closed), {"body": "Let me in", "preview": "1"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This room is closed" in html
    assert "Preview: not posted yet" not in html
    assert "Let me in</textarea>" in html


def test_anonymous_visitors_get_no_preview(client, room):
    response = client.post(new_comment_url(room), {"body": "Hello", "preview": "1"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("where", ["room", "reply", "edit"])
def test_every_comment_form_has_a_preview_button(participant_client, room, participant, where):
    comment = factories.make_comment(room, participant)
    url = {
        "room": room.get_absolute_url(),
        "reply": reply_url(room, comment),
        "edit": reverse("forum:edit-comment", args=[comment.pk]),
    }[where]
    html = participant_client.get(url).content.decode()
    assert 'name="preview"' in html


def test_posting_says_so_for_the_draft_to_be_forgotten(participant_client, room):
    response = participant_client.post(new_comment_url(room), {"body": "Posted words"}, follow=True)
    html = response.content.decode()
    assert "Your comment has been posted." in html
    assert "data-posted" in html


def test_a_preview_says_nothing_was_posted(participant_client, room):
    html = participant_client.post(new_comment_url(room), {"body": "Words", "preview": "1"}).content.decode()
    assert "data-posted" not in html
