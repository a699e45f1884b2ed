"""Checks that run before a file is parsed: size, zip bombs, binary junk."""

from __future__ import annotations

import zipfile
from pathlib import Path

from assistant.errors import IngestError

TEXT_SAMPLE = 8192


def check_size(path: Path, max_bytes: int) -> int:
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit")
    if size == 0:
        raise IngestError("empty file")
    return size


def check_zip(path: Path, max_bytes: int, kind: str) -> None:
    """Refuse Office files that are not zips or that decompress beyond the size limit."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if total > max_bytes:
                    raise IngestError(
                        f"{kind} decompresses to more than the {max_bytes / 1e6:.1f} MB limit (possible zip bomb)"
                    )
    except zipfile.BadZipFile:
        raise IngestError(f"corrupt {kind}: not a valid Office (zip) file") from None


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode text as UTF-8, else Windows-1252; refuse binary content.

    Returns the text and a note when a fallback encoding was used.
    """
    sample = data[:TEXT_SAMPLE]
    if b"\x00" in sample:
        raise IngestError("binary content in a text file (not readable as text)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:TEXT_SAMPLE])
    if printable < 0.95 * min(len(text), TEXT_SAMPLE):
        raise IngestError("binary content in a text file (not readable as text)")
    return text, "not UTF-8: read as Windows-1252"
