"""Consent to be quoted, asked and not assumed: at sign-up with nothing ticked,
once for older accounts, per comment ("Don't quote this comment"), recorded
each time, and followed everywhere a text is quoted for the report."""

import io
import json
import re
import zipfile

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import ConsentChange, User
from forum import exports, quoting, services
from forum.models import Comment
from forum.rendering import render_comment_body
from tests import factories

PASSWORD = "Rule-of-law-2030"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def sign_up(client, HTTP_ACCEPT_LANGUAGE="en", **extra):
    data = {"email": "ines@example.org", "password1": PASSWORD, "password2": PASSWORD, "display_name": "Inés Mora"}
    return client.post(reverse("account_signup"), data | extra, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)


def test_sign_up_asks_how_the_report_may_quote_with_nothing_ticked(client, db):
    html = client.get(reverse("account_signup")).content.decode()
    radios = re.findall(r'<input type="radio" name="quoting_consent"[^>]*>', html)
    assert len(radios) == 3 and not any("checked" in radio for radio in radios)


def test_sign_up_without_an_answer_is_refused_and_keeps_what_was_typed(client, db):
    response = sign_up(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please choose how the final report may quote you." in html
    assert 'value="Inés Mora"' in html
    assert not User.objects.filter(email="ines@example.org").exists()


def test_the_answer_at_sign_up_is_recorded(client, db):
    assert sign_up(client, quoting_consent="anonymous").status_code == 302
    person = User.objects.get(email="ines@example.org")
    assert person.quoting_consent == User.QuotingConsent.ANONYMOUSLY
    assert person.quoting_consent_chosen_at is not None
    assert list(ConsentChange.objects.filter(user=person).values_list("consent", "source")) == [
        ("anonymous", "sign_up")
    ]


def test_an_older_account_is_asked_until_it_chooses_and_each_change_is_recorded(client, room):
    participant = factories.make_user("Older Account", quoting_consent_chosen_at=None)
    client.force_login(participant)
    assert "How may the final report quote you?" in client.get(room.get_absolute_url()).content.decode()
    data = {"display_name": participant.display_name, "handle": participant.handle, "quoting_consent": "by_name"}
    client.post(reverse("accounts:profile-edit"), data)
    assert "How may the final report quote you?" not in client.get(room.get_absolute_url()).content.decode()
    client.post(reverse("accounts:profile-edit"), data | {"quoting_consent": "not_at_all"})
    assert list(ConsentChange.objects.filter(user=participant).values_list("consent", flat=True)) == [
        "by_name",
        "not_at_all",
    ]
    client.post(reverse("accounts:profile-edit"), data | {"quoting_consent": "not_at_all"})
    assert ConsentChange.objects.filter(user=participant).count() == 2  # no change, nothing recorded


def test_the_history_of_consent_is_in_the_persons_data(client, db):
    participant = factories.make_user("Older Account", quoting_consent_chosen_at=None)
    client.force_login(participant)
    data = {"display_name": participant.display_name, "handle": participant.handle, "quoting_consent": "anonymous"}
    client.post(reverse("accounts:profile-edit"), data)
    with zipfile.ZipFile(io.BytesIO(client.post(reverse("forum:download-my-data")).content)) as archive:
        downloaded = json.loads(archive.read("data.json"))
    assert [row["value"] for row in downloaded["quoting_consent"]["history"]] == ["anonymous"]


# --- "Don't quote this comment" ----------------------------------------------


def test_a_comment_can_be_marked_dont_quote_from_the_form_and_changed_when_edited(client, room, participant):
    client.force_login(participant)
    client.post(
        reverse("forum:new-comment", args=[room.consultation.slug, room.slug]),
        {"body": "Our clinic closed last year.", "language": "en", "do_not_quote": "on"},
    )
    comment = Comment.objects.get(body_source="Our clinic closed last year.")
    assert not comment.may_be_quoted
    edit = client.get(reverse("forum:edit-comment", args=[comment.pk])).content.decode()
    assert re.search(r'<input type="checkbox" name="do_not_quote"[^>]*checked', edit)
    client.post(
        reverse("forum:edit-comment", args=[comment.pk]), {"body": "Our clinic closed last year.", "language": "en"}
    )
    comment.refresh_from_db()
    assert comment.may_be_quoted


def test_dont_quote_wins_over_the_authors_consent(room, participant):
    comment = factories.make_comment(room, participant, body="Our clinic closed last year.", quotable=False)
    assert quoting.consent_of(comment) == quoting.NOT_AT_ALL
    assert quoting.quotation(comment, "Our clinic").text == ""
    assert quoting.how_to_quote(author_consent=None) == quoting.NOT_AT_ALL


def test_the_report_export_and_reference_cards_follow_dont_quote(room, participant, moderator):
    unquotable = factories.make_comment(room, participant, body="Our clinic closed last year.", quotable=False)
    quotable = factories.make_comment(room, participant, body="Mobile courts help.")
    rows = {row["id"]: row for row in exports.rows([room], audience=exports.FOR_REPORT)}
    assert rows[unquotable.pk]["body_text"] == "" and rows[quotable.pk]["body_text"]
    summary = render_comment_body(f"See {unquotable.get_absolute_url()}", for_report=True).html
    assert "Our clinic" not in summary


def test_a_quote_of_a_deleted_accounts_comment_names_nobody_and_quotes_nothing(room, participant):
    comment = factories.make_comment(room, participant, body="Our clinic closed last year.")
    services.delete_account(participant, person=participant, keep_texts=True)
    comment.refresh_from_db()
    quoted = quoting.quotation(comment, "Our clinic")
    assert quoted.text == "" and "former participant" in quoted.attribution


def test_the_page_language_at_sign_up_becomes_the_persons_language(client, db):
    sign_up(client, quoting_consent="by_name", HTTP_ACCEPT_LANGUAGE="es")
    assert User.objects.get(email="ines@example.org").language == "es"
