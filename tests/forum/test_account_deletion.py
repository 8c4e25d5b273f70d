"""Deleting an account: the person goes, every thread stays whole. Their comments
show a former participant, with or without their texts; mentions become plain
text; search, exports, statistics, summaries and profiles no longer name them;
the counts and trees stay right; their address can sign up again. Staff do the
same on request, in the moderation log."""

import io
import re
import json
import zipfile
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from forum import counts, services, trees
from forum.models import (
    Comment,
    CommentRevision,
    CommentTranslation,
    Follow,
    Mention,
    ModerationAction,
    Notification,
    Report,
    RoomSummary,
)
from forum.services.summaries import write_summary
from tests import factories

pytestmark = pytest.mark.django_db

NAME, HANDLE, EMAIL, ORGANISATION = "Álvaro Herrero", "alvaro_herrero", "alvaro@example.org", "Fundación Quetzal"
PASSWORD = "Rule-of-law-2030"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth counts sign-ups in the cache, which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alvaro(db):
    return factories.make_user(NAME, email=EMAIL, organisation=ORGANISATION, handle=HANDLE)


@pytest.fixture
def jean(db):
    return factories.make_user("Jean Dupont")


@pytest.fixture
def discussion(room, alvaro, jean, moderator):
    """A room where Álvaro started a thread, was replied to and replied, was
    mentioned and cited, edited a comment, reported one and follows the room."""
    root = factories.make_comment(room, alvaro, body="Paralegals need stable funding in rural districts.")
    reply = factories.make_reply(root, jean, body="Agreed; the registry backlog matters too.")
    answer = factories.make_reply(reply, alvaro, body="The backlog is worst in the capital's courts.")
    services.edit_comment(alvaro, comment=answer, body="The backlog is worst in the northern courts.")
    later = factories.make_reply(answer, jean, body="Mobile courts helped in the south.")
    mention = factories.make_comment(
        room,
        jean,
        body=f"Flagging this to @{HANDLE}, as it relates to Discussion 3: {settings.SITE_URL}{root.get_absolute_url()}",
    )
    other = factories.make_comment(room, jean, body="Translation of court records is a barrier.")
    # Written two hours ago, as its thread's start says too.
    two_hours_ago = timezone.now() - timedelta(hours=2)
    Comment.objects.filter(pk=other.pk).update(created_at=two_hours_ago, thread_activity_at=two_hours_ago)
    User.objects.filter(pk=alvaro.pk).update(date_joined=timezone.now() - timedelta(days=3))
    alvaro.refresh_from_db()
    services.report_comment(alvaro, comment=other, reason=Report.Reason.OFF_TOPIC, note="Belongs elsewhere.")
    services.follow_room(alvaro, room=room)
    yesterday = timezone.localdate() - timedelta(days=1)
    write_summary(
        moderator,
        room=room,
        kind="interim",
        period_start=yesterday,
        period_end=yesterday,
        body=f"@{HANDLE} asked for stable funding: {settings.SITE_URL}{root.get_absolute_url()}",
    )
    return {"root": root, "reply": reply, "answer": answer, "later": later, "mention": mention, "other": other}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def delete_own_account(client, *, texts, password="password"):
    return client.post(reverse("forum:delete-my-account"), {"texts": texts, "password": password})


