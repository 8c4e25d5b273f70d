"""The report as a DOCX file (python-docx), evidence as real footnotes.

python-docx has no footnote API, so the footnotes part is added through its
OPC layer: word/footnotes.xml with the two separator footnotes Word expects,
related from the document part (its content type comes with the part), and a
`w:footnoteReference` run after each finding for each piece of evidence. Each
footnote holds the evidence (author as they agreed, quote or paraphrase note)
and a hyperlink to the comment's absolute permalink, related from the
footnotes part itself."""

import io
import re

from docx import Document
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from django.utils.translation import gettext as _
from lxml import etree

from forum.policy_report import footnote_text, methods_lines

_FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)
# Characters XML 1.0 cannot hold (a comment may carry them): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


# What comes after w:footnotePr in w:settings (ECMA-376's order), by local name.
_AFTER_FOOTNOTE_PROPERTIES = {
    "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
    "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
}  # fmt: skip


def _name_the_separators(settings) -> None:
    """w:footnotePr in the settings names the two separator footnotes, as Word writes it."""
    properties = OxmlElement("w:footnotePr")
    for separator_id in ("-1", "0"):
        footnote = OxmlElement("w:footnote")
        footnote.set(qn("w:id"), separator_id)
        properties.append(footnote)
    following = next((child for child in settings if etree.QName(child).localname in _AFTER_FOOTNOTE_PROPERTIES), None)
    if following is None:
        settings.append(properties)
    else:
        following.addprevious(properties)


class _Footnotes:
    def __init__(self, document):
        self.document_part = document.part
        self.part = XmlPart(
            PackURI("/word/footnotes.xml"),
            CONTENT_TYPE.WML_FOOTNOTES,
            parse_xml(_FOOTNOTES_XML),
            document.part.package,
        )
        document.part.relate_to(self.part, RELATIONSHIP_TYPE.FOOTNOTES)
        _name_the_separators(document.settings.element)
        self.next_id = 1

    def add(self, paragraph, text: str, url: str) -> None:
        """A footnote holding `text` and a link to `url`, referenced at the end of `paragraph`."""
        footnote_id = str(self.next_id)
        self.next_id += 1
        reference = paragraph.add_run()._r
        reference.append(_run_properties(superscript=True))
        mark = OxmlElement("w:footnoteReference")
        mark.set(qn("w:id"), footnote_id)
        reference.append(mark)

        footnote = OxmlElement("w:footnote")
        footnote.set(qn("w:id"), footnote_id)
        body = OxmlElement("w:p")
        own_mark = OxmlElement("w:r")
        own_mark.append(_run_properties(superscript=True))
        own_mark.append(OxmlElement("w:footnoteRef"))
        body.append(own_mark)
        body.append(_text_run(f" {text} "))
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), self.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
        link.append(_text_run(url, link_style=True))
        body.append(link)
        footnote.append(body)
        self.part.element.append(footnote)


def _run_properties(*, superscript=False, link_style=False):
    properties = OxmlElement("w:rPr")
    if link_style:
        color = OxmlElement("w:color")
        color.set(qn("w:val"), "0563C1")
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.extend([color, underline])
    if superscript:
        align = OxmlElement("w:vertAlign")
        align.set(qn("w:val"), "superscript")
        properties.append(align)
    return properties


def _text_run(text: str, *, link_style=False):
    run = OxmlElement("w:r")
    if link_style:
        run.append(_run_properties(link_style=True))
    element = OxmlElement("w:t")
    element.set(qn("xml:space"), "preserve")
    element.text = _clean(text)
    run.append(element)
    return run


def report_docx(document: dict, *, version: int | None = None, digest: str = "") -> bytes:
    """The report (forum.policy_report.report_document) as the bytes of a .docx file."""
    docx = Document()
    footnotes = _Footnotes(docx)
    docx.add_heading(_clean(_("Report of the consultation") + ": " + document["consultation"]["title"]), level=0)
    if version:
        docx.add_paragraph(
            _("Version %(version)s, published %(when)s. SHA-256: %(digest)s")
            % {"version": version, "when": document["generated_at"], "digest": digest}
        )
    else:
        docx.add_paragraph(_("Draft, generated %(when)s.") % {"when": document["generated_at"]})
    for section in document["sections"]:
        docx.add_heading(_clean(f"{section['number']}. {section['title']}"), level=1)
        if not section["findings"]:
            docx.add_paragraph(_("No findings yet."))
        for finding in section["findings"]:
            paragraph = docx.add_paragraph()
            paragraph.add_run(f"{finding['number']} ").bold = True
            paragraph.add_run(_clean(finding["text"]))
            for evidence in finding["evidence"]:
                footnotes.add(paragraph, _clean(footnote_text(evidence)), evidence["permalink"])
    docx.add_heading(_("Statistics"), level=1)
    for table in document["statistics"]:
        docx.add_heading(_clean(table["title"]), level=2)
        grid = docx.add_table(rows=1, cols=len(table["headings"]))
        grid.style = "Table Grid"
        for cell, heading in zip(grid.rows[0].cells, table["headings"], strict=True):
            cell.text = _clean(heading)
        for row in table["rows"]:
            cells = grid.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = _clean(str(value))
    docx.add_heading(_("Methods"), level=1)
    for line in methods_lines(document["methods"]):
        docx.add_paragraph(_clean(line), style="List Bullet")
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()
