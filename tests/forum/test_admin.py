"""Admins configure consultations, rooms, questions and the rota in the Django admin."""

import pytest
from django.urls import reverse

from forum.models import Comment, Room, RoomModerator
from tests import factories


@pytest.fixture
def admin_client(client, db):
    client.force_login(factories.make_user("Ada Admin", is_staff=True, is_superuser=True))
    return client


def test_the_room_page_in_the_admin_has_questions_and_rota_inlines(admin_client, room):
    html = admin_client.get(reverse("admin:forum_room_change", args=[room.pk])).content.decode()
    assert "Guiding questions" in html
    assert "Moderator rota" in html
    assert "prepopulated" in html  # the slug fills itself from the title


def test_an_admin_adds_a_room_with_questions_and_a_moderator(admin_client, consultation):
    moderator = factories.make_user("Rota Person")
    data = {
        "consultation": consultation.pk,
        "title": "Civic space",
        "slug": "civic-space",
        "position": 2,
        "introduction": "Intro",
        "objective": "",
        "outcome": "",
        "state": "open",
        "premoderate_first": "0",
        "is_published": "on",
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-0-position": "1",
        "questions-0-group_heading": "Threats",
        "questions-0-text": "What restricts civic space?",
        "questions-1-position": "2",
        "questions-1-group_heading": "Threats",
        "questions-1-text": "Who is most affected?",
        "moderator_assignments-TOTAL_FORMS": "1",
        "moderator_assignments-INITIAL_FORMS": "0",
        "moderator_assignments-0-user": moderator.pk,
        "moderator_assignments-0-starts_on": "2026-11-20",
        "moderator_assignments-0-ends_on": "2026-11-27",
    }
    response = admin_client.post(reverse("admin:forum_room_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    room = Room.objects.get(slug="civic-space")
    assert [q.text for q in room.questions.all()] == ["What restricts civic space?", "Who is most affected?"]
    assert RoomModerator.objects.get(room=room).user == moderator


def test_a_rota_line_that_ends_before_it_starts_is_refused(admin_client, room):
    moderator = factories.make_user("Backwards")
    data = {
        "consultation": room.consultation.pk,
        "title": room.title,
        "slug": room.slug,
        "position": 0,
        "introduction": "Intro",
        "state": "open",
        "premoderate_first": "0",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "moderator_assignments-TOTAL_FORMS": "1",
        "moderator_assignments-INITIAL_FORMS": "0",
        "moderator_assignments-0-user": moderator.pk,
        "moderator_assignments-0-starts_on": "2026-11-27",
        "moderator_assignments-0-ends_on": "2026-11-20",
    }
    response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 200
    assert not RoomModerator.objects.filter(room=room).exists()


def test_a_reserved_room_slug_is_refused(admin_client, consultation):
    data = {
        "consultation": consultation.pk,
        "title": "Summary",
        "slug": "summary",
        "position": 0,
        "state": "open",
        "premoderate_first": "0",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "moderator_assignments-TOTAL_FORMS": "0",
        "moderator_assignments-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:forum_room_add"), data)
    assert response.status_code == 200
    assert "is used by the site itself" in response.content.decode()
    assert not Room.objects.filter(slug="summary").exists()


def test_the_consultation_list_and_room_list_have_filters_and_search(admin_client, room):
    rooms = admin_client.get(reverse("admin:forum_room_changelist") + "?q=Room").content.decode()
    assert room.title in rooms
    assert "By state" in rooms
    consultations = admin_client.get(reverse("admin:forum_consultation_changelist")).content.decode()
    assert room.consultation.title in consultations


def test_comments_are_searchable_by_text_and_author_and_filterable(admin_client, room):
    author = factories.make_user("Searchable Author")
    root = factories.make_comment(room, author, body="Community paralegals matter")
    reply = factories.make_reply(root, body="Indeed they do")
    Comment.objects.filter(pk=reply.pk).update(state=Comment.State.HIDDEN)
    url = reverse("admin:forum_comment_changelist")
    by_text = admin_client.get(url + "?q=paralegals").content.decode()
    assert "Community paralegals matter" in by_text
    assert "Indeed they do" not in by_text
    by_author = admin_client.get(url + "?q=Searchable").content.decode()
    assert "Community paralegals matter" in by_author
    hidden = admin_client.get(url + f"?state__exact=hidden&room__id__exact={room.pk}").content.decode()
    assert "Indeed they do" in hidden
    assert "Community paralegals matter" not in hidden
    assert "Depth" in by_text or "depth" in by_text


def test_comments_cannot_be_added_or_deleted_in_the_admin(admin_client, room):
    comment = factories.make_comment(room)
    assert admin_client.get(reverse("admin:forum_comment_add")).status_code == 403
    assert admin_client.get(reverse("admin:forum_comment_delete", args=[comment.pk])).status_code == 403
    assert admin_client.get(reverse("admin:forum_comment_change", args=[comment.pk])).status_code == 200


def test_the_admin_is_closed_to_participants(client, participant):
    client.force_login(participant)
    response = client.get(reverse("admin:forum_room_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url
