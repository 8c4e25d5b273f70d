"""The synthesis workbench: findings, evidence, coverage, untagged comments,
the report's exports, publishing and what follows a cited comment's changes."""

import hashlib
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from lxml import etree

from accounts.models import User
from forum import services, similarity
from forum.models import Evidence, Finding, Notification, Rapporteur, ReportSnapshot
from forum.policy_report import canonical_json, markdown, report_document
from forum.report_docx import report_docx
from forum.selectors import synthesis as report_selectors
from forum.services import synthesis
from tests import factories

pytestmark = pytest.mark.django_db

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@pytest.fixture
def rapporteur(consultation):
    person = factories.make_user("Rita Rapporteur")
    Rapporteur.objects.create(consultation=consultation, user=person)
    return person


@pytest.fixture
def questions(room):
    return [
        factories.make_question(room, "How can legal aid reach people in rural areas?", position=1),
        factories.make_question(room, "What should courts publish about their caseload data?", position=2),
    ]


def workbench_url(consultation):
    return reverse("forum:report-workbench", args=[consultation.slug])


# --- Who may work on the report ---------------------------------------------------


def test_the_workbench_is_for_rapporteurs_moderators_and_staff_only(
    client, consultation, room, rapporteur, moderator, staff, participant
):
    url = workbench_url(consultation)
    assert client.get(url).status_code == 302  # asked to sign in
    client.force_login(participant)
    assert client.get(url).status_code == 403
    for person in (rapporteur, moderator, staff):
        client.force_login(person)
        assert client.get(url).status_code == 200


def test_a_rapporteur_of_another_consultation_is_refused(client, room, questions):
    other = factories.make_consultation()
    person = factories.make_user()
    Rapporteur.objects.create(consultation=other, user=person)
    client.force_login(person)
    assert client.get(workbench_url(room.consultation)).status_code == 403
    with pytest.raises(Exception):
        synthesis.add_finding(person, consultation=room.consultation, question=questions[0], text="No.")


def test_the_report_page_is_found_only_once_published(client, consultation, room, rapporteur, questions):
    url = reverse("forum:policy-report", args=[consultation.slug])
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Draft claim.")
    assert client.get(url).status_code == 404
    synthesis.publish_report(rapporteur, consultation=consultation)
    page = client.get(url)
    assert page.status_code == 200
    assert finding.text in page.content.decode()


def test_moderators_may_not_publish_but_rapporteurs_may(consultation, room, moderator, rapporteur, questions):
    synthesis.add_finding(moderator, consultation=consultation, question=questions[0], text="Claim.")
    with pytest.raises(Exception, match="rapporteurs and staff"):
        synthesis.publish_report(moderator, consultation=consultation)
    assert synthesis.publish_report(rapporteur, consultation=consultation).version == 1


# --- Findings -------------------------------------------------------------------------


def test_findings_are_numbered_by_question_and_can_be_reordered(client, consultation, room, rapporteur, questions):
    client.force_login(rapporteur)
    for text in ("First claim", "Second claim"):
        response = client.post(
            reverse("forum:report-add-finding", args=[consultation.slug]),
            {"section": str(questions[1].pk), "text": text},
        )
        assert response.status_code == 302
    other = synthesis.add_finding(rapporteur, consultation=consultation, question=None, text="Something else")
    html = client.get(workbench_url(consultation)).content.decode()
    assert "<strong>2.1</strong> First claim" in html
    assert "<strong>2.2</strong> Second claim" in html
    assert "<strong>3.1</strong> Something else" in html
    second = Finding.objects.get(text="Second claim")
    client.post(reverse("forum:report-move-finding", args=[consultation.slug, second.pk]), {"direction": "up"})
    html = client.get(workbench_url(consultation)).content.decode()
    assert "<strong>2.1</strong> Second claim" in html
    client.post(reverse("forum:report-delete-finding", args=[consultation.slug, other.pk]))
    assert not Finding.objects.filter(pk=other.pk).exists()


