"""Loaders: one function per format, all returning a ``LoadedDocument``.

``load_document`` checks the file first (size, zip bombs, binary junk) so that every
bad file fails with one clear reason instead of a library traceback.
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import IngestError, UnsupportedFormat
from ingest.document import LoadedDocument
from ingest.loaders.html import parse_html
from ingest.loaders.markup import parse_markdown, parse_text
from ingest.loaders.office import parse_docx
from ingest.loaders.pdf import parse_pdf
from ingest.loaders.safety import check_size, check_zip, decode_text
from ingest.loaders.tables import parse_csv, parse_xlsx

SUPPORTED = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".csv": "csv",
    ".xlsx": "xlsx",
}

__all__ = ["SUPPORTED", "load_document", "humanize"]


def humanize(stem: str) -> str:
    return " ".join(stem.replace("_", " ").replace("-", " ").split()).capitalize()


def load_document(path: Path, max_bytes: int) -> tuple[LoadedDocument, str | None]:
    """Parse ``path``; returns the document and an optional note (e.g. encoding fallback)."""
    fmt = SUPPORTED.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedFormat(
            f"unsupported file type {path.suffix or '(none)'!r}; supported: " + ", ".join(sorted(SUPPORTED))
        )
    check_size(path, max_bytes)
    fallback = humanize(path.stem)
    note: str | None = None
    if fmt in ("markdown", "text", "html", "csv"):
        text, note = decode_text(path.read_bytes())
        if fmt == "html" and not _looks_like_html(text):
            raise IngestError("not an HTML document (no HTML markup found)")
        parser = {
            "markdown": parse_markdown,
            "text": parse_text,
            "html": parse_html,
            "csv": parse_csv,
        }
        doc = parser[fmt](text, fallback)
    elif fmt == "pdf":
        if not path.read_bytes()[:1024].lstrip().startswith(b"%PDF"):
            raise IngestError("corrupt or unreadable PDF: missing PDF header")
        doc = parse_pdf(path, fallback)
    else:
        check_zip(path, max_bytes, fmt.upper())
        doc = parse_docx(path, fallback) if fmt == "docx" else parse_xlsx(path, fallback)
    if not any(b.text.strip() for b in doc.blocks):
        hint = "; ".join(doc.warnings) or "a scanned PDF needs OCR first"
        raise IngestError(f"empty document: no text found ({hint})")
    return doc, note


def _looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return "<" in head and any(t in head for t in ("<html", "<body", "<p", "<div", "<h1", "<!doctype"))
