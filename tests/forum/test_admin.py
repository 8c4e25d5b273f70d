"""Admins configure consultations, rooms, questions and the rota in the Django admin."""

import re
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from forum.models import Comment, Consultation, QuestionGroup, Room, RoomModerator
from tests import factories
from tests.forum.admin_forms import room_change_form, room_form


@pytest.fixture
def admin_client(client, db):
    client.force_login(factories.make_user("Ada Admin", is_staff=True, is_superuser=True))
    return client


def test_the_room_page_in_the_admin_has_groups_questions_and_rota_inlines(admin_client, room):
    html = admin_client.get(reverse("admin:forum_room_change", args=[room.pk])).content.decode()
    assert "Question groups" in html
    assert "Guiding questions" in html
    assert "Moderator rota" in html
    assert "prepopulated" in html  # the slug fills itself from the title


def test_an_admin_adds_a_room_with_questions_and_a_moderator(admin_client, consultation):
    moderator = factories.make_user("Rota Person")
    data = room_form(
        consultation,
        questions=[
            {"position": "1", "text": "What restricts civic space?"},
            {"position": "2", "text": "Who is most affected?"},
        ],
        moderator_assignments=[{"user": moderator.pk, "starts_on": "2026-11-20", "ends_on": "2026-11-27"}],
    )
    response = admin_client.post(reverse("admin:forum_room_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    room = Room.objects.get(slug="civic-space")
    assert [q.text for q in room.questions.all()] == ["What restricts civic space?", "Who is most affected?"]
    assert RoomModerator.objects.get(room=room).user == moderator


def test_a_group_heading_is_typed_once_and_its_questions_are_shown_under_it(admin_client, room):
    response = admin_client.post(
        reverse("admin:forum_room_change", args=[room.pk]),
        room_change_form(room, question_groups=[{"heading": "Threats", "position": "1"}]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    threats = QuestionGroup.objects.get(room=room)
    response = admin_client.post(
        reverse("admin:forum_room_change", args=[room.pk]),
        room_change_form(
            room,
            question_groups=[{"id": threats.pk, "room": room.pk, "heading": "Threats", "position": "1"}],
            questions=[
                {"group": "", "position": "1", "text": "Where do you work?"},
                {"group": threats.pk, "position": "2", "text": "Who is most affected?"},
                {"group": threats.pk, "position": "1", "text": "What restricts civic space?"},
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = admin_client.get(room.get_absolute_url()).content.decode()
    assert html.count("Threats") == 1
    assert re.search(r'<li value="1">\s*Where do you work\?', html)
    assert re.search(r'<h3>Threats</h3>\s*<ol class="questions__list">\s*<li value="2">\s*What restricts', html)
    assert re.search(r'<li value="3">\s*Who is most affected\?', html)


def test_a_question_can_only_join_a_group_of_its_own_room(admin_client, room):
    elsewhere = factories.make_question_group(factories.make_room(room.consultation), "Elsewhere")
    mine = factories.make_question_group(room, "Mine")
    page = admin_client.get(reverse("admin:forum_room_change", args=[room.pk])).content.decode()
    assert f'<option value="{mine.pk}">Mine</option>' in page
    assert "Elsewhere" not in page
    response = admin_client.post(
        reverse("admin:forum_room_change", args=[room.pk]),
        room_change_form(
            room,
            question_groups=[{"id": mine.pk, "room": room.pk, "heading": "Mine", "position": "0"}],
            questions=[{"group": elsewhere.pk, "position": "1", "text": "Misfiled?"}],
        ),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not room.questions.exists()


def test_a_rota_line_that_ends_before_it_starts_is_refused(admin_client, room):
    moderator = factories.make_user("Backwards")
    data = room_change_form(
        room, moderator_assignments=[{"user": moderator.pk, "starts_on": "2026-11-27", "ends_on": "2026-11-20"}]
    )
    response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 200
    assert not RoomModerator.objects.filter(room=room).exists()


def test_a_shift_fills_the_dates_of_a_rota_line_without_javascript(admin_client, room):
    Consultation.objects.filter(pk=room.consultation.pk).update(
        opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 29)
    )
    first, rest = factories.make_user("First Week"), factories.make_user("Rest Of It")
    data = room_change_form(
        room,
        moderator_assignments=[
            {"user": first.pk, "shift": "first_week", "starts_on": "", "ends_on": ""},
            {"user": rest.pk, "shift": "rest", "starts_on": "", "ends_on": ""},
        ],
    )
    response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RoomModerator.objects.get(user=first).starts_on == date(2026, 11, 2)
    assert RoomModerator.objects.get(user=first).ends_on == date(2026, 11, 8)
    assert RoomModerator.objects.get(user=rest).starts_on == date(2026, 11, 9)
    assert RoomModerator.objects.get(user=rest).ends_on == date(2026, 11, 29)


def test_a_shift_follows_the_rooms_own_dates_and_leaves_typed_dates_alone(admin_client, room):
    Consultation.objects.filter(pk=room.consultation.pk).update(opens_on=date(2026, 11, 2))
    first, typed = factories.make_user("First Week"), factories.make_user("Typed Dates")
    data = room_change_form(
        room,
        opens_on="2026-11-16",
        moderator_assignments=[
            {"user": first.pk, "shift": "first_week"},
            {"user": typed.pk, "shift": "first_week", "starts_on": "2026-11-18", "ends_on": "2026-11-19"},
        ],
    )
    response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    line = RoomModerator.objects.get(user=first)
    assert (line.starts_on, line.ends_on) == (date(2026, 11, 16), date(2026, 11, 22))
    line = RoomModerator.objects.get(user=typed)
    assert (line.starts_on, line.ends_on) == (date(2026, 11, 18), date(2026, 11, 19))


def test_a_shift_without_an_opening_date_asks_for_one(admin_client, room):
    data = room_change_form(room, moderator_assignments=[{"user": factories.make_user().pk, "shift": "rest"}])
    response = admin_client.post(reverse("admin:forum_room_change", args=[room.pk]), data)
    assert response.status_code == 200
    assert "Give the room or its consultation an opening date first" in response.content.decode()
    assert not RoomModerator.objects.exists()


def test_the_rota_page_gives_its_script_each_shifts_dates(admin_client, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 29))
    html = admin_client.get(f"{reverse('admin:forum_room_add')}?consultation={consultation.pk}").content.decode()
    assert 'src="/static/js/admin-rota.js"' in html
    assert 'data-dates-first_week="2026-11-02|2026-11-08"' in html
    assert 'data-dates-rest="2026-11-09|2026-11-29"' in html


def test_a_reserved_room_slug_is_refused(admin_client, consultation):
    response = admin_client.post(
        reverse("admin:forum_room_add"), room_form(consultation, title="Summary", slug="summary")
    )
    assert response.status_code == 200
    assert "is used by the site itself" in response.content.decode()
    assert not Room.objects.filter(slug="summary").exists()


def test_the_consultation_page_lists_its_rooms_each_a_click_from_its_questions_and_rota(admin_client, room):
    other = factories.make_room(room.consultation, title="Civic space", is_published=False)
    html = admin_client.get(reverse("admin:forum_consultation_change", args=[room.consultation.pk])).content.decode()
    for column in ["title", "slug", "position", "is_published", "state"]:
        assert f'<th class="column-{column}' in html
    for each in [room, other]:
        # Shown, not edited: a room's texts are edited in every language on its own page.
        assert f"<p>{each.title}</p>" in html
        assert f'<a href="{reverse("admin:forum_room_change", args=[each.pk])}">Edit questions and rota</a>' in html


def test_a_room_added_from_its_consultation_comes_with_the_consultation_chosen(admin_client, consultation):
    html = admin_client.get(reverse("admin:forum_consultation_change", args=[consultation.pk])).content.decode()
    add_url = f"{reverse('admin:forum_room_add')}?consultation={consultation.pk}"
    assert f'href="{add_url}">Add a room</a>' in html
    form = admin_client.get(add_url).content.decode()
    assert f'<option value="{consultation.pk}" selected>{consultation.title}</option>' in form


def test_consultation_and_room_pages_in_the_admin_link_to_the_site(admin_client, room):
    for url, target in [
        (reverse("admin:forum_consultation_change", args=[room.consultation.pk]), room.consultation),
        (reverse("admin:forum_room_change", args=[room.pk]), room),
    ]:
        html = admin_client.get(url).content.decode()
        link = re.search(r'<a href="([^"]+)" class="viewsitelink">View on site</a>', html).group(1)
        assert admin_client.get(link).url.endswith(target.get_absolute_url())


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


def test_the_admin_is_titled_with_the_sites_name(admin_client, settings, room):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "<title>Consultations, rooms and people | Public consultations</title>" in html
    assert re.search(r'<div id="site-name"><a href="/admin/">Public consultations</a></div>', html)
    settings.SITE_NAME = "Rule of Law Forum"
    assert '<a href="/admin/">Rule of Law Forum</a>' in admin_client.get(reverse("admin:index")).content.decode()
    assert "· Rule of Law Forum</title>" in admin_client.get(room.get_absolute_url()).content.decode()
    spanish = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<a href="/admin/">Rule of Law Forum</a>' in spanish


def test_the_admin_has_one_accounts_section_and_each_persons_addresses_on_their_page(admin_client):
    person = factories.make_user("Two Addresses", email="first@example.org")
    EmailAddress.objects.create(user=person, email="second@example.org", verified=False)
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert len(re.findall(r'class="section" title="[^"]*">Accounts</a>', index)) == 1
    assert admin_client.get("/admin/account/emailaddress/").status_code == 404
    page = admin_client.get(reverse("admin:accounts_user_change", args=[person.pk])).content.decode()
    assert 'value="first@example.org"' in page
    assert 'value="second@example.org"' in page


def test_a_person_is_added_in_the_admin_without_an_addresses_table(admin_client):
    page = admin_client.get(reverse("admin:accounts_user_add")).content.decode()
    assert "emailaddress_set" not in page
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@example.org",
            "display_name": "New Person",
            "handle": "new_person",
            "password1": "Rule-of-law-2030",
            "password2": "Rule-of-law-2030",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_admin_is_closed_to_participants(client, participant):
    client.force_login(participant)
    response = client.get(reverse("admin:forum_room_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url