def test_an_empty_finding_is_refused_with_a_clear_message(client, consultation, room, rapporteur, questions):
    client.force_login(rapporteur)
    response = client.post(
        reverse("forum:report-add-finding", args=[consultation.slug]), {"section": "other", "text": "   "}
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_editing_a_finding_keeps_what_was_typed_after_an_error(client, consultation, room, rapporteur, questions):
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Claim")
    client.force_login(rapporteur)
    url = reverse("forum:report-edit-finding", args=[consultation.slug, finding.pk])
    response = client.post(url, {"section": "999", "text": "My careful rewording"})
    assert response.status_code == 400
    assert "My careful rewording" in response.content.decode()


# --- Evidence --------------------------------------------------------------------------


def test_a_typed_span_is_located_in_the_comment_and_stored_with_its_version(consultation, room, rapporteur, questions):
    comment = factories.make_comment(room, body="Legal aid clinics **travel** to the villages.\n\nThey need funding.")
    finding = synthesis.add_finding(
        rapporteur, consultation=consultation, question=questions[0], text="Clinics travel."
    )
    evidence = synthesis.add_evidence(rapporteur, finding=finding, comment=comment, quote="travel to the   villages")
    assert evidence.quote == "travel to the villages"
    assert evidence.quote_start == len("Legal aid clinics ")
    assert evidence.quote_end == evidence.quote_start + len("travel to the villages")
    assert evidence.render_version == comment.render_version
    assert evidence.text_digest == synthesis.text_digest(comment)


def test_a_span_across_paragraphs_and_the_nearest_occurrence_are_found(consultation, room, rapporteur, questions):
    comment = factories.make_comment(room, body="Fees matter.\n\nFees matter here too.")
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Fees.")
    second = synthesis.add_evidence(rapporteur, finding=finding, comment=comment, quote="Fees matter", start=14)
    assert second.quote_start == len("Fees matter.\n\n")
    across = synthesis.add_evidence(rapporteur, finding=finding, comment=comment, quote="matter. Fees")
    assert across.quote == "matter.\n\nFees"


def test_words_not_in_the_comment_are_refused_and_the_form_keeps_them(
    client, consultation, room, rapporteur, questions
):
    comment = factories.make_comment(room, body="Courts should publish monthly figures.")
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[1], text="Publish.")
    client.force_login(rapporteur)
    url = reverse("forum:report-add-evidence", args=[consultation.slug])
    response = client.post(url, {"finding": finding.pk, "comment": str(comment.pk), "quote": "weekly figures"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "not in comment" in html
    assert "weekly figures" in html
    assert not Evidence.objects.exists()


def test_evidence_can_be_given_by_permalink_and_one_comment_supports_several_findings(
    client, consultation, room, rapporteur, questions
):
    comment = factories.make_comment(room, body="Courts should publish monthly figures.")
    first = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[1], text="A")
    second = synthesis.add_finding(rapporteur, consultation=consultation, question=None, text="B")
    client.force_login(rapporteur)
    url = reverse("forum:report-add-evidence", args=[consultation.slug])
    for finding in (first, second):
        response = client.post(
            url, {"finding": finding.pk, "comment": f"https://example.org/comment/{comment.pk}/", "quote": ""}
        )
        assert response.status_code == 302
    assert Evidence.objects.filter(comment=comment).count() == 2


def test_a_comment_of_another_consultation_cannot_be_cited(consultation, room, rapporteur, questions):
    elsewhere = factories.make_comment(factories.make_room(), body="Elsewhere.")
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=None, text="A")
    with pytest.raises(Exception, match="not part of this consultation"):
        synthesis.add_evidence(rapporteur, finding=finding, comment=elsewhere)


# --- Coverage and untagged comments -------------------------------------------------------


def test_coverage_counts_answers_citations_and_reviews_per_question(client, consultation, room, rapporteur, questions):
    english = factories.make_user(country="GB")
    spanish = factories.make_user(country="ES", speaks_for_organisation=True, organisation="ONG Justicia")
    answers = [
        factories.make_comment(
            room, english, body="Mobile clinics work.", guiding_question=questions[0], language="en"
        ),
        factories.make_comment(room, english, body="Paralegals work.", guiding_question=questions[0], language="en"),
        factories.make_comment(room, spanish, body="Clínicas móviles.", guiding_question=questions[0], language="es"),
    ]
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Clinics")
    synthesis.add_evidence(rapporteur, finding=finding, comment=answers[0])
    synthesis.mark_reviewed(rapporteur, comment=answers[1])
    client.force_login(rapporteur)
    html = client.get(workbench_url(consultation)).content.decode()
    assert "3 comments answer it" in html
    assert "1 cited as evidence" in html
    assert "2 not reviewed yet" in html
    # The balance: English comments are cited, the Spanish organisation's is not.
    assert 'id="chart-cited-by-language"' in html
    assert 'id="chart-cited-by-kind"' in html
    assert '<th scope="row">Organisations</th><td>1</td><td>33 %</td><td>0</td><td>0 %</td>' in html


