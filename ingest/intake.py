"""Upload safety: sanitized file names, file types checked by content as well as by
extension, and a staging folder so only files that ingested cleanly are kept. (Sizes are
limited before the body is read, by ``assistant.api.gate.RequestGate``.)"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import BinaryIO

from ingest.loaders import SUPPORTED

# Besides Unicode letters, combining marks and digits, names keep these characters.
_PUNCTUATION = frozenset(" ._-()+,")
# Well under the 255-byte limit of common file systems, counted in UTF-8 bytes.
MAX_NAME_BYTES = 180
_TAG_CHARS = 8


def safe_filename(name: str | None) -> str:
    """A plain, distinct file name for an upload: no folders, traversal or control characters.

    Letters and digits of any script are kept, so ``变更管理.md`` is stored as it is. When
    making the name safe changes it (a replaced character, a compatibility form, a cut for
    length), a short hash of the original name goes before the extension, so two names that
    differ only in what was replaced never land on the same file. The result is stable: the
    same name always maps to the same stored name, and re-uploading it updates the document.
    """
    original = unicodedata.normalize("NFC", re.split(r"[\\/]", name or "")[-1])
    cleaned = "".join(ch if _allowed(ch) else "_" for ch in unicodedata.normalize("NFKC", original))
    cleaned = re.sub(r"_{2,}", "_", cleaned).strip(" .")
    if not cleaned.strip("_ .-"):
        raise ValueError(f"invalid file name {str(name)[:120]!r}")
    if cleaned == original and len(cleaned.encode()) <= MAX_NAME_BYTES:
        return cleaned
    suffix = Path(cleaned).suffix
    if len(suffix.encode()) > 16:  # not a real extension: the type check will refuse it
        suffix = ""
    stem = cleaned[: len(cleaned) - len(suffix)] if suffix else cleaned
    tag = hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:_TAG_CHARS]
    room = MAX_NAME_BYTES - len(suffix.encode()) - len(tag) - 1
    stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip(" .")
    return f"{stem}-{tag}{suffix}" if stem else f"{tag}{suffix}"


def _allowed(ch: str) -> bool:
    return ch in _PUNCTUATION or unicodedata.category(ch)[0] in "LMN"


def sniff_type(path: Path, name: str) -> str | None:
    """The reason the content does not match the extension, or None when it does."""
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        return f"unsupported file type {ext or '(none)'!r}; supported: {', '.join(sorted(SUPPORTED))}"
    with path.open("rb") as handle:
        head = handle.read(4096)
    if ext == ".pdf":
        return None if head.lstrip().startswith(b"%PDF") else "the file is not a PDF"
    if ext in (".docx", ".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return f"the file is not a {ext[1:].upper()} document"
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return f"the file is not a {ext[1:].upper()} document"
        marker = "word/" if ext == ".docx" else "xl/"
        return None if any(n.startswith(marker) for n in names) else f"the file is not a {ext[1:].upper()} document"
    if b"\x00" in head or head.startswith((b"%PDF", b"PK\x03\x04", b"\x7fELF", b"MZ")):
        return "the file is binary, not text"
    return None


class StagedUploads:
    """A private staging folder inside the workspace's upload folder.

    Files are written and ingested from the staging folder; only those that ingested
    cleanly are moved into the upload folder (replacing an earlier upload of the same
    name). Whatever is left — refused, failed, or everything when the request fails
    part-way, as on a busy workspace — is deleted on exit, and an earlier good copy of a
    file whose new version failed stays in place.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._staging: Path | None = None

    def __enter__(self) -> StagedUploads:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._staging = Path(tempfile.mkdtemp(dir=self.folder, prefix=".staging-"))
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    def add(self, name: str, content: BinaryIO) -> Path | None:
        """Write one upload; None when this request already staged a file of that name."""
        assert self._staging is not None, "use StagedUploads as a context manager"
        path = self._staging / name
        if path.exists():
            return None
        with path.open("xb") as handle:
            shutil.copyfileobj(content, handle, 1024 * 1024)
        return path

    @staticmethod
    def discard(path: Path) -> None:
        path.unlink(missing_ok=True)

    def keep(self, path: Path) -> Path:
        """Move a staged file into the upload folder."""
        target = self.folder / path.name
        os.replace(path, target)
        return target


def remove_upload(folder: Path, source: str) -> None:
    """Delete the stored upload behind a removed document, if it came in through the API."""
    if source and source == Path(source).name and not source.startswith("."):
        (folder / source).unlink(missing_ok=True)
