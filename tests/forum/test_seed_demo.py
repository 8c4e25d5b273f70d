import io
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.db.models import F

from accounts import terms
from accounts.models import LegalDocument, User
from forum import services
from forum.management.commands.seed_demo import CONSULTATION, DEMO_PASSWORD
from forum.counts import recount_rooms
from forum.models import Comment, Consultation, Endorsement, GuidingQuestion, Room, RoomModerator
from forum.permissions import has_confirmed_email, is_room_moderator

pytestmark = pytest.mark.django_db

PERMALINK = re.compile(r"/comment/(\d+)/")


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def demo_rooms():
    return list(Room.objects.filter(consultation__slug=CONSULTATION["slug"]).order_by("position"))


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, EmailAddress, Consultation, Room, GuidingQuestion, RoomModerator, Comment)
    }


def test_demo_has_three_published_open_rooms_with_grouped_guiding_questions():
    seed_demo()

    rooms = demo_rooms()
    assert len(rooms) == 3
    assert rooms[0].consultation.is_published
    for room in rooms:
        assert room.is_published and room.is_open
        assert room.introduction and room.objective and room.outcome
        questions = list(room.questions.all())
        assert 5 <= len(questions) <= 7
        assert room.question_groups.count() == 2
        assert all(question.group_id for question in questions)


def test_demo_has_about_forty_comments_from_about_fifteen_participants():
    seed_demo()

    assert 36 <= Comment.objects.count() <= 44
    moderator_ids = RoomModerator.objects.values_list("user_id", flat=True)
    participants = User.objects.filter(is_staff=False).exclude(pk__in=moderator_ids)
    assert 13 <= participants.count() <= 17
    organisations = participants.filter(speaks_for_organisation=True)
    assert organisations.count() >= 3
    assert all(account.organisation for account in organisations)
    assert all(has_confirmed_email(user) for user in User.objects.all())


def test_demo_comments_are_written_in_english_spanish_and_french():
    seed_demo()

    bodies = " ".join(Comment.objects.values_list("body_source", flat=True))
    assert "Welcome to the discussion on **access to justice**" in bodies
    assert "sin intérpretes la asistencia jurídica" in bodies
    assert "Bonjour à toutes et à tous" in bodies


def test_demo_threads_are_three_to_four_deep():
    seed_demo()

    for room in demo_rooms():
        deepest = max(room.comments.values_list("level", flat=True))
        assert 2 <= deepest <= 3
    assert Comment.objects.filter(level=3).exists()


def test_demo_comments_mention_other_demo_participants():
    seed_demo()

    handles = set(User.objects.values_list("handle", flat=True))
    mentioned = {
        handle
        for body in Comment.objects.values_list("body_source", flat=True)
        for handle in re.findall(r"@([a-z0-9_]+)", body)
    }
    assert len(mentioned) >= 5
    assert mentioned <= handles


def test_demo_comments_link_to_comments_in_other_rooms():
    seed_demo()

    cross_links = [
        (comment.room_id, Comment.objects.get(pk=int(linked_id)).room_id)
        for comment in Comment.objects.filter(body_source__contains="/comment/")
        for linked_id in PERMALINK.findall(comment.body_source)
    ]
    assert len(cross_links) >= 3
    assert all(from_room != to_room for from_room, to_room in cross_links)
    assert 'href="/comment/' in "".join(Comment.objects.values_list("body_html", flat=True))


def test_a_moderator_who_is_not_staff_is_on_duty_today_in_every_room():
    seed_demo()

    for room in demo_rooms():
        rota = {assignment.user for assignment in room.moderator_assignments.select_related("user")}
        on_duty = {user for user in rota if not user.is_staff and is_room_moderator(user, room)}
        # Past its first two weeks, the demo is in the rest of the consultation: three on duty.
        assert len(on_duty) == 3


def test_rota_has_two_moderators_for_the_first_week_and_three_for_the_rest():
    seed_demo()

    for room in demo_rooms():
        starts = sorted(room.moderator_assignments.values_list("starts_on", flat=True))
        assert starts[0] == room.consultation.opens_on
        assert starts.count(starts[0]) == 2
        assert starts.count(starts[-1]) == 3
        assert len(starts) == 5


def test_room_counters_match_the_visible_comments():
    seed_demo()

    for room in demo_rooms():
        assert room.comment_count == room.comments.visible().count()
        assert room.thread_count == room.comments.roots().count()
        assert room.last_activity_at is not None


def test_running_the_command_twice_changes_nothing():
    seed_demo()
    before = counts()
    bodies = list(Comment.objects.order_by("pk").values_list("body_source", flat=True))

    output = seed_demo()

    assert counts() == before
    assert list(Comment.objects.order_by("pk").values_list("body_source", flat=True)) == bodies
    assert "nothing was changed" in output


def test_command_prints_the_demo_log_ins():
    output = seed_demo()

    assert "hannah.lindqvist@example.org" in output
    assert "ngozi.okafor@example.org" in output
    assert "admin@example.org" in output
    assert DEMO_PASSWORD in output
    assert "Demo ready at http" in output