def test_the_tfidf_suggestion_picks_the_question_the_comment_answers():
    questions = [
        "Access to justice: how can legal aid reach people in rural areas?",
        "Court data: what should courts publish about their caseload and judgments?",
        "Participation: how should women and young people take part in reform?",
    ]
    texts = [
        "In our province the courts never publish judgments, and nobody knows the caseload of each judge.",
        "Women and young people must take part in the reform from the very start.",
        "Rural communities are hours from a lawyer; mobile legal aid clinics would reach them.",
        "Lovely weather today.",
    ]
    matches = similarity.best_matches(questions, texts)
    assert [match[0] if match else None for match in matches] == [1, 2, 0, None]


def test_tfidf_folds_accents_and_case():
    assert similarity.terms("Accès à la JUSTICE") == similarity.terms("acces a la justice")


def test_untagged_comments_are_listed_with_a_suggestion_and_tagged_in_one_click(
    client, consultation, room, rapporteur, questions
):
    untagged = factories.make_comment(room, body="Courts should publish their caseload data every month.")
    factories.make_comment(room, body="Legal aid in rural areas.", guiding_question=questions[0])
    client.force_login(rapporteur)
    html = client.get(workbench_url(consultation)).content.decode()
    assert "1 comment answers no guiding question" in html
    assert "Tag with question 2" in html
    response = client.post(
        reverse("forum:report-tag", args=[consultation.slug]), {"comment": untagged.pk, "question": questions[1].pk}
    )
    assert response.status_code == 302
    untagged.refresh_from_db()
    assert untagged.guiding_question == questions[1]


def test_a_rapporteur_cannot_tag_through_the_moderators_door(room, rapporteur, questions):
    comment = factories.make_comment(room, body="Something.")
    with pytest.raises(Exception, match="moderators"):
        services.tag_comment(rapporteur, comment=comment, question=questions[0])


# --- The report: DOCX, Markdown, consent ---------------------------------------------------


def _cited_by_three(consultation, room, rapporteur, questions):
    named = factories.make_user("Amina Diallo", organisation="Legal Aid Network")
    anonymous = factories.make_user(
        "Hidden Person",
        organisation="Karachi Rights NGO",
        country="PK",
        quoting_consent=User.QuotingConsent.ANONYMOUSLY,
    )
    refusing = factories.make_user("Private Person", quoting_consent=User.QuotingConsent.NOT_AT_ALL)
    comments = [
        factories.make_comment(room, named, body="Mobile clinics reach remote villages every week."),
        factories.make_comment(room, anonymous, body="Paralegals in Sindh explain rights in local languages."),
        factories.make_comment(room, refusing, body="My own story of the court in my town."),
    ]
    finding = synthesis.add_finding(
        rapporteur, consultation=consultation, question=questions[0], text="Outreach works."
    )
    synthesis.add_evidence(rapporteur, finding=finding, comment=comments[0], quote="reach remote villages")
    synthesis.add_evidence(rapporteur, finding=finding, comment=comments[1])
    synthesis.add_evidence(rapporteur, finding=finding, comment=comments[2], quote="court in my town")
    return comments


def _footnotes(docx_bytes):
    document = Document(io.BytesIO(docx_bytes))
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/footnotes"))
    root = etree.fromstring(part.blob)
    notes = [note for note in root.findall(f"{W}footnote") if note.get(f"{W}type") is None]
    links = {rel.rId: rel.target_ref for rel in part.rels.values() if rel.is_external}
    return document, root, notes, links


