"""Build the sample organization's binary SMS documents from their committed sources.

Every DOCX, PDF, HTML and XLSX file in ``knowledge/samples/kestrel/documents/`` is built
from a Markdown file (or, for spreadsheets, a CSV file) with the same stem in
``knowledge/sample_sources/kestrel/``. Run from the repository root::

    python scripts/build_samples.py

The Markdown subset understood here: ``#``/``##``/``###`` headings, paragraphs, ``-``
bullet lists, ``1.`` numbered lists, pipe tables and ``**bold**``. A paragraph whose every
line reads ``Label: value`` (the document-control block) keeps one field per line.

Output is deterministic: DOCX and XLSX core-property dates come from the document's
``Approved:`` date (or a fixed date), the PDF creation date is fixed the same way, and the
ZIP containers of DOCX and XLSX are rewritten with fixed entry timestamps.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph
    from fpdf import FPDF

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "knowledge" / "sample_sources" / "kestrel"
DOCUMENTS = REPO / "knowledge" / "samples" / "kestrel" / "documents"

ORGANIZATION = "Kestrel Managed Services Ltd"
FALLBACK_DATE = date(2026, 11, 23)
ZIP_TIMESTAMP = (2026, 1, 1, 0, 0, 0)

# Output format of every Markdown source; CSV sources always become XLSX.
FORMATS: dict[str, str] = {
    "service-management-policy": "docx",
    "sms-plan": "docx",
    "sla-harbour-logistics": "docx",
    "change-management-procedure": "docx",
    "management-review-minutes-2025-10": "docx",
    "sla-brightwell-retail": "pdf",
    "configuration-management-procedure": "pdf",
    "service-continuity-plan": "pdf",
    "information-security-policy": "pdf",
    "internal-audit-report-2026": "pdf",
    "service-catalogue": "html",
    "supplier-management-policy": "html",
}

SHEET_NAMES: dict[str, str] = {
    "risk-register": "Risk register",
    "continual-improvement-register": "Improvements",
}

# ---------------------------------------------------------------------------------------
# Markdown subset
# ---------------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*$")
_BULLET = re.compile(r"^\s*-\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}\.\s+(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FIELD = re.compile(r"^([A-Z][A-Za-z ]{1,40}):\s+(.+)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^-?\d{1,9}$")


@dataclass
class Block:
    """One structural element of a source document."""

    kind: str  # heading | paragraph | fields | bullets | numbered | table
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SourceDocument:
    """A parsed Markdown source: its title, control fields and body blocks."""

    stem: str
    title: str
    blocks: list[Block]

    def control_field(self, label: str) -> str | None:
        """The value of a document-control field, if the document has one."""
        for block in self.blocks:
            for name, value in block.fields:
                if name.lower() == label.lower():
                    return value
        return None

    @property
    def approved(self) -> date:
        """The approval date, used for deterministic file metadata."""
        value = self.control_field("Approved") or ""
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return FALLBACK_DATE


def inline_segments(text: str) -> list[tuple[str, bool]]:
    """Split text into (segment, bold) pairs on ``**bold**`` markers."""
    segments: list[tuple[str, bool]] = []
    position = 0
    for match in _BOLD.finditer(text):
        if match.start() > position:
            segments.append((text[position : match.start()], False))
        segments.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        segments.append((text[position:], False))
    return segments


def plain(text: str) -> str:
    """Text with bold markers removed."""
    return _BOLD.sub(r"\1", text)


def _table_cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _paragraph_block(lines: list[str]) -> Block:
    matches = [_FIELD.match(line) for line in lines]
    if len(lines) > 1 and all(matches):
        pairs = [(m.group(1), m.group(2).strip()) for m in matches if m]
        return Block("fields", fields=pairs)
    return Block("paragraph", text=" ".join(lines))


class _Parser:
    """Line-by-line parser that groups lines into blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.paragraph: list[str] = []
        self.list_block: Block | None = None
        self.table: Block | None = None

    def flush(self) -> None:
        if self.paragraph:
            self.blocks.append(_paragraph_block(self.paragraph))
            self.paragraph = []
        for pending in (self.list_block, self.table):
            if pending is not None:
                self.blocks.append(pending)
        self.list_block = None
        self.table = None

    def feed(self, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            self.flush()
        elif stripped.startswith("|"):
            self._table_line(stripped)
        elif heading := _HEADING.match(stripped):
            self.flush()
            self.blocks.append(Block("heading", text=heading.group(2), level=len(heading.group(1))))
        elif bullet := _BULLET.match(line):
            self._list_item("bullets", bullet.group(1))
        elif numbered := _NUMBERED.match(line):
            self._list_item("numbered", numbered.group(1))
        elif self.list_block is not None and line.startswith("  "):
            self.list_block.items[-1] += " " + stripped
        else:
            if self.list_block is not None or self.table is not None:
                self.flush()
            self.paragraph.append(stripped)

    def _table_line(self, stripped: str) -> None:
        if self.table is None:
            self.flush()
            self.table = Block("table")
        if not _TABLE_SEP.match(stripped):
            self.table.rows.append(_table_cells(stripped))

    def _list_item(self, kind: str, text: str) -> None:
        if self.list_block is None or self.list_block.kind != kind:
            self.flush()
            self.list_block = Block(kind)
        self.list_block.items.append(text.strip())


def parse_markdown(stem: str, text: str) -> SourceDocument:
    """Parse a Markdown source into a title and blocks (the ``#`` heading is the title)."""
    parser = _Parser()
    for line in text.splitlines():
        parser.feed(line)
    parser.flush()
    blocks = parser.blocks
    title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), stem)
    return SourceDocument(stem=stem, title=plain(title), blocks=blocks)