def test_printed_accounts_can_log_in_with_the_printed_password(client):
    seed_demo()

    admin = User.objects.get(email="admin@example.org")
    assert admin.is_staff and admin.is_superuser
    assert client.login(email="admin@example.org", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert client.login(email="ngozi.okafor@example.org", password=DEMO_PASSWORD)
    assert client.login(email="hannah.lindqvist@example.org", password=DEMO_PASSWORD)


def test_printed_moderator_is_on_duty_today():
    seed_demo()

    moderator = User.objects.get(email="hannah.lindqvist@example.org")
    assert not moderator.is_staff
    assert any(is_room_moderator(moderator, room) for room in demo_rooms())


def test_each_room_page_shows_its_comments_to_an_anonymous_visitor(client):
    seed_demo()

    for room in demo_rooms():
        response = client.get(room.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        first = room.comments.roots().order_by("thread_number").first()
        assert f'id="comment-{first.pk}"' in html
        assert room.title in html


def test_demo_consultation_is_listed_on_the_home_page(client):
    seed_demo()

    response = client.get("/")
    assert response.status_code == 200
    assert CONSULTATION["title"] in response.content.decode()


def test_a_failure_halfway_leaves_nothing_behind(monkeypatch):
    posted = []
    original_reply = services.reply_to_comment

    def reply_then_fail(author, *, parent, body, client_token=None):
        if len(posted) == 5:
            raise RuntimeError("database went away")
        posted.append(original_reply(author, parent=parent, body=body, client_token=client_token))
        return posted[-1]

    monkeypatch.setattr(services, "reply_to_comment", reply_then_fail)

    with pytest.raises(RuntimeError):
        seed_demo()

    assert len(posted) == 5
    assert counts() == dict.fromkeys(counts(), 0)


def test_running_it_weeks_later_moves_only_the_dates_around_today():
    seed_demo()
    before = counts()
    consultation = Consultation.objects.get(slug=CONSULTATION["slug"])
    original_opening = consultation.opens_on
    for assignment in RoomModerator.objects.all():
        assignment.starts_on -= timedelta(days=60)
        assignment.ends_on -= timedelta(days=60)
        assignment.save()
    Consultation.objects.filter(pk=consultation.pk).update(opens_on=original_opening - timedelta(days=60))

    seed_demo()

    assert counts() == before
    consultation.refresh_from_db()
    assert consultation.opens_on == original_opening
    for room in demo_rooms():
        assert any(is_room_moderator(assignment.user, room) for assignment in room.moderator_assignments.all())


def test_demo_publishes_the_terms_and_privacy_notice_and_every_account_has_accepted_them():
    seed_demo()

    current = terms.current_documents()
    assert {document.kind for document in current} == {"terms", "privacy"}
    assert all(document.body for document in current)
    assert all(terms.has_accepted_current_documents(user) for user in User.objects.all())
    seed_demo()
    assert LegalDocument.objects.count() == 2


def test_the_demo_comments_carry_endorsements_from_other_participants():
    seed_demo()

    endorsed = Comment.objects.filter(room__consultation__slug=CONSULTATION["slug"]).exclude(
        agree_count=0, useful_count=0
    )
    assert endorsed.count() >= 10
    assert not Endorsement.objects.filter(person=F("comment__author")).exists()
    assert recount_rooms(repair=False) == []


def test_a_demo_room_has_its_texts_questions_and_headings_in_english_spanish_and_french(client):
    seed_demo()

    room = Room.objects.get(slug="access-to-justice")
    for language in ("en", "es", "fr"):
        for name in ("title", "introduction", "objective", "outcome"):
            assert getattr(room, f"{name}_{language}"), (name, language)
        assert all(getattr(group, f"heading_{language}") for group in room.question_groups.all())
        assert all(getattr(question, f"text_{language}") for question in room.questions.all())
    assert (room.title_es, room.title_fr) == ("Acceso a la justicia", "Accès à la justice")
    # The same address in every language.
    page = client.get(room.get_absolute_url(), headers={"accept-language": "es"}).content.decode()
    assert "<h1>Acceso a la justicia" in page and "Lo que ha funcionado" in page
    page = client.get(room.get_absolute_url(), headers={"accept-language": "fr"}).content.decode()
    assert "<h1>Accès à la justice" in page and "Ce qui a fonctionné" in page
    # The other rooms are in English only, and say so to a Spanish reader.
    other = Room.objects.get(slug="civic-space")
    page = client.get(other.get_absolute_url(), headers={"accept-language": "es"}).content.decode()
    assert '<span lang="en" dir="ltr">Civic space and participation</span>' in page
    assert '<p class="untranslated">Aún no disponible en Español</p>' in page


def test_demo_people_read_the_site_in_a_language_they_speak():
    seed_demo()

    by_name = {user.display_name: user for user in User.objects.all()}
    assert by_name["Lucía Fernández"].language == "es"
    assert by_name["Amira Haddad"].language == "ar"
    assert {"es", "fr", "ar", "en"} <= {user.language for user in by_name.values()}
    for user in by_name.values():
        # Truthful: only a language they say they speak.
        if user.language:
            assert dict(settings.LANGUAGES)[user.language] in user.languages