def test_the_docx_has_a_footnote_per_evidence_linking_to_the_permalink_and_honouring_consent(
    settings, consultation, room, rapporteur, questions
):
    settings.SITE_URL = "https://consult.example.org"
    comments = _cited_by_three(consultation, room, rapporteur, questions)
    document, root, notes, links = _footnotes(report_docx(report_document(consultation)))
    assert [note.get(f"{W}type") for note in root.findall(f"{W}footnote")][:2] == ["separator", "continuationSeparator"]
    with zipfile.ZipFile(io.BytesIO(report_docx(report_document(consultation)))) as package:
        assert "footnotes+xml" in package.read("[Content_Types].xml").decode()
        assert "relationships/footnotes" in package.read("word/_rels/document.xml.rels").decode()
        assert "word/footnotes.xml" in package.namelist()
    named = document.settings.element.find(f"{W}footnotePr").findall(f"{W}footnote")
    assert [note.get(f"{W}id") for note in named] == ["-1", "0"]
    references = document.element.body.findall(f".//{W}footnoteReference")
    assert [ref.get(f"{W}id") for ref in references] == ["1", "2", "3"]
    texts = ["".join(note.itertext()) for note in notes]
    hrefs = [links[note.find(f".//{W}hyperlink").get(f"{R}id")] for note in notes]
    assert hrefs == [f"https://consult.example.org/comment/{comment.pk}/" for comment in comments]
    assert "Amina Diallo (Legal Aid Network)" in texts[0] and "reach remote villages" in texts[0]
    assert "A participant from an organisation in Pakistan" in texts[1]
    assert "Hidden Person" not in texts[1] and "Karachi Rights NGO" not in texts[1]
    assert "Paralegals in Sindh" in texts[1]
    assert "did not agree to be quoted" in texts[2]
    assert "court in my town" not in texts[2] and "Private Person" not in texts[2]
    assert "Outreach works." in "\n".join(paragraph.text for paragraph in document.paragraphs)


def test_the_markdown_report_has_footnotes_statistics_and_methods(settings, consultation, room, rapporteur, questions):
    settings.SITE_URL = "https://consult.example.org"
    comments = _cited_by_three(consultation, room, rapporteur, questions)
    text = markdown(report_document(consultation))
    assert "**1.1** Outreach works.[^1][^2][^3]" in text
    assert "[^1]: Amina Diallo (Legal Aid Network): “reach remote villages”" in text
    assert f"<https://consult.example.org/comment/{comments[0].pk}/>" in text
    assert "My own story" not in text and "court in my town" not in text
    assert "## Statistics" in text and "## Methods" in text
    assert "participants" in text


def test_the_draft_exports_are_for_the_workbench_only(client, consultation, room, rapporteur, participant, questions):
    _cited_by_three(consultation, room, rapporteur, questions)
    url = reverse("forum:report-draft-export", args=[consultation.slug, "docx"])
    client.force_login(participant)
    assert client.get(url).status_code == 403
    client.force_login(rapporteur)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("forum:report-draft-export", args=[consultation.slug, "md"])).status_code == 200


# --- Publishing and traceability ----------------------------------------------------------


def test_publishing_freezes_a_snapshot_whose_sha256_anyone_can_recompute(
    client, consultation, room, rapporteur, questions
):
    comments = _cited_by_three(consultation, room, rapporteur, questions)
    snapshot = synthesis.publish_report(rapporteur, consultation=consultation)
    download = client.get(reverse("forum:policy-report-download", args=[consultation.slug, 1, "json"]))
    assert hashlib.sha256(download.content).hexdigest() == snapshot.sha256
    frozen = json.loads(download.content)
    assert canonical_json(frozen).encode() == download.content
    assert frozen["sections"][0]["findings"][0]["evidence"][0]["quote"] == "reach remote villages"
    page = client.get(reverse("forum:policy-report", args=[consultation.slug])).content.decode()
    assert snapshot.sha256 in page
    # Later edits do not change what was published.
    services.edit_comment(comments[0].author, comment=comments[0], body="Changed entirely.")
    snapshot.refresh_from_db()
    assert hashlib.sha256(snapshot.content.encode()).hexdigest() == snapshot.sha256
    assert "reach remote villages" in snapshot.content


