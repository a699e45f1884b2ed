"""DOCX documents into blocks: headings, paragraphs, lists and tables in reading order."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import IngestError
from ingest.document import Block, BlockKind, LoadedDocument
from ingest.loaders.markup import row_text


def parse_docx(path: Path, fallback_title: str) -> LoadedDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors…
        raise IngestError(f"corrupt DOCX: {type(exc).__name__}") from None
    blocks: list[Block] = []
    title = (document.core_properties.title or "").strip()
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            _paragraph(Paragraph(child, document), blocks)
        elif tag == "tbl":
            table = Table(child, document)
            rows = [[" ".join(c.text.split()) for c in row.cells] for row in table.rows]
            if not rows:
                continue
            header = rows[0]
            for cells in rows[1:] or rows:
                blocks.append(Block(BlockKind.TABLE_ROW, row_text(header if len(rows) > 1 else None, cells)))
    if not title:
        title = next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), fallback_title)
    return LoadedDocument(title=title, blocks=blocks, format="docx")


def _paragraph(paragraph, blocks: list[Block]) -> None:
    text = " ".join(paragraph.text.split())
    if not text:
        return
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    lower = style.lower()
    if lower == "title":
        blocks.append(Block(BlockKind.HEADING, text, level=1))
    elif lower.startswith("heading"):
        digits = "".join(ch for ch in style if ch.isdigit())
        blocks.append(Block(BlockKind.HEADING, text, level=int(digits) if digits else 1))
    elif "list" in lower or paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
        blocks.append(Block(BlockKind.LIST_ITEM, text))
    else:
        blocks.append(Block(BlockKind.PARAGRAPH, text))