# ---------------------------------------------------------------------------------------
# Deterministic ZIP containers (DOCX, XLSX)
# ---------------------------------------------------------------------------------------

_CORE_DATE = re.compile(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalize_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite an Office ZIP with fixed entry times and fixed core-property dates."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                content = _CORE_DATE.sub(rf"\g<1>{iso}\g<3>", text).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return output.getvalue()


def _stamp(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, 0)


# ---------------------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------------------


def _docx_runs(paragraph: Paragraph, text: str) -> None:
    for segment, bold in inline_segments(text):
        run = paragraph.add_run(segment)
        run.bold = bold or None


def _docx_new_numbering(document: DocxDocument) -> int:
    """A fresh numbering instance for the List Number style, so each list restarts at 1."""
    from docx.oxml.ns import qn

    style = document.styles["List Number"]
    style_num = style.element.pPr.numPr.numId.val
    numbering = document.part.numbering_part.element
    abstract_id = next(num.abstractNumId.val for num in numbering.num_lst if num.numId == style_num)
    num = numbering.add_num(abstract_id)
    override = num.add_lvlOverride(ilvl=0)
    start = override._add_startOverride()
    start.set(qn("w:val"), "1")
    return num.numId


def _docx_numbered(document: DocxDocument, items: list[str]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    num_id = _docx_new_numbering(document)
    for item in items:
        paragraph = document.add_paragraph(style="List Number")
        _docx_runs(paragraph, item)
        num_pr = OxmlElement("w:numPr")
        ilvl = OxmlElement("w:ilvl")
        ilvl.set(qn("w:val"), "0")
        num = OxmlElement("w:numId")
        num.set(qn("w:val"), str(num_id))
        num_pr.append(ilvl)
        num_pr.append(num)
        paragraph._p.get_or_add_pPr().append(num_pr)


def _docx_table(document: DocxDocument, rows: list[list[str]]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c in range(width):
            cell = table.cell(r, c)
            cell.paragraphs[0].text = ""
            text = row[c] if c < len(row) else ""
            if r == 0:
                run = cell.paragraphs[0].add_run(plain(text))
                run.bold = True
            else:
                _docx_runs(cell.paragraphs[0], text)
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    document.add_paragraph()


def _docx_fields(document: DocxDocument, pairs: list[tuple[str, str]]) -> None:
    for label, value in pairs:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = 0
        paragraph.add_run(f"{label}:").bold = True
        paragraph.add_run(f" {value}")
    document.add_paragraph()


def build_docx(doc: SourceDocument, target: Path) -> str:
    """Write a DOCX with real heading, list and table styles; returns a summary."""
    import docx

    document = docx.Document()
    for block in doc.blocks:
        if block.kind == "heading":
            document.add_heading(plain(block.text), level=block.level)
        elif block.kind == "paragraph":
            _docx_runs(document.add_paragraph(), block.text)
        elif block.kind == "fields":
            _docx_fields(document, block.fields)
        elif block.kind == "bullets":
            for item in block.items:
                _docx_runs(document.add_paragraph(style="List Bullet"), item)
        elif block.kind == "numbered":
            _docx_numbered(document, block.items)
        elif block.kind == "table":
            _docx_table(document, block.rows)
    stamp = _stamp(doc.approved)
    props = document.core_properties
    props.title = doc.title
    props.author = ORGANIZATION
    props.last_modified_by = doc.control_field("Document owner") or ORGANIZATION
    props.subject = "Service management system"
    props.keywords = "ISO/IEC 20000-1; SMS"
    props.comments = ""
    props.category = "SMS document"
    props.revision = 1
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    buffer = io.BytesIO()
    document.save(buffer)
    target.write_bytes(normalize_zip(buffer.getvalue(), stamp))
    return _summary(doc)


# ---------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------

_TRANSLITERATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2022": "-",
    "\u2026": "...",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u00a0": " ",
    "\u2011": "-",
    "\u2212": "-",
}


def latin1(text: str) -> str:
    """Text the PDF core fonts can draw: common symbols mapped, accents kept where Latin-1."""
    mapped = "".join(_TRANSLITERATION.get(ch, ch) for ch in text)
    out: list[str] = []
    for ch in mapped:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in decomposed if c.encode("latin-1", "ignore")) or "?")
    return "".join(out)


