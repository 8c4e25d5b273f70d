import io

from django.conf import settings
from docx import Document
from lxml import etree
from playwright.sync_api import expect

from forum.models import Evidence, Rapporteur
from forum.services import synthesis
from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import assert_accessible

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"

SELECT_WORDS = """([id, words]) => {
  const paragraph = document.querySelector(`#comment-${id} .comment__body p`);
  const text = paragraph.firstChild;
  const start = text.data.indexOf(words);
  const range = document.createRange();
  range.setStart(text, start);
  range.setEnd(text, start + words.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def test_a_rapporteur_selects_words_uses_them_as_evidence_and_finds_them_as_a_docx_footnote(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    question = factories.make_question(room, "Which legal aid services made the biggest difference?")
    author = factories.make_user("Ngozi Okafor", organisation="Legal Aid Network")
    comment = factories.make_comment(
        room,
        author,
        body="Paralegals in police stations reach people before the first hearing. That changed everything.",
    )
    rapporteur = factories.make_user("Elena Varga")
    Rapporteur.objects.create(consultation=room.consultation, user=rapporteur)
    finding = synthesis.add_finding(
        rapporteur, consultation=room.consultation, question=question, text="Early legal aid makes the difference."
    )

    log_in(page, live_server, rapporteur, room.get_absolute_url())
    page.evaluate(SELECT_WORDS, [comment.pk, "reach people before the first hearing"])
    offer = page.locator(".evidence-button")
    expect(offer).to_be_visible()
    screenshot(page, "01-words-selected")
    offer.click()

    # The workbench's form, filled in with the comment and the words.
    expect(page.get_by_label("Comment", exact=True)).to_have_value(str(comment.pk))
    expect(page.get_by_label("Exact words quoted (optional)")).to_have_value("reach people before the first hearing")
    page.get_by_label("Finding it supports").select_option(str(finding.pk))
    page.get_by_role("button", name="Use as evidence").click()
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("reach people before the first hearing")
    screenshot(page, "02-evidence-on-the-workbench")
    evidence = Evidence.objects.get()
    assert evidence.quote == "reach people before the first hearing"
    assert evidence.quote_start == len("Paralegals in police stations ")

    with page.expect_download() as download:
        page.get_by_role("link", name="Draft as DOCX").click()
    document = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    footnotes = next(rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/footnotes"))
    root = etree.fromstring(footnotes.blob)
    notes = [note for note in root.findall(f"{W}footnote") if note.get(f"{W}type") is None]
    assert len(notes) == 1
    link = notes[0].find(f".//{W}hyperlink")
    target = footnotes.rels[link.get(f"{R}id")].target_ref
    assert target == f"{settings.SITE_URL}/comment/{comment.pk}/"
    assert "reach people before the first hearing" in "".join(notes[0].itertext())
    assert offsite_requests == []
    assert page_errors == []


def test_the_workbench_and_the_published_report_have_no_wcag_violations(
    live_server, transactional_db, page, screenshot, offsite_requests, page_errors
):
    room = factories.make_room(title="Access to justice")
    question = factories.make_question(room, "Which legal aid services made the biggest difference?")
    cited = factories.make_comment(room, body="Paralegals reach people early.", guiding_question=question)
    factories.make_comment(room, body="Legal aid services in rural areas need funding.")
    rapporteur = factories.make_user("Elena Varga")
    Rapporteur.objects.create(consultation=room.consultation, user=rapporteur)
    finding = synthesis.add_finding(rapporteur, consultation=room.consultation, question=question, text="Early help.")
    synthesis.add_evidence(rapporteur, finding=finding, comment=cited, quote="reach people early")

    log_in(page, live_server, rapporteur, f"/c/{room.consultation.slug}/report/workbench/")
    # Drawn again without the "signed in" message, whose list partials/messages.html marks as a status.
    page.reload()
    assert_accessible(page, "the workbench")
    page.get_by_role("link", name="Publish this version").click()
    page.get_by_label("I confirm: publish this version for everyone.").check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Report of the consultation")).to_be_visible()
    expect(page.locator(".report-page__digest code")).to_have_text(room.consultation.report_snapshots.get().sha256)
    screenshot(page, "01-published-report")
    page.reload()
    assert_accessible(page, "the published report")
    page.goto(f"{live_server.url}{room.get_absolute_url()}")
    expect(page.locator(f"#comment-{cited.pk}")).to_contain_text("Cited in the report, finding 1.1")
    assert offsite_requests == []
    assert page_errors == []