def test_a_second_publication_lists_the_first_as_an_earlier_version(client, consultation, room, rapporteur, questions):
    synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="One")
    synthesis.publish_report(rapporteur, consultation=consultation)
    synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Two")
    synthesis.publish_report(rapporteur, consultation=consultation)
    assert ReportSnapshot.objects.filter(consultation=consultation).count() == 2
    page = client.get(reverse("forum:policy-report", args=[consultation.slug])).content.decode()
    assert "Earlier versions" in page and "Version 1" in page


def test_publishing_needs_confirmation(client, consultation, room, rapporteur, questions):
    synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="One")
    client.force_login(rapporteur)
    url = reverse("forum:report-publish", args=[consultation.slug])
    assert client.post(url, {}).status_code == 400
    assert not ReportSnapshot.objects.exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert ReportSnapshot.objects.count() == 1


def test_a_cited_comment_shows_its_finding_and_its_author_is_told(client, consultation, room, rapporteur, questions):
    cited = factories.make_comment(room, body="Mobile clinics.", guiding_question=questions[0])
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[1], text="Claim")
    synthesis.add_finding(rapporteur, consultation=consultation, question=questions[1], text="Earlier claim")
    synthesis.move_finding(rapporteur, finding=Finding.objects.get(text="Earlier claim"), up=True)
    synthesis.add_evidence(rapporteur, finding=finding, comment=cited)
    synthesis.publish_report(rapporteur, consultation=consultation)
    html = client.get(room.get_absolute_url()).content.decode()
    assert "Cited in the report, finding 2.2" in html
    assert reverse("forum:policy-report", args=[consultation.slug]) + "#finding-2.2" in html
    assert f'href="{room.get_absolute_url()}?question={questions[0].pk}">Answers question 1</a>' in html
    told = Notification.objects.get(recipient=cited.author, kind=Notification.Kind.CITED)
    assert "2.2" in told.note
    # Republishing without it clears the label.
    Evidence.objects.all().delete()
    synthesis.publish_report(rapporteur, consultation=consultation)
    cited.refresh_from_db()
    assert cited.report_citation == ""


def test_the_citation_label_and_question_cost_no_query_on_the_room_page(
    client, consultation, room, rapporteur, participant, questions
):
    client.force_login(participant)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(room.get_absolute_url()).status_code == 200
        return len(captured)

    factories.make_comment(room, body="Plain.")
    before = queries()
    cited = factories.make_comment(room, body="Cited.", guiding_question=questions[0])
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Claim")
    synthesis.add_evidence(rapporteur, finding=finding, comment=cited)
    synthesis.publish_report(rapporteur, consultation=consultation)
    assert queries() == before <= 12
    client.force_login(rapporteur)
    html = client.get(room.get_absolute_url()).content.decode()
    assert "Use as evidence" in html
    assert queries() <= 12


def test_rapporteurs_are_told_which_findings_a_changed_comment_affects(
    client, consultation, room, rapporteur, moderator, questions
):
    cited = factories.make_comment(room, body="Mobile clinics reach villages.")
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Claim")
    synthesis.add_evidence(rapporteur, finding=finding, comment=cited, quote="reach villages")
    services.edit_comment(cited.author, comment=cited, body="Mobile clinics rarely reach villages.")
    told = Notification.objects.get(recipient=rapporteur, kind=Notification.Kind.CITATION_CHANGED)
    assert "1.1" in told.note
    assert Evidence.objects.get().changed_at is not None
    client.force_login(rapporteur)
    assert (
        "was edited, hidden or deleted after it was cited" in client.get(workbench_url(consultation)).content.decode()
    )


def test_hiding_a_cited_comment_flags_its_findings(consultation, room, rapporteur, moderator, staff, questions):
    cited = factories.make_comment(room, body="Mobile clinics reach villages.")
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Claim")
    synthesis.add_evidence(rapporteur, finding=finding, comment=cited)
    written_by_staff = synthesis.add_finding(staff, consultation=consultation, question=None, text="Other claim")
    synthesis.add_evidence(staff, finding=written_by_staff, comment=cited)
    services.hide_comment(moderator, comment=cited, reason="Off-topic")
    assert Evidence.objects.filter(changed_at__isnull=True).count() == 0
    told = Notification.objects.filter(kind=Notification.Kind.CITATION_CHANGED)
    assert set(told.values_list("recipient", flat=True)) == {rapporteur.pk, staff.pk}
    assert "1.1, 3.1" in told.first().note


