"""Intake of uploaded files: the one use case behind the API's ``POST /v1/documents`` and
the CLI's ``documents add``, so every adapter refuses and keeps the same files.

A file arrives as a name and a stream. Its name is made safe and distinct, it is written to
a private staging folder, its content is checked against its extension, and it is ingested;
only a file that ingested cleanly is kept, as the workspace's original of that name, in the
database every node shares (:mod:`assistant.originals`). A lone file of
the wrong type is refused with :class:`UnsupportedFormat`; in a batch, each refused file is
one failed result and the rest go on. (Request sizes are the adapters' business: the API
limits them before the body is read.)
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from assistant.errors import InvalidInput, UnsupportedFormat
from assistant.models import DocumentRecord, FileOutcome, FileResult, IngestReport
from assistant.originals import Originals
from ingest.loaders import SUPPORTED

if TYPE_CHECKING:
    from ingest.pipeline import IngestPipeline

MAX_FILES = 20
_KEPT = (FileOutcome.ADDED, FileOutcome.UPDATED, FileOutcome.UNCHANGED)

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
    """A private staging folder for one request's files.

    Files are written and ingested from the staging folder; the caller keeps those that
    ingested cleanly. The folder and whatever is in it — refused, failed, or everything
    when the request fails part-way, as on a busy workspace — is deleted on exit.
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


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """One file as an adapter received it: the name the user gave and its content."""

    name: str | None
    content: BinaryIO


class Intake:
    """Receives files into a workspace and removes them again, keeping the originals in
    step with the workspace's documents. ``staging_dir`` holds each request's files only
    while it runs."""

    def __init__(
        self, pipeline: IngestPipeline, originals: Originals, staging_dir: Path, max_files: int = MAX_FILES
    ) -> None:
        if max_files < 1:
            raise ValueError(f"max_files must be at least 1. Currently, max_files is {max_files}")
        self._pipeline = pipeline
        self._originals = originals
        self._staging = staging_dir
        self.max_files = max_files

    def receive(self, workspace: str, files: Sequence[IncomingFile]) -> IngestReport:
        """Stage, check and ingest files: refused files' results first, then the ingest's.

        Raises InvalidInput for no files or too many, UnsupportedFormat when the only file is
        of a type that is refused, and whatever the ingest raises (e.g. WorkspaceBusy); in
        every case nothing of this call is left on disk.
        """
        if not files:
            raise InvalidInput("attach at least one file")
        if len(files) > self.max_files:
            raise InvalidInput(f"at most {self.max_files} files per upload; send the rest in another upload")
        with StagedUploads(self._staging) as staged:
            accepted, results = _stage(files, staged)
            report = IngestReport(workspace=workspace, results=results)
            if accepted:
                ingested = self._pipeline.ingest_paths(list(accepted.values()), workspace, prune=False)
                for result in ingested.results:
                    if result.outcome in _KEPT and result.source in accepted:
                        self._originals.put(workspace, result.source, accepted[result.source].read_bytes())
                report.results += ingested.results
                report.seconds = ingested.seconds
        return report

    def remove(self, workspace: str, doc_id: str) -> DocumentRecord:
        """Remove a document and, when it came in through intake, its original."""
        record = self._pipeline.remove_document(workspace, doc_id)
        self._originals.delete(workspace, record.source)
        return record


def _stage(files: Sequence[IncomingFile], staged: StagedUploads) -> tuple[dict[str, Path], list[FileResult]]:
    """Stage each file under its safe name and check its type: the accepted files by name, and
    the refused ones' results."""
    accepted: dict[str, Path] = {}
    refused: list[FileResult] = []
    for incoming in files:
        try:
            name = safe_filename(incoming.name)
        except ValueError as exc:
            refused.append(_refused(str(incoming.name)[:120], str(exc)))
            continue
        path = staged.add(name, incoming.content)
        if path is None:
            refused.append(_refused(name, "another file in this upload has the same name"))
            continue
        problem = sniff_type(path, name)
        if problem:
            staged.discard(path)
            if len(files) == 1:
                raise UnsupportedFormat(problem)
            refused.append(_refused(name, problem))
            continue
        accepted[name] = path
    return accepted, refused


def _refused(source: str, reason: str) -> FileResult:
    return FileResult(source=source, outcome=FileOutcome.FAILED, reason=reason)
