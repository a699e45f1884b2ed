"""PDF text, page by page, with numbered section headings recognised and invisible text dropped."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import IngestError
from assistant.text import CLAUSE_NUMBER
from ingest.document import Block, BlockKind, LoadedDocument
from ingest.loaders.hidden import hidden_count_warning
from ingest.loaders.pdf_hidden import split_hidden

_NUMBERED_HEADING = re.compile(r"^(" + CLAUSE_NUMBER + r")\.?\s+([A-Z][^.!?]{1,80})$")
_BULLET = re.compile(r"^\s*(?:[\u2022\u25cf\u25aa*-]|\d{1,2}[.)])\s+(.*)$")
_NEEDS_PASSWORD = "encrypted PDF: it needs a password to open; save a copy without the password and ingest that"


def parse_pdf(path: Path, fallback_title: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):  # "" opens PDFs with only an owner password
            raise IngestError(_NEEDS_PASSWORD)
        extracted = [_page_text(reader, page) for page in reader.pages]
        pages = [e[0] for e in extracted]
    except IngestError:
        raise
    except FileNotDecryptedError:
        raise IngestError(_NEEDS_PASSWORD) from None
    except DependencyError as exc:  # e.g. AES without the cryptography package
        raise IngestError(f"encrypted PDF: its encryption cannot be read here ({exc})") from None
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise IngestError(_NEEDS_PASSWORD) from None
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
    warning = hidden_count_warning(sum(e[1] for e in extracted), sum(e[2] for e in extracted))
    return LoadedDocument(
        title=title,
        blocks=blocks,
        format="pdf",
        metadata={"pages": str(len(pages))},
        warnings=[warning] if warning else [],
    )


def _page_text(reader, page) -> tuple[str, int, int]:
    """The page's visible text, and how many hidden passages and words it left out.

    pypdf's extractor reads a copy of the page whose content stream keeps only the
    visible text operators (then only the hidden ones, to count them). The stream is
    parsed once, as the extractor parses it, so visible text comes out as it would from
    the untouched page.
    """
    from pypdf import PageObject
    from pypdf.generic import ContentStream, NameObject

    contents = page.get("/Contents")
    if contents is None:
        return page.extract_text() or "", 0, 0
    split = split_hidden(ContentStream(contents, reader, "bytes").operations)

    def extract(operations: list) -> str:
        stream = ContentStream(None, reader)
        stream.operations = operations
        copy = PageObject(reader)
        copy.update(page)
        copy[NameObject("/Contents")] = stream
        return copy.extract_text() or ""

    if not split.has_hidden:
        return extract(split.visible), 0, 0
    return extract(split.visible), split.passages, len(extract(split.hidden).split())


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