def test_mark_reviewed_is_per_rapporteur(client, consultation, room, rapporteur, questions):
    comment = factories.make_comment(room, body="Clinics.", guiding_question=questions[0])
    client.force_login(rapporteur)
    url = reverse("forum:report-reviewed", args=[consultation.slug])
    assert client.post(url, {"comment": comment.pk, "reviewed": "on"}).status_code == 302
    page = client.get(reverse("forum:report-question-comments", args=[consultation.slug, questions[0].pk]))
    assert "Not reviewed after all" in page.content.decode()
    other = factories.make_user()
    Rapporteur.objects.create(consultation=consultation, user=other)
    client.force_login(other)
    page = client.get(reverse("forum:report-question-comments", args=[consultation.slug, questions[0].pk]))
    assert "Mark reviewed" in page.content.decode()


def test_the_demo_has_a_rapporteur_and_a_draft_report_with_evidence(client):
    from django.core.management import call_command  # the demo is built only here

    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    rapporteur = User.objects.get(email="elena.varga@example.org")
    consultation = Rapporteur.objects.get(user=rapporteur).consultation
    assert Finding.objects.filter(consultation=consultation).count() >= 3
    assert Evidence.objects.filter(finding__consultation=consultation).count() >= 2
    assert not ReportSnapshot.objects.exists()
    client.force_login(rapporteur)
    html = client.get(workbench_url(consultation)).content.decode()
    assert "Paralegal and legal aid services make the most difference" in html
    docx = client.get(reverse("forum:report-draft-export", args=[consultation.slug, "docx"]))
    _document, _root, notes, _links = _footnotes(docx.content)
    assert len(notes) == Evidence.objects.filter(finding__consultation=consultation).count()


def test_a_cited_comment_hidden_later_is_named_but_not_quoted_in_the_report(
    consultation, room, rapporteur, moderator, questions
):
    cited = factories.make_comment(room, body="Mobile clinics reach villages.")
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Claim")
    synthesis.add_evidence(rapporteur, finding=finding, comment=cited, quote="reach villages")
    services.hide_comment(moderator, comment=cited, reason="Off-topic")
    text = markdown(report_document(consultation))
    assert "since withdrawn or hidden" in text
    assert "reach villages" not in text


def test_the_exports_and_references_ask_the_same_quoting_rule(monkeypatch, room):
    from forum import exports, quoting, rendering  # the modules whose rule is patched

    asked = []

    def never(*, author_consent, quotable=True):
        asked.append(author_consent)
        return quoting.NOT_AT_ALL

    monkeypatch.setattr(exports, "how_to_quote", never)
    monkeypatch.setattr(rendering, "how_to_quote", never)
    factories.make_comment(room, body="Words anyone may quote.")
    rows = list(exports.rows([room]))
    assert rows[0]["body_text"] == "" and asked


def test_the_cited_author_is_emailed_unless_they_chose_never(
    consultation, room, rapporteur, questions, mailoutbox, django_capture_on_commit_callbacks
):
    wants = factories.make_user("Wants Mail")
    refuses = factories.make_user("No Mail")
    services.set_email_preference(refuses, kind=Notification.Kind.CITED, delivery="never")
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Claim")
    for author in (wants, refuses):
        synthesis.add_evidence(rapporteur, finding=finding, comment=factories.make_comment(room, author, body="Words."))
    with django_capture_on_commit_callbacks(execute=True):
        synthesis.publish_report(rapporteur, consultation=consultation)
    assert [message.to for message in mailoutbox] == [[wants.email]]
    assert "cited in the report" in mailoutbox[0].subject + mailoutbox[0].body
    assert "1.1" in mailoutbox[0].body


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_workbench_and_review_pages_cost_the_same_queries_with_few_and_many_comments(
    client, consultation, room, rapporteur, questions
):
    client.force_login(rapporteur)
    finding = synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Claim")

    def add(count):
        for n in range(count):
            comment = factories.make_comment(room, body=f"Legal aid in rural areas, point {n}.")
            tagged = factories.make_comment(room, body=f"Courts, point {n}.", guiding_question=questions[0])
            synthesis.add_evidence(rapporteur, finding=finding, comment=tagged if n % 2 else comment)

    review = reverse("forum:report-question-comments", args=[consultation.slug, questions[0].pk])
    add(2)
    few = (_queries(client, workbench_url(consultation)), _queries(client, review))
    add(20)
    many = (_queries(client, workbench_url(consultation)), _queries(client, review))
    assert few == many
    assert many[0] <= 20