def _pdf_class() -> type[FPDF]:
    from fpdf import FPDF

    class SmsPdf(FPDF):
        """A4 document with a page-numbered footer."""

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("Helvetica", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    return SmsPdf


_PDF_HEADING_SIZES = {1: 18, 2: 13, 3: 11}
_PDF_BODY = 10
_PDF_LINE = 5.2


def _pdf_write(pdf: FPDF, height: float, text: str, markdown: bool = True) -> None:
    """A left-aligned, wrapped paragraph; the cursor returns to the left margin."""
    where = {"new_x": "LMARGIN", "new_y": "NEXT"}
    pdf.multi_cell(0, height, latin1(text), markdown=markdown, align="L", **where)


def _pdf_heading(pdf: FPDF, block: Block, keep_with: float = 30) -> None:
    """A bold heading, moved to a new page when less than ``keep_with`` mm remain."""
    size = _PDF_HEADING_SIZES.get(block.level, 11)
    if block.level > 1 and pdf.get_y() > pdf.h - pdf.b_margin - keep_with:
        pdf.add_page()
    pdf.ln(3 if block.level > 1 else 0)
    pdf.set_font("Helvetica", "B", size)
    _pdf_write(pdf, size * 0.5, plain(block.text), markdown=False)
    pdf.ln(1.5)
    pdf.set_font("Helvetica", "", _PDF_BODY)


def _pdf_paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "", _PDF_BODY)
    _pdf_write(pdf, _PDF_LINE, text)
    pdf.ln(2)