def download(client) -> tuple[dict, str]:
    response = client.post(reverse("forum:download-my-data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["data.json", "index.html"]
        return json.loads(archive.read("data.json")), archive.read("index.html").decode()


def pages_about_the_room(room, discussion, staff) -> dict[str, str]:
    """Every page and export that could name a participant, as the public and as staff see them."""
    consultation = room.consultation
    anonymous, as_staff = Client(), signed_in(staff)
    urls = {
        "room": room.get_absolute_url(),
        "thread": reverse("forum:thread", args=[consultation.slug, room.slug, discussion["root"].pk]),
        "search by name": reverse("forum:search") + "?q=Herrero",
        "search by handle": reverse("forum:search") + f"?q={HANDLE}",
        "search by organisation": reverse("forum:search") + "?q=Quetzal",
        "search by words": reverse("forum:search") + "?q=backlog",
    }
    staff_urls = {
        "room summary": reverse("forum:room-summary", args=[consultation.slug, room.slug]),
        "consultation summary": reverse("forum:consultation-summary", args=[consultation.slug]),
        "summaries": reverse("forum:room-summaries", args=[consultation.slug, room.slug]),
        "csv": reverse("forum:room-export-csv", args=[consultation.slug, room.slug]),
        "json": reverse("forum:room-export-json", args=[consultation.slug, room.slug]),
        "csv for moderation": reverse("forum:room-export-csv", args=[consultation.slug, room.slug]) + "?for=moderation",
        "consultation json": reverse("forum:consultation-export-json", args=[consultation.slug]) + "?for=moderation",
        "moderation queue": reverse("forum:moderation-queue"),
        "moderate the reported comment": reverse("forum:moderate-comment", args=[discussion["other"].pk]),
    }
    pages = {}
    for label, url in urls.items():
        response = anonymous.get(url)
        assert response.status_code == 200, label
        pages[label] = b"".join(response).decode() if response.streaming else response.content.decode()
    for label, url in {**urls, **staff_urls}.items():
        response = as_staff.get(url)
        assert response.status_code == 200, label
        pages[f"{label} (staff)"] = b"".join(response).decode() if response.streaming else response.content.decode()
    return pages


def results_of(search_page: str) -> str:
    """A search page's results, without the words searched for that it repeats."""
    start = search_page.find('<ol class="search-results">')
    results = search_page[start : search_page.find("</ol>", start)] if start >= 0 else ""
    return re.sub(r'<li class="search-results__none">.*?</li>', "", results, flags=re.S)


def naming(pages: dict[str, str]) -> list[str]:
    pages = {label: results_of(text) if label.startswith("search") else text for label, text in pages.items()}
    return [
        f"{label}: {word}"
        for label, text in pages.items()
        for word in (NAME, "Herrero", HANDLE, EMAIL, ORGANISATION)
        if word.lower() in text.lower()
    ]


def tree_fields():
    return list(Comment.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level", "parent_id"))


@pytest.mark.parametrize("texts", ["keep", "remove"])
def test_a_person_downloads_their_data_deletes_the_account_and_no_page_names_them_while_threads_stay_whole(
    room, discussion, alvaro, jean, staff, texts
):
    client = signed_in(alvaro)
    data, index = download(client)
    assert data["profile"]["email"] == EMAIL and data["profile"]["handle"] == HANDLE
    assert {comment["id"] for comment in data["comments"]} == {discussion[key].pk for key in ("root", "answer")}
    [answer] = [comment for comment in data["comments"] if comment["id"] == discussion["answer"].pk]
    assert [version["text"] for version in answer["earlier_versions"]] == [
        "The backlog is worst in the capital's courts."
    ]
    assert [report["reason"] for report in data["reports"]] == ["off_topic"]
    assert {notification["kind"] for notification in data["notifications"]} >= {"reply", "mention"}
    assert [follow["room"] for follow in data["follows"] if follow["room"]] == [room.title]
    assert "The backlog is worst in the northern courts." in index

    before = pages_about_the_room(room, discussion, staff)
    assert naming(before), "the pages named the person before"
    trees_before = tree_fields()

    response = delete_own_account(client, texts=texts)

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(pk=alvaro.pk).exists()
    after = pages_about_the_room(room, discussion, staff)
    assert naming(after) == []
    assert "Former participant" in after["room"]
    # Every thread whole: no comment row gone, none moved, every tree sound.
    assert tree_fields() == trees_before
    assert trees.check_trees().broken == []
    assert counts.recount_rooms(repair=False) == []
    call_command("recount", "--check")
    assert Client().get(f"/u/{HANDLE}/").status_code == 404
    # The replies to their comments are still there, in their place.
    assert "Mobile courts helped in the south." in after["thread"]
    assert "Agreed; the registry backlog matters too." in after["thread"]
    kept = "Paralegals need stable funding in rural districts."
    assert (kept in after["room"]) == (texts == "keep")
    assert (Comment.objects.filter(body_source=kept).exists()) == (texts == "keep")
    assert not CommentRevision.objects.filter(comment__in=[discussion["answer"]]).exists()
    # Notifications about what they did now say "Someone"; the others' own stay.
    assert naming({"notifications": signed_in(jean).get(reverse("forum:notifications")).content.decode()}) == []
    # The report they filed still asks the moderators, without them.
    assert Report.objects.get(comment=discussion["other"]).reporter is None
    # The address can sign up again.
    signup = Client().post(
        reverse("account_signup"),
        {
            "email": EMAIL,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "quoting_consent": "by_name",
            "display_name": NAME,
        },
    )
    assert signup.status_code == 302
    assert User.objects.filter(email=EMAIL).exclude(pk=alvaro.pk).exists()
    assert EmailAddress.objects.filter(email=EMAIL).count() == 1


def test_removing_the_texts_keeps_the_comments_as_deleted_placeholders_and_the_counts_right(room, discussion, alvaro):
    before = type(room).objects.get(pk=room.pk).comment_count
    services.delete_account(alvaro, person=alvaro, keep_texts=False)
    root, answer = (Comment.objects.get(pk=discussion[key].pk) for key in ("root", "answer"))
    for comment in (root, answer):
        assert comment.author_id is None
        assert comment.state == Comment.State.DELETED
        assert comment.body_source == comment.body_html == ""
    assert type(room).objects.get(pk=room.pk).comment_count == before - 2
    html = Client().get(room.get_absolute_url()).content.decode()
    assert "Comment deleted by its author." in html


def test_keeping_the_texts_shows_them_as_a_former_participant_s_without_earlier_versions(room, discussion, alvaro):
    services.delete_account(alvaro, person=alvaro, keep_texts=True)
    answer = Comment.objects.get(pk=discussion["answer"].pk)
    assert answer.author_id is None and answer.state == Comment.State.VISIBLE
    assert answer.body_source == "The backlog is worst in the northern courts."
    assert not answer.revisions.exists()
    html = Client().get(room.get_absolute_url()).content.decode()
    assert '<span class="comment__author comment__author--former" dir="auto">Former participant</span>' in html


def test_mentions_of_the_person_become_plain_text_and_references_no_longer_name_them(room, discussion, alvaro):
    mention = discussion["mention"]
    assert f"/u/{HANDLE}/" in mention.body_html
    services.delete_account(alvaro, person=alvaro, keep_texts=True)
    mention.refresh_from_db()
    assert HANDLE not in mention.body_source and HANDLE not in mention.body_html
    assert "Flagging this to Former participant, as it relates" in mention.body_source
    assert "Comment by Former participant in" in mention.body_html
    assert not Mention.objects.filter(comment=mention).exists()
    summary = RoomSummary.objects.get()
    assert HANDLE not in summary.body_source and NAME not in summary.body_html


def test_a_new_person_taking_the_freed_handle_is_not_linked_from_old_mentions(room, discussion, alvaro):
    services.delete_account(alvaro, person=alvaro, keep_texts=True)
    newcomer = factories.make_user("Someone Else", handle=HANDLE)
    services.rerender_comments(Comment.objects.filter(pk=discussion["mention"].pk))
    assert f"/u/{newcomer.handle}/" not in Comment.objects.get(pk=discussion["mention"].pk).body_html


def test_what_was_only_theirs_is_deleted_and_the_rest_kept_without_them(room, discussion, alvaro, moderator):
    services.delete_account(alvaro, person=alvaro, keep_texts=False)
    assert not Notification.objects.filter(recipient_id=alvaro.pk).exists()
    assert not Follow.objects.filter(user_id=alvaro.pk).exists()
    assert not Mention.objects.filter(user_id=alvaro.pk).exists()
    assert not EmailAddress.objects.filter(email=EMAIL).exists()
    assert Comment.objects.count() == 6


def test_a_moderator_s_summary_stays_as_a_former_moderator_s(room, discussion, moderator, staff):
    services.delete_account(staff, person=moderator, keep_texts=True, reason="Asked by email on 3 December")
    summary = RoomSummary.objects.get()
    assert summary.author is None
    page = signed_in(staff).get(reverse("forum:room-summaries", args=[room.consultation.slug, room.slug]))
    assert "Former moderator" in page.content.decode()
    assert "Maria Moderator" not in page.content.decode()


# --- Staff, on request ------------------------------------------------------


def test_staff_delete_an_account_on_request_and_the_moderation_log_records_it(client, room, discussion, alvaro, staff):
    client.force_login(staff)
    url = reverse("forum:delete-account-on-request", args=[HANDLE])
    page = client.get(url)
    assert page.status_code == 200
    assert "checked" not in page.content.decode().split('name="texts"')[1].split(">")[0]
    response = client.post(url, {"texts": "remove", "reason": "Asked by email on 3 December"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alvaro.pk).exists()
    [logged] = ModerationAction.objects.filter(action=ModerationAction.Action.DELETE_ACCOUNT)
    assert logged.moderator == staff and logged.consultation is None
    assert logged.note == f"#{alvaro.pk}: Asked by email on 3 December"
    assert trees.check_trees().broken == []


def test_staff_must_choose_what_becomes_of_the_texts_and_say_how_it_was_asked(client, alvaro, staff):
    client.force_login(staff)
    response = client.post(reverse("forum:delete-account-on-request", args=[HANDLE]), {})
    assert response.status_code == 400
    assert "Choose what becomes of the texts of the comments." in response.content.decode()
    assert User.objects.filter(pk=alvaro.pk).exists()


def test_participants_cannot_delete_someone_else_s_account(client, alvaro, jean):
    client.force_login(jean)
    url = reverse("forum:delete-account-on-request", args=[HANDLE])
    assert client.get(url).status_code == 404
    assert client.post(url, {"texts": "remove", "reason": "x"}).status_code == 404
    assert User.objects.filter(pk=alvaro.pk).exists()


def test_only_a_superuser_deletes_a_staff_account(client, staff):
    other_staff = factories.make_user("Other Staff", is_staff=True)
    client.force_login(staff)
    response = client.post(
        reverse("forum:delete-account-on-request", args=[other_staff.handle]), {"texts": "keep", "reason": "x"}
    )
    assert response.status_code == 403
    assert "Only a superuser can delete the account of a staff member." in response.content.decode()
    assert User.objects.filter(pk=other_staff.pk).exists()


def test_the_last_superuser_cannot_delete_their_account(client):
    admin = factories.make_user("Only Admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("forum:delete-my-account"))
    assert "make someone else a superuser before deleting it" in page.content.decode()
    response = delete_own_account(client, texts="keep")
    assert response.status_code == 403
    assert User.objects.filter(pk=admin.pk).exists()


# --- The person's own page ----------------------------------------------------


def test_the_confirmation_page_explains_the_choice_with_nothing_ticked(client, alvaro):
    client.force_login(alvaro)
    page = client.get(reverse("forum:delete-my-account")).content.decode()
    assert "This cannot be undone." in page
    assert page.count('type="radio"') == 2 and "checked" not in page
    assert 'type="password"' in page


def test_a_wrong_password_deletes_nothing_and_says_so(client, alvaro):
    client.force_login(alvaro)
    response = delete_own_account(client, texts="keep", password="not-it")
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=alvaro.pk).exists()


def test_deleting_needs_a_post_with_a_csrf_token_and_a_signed_in_person(alvaro):
    url = reverse("forum:delete-my-account")
    assert Client().get(url).status_code == 302  # to log in
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alvaro)
    assert strict.post(url, {"texts": "keep", "password": "password"}).status_code == 403
    assert User.objects.filter(pk=alvaro.pk).exists()


def test_the_message_after_deleting_says_it_is_done(client, alvaro):
    client.force_login(alvaro)
    response = client.post(reverse("forum:delete-my-account"), {"texts": "keep", "password": "password"}, follow=True)
    assert "Your account has been deleted." in response.content.decode()


def test_staff_find_the_deletion_on_the_person_s_profile_and_not_in_the_admin(client, alvaro, staff):
    superuser = factories.make_user("Root Admin", is_staff=True, is_superuser=True)
    client.force_login(staff)
    profile = client.get(f"/u/{HANDLE}/").content.decode()
    assert reverse("forum:delete-account-on-request", args=[HANDLE]) in profile
    assert (
        reverse("forum:delete-account-on-request", args=[HANDLE])
        not in signed_in(alvaro).get(f"/u/{HANDLE}/").content.decode()
    )
    # The admin's bare delete would leave the name in mentions and references.
    admin = signed_in(superuser)
    assert admin.get(reverse("admin:accounts_user_delete", args=[alvaro.pk])).status_code == 403
    assert User.objects.filter(pk=alvaro.pk).exists()


def test_the_pages_in_spanish_and_french_name_a_former_participant(room, discussion, alvaro):
    services.delete_account(alvaro, person=alvaro, keep_texts=True)
    spanish = Client(headers={"accept-language": "es"}).get(room.get_absolute_url()).content.decode()
    french = Client(headers={"accept-language": "fr"}).get(room.get_absolute_url()).content.decode()
    assert "Exparticipante" in spanish
    assert "Ancien participant" in french


@pytest.mark.django_db(transaction=True)
def test_the_cached_anonymous_room_page_no_longer_names_them(settings, room, alvaro, jean):
    settings.FORUM_CACHE_ROOM_PAGES = True
    root = factories.make_comment(room, alvaro, body="Funding cycles are too short.")
    factories.make_reply(root, jean, body=f"@{HANDLE} I agree.")
    anonymous = Client()
    anonymous.get(room.get_absolute_url())
    cached = anonymous.get(room.get_absolute_url())
    assert cached["X-Room-Cache"] == "hit" and NAME in cached.content.decode()

    services.delete_account(alvaro, person=alvaro, keep_texts=True)

    page = anonymous.get(room.get_absolute_url())
    assert page["X-Room-Cache"] == "miss"
    assert naming({"room": page.content.decode()}) == []


def test_an_account_without_a_password_signs_in_again_before_deleting(client, alvaro):
    alvaro.set_unusable_password()
    alvaro.save()
    client.force_login(alvaro)
    url = reverse("forum:delete-my-account")
    page = client.get(url)
    assert page.status_code == 200 and 'type="password"' not in page.content.decode()
    response = client.post(url, {"texts": "keep"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert User.objects.filter(pk=alvaro.pk).exists()


def test_the_admin_s_history_of_the_account_goes_with_it(alvaro, staff):
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(alvaro.pk),
        object_repr=str(alvaro),
        action_flag=CHANGE,
    )
    services.delete_account(staff, person=alvaro, keep_texts=True, reason="By letter")
    assert not LogEntry.objects.filter(object_repr__contains=HANDLE).exists()


def test_staff_asking_to_delete_their_own_account_on_request_are_sent_to_their_own_page(client, staff):
    client.force_login(staff)
    response = client.get(reverse("forum:delete-account-on-request", args=[staff.handle]))
    assert response.status_code == 302 and response["Location"] == reverse("forum:delete-my-account")


def test_a_hidden_comment_whose_text_is_removed_cannot_be_restored_empty(room, alvaro, moderator):
    comment = factories.make_comment(room, alvaro, body="Something the moderators hid.")
    services.hide_comment(moderator, comment=comment, reason="Off-topic")
    services.delete_account(alvaro, person=alvaro, keep_texts=False)
    comment.refresh_from_db()
    assert (comment.state, comment.body_source) == (Comment.State.DELETED, "")
    with pytest.raises(ValidationError):
        services.restore_comment(moderator, comment=comment)
    assert ModerationAction.objects.filter(comment=comment, action=ModerationAction.Action.HIDE).exists()


def test_a_comment_still_waiting_for_a_moderator_goes_even_when_the_texts_are_kept(room, alvaro, moderator):
    type(room).objects.filter(pk=room.pk).update(premoderate_first=1)
    room.refresh_from_db()
    held = factories.make_comment(room, alvaro, body="My first comment, waiting.")
    assert held.state == Comment.State.PENDING
    services.delete_account(alvaro, person=alvaro, keep_texts=True)
    held.refresh_from_db()
    assert (held.state, held.body_source, held.author_id) == (Comment.State.DELETED, "", None)
    assert (
        "My first comment, waiting." not in signed_in(moderator).get(reverse("forum:moderation-queue")).content.decode()
    )


def test_removed_texts_take_their_machine_translations_with_them(settings, room, alvaro):
    settings.TRANSLATION_BACKEND = "tests.forum.test_machine_translation.UppercaseEngine"
    comment = factories.make_comment(room, alvaro, body="Los paralegales necesitan fondos estables.", language="es")
    assert CommentTranslation.objects.filter(comment=comment).exists()
    services.delete_account(alvaro, person=alvaro, keep_texts=False)
    assert not CommentTranslation.objects.filter(comment=comment).exists()


def test_their_endorsements_go_with_the_counts_and_their_download_listed_them(room, alvaro, jean):
    comment = factories.make_comment(room, jean, body="Mobile courts helped in the south.")
    services.set_endorsement(alvaro, comment=comment, kind="agree", endorsed=True)
    client = Client()
    client.force_login(alvaro)
    with zipfile.ZipFile(io.BytesIO(client.post(reverse("forum:download-my-data")).content)) as archive:
        data = json.loads(archive.read("data.json"))
    assert [row["kind"] for row in data["endorsements"]] == ["agree"]
    services.delete_account(alvaro, person=alvaro, keep_texts=True)
    assert Comment.objects.get(pk=comment.pk).agree_count == 0
    assert counts.recount_rooms([room], repair=False) == []


def test_removing_the_texts_moves_the_threads_latest_activity_back(room, alvaro, jean):
    root = factories.make_comment(room, jean, body="Courts are far away.")
    factories.make_reply(root, alvaro, body="Mobile hearings reach villages.")
    services.delete_account(alvaro, person=alvaro, keep_texts=False)
    assert Comment.objects.get(pk=root.pk).thread_activity_at == Comment.objects.get(pk=root.pk).created_at
    assert counts.recount_rooms([room], repair=False) == []
