"""A new version of the terms of use or privacy notice: reading stays open,
and signed-in people accept it before their next post, without losing a word."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Acceptance, User
from forum import services
from forum.models import Comment
from tests import factories

BODY = "Legal aid clinics need **stable** funding."


@pytest.fixture
def new_version(participant, other_participant):
    """Version 1 accepted by both participants, then version 2 published."""
    first = factories.publish_document("terms", "1")
    factories.accept_documents(participant, first)
    factories.accept_documents(other_participant, first)
    return factories.publish_document("terms", "2", changes="Reports are kept for a year.")


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_reading_stays_open_and_a_banner_asks_before_the_next_post(
    client, room, other_participant, participant, new_version
):
    factories.make_comment(room, fresh(other_participant), body="Written before version 2.", accepting=[new_version.pk])
    client.force_login(participant)

    html = client.get(room.get_absolute_url()).content.decode()

    assert "Written before version 2." in html
    assert "Please read and accept before your next post" in html
    assert f'href="{reverse("accounts:accept-documents")}?next=' in html
    assert 'name="accept_documents"' in html
    assert f'name="document_ids" value="{new_version.pk}"' in html
    assert 'name="body"' in html


def test_no_banner_for_people_who_accepted_or_for_visitors(client, room, participant):
    factories.accept_documents(participant, factories.publish_document("terms", "1"))

    anonymous = client.get(room.get_absolute_url()).content.decode()
    client.force_login(participant)
    signed_in = client.get(room.get_absolute_url()).content.decode()

    for html in (anonymous, signed_in):
        assert "Please read and accept before your next post" not in html
        assert 'name="accept_documents"' not in html


def test_a_post_without_accepting_is_refused_and_the_text_is_kept(participant_client, room, new_version):
    response = participant_client.post(
        reverse("forum:new-comment", args=[room.consultation.slug, room.slug]),
        {"body": BODY, "document_ids": str(new_version.pk)},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Please accept the current terms of use and privacy notice before posting; your text is kept." in html
    assert "Legal aid clinics need **stable** funding.</textarea>" in html
    assert 'name="accept_documents"' in html
    assert not Comment.objects.exists()


def test_ticking_the_box_accepts_the_new_version_and_posts(participant_client, participant, room, new_version):
    response = participant_client.post(
        reverse("forum:new-comment", args=[room.consultation.slug, room.slug]),
        {"body": BODY, "document_ids": str(new_version.pk), "accept_documents": "on"},
    )

    assert response.status_code == 302
    assert Comment.objects.get().author == participant
    acceptance = Acceptance.objects.get(user=participant, document=new_version)
    assert acceptance.source == Acceptance.Source.COMMENT_FORM
    next_page = participant_client.get(room.get_absolute_url()).content.decode()
    assert "Please read and accept before your next post" not in next_page


def test_a_reply_asks_too_and_keeps_the_text(participant_client, participant, other_participant, room, new_version):
    parent = factories.make_comment(room, fresh(other_participant), accepting=[new_version.pk])
    url = reverse("forum:reply", args=[room.consultation.slug, room.slug, parent.pk])

    # The reply form opened in place before version 2 carried no box.
    refused = participant_client.post(url, {"body": "Mobile clinics worked well."})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Mobile clinics worked well.</textarea>" in html
    assert "Please accept the current terms of use and privacy notice before posting" in html

    accepted = participant_client.post(
        url, {"body": "Mobile clinics worked well.", "document_ids": str(new_version.pk), "accept_documents": "on"}
    )
    assert accepted.status_code == 302
    assert Comment.objects.filter(parent=parent, author=participant).exists()


def test_an_edit_asks_too(participant_client, participant, room, new_version):
    comment = factories.make_comment(room, fresh(participant), accepting=[new_version.pk])
    factories.publish_document("terms", "3")
    url = reverse("forum:edit-comment", args=[comment.pk])

    form = participant_client.get(url)
    assert 'name="accept_documents"' in form.content.decode()
    refused = participant_client.post(
        url, {"body": "Rewritten.", "document_ids": form.context["form"]["document_ids"].value()}
    )

    assert refused.status_code == 400
    assert "Rewritten.</textarea>" in refused.content.decode()
    comment.refresh_from_db()
    assert comment.body_source == "A thoughtful comment."


def test_the_services_refuse_posting_replying_and_editing_until_accepted(
    room, participant, other_participant, new_version
):
    parent = factories.make_comment(room, fresh(other_participant), accepting=[new_version.pk])
    own = Comment.objects.get(pk=parent.pk)

    for attempt in (
        lambda: services.post_comment(fresh(participant), room=room, body=BODY),
        lambda: services.reply_to_comment(fresh(participant), parent=parent, body=BODY),
    ):
        with pytest.raises(ValidationError) as refusal:
            attempt()
        assert refusal.value.code == "documents_to_accept"
    factories.publish_document("terms", "3")
    with pytest.raises(ValidationError):
        services.edit_comment(fresh(other_participant), comment=own, body="Changed.")


def test_moderators_and_staff_accept_like_everyone(room, moderator, staff, new_version):
    for person in (moderator, staff):
        with pytest.raises(ValidationError):
            services.post_comment(fresh(person), room=room, body=BODY)
        assert services.post_comment(fresh(person), room=room, body=BODY, accepting=[new_version.pk])


def test_accepting_on_the_acceptance_page_then_posting_works(participant_client, participant, room, new_version):
    page = participant_client.get(f"{reverse('accounts:accept-documents')}?next={room.get_absolute_url()}")
    participant_client.post(
        reverse("accounts:accept-documents"),
        {"document_ids": page.context["form"]["document_ids"].value(), "accept_documents": "on"},
    )

    response = participant_client.post(
        reverse("forum:new-comment", args=[room.consultation.slug, room.slug]), {"body": BODY}
    )

    assert response.status_code == 302
    assert Comment.objects.filter(author=participant).exists()


def _room_page_queries(client, room):
    client.get(room.get_absolute_url())  # the current versions, read once into the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(room.get_absolute_url()).status_code == 200
    return len(queries)


def test_the_rule_costs_the_room_page_no_query_once_accepted(client, room, participant):
    factories.make_comment(room, participant)
    client.force_login(participant)
    without_documents = _room_page_queries(client, room)

    factories.accept_documents(participant, factories.publish_document("terms", "1"))
    factories.accept_documents(participant, factories.publish_document("privacy", "1"))

    assert _room_page_queries(client, room) == without_documents <= 12


def test_a_thread_page_offers_the_box_with_its_comment_box_and_reply_form(
    participant_client, room, participant, new_version
):
    root = factories.make_comment(room, fresh(participant), accepting=[new_version.pk])
    factories.publish_document("terms", "3")

    html = participant_client.get(
        reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])
    ).content.decode()

    box, reply_template = html.split('id="reply-form-template"')
    assert 'name="body"' in box and 'name="accept_documents"' in box
    assert 'name="accept_documents" required' in reply_template