def _balanced_lines(lines: list[str]) -> list[str]:
    """Close a bold span at a line end and reopen it on the next line."""
    out: list[str] = []
    carry = False
    for line in lines:
        text = ("**" if carry else "") + line
        carry = text.count("**") % 2 == 1
        out.append(text + ("**" if carry else ""))
    return out


def _pdf_list(pdf: FPDF, items: list[str], numbered: bool) -> None:
    """List items with a hanging indent; continuation lines start with a space so text
    extraction keeps them with their item."""
    pdf.set_font("Helvetica", "", _PDF_BODY)
    indent = pdf.l_margin + 10
    width = pdf.w - pdf.r_margin - indent
    where = {"new_x": "LMARGIN", "new_y": "NEXT"}
    for number, item in enumerate(items, start=1):
        marker = f"{number})" if numbered else "-"
        text = latin1(item)
        lines = pdf.multi_cell(width, _PDF_LINE, text, markdown=True, dry_run=True, output="LINES")
        space = pdf.get_string_width(" ")
        for index, line in enumerate(_balanced_lines(lines)):
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(7 - (space if index else 0), _PDF_LINE, marker if index == 0 else "")
            pdf.cell(width, _PDF_LINE, line if index == 0 else f" {line}", markdown=True, **where)
        pdf.ln(0.8)
    pdf.ln(1.5)


def _column_widths(rows: list[list[str]], total: float) -> list[float]:
    width = max(len(row) for row in rows)
    weights: list[float] = []
    for c in range(width):
        lengths = [len(plain(row[c])) if c < len(row) else 0 for row in rows]
        words = [len(w) for row in rows if c < len(row) for w in plain(row[c]).split()]
        typical = 0.3 * max(lengths) + 0.7 * sum(lengths) / len(lengths)
        weights.append(min(max(typical, max(words, default=0) + 2.0, 9.0), 60.0))
    scale = total / sum(weights)
    return [w * scale for w in weights]


def _pdf_table(pdf: FPDF, rows: list[list[str]]) -> None:
    from fpdf.fonts import FontFace

    width = max(len(row) for row in rows)
    pdf.set_font("Helvetica", "", 8.5)
    headings = FontFace(emphasis="BOLD", fill_color=(222, 230, 240))
    with pdf.table(
        col_widths=_column_widths(rows, pdf.epw),
        width=pdf.epw,
        text_align="LEFT",
        line_height=4.4,
        headings_style=headings,
        padding=1.2,
    ) as table:
        for row in rows:
            cells = table.row()
            for c in range(width):
                cells.cell(latin1(plain(row[c] if c < len(row) else "")))
    pdf.ln(3)
    pdf.set_font("Helvetica", "", _PDF_BODY)


def _pdf_fields(pdf: FPDF, pairs: list[tuple[str, str]]) -> None:
    pdf.set_font("Helvetica", "", 9.5)
    for label, value in pairs:
        _pdf_write(pdf, 5, f"**{label}:** {value}")
    pdf.ln(3)
    pdf.set_draw_color(160, 160, 160)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)


