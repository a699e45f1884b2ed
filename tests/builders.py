"""Build real test documents of every format (and broken ones) in a folder."""

from __future__ import annotations

import zipfile
from pathlib import Path


def write_docx(
    path: Path,
    title: str,
    sections: list[tuple[str, list[str]]],
    table: list[list[str]] | None = None,
) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for heading, paragraphs in sections:
        document.add_heading(heading, level=2)
        for text in paragraphs:
            if text.startswith("- "):
                document.add_paragraph(text[2:], style="List Bullet")
            else:
                document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def write_pdf(path: Path, pages: list[list[str]], password: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(path))
    if password:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for page in PdfReader(str(path)).pages:
            writer.add_page(page)
        writer.encrypt(user_password=password, owner_password=password + "-owner")
        with path.open("wb") as handle:
            writer.write(handle)
    return path


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "Register") -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    workbook.save(str(path))
    return path


def write_zip_bomb_docx(path: Path, inflated_bytes: int) -> Path:
    """A DOCX-named zip whose members decompress far beyond their packed size."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * inflated_bytes)
    return path
