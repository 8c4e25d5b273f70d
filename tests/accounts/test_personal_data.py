"""A person downloads everything the site holds about them: one zip with
data.json and a readable, escaped index.html; nobody downloads another's; a
long history costs the same queries as a short one."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from forum import personal_data, services
from forum.models import Report
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("forum:download-my-data")


def unzip(response) -> tuple[dict, str]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return json.loads(archive.read("data.json")), archive.read("index.html").decode()


def test_the_download_is_a_zip_attachment_with_data_json_and_index_html(participant_client, participant):
    response = participant_client.post(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{participant.handle}-data-{response["Content-Disposition"].split("-data-")[1][:10]}.zip"'
    )
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data, index = unzip(response)
    assert data["profile"]["display_name"] == "Amina Diallo"
    assert data["profile"]["organisation"] == "Legal Aid Network"
    assert data["quoting_consent"]["value"] == "by_name"
    assert "Amina Diallo" in index


def test_the_download_holds_comments_with_earlier_versions_reports_notifications_follows_and_settings(
    room, participant, other_participant, moderator
):
    comment = factories.make_comment(room, participant, body="First words.")
    services.edit_comment(participant, comment=comment, body="Second words.")
    services.edit_comment(participant, comment=comment, body="Third words.")
    factories.make_reply(comment, other_participant, body=f"@{participant.handle} I agree.")
    theirs = factories.make_comment(room, other_participant, body="Something to report.")
    participant.date_joined = participant.date_joined.replace(year=participant.date_joined.year - 1)
    participant.save()
    services.report_comment(participant, comment=theirs, reason=Report.Reason.SPAM, note="Advertising.")
    services.follow_room(participant, room=room)
    services.set_email_preference(participant, kind="reply", delivery="never")
    client = Client()
    client.force_login(participant)

    data, index = unzip(client.post(URL))

    [mine] = data["comments"]
    assert mine["text"] == "Third words."
    assert [version["text"] for version in mine["earlier_versions"]] == ["First words.", "Second words."]
    assert mine["url"].endswith(comment.get_absolute_url())
    assert [(report["reason"], report["note"]) for report in data["reports"]] == [("spam", "Advertising.")]
    assert {notification["kind"] for notification in data["notifications"]} == {"mention"}
    assert any(follow["room"] == room.title for follow in data["follows"])
    assert data["email_preferences"] == [{"kind": "reply", "delivery": "never"}]
    assert len(data["mentions"]) == 1
    assert "Second words." in index and "Advertising." in index


def test_a_moderator_s_download_holds_their_rota_lines(room, moderator):
    client = Client()
    client.force_login(moderator)
    data, _index = unzip(client.post(URL))
    assert [line["room"] for line in data["moderation"]["rota"]] == [room.title]


def test_the_readable_copy_escapes_what_people_wrote(room, participant_client, participant):
    factories.make_comment(room, participant, body="<script>alert('owned')</script> and <b>bold</b>")
    data, index = unzip(participant_client.post(URL))
    assert data["comments"][0]["text"] == "<script>alert('owned')</script> and <b>bold</b>"
    assert "<script>" not in index and "<b>" not in index
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in index
    # Self-contained: nothing is fetched from anywhere when it is opened.
    assert "src=" not in index and "<link" not in index


def test_nobody_downloads_without_signing_in_and_the_address_names_nobody(client, participant):
    response = client.post(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_download_is_a_post_with_a_csrf_token(participant):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(participant)
    assert strict.get(URL).status_code == 405
    assert strict.post(URL).status_code == 403


def test_someone_else_gets_their_own_data_not_another_s(room, participant, other_participant):
    factories.make_comment(room, participant, body="Amina's own words.")
    client = Client()
    client.force_login(other_participant)
    data, index = unzip(client.post(URL))
    assert data["profile"]["email"] == other_participant.email
    assert data["comments"] == []
    assert "Amina" not in json.dumps(data) and "Amina" not in index


def test_the_profile_page_offers_the_download_and_the_deletion(participant_client):
    page = participant_client.get(reverse("accounts:profile-edit")).content.decode()
    assert f'action="{URL}"' in page
    assert reverse("forum:delete-my-account") in page


def test_a_long_history_costs_the_same_queries_as_a_short_one(room, participant, other_participant, monkeypatch):
    monkeypatch.setattr(personal_data, "CHUNK_SIZE", 100)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            personal_data.personal_data_zip(participant)
        return len(captured)

    first = factories.make_comment(room, participant, body="One.")
    services.edit_comment(participant, comment=first, body="One, edited.")
    few = queries()
    for n in range(40):
        comment = factories.make_comment(room, participant, body=f"Comment {n}.")
        services.edit_comment(participant, comment=comment, body=f"Comment {n}, edited.")
        factories.make_reply(comment, other_participant, body="A reply.")
    assert queries() == few


def test_the_download_holds_the_terms_accepted_and_the_reading_choice(participant_client, participant):
    terms = factories.publish_document("terms", version="2")
    factories.accept_documents(participant)
    User.objects.filter(pk=participant.pk).update(reads_translations=True)
    data, index = unzip(participant_client.post(URL))
    accepted = [(row["kind"], row["version"]) for row in data["acceptances"]]
    assert ("terms", terms.version) in accepted
    assert data["profile"]["reads_translations"] is True
    assert "Terms of use and privacy notice you accepted" in index