def build_pdf(doc: SourceDocument, target: Path) -> str:
    """Write a multi-page A4 PDF with a bold title, bold headings and drawn tables."""
    pdf = _pdf_class()(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.alias_nb_pages()
    pdf.set_title(latin1(doc.title))
    pdf.set_author(ORGANIZATION)
    pdf.set_subject("Service management system")
    pdf.set_creator(f"{ORGANIZATION} SMS Library")
    pdf.set_creation_date(datetime.combine(doc.approved, datetime.min.time(), tzinfo=UTC))
    pdf.add_page()
    for index, block in enumerate(doc.blocks):
        if block.kind == "heading":
            following = doc.blocks[index + 1] if index + 1 < len(doc.blocks) else None
            nested = following is not None and following.kind == "heading"
            _pdf_heading(pdf, block, keep_with=50 if nested else 30)
        elif block.kind == "paragraph":
            _pdf_paragraph(pdf, block.text)
        elif block.kind == "fields":
            _pdf_fields(pdf, block.fields)
        elif block.kind in ("bullets", "numbered"):
            _pdf_list(pdf, block.items, numbered=block.kind == "numbered")
        elif block.kind == "table":
            _pdf_table(pdf, block.rows)
    pdf.output(str(target))
    return f"{_summary(doc)}, {pdf.page_no()} pages"


# ---------------------------------------------------------------------------------------
# HTML (intranet page export)
# ---------------------------------------------------------------------------------------

_NAV = [
    ("Home", "index.html"),
    ("SMS Library", "sms-library.html"),
    ("Service catalogue", "service-catalogue.html"),
    ("Supplier management", "supplier-management-policy.html"),
    ("Service desk", "service-desk.html"),
    ("Contacts", "contacts.html"),
]

_STYLE = """
body { font-family: "Segoe UI", Arial, sans-serif; margin: 0; color: #1f2933; }
header { background: #12355b; color: #fff; padding: 0.8rem 2rem; }
header .brand { font-weight: 600; letter-spacing: 0.02em; }
nav { background: #e4ebf3; padding: 0.5rem 2rem; }
nav a { margin-right: 1.2rem; color: #12355b; text-decoration: none; }
nav a.current { font-weight: 700; border-bottom: 2px solid #12355b; }
main { max-width: 60rem; padding: 1rem 2rem 3rem; }
.doc-control { background: #f5f7fa; border-left: 4px solid #12355b; padding: 0.6rem 1rem; }
.doc-control p { margin: 0.15rem 0; }
table { border-collapse: collapse; width: 100%; margin: 0.8rem 0 1.2rem; }
th, td { border: 1px solid #c5ced8; padding: 0.35rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #dde6f0; }
tr.highlight td { background: #fff7d6; }
footer { font-size: 0.8rem; color: #61707f; padding: 1rem 2rem; border-top: 1px solid #e4ebf3; }
"""

_SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  var here = location.pathname.split("/").pop();
  document.querySelectorAll("nav a").forEach(function (link) {
    if (link.getAttribute("href") === here) { link.classList.add("current"); }
  });
  document.querySelectorAll("main table tr").forEach(function (row) {
    row.addEventListener("click", function () { row.classList.toggle("highlight"); });
  });
});
"""


def _html_inline(text: str) -> str:
    parts = []
    for segment, bold in inline_segments(text):
        escaped = html.escape(segment)
        parts.append(f"<strong>{escaped}</strong>" if bold else escaped)
    return "".join(parts)


def _html_table(rows: list[list[str]]) -> Iterator[str]:
    yield "<table>"
    yield "<thead><tr>" + "".join(f"<th>{_html_inline(c)}</th>" for c in rows[0]) + "</tr></thead>"
    yield "<tbody>"
    for row in rows[1:]:
        yield "<tr>" + "".join(f"<td>{_html_inline(c)}</td>" for c in row) + "</tr>"
    yield "</tbody></table>"


def _html_block(block: Block) -> Iterator[str]:
    if block.kind == "heading":
        level = min(block.level, 3)
        yield f"<h{level}>{_html_inline(block.text)}</h{level}>"
    elif block.kind == "paragraph":
        yield f"<p>{_html_inline(block.text)}</p>"
    elif block.kind == "fields":
        yield '<div class="doc-control">'
        for label, value in block.fields:
            yield f"<p><strong>{html.escape(label)}:</strong> {html.escape(value)}</p>"
        yield "</div>"
    elif block.kind in ("bullets", "numbered"):
        tag = "ul" if block.kind == "bullets" else "ol"
        yield f"<{tag}>" + "".join(f"<li>{_html_inline(i)}</li>" for i in block.items) + f"</{tag}>"
    elif block.kind == "table":
        yield from _html_table(block.rows)


def build_html(doc: SourceDocument, target: Path) -> str:
    """Write an intranet page export: nav menu, style block, small script, content in main."""
    nav = "".join(f'<a href="{href}">{html.escape(label)}</a>' for label, href in _NAV)
    body = "\n".join(line for block in doc.blocks for line in _html_block(block))
    title = html.escape(doc.title)
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="author" content="{ORGANIZATION}">
<meta name="dcterms.modified" content="{doc.approved.isoformat()}">
<title>{title}</title>
<style>{_STYLE}</style>
</head>
<body>
<header><span class="brand">Kestrel Intranet</span> &middot; SMS Library</header>
<nav aria-label="Intranet">{nav}</nav>
<main>
{body}
</main>
<footer>{ORGANIZATION} &middot; Internal &middot; Printed copies are uncontrolled.</footer>
<script>{_SCRIPT}</script>
</body>
</html>
"""
    target.write_text(page, encoding="utf-8")
    return _summary(doc)


