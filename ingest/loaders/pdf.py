"""PDF text, page by page, with numbered section headings recognised."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import IngestError
from ingest.document import Block, BlockKind, LoadedDocument

_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+([A-Z][^.!?]{1,80})$")
_BULLET = re.compile(r"^\s*(?:[\u2022\u25cf\u25aa*-]|\d{1,2}[.)])\s+(.*)$")


def parse_pdf(path: Path, fallback_title: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("encrypted PDF: remove the password and ingest it again")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises assorted errors on damaged files
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise IngestError("encrypted PDF: remove the password and ingest it again") from None
        raise IngestError(f"corrupt or unreadable PDF: {type(exc).__name__}") from None
    blocks: list[Block] = []
    for number, text in enumerate(pages, start=1):
        blocks.extend(_page_blocks(text, number))
    meta_title = ""
    try:
        meta_title = (reader.metadata.title or "") if reader.metadata else ""
    except Exception:
        meta_title = ""
    title = meta_title.strip() or _first_line(blocks) or fallback_title
    return LoadedDocument(title=title, blocks=blocks, format="pdf", metadata={"pages": str(len(pages))})


def _page_blocks(text: str, page: int) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(BlockKind.PARAGRAPH, " ".join(paragraph), page=page))
            paragraph.clear()

    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            flush()
            continue
        if m := _NUMBERED_HEADING.match(line):
            flush()
            level = m.group(1).count(".") + 2  # "1 Purpose" sits under the document title
            blocks.append(Block(BlockKind.HEADING, line, level=level, page=page))
        elif m := _BULLET.match(line):
            flush()
            blocks.append(Block(BlockKind.LIST_ITEM, m.group(1), page=page))
        elif blocks and blocks[-1].kind is BlockKind.LIST_ITEM and not paragraph and raw[:1] == " ":
            last = blocks.pop()
            blocks.append(Block(BlockKind.LIST_ITEM, f"{last.text} {line}", page=page))
        else:
            paragraph.append(line)
            if line.endswith((".", ":", "?")) and len(line) < 60:
                flush()
    flush()
    return blocks


def _first_line(blocks: list[Block]) -> str | None:
    for block in blocks[:3]:
        if len(block.text) <= 120:
            return block.text
    return None