def test_a_thread_page_says_which_question_its_comments_answer(client, room, questions):
    root = factories.make_comment(room, body="Root.", guiding_question=questions[1])
    html = client.get(reverse("forum:thread", args=[room.consultation.slug, room.slug, root.pk])).content.decode()
    assert "Answers question 2" in html


def test_the_review_page_goes_page_by_page_and_can_show_only_what_nobody_reviewed(
    client, consultation, room, rapporteur, questions
):
    comments = [
        factories.make_comment(
            room, body=f"Point {n}.", guiding_question=questions[0], language="es" if n == 4 else "en"
        )
        for n in range(5)
    ]
    synthesis.mark_reviewed(rapporteur, comment=comments[0])
    client.force_login(rapporteur)
    url = reverse("forum:report-question-comments", args=[consultation.slug, questions[0].pk])
    html = client.get(url + "?unreviewed=1").content.decode()
    assert f'id="comment-{comments[0].pk}"' not in html
    assert f'id="comment-{comments[1].pk}"' in html
    assert "Use as evidence" in html
    spanish = client.get(url + "?language=es").content.decode()
    assert f'id="comment-{comments[4].pk}"' in spanish and f'id="comment-{comments[1].pk}"' not in spanish
    page = report_selectors.comments_to_review(report_selectors.report_sections(consultation)[0], rapporteur, size=2)
    assert [comment.pk for comment in page.comments] == [comments[0].pk, comments[1].pk]
    assert page.next_after == comments[1].pk and page.reviewed_ids == {comments[0].pk}
    following = client.get(url + f"?after={comments[3].pk}").content.decode()
    assert f'id="comment-{comments[4].pk}"' in following and f'id="comment-{comments[3].pk}"' not in following


def test_the_suggestion_works_for_spanish_and_french_questions_too():
    questions = [
        "¿Cómo pueden las mujeres y los jóvenes participar en la reforma de la justicia?",
        "¿Qué deberían publicar los tribunales sobre sus datos?",
        "Comment protéger les défenseurs des droits humains et les journalistes ?",
    ]
    texts = [
        "Las mujeres rurales casi nunca participan en las reformas judiciales.",
        "Les journalistes menacés ont besoin d'une protection rapide.",
        "Los tribunales deberían publicar datos de cada juzgado.",
    ]
    assert [match[0] for match in similarity.best_matches(questions, texts)] == [0, 2, 1]


def test_the_consultation_page_links_to_the_workbench_and_once_published_to_the_report(
    client, consultation, room, rapporteur, participant, questions
):
    workbench, report = workbench_url(consultation), reverse("forum:policy-report", args=[consultation.slug])
    client.force_login(participant)
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert workbench not in html and report not in html
    client.force_login(rapporteur)
    assert workbench in client.get(consultation.get_absolute_url()).content.decode()
    synthesis.add_finding(rapporteur, consultation=consultation, question=questions[0], text="Claim")
    synthesis.publish_report(rapporteur, consultation=consultation)
    client.force_login(participant)
    assert report in client.get(consultation.get_absolute_url()).content.decode()


def test_the_workbench_lists_evidence_as_the_report_will_quote_it(client, consultation, room, rapporteur, questions):
    _cited_by_three(consultation, room, rapporteur, questions)
    client.force_login(rapporteur)
    html = client.get(workbench_url(consultation)).content.decode()
    assert "(Amina Diallo (Legal Aid Network)):" in html
    assert "(a participant from an organisation in Pakistan):" in html
    assert "Hidden Person" not in html
    assert "not quoted, its author did not agree" in html