# ---------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------


def _xlsx_value(text: str) -> object:
    value = text.strip()
    if _ISO_DATE.match(value):
        return date.fromisoformat(value)
    if _INTEGER.match(value):
        return int(value)
    return value


def _title_from_stem(stem: str) -> str:
    return stem.replace("-", " ").capitalize()


def build_xlsx(stem: str, rows: list[list[str]], target: Path) -> str:
    """Write one sheet: a bold, frozen header row, then one row per record."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAMES.get(stem, _title_from_stem(stem))[:31]
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([_xlsx_value(c) for c in row])
    fill = PatternFill("solid", fgColor="DDE6F0")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index in range(1, len(rows[0]) + 1):
        longest = max(len(str(r[index - 1])) if index - 1 < len(r) else 0 for r in rows)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 10), 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    stamp = _stamp(_latest_date(rows[1:]))
    props = workbook.properties
    props.title = _title_from_stem(stem).title()
    props.creator = ORGANIZATION
    props.lastModifiedBy = ORGANIZATION
    props.created = stamp
    props.modified = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    target.write_bytes(normalize_zip(buffer.getvalue(), stamp))
    return f"{len(rows) - 1} records, sheet '{sheet.title}'"


def _latest_date(rows: Iterable[list[str]]) -> date:
    found = [date.fromisoformat(c) for row in rows for c in row if _ISO_DATE.match(c.strip())]
    return max(found) if found else FALLBACK_DATE


# ---------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------


def _summary(doc: SourceDocument) -> str:
    words = sum(len(plain(_block_text(b)).split()) for b in doc.blocks)
    tables = sum(1 for b in doc.blocks if b.kind == "table")
    return f"{words} words, {tables} tables"


def _block_text(block: Block) -> str:
    parts = [block.text, *block.items]
    parts += [" ".join(row) for row in block.rows]
    parts += [f"{label}: {value}" for label, value in block.fields]
    return " ".join(p for p in parts if p)


def build_one(source: Path, output_dir: Path) -> tuple[Path, str]:
    """Build the output for one source file; returns its path and a short summary."""
    stem = source.stem
    if source.suffix == ".csv":
        with source.open(newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle) if any(c.strip() for c in row)]
        target = output_dir / f"{stem}.xlsx"
        return target, build_xlsx(stem, rows, target)
    fmt = FORMATS.get(stem)
    if fmt is None:
        raise SystemExit(f"no output format configured for {source.name}")
    doc = parse_markdown(stem, source.read_text(encoding="utf-8"))
    target = output_dir / f"{stem}.{fmt}"
    builders = {"docx": build_docx, "pdf": build_pdf, "html": build_html}
    return target, builders[fmt](doc, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=SOURCES, help="source directory")
    parser.add_argument("--output", type=Path, default=DOCUMENTS, help="output directory")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    sources = sorted(p for p in args.sources.iterdir() if p.suffix in (".md", ".csv"))
    for source in sources:
        target, summary = build_one(source, args.output)
        print(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
