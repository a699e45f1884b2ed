"""The incremental ingest pipeline: load, chunk, tag, embed, write, commit.

Per document the order is: write the new version's chunks to both indexes, commit the
new version in the manifest, then delete the old chunks. Readers only see committed
versions, so a failure or a kill at any point leaves the previous version searchable,
and the next run finishes the job.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.catalogue import Catalogue
from assistant.config import Settings
from assistant.errors import AuditprepError, IngestError, InvalidInput
from assistant.evidence.selector import UnitVectors
from assistant.manifest import Manifest
from assistant.models import (
    DocType,
    DocumentRecord,
    DocumentStatus,
    FileOutcome,
    FileResult,
    IngestReport,
    Origin,
)
from assistant.ports import Embedder, LexicalIndex, StoredChunk, VectorStore
from assistant.retrieval import to_passage
from assistant.workspaces import STANDARD_COLLECTION, workspace_collection
from ingest.chunking import chunk_document
from ingest.doctype import infer_doc_type
from ingest.document import Chunk, LoadedDocument
from ingest.loaders import SUPPORTED, humanize, load_document
from ingest.lock import workspace_lock
from ingest.planted import SuspectRules, screen_document
from ingest.standard import guidance_files, render_clause
from ingest.tagging import ClauseTagger, encode_tags

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

# Chunks of several documents are embedded and written together: one call per document
# would leave the embedder with batches of a handful of chunks and pay the stores' per-call
# cost once per file. The document bound keeps commits regular, so an interrupted run
# keeps most of its work.
FLUSH_CHUNKS = 256
FLUSH_DOCUMENTS = 32
# The root of documents added one by one (uploads, single files): no folder ingest prunes them.
FILES_ROOT = "files"


@dataclass(slots=True)
class SourceFile:
    """A file to ingest, named relative to the folder the user pointed at."""

    path: Path | None  # None for generated documents (catalogue entries)
    source: str
    error: str | None = None


@dataclass(slots=True)
class _Prepared:
    """A changed document, chunked and waiting for its batch to be embedded and written."""

    slot: int  # its place in the report, which keeps the order files were given in
    doc_id: str
    source: str
    doc: LoadedDocument
    digest: str
    version: int
    kind: DocType
    chunks: list[Chunk]
    outcome: FileOutcome
    note: str | None


def document_id(collection: str, source: str) -> str:
    return hashlib.sha256(f"{collection}\x00{source}".encode()).hexdigest()[:20]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def discover(paths: Iterable[Path]) -> tuple[list[SourceFile], bool]:
    """Files under the given paths, and whether pruning is safe (every path a folder).

    Hidden files are skipped; symlinks that lead outside their ingest root are reported,
    not followed.
    """
    found: list[SourceFile] = []
    all_dirs = True
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            found.append(SourceFile(None, str(raw), "path does not exist"))
            all_dirs = False
            continue
        if path.is_file() or path.is_symlink() and not path.is_dir():
            all_dirs = False
            found.append(_checked(path, path.parent, path.name))
            continue
        root = path
        for file in sorted(root.rglob("*")):
            rel = file.relative_to(root)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if file.is_dir() and not file.is_symlink():
                continue
            if file.is_symlink() and file.is_dir():
                found.append(SourceFile(None, rel.as_posix(), "symlink to a folder: not followed"))
                continue
            found.append(_checked(file, root, rel.as_posix()))
    return found, all_dirs


def _checked(file: Path, root: Path, source: str) -> SourceFile:
    if file.is_symlink():
        target = file.resolve()
        if not target.is_relative_to(root.resolve()):
            return SourceFile(None, source, "symlink points outside the ingest folder: not followed")
        if not target.exists():
            return SourceFile(None, source, "broken symlink")
    return SourceFile(file, source)


class IngestPipeline:
    """Writes documents into the vector store and the lexical index, incrementally."""

    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        embedder: Embedder,
        store: VectorStore,
        lexical: LexicalIndex,
        manifest: Manifest,
        unit_vectors: UnitVectors | None = None,
    ) -> None:
        self._settings = settings
        self._unit_vectors = unit_vectors
        self._catalogue = catalogue
        self._embedder = embedder
        self._store = store
        self._lexical = lexical
        self._manifest = manifest
        self._tagger = ClauseTagger(catalogue, embedder)
        self._suspect = SuspectRules.load(settings.knowledge_dir)

    # -- public ----------------------------------------------------------------------
    def ingest_paths(
        self,
        paths: list[Path],
        workspace: str,
        *,
        prune: bool = True,
        doc_type: DocType | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Ingest files and folders into a workspace; see the module docstring."""
        if not paths:
            raise InvalidInput("give at least one file or folder to ingest")
        collection = workspace_collection(workspace)
        files, all_dirs = discover(paths)
        root = "folder:" + "|".join(sorted(str(Path(p).resolve()) for p in paths)) if all_dirs else FILES_ROOT
        return self._run(
            collection,
            workspace,
            files,
            prune and all_dirs,
            root,
            Origin.ORGANIZATION,
            doc_type,
            progress,
        )

    def ingest_standard(self, progress: Progress | None = None) -> IngestReport:
        """(Re)build the standard's collection from guidance files and catalogue entries."""
        root = self._settings.knowledge_dir
        files = [SourceFile(p, f"guidance/{p.name}") for p in guidance_files(root)]
        files += [SourceFile(None, f"clauses/{c.id}") for c in self._catalogue]
        return self._run(STANDARD_COLLECTION, "standard", files, True, "standard", Origin.STANDARD, None, progress)

    def remove_document(self, workspace: str, doc_id: str) -> DocumentRecord:
        collection = workspace_collection(workspace)
        with workspace_lock(self._lock_dir, collection, self._settings.lock_timeout_s, self._manifest.engine):
            record = self._manifest.get(collection, doc_id)
            if record is None:
                from assistant.errors import NotFound

                raise NotFound(f"no document {doc_id!r} in workspace {workspace!r}")
            self._remove(collection, doc_id)
            return record

    def drop_workspace(self, workspace: str) -> None:
        collection = workspace_collection(workspace)
        with workspace_lock(self._lock_dir, collection, self._settings.lock_timeout_s, self._manifest.engine):
            self._store.drop_collection(collection)
            self._lexical.drop_collection(collection)
            self._manifest.drop_workspace(collection)

    # -- internals -------------------------------------------------------------------
    @property
    def _lock_dir(self) -> Path:
        return self._settings.data_dir / "locks"

    def _run(
        self,
        collection: str,
        workspace: str,
        files: list[SourceFile],
        prune: bool,
        root: str,
        origin: Origin,
        doc_type: DocType | None,
        progress: Progress | None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(workspace=workspace)
        results: list[FileResult | None] = []
        with workspace_lock(self._lock_dir, collection, self._settings.lock_timeout_s, self._manifest.engine):
            self._collect_garbage(collection)
            seen: set[str] = set()
            pending: list[_Prepared] = []
            for done, file in enumerate(files):
                if progress:
                    progress(done, len(files), file.source)
                doc_id = document_id(collection, file.source)
                if any(p.doc_id == doc_id for p in pending):  # the same source twice: versions in order
                    self._flush(collection, workspace, origin, pending, results)
                seen.add(doc_id)
                prepared = self._prepare(collection, doc_id, file, origin, doc_type, len(results))
                results.append(prepared if isinstance(prepared, FileResult) else None)
                if isinstance(prepared, _Prepared):
                    pending.append(prepared)
                    if len(pending) >= FLUSH_DOCUMENTS or sum(len(p.chunks) for p in pending) >= FLUSH_CHUNKS:
                        self._flush(collection, workspace, origin, pending, results)
            self._flush(collection, workspace, origin, pending, results)
            report.results = [r for r in results if r is not None]
            self._manifest.claim(collection, sorted(seen), root)
            if prune:
                roots = self._manifest.roots(collection)
                for record in self._manifest.list(collection):
                    # only what an earlier ingest of this same root brought (or a document
                    # from before roots were kept): uploads and other folders stay
                    if record.document_id not in seen and roots.get(record.document_id) in (root, None):
                        self._remove(collection, record.document_id)
                        report.results.append(
                            FileResult(
                                source=record.source,
                                outcome=FileOutcome.REMOVED,
                                document_id=record.document_id,
                            )
                        )
            if progress:
                progress(len(files), len(files), "")
        report.seconds = time.perf_counter() - started
        return report

    def _prepare(
        self,
        collection: str,
        doc_id: str,
        file: SourceFile,
        origin: Origin,
        doc_type: DocType | None,
        slot: int,
    ) -> FileResult | _Prepared:
        """An unchanged or failed file's result, or a changed document's chunks.

        The content hash is checked before parsing, so an unchanged file is read once and
        never parsed.
        """
        if file.error:
            return FileResult(source=file.source, outcome=FileOutcome.FAILED, reason=file.error)
        try:
            doc: LoadedDocument | None = None
            note: str | None = None
            if file.path is None:  # a catalogue entry: its rendering is its content
                doc = self._load(file)[0]
                data = doc.text.encode()
            elif file.path.stat().st_size > self._settings.max_file_bytes:
                doc, note = self._load(file)  # fails it with the loader's reason, unread
                data = doc.text.encode()
            else:
                data = file.path.read_bytes()
            digest = content_hash(data)
            previous = self._manifest.get(collection, doc_id)
            if previous and previous.content_hash == digest and previous.version > 0:
                if previous.last_error:
                    self._manifest.commit(
                        previous.model_copy(update={"last_error": None}),
                        self._manifest.chunk_ids(collection, doc_id),
                        [],
                    )
                return FileResult(
                    source=file.source,
                    outcome=FileOutcome.UNCHANGED,
                    document_id=doc_id,
                    chunks=previous.chunk_count,
                )
            if doc is None:
                doc, note = self._load(file)
            chunks = chunk_document(doc)
            if not chunks:
                left_out = f" after {'; '.join(doc.warnings)}" if doc.warnings else ""
                raise IngestError(f"empty document: no text found{left_out}")
        except (IngestError, InvalidInput) as exc:
            self._manifest.record_failure(collection, doc_id, file.source, str(exc))
            return FileResult(source=file.source, outcome=FileOutcome.FAILED, document_id=doc_id, reason=str(exc))
        except AuditprepError:
            raise  # store unavailable, lock lost…: the whole run stops, nothing is half-committed
        except Exception as exc:  # a parser bug must not take the batch down
            log.exception("unexpected error ingesting %s", file.source)
            reason = f"could not read the file ({type(exc).__name__})"
            self._manifest.record_failure(collection, doc_id, file.source, reason)
            return FileResult(source=file.source, outcome=FileOutcome.FAILED, document_id=doc_id, reason=reason)
        updated = previous is not None and previous.version > 0
        return _Prepared(
            slot=slot,
            doc_id=doc_id,
            source=file.source,
            doc=doc,
            digest=digest,
            version=(previous.version if previous else 0) + 1,
            kind=self._kind(doc, file.source, origin, doc_type),
            chunks=chunks,
            outcome=FileOutcome.UPDATED if updated else FileOutcome.ADDED,
            note=note,
        )

    def _load(self, file: SourceFile) -> tuple[LoadedDocument, str | None]:
        if file.path is None:  # a catalogue entry
            clause = self._catalogue.get(file.source.split("/", 1)[1])
            return render_clause(clause, self._catalogue), None
        doc, note = load_document(file.path, self._settings.max_file_bytes)
        return screen_document(doc, humanize(file.path.stem), self._suspect), note

    def _kind(self, doc: LoadedDocument, source: str, origin: Origin, doc_type: DocType | None) -> DocType:
        declared = doc_type or _declared_type(doc)
        if declared:
            return declared
        if doc.format == "clause":
            return DocType.CLAUSE
        if origin is Origin.STANDARD:
            return DocType.GUIDANCE
        return infer_doc_type(source.rsplit("/", 1)[-1], doc.title, doc.format)

    def _flush(
        self,
        collection: str,
        workspace: str,
        origin: Origin,
        pending: list[_Prepared],
        results: list[FileResult | None],
    ) -> None:
        """Embed, tag and write the pending documents together, then commit each one.

        Chunks become visible only when their document's new version is committed, so a
        failure or a kill between the write and a commit leaves that document's previous
        version searchable; the next run overwrites or collects the stray chunks.
        """
        if not pending:
            return
        batch = list(pending)
        pending.clear()
        try:
            texts = [f"{p.doc.title}. {c.section}\n{c.text}" for p in batch for c in p.chunks]
            vectors = self._embedder.embed_documents(texts)
            tags = self._tagger.tag([c.text for p in batch for c in p.chunks], vectors)
        except AuditprepError:
            raise
        except Exception as exc:
            log.exception("unexpected error embedding %d documents", len(batch))
            reason = f"could not index the file ({type(exc).__name__})"
            for p in batch:
                self._manifest.record_failure(collection, p.doc_id, p.source, reason)
                results[p.slot] = FileResult(
                    source=p.source, outcome=FileOutcome.FAILED, document_id=p.doc_id, reason=reason
                )
            return
        now = datetime.now(UTC)
        stored: list[StoredChunk] = []
        per_doc: list[list[StoredChunk]] = []
        at = 0
        for p in batch:
            declared = [t for t in p.doc.metadata.get("clauses", "").split(",") if t in self._catalogue]
            mine = [
                self._stored(workspace, origin, p, chunk, tags[at + i], declared, now)
                for i, chunk in enumerate(p.chunks)
            ]
            at += len(p.chunks)
            per_doc.append(mine)
            stored.extend(mine)
        self._store.upsert(collection, stored, vectors)
        self._lexical.upsert(collection, stored)
        self._warm_units(stored, origin)
        for p, mine in zip(batch, per_doc, strict=True):
            new_ids = [c.id for c in mine]
            old = set(self._store.chunk_ids(collection, p.doc_id)) | set(self._lexical.chunk_ids(collection, p.doc_id))
            record = DocumentRecord(
                workspace=collection,
                document_id=p.doc_id,
                source=p.source,
                title=p.doc.title,
                doc_type=p.kind,
                content_hash=p.digest,
                version=p.version,
                chunk_count=len(mine),
                status=DocumentStatus.INDEXED,
                last_error=None,
                ingested_at=now,
                warnings=tuple(p.doc.warnings),
            )
            self._manifest.commit(record, new_ids, sorted(old - set(new_ids)))
            results[p.slot] = FileResult(
                source=p.source,
                outcome=p.outcome,
                document_id=p.doc_id,
                chunks=len(mine),
                reason=p.note,
                warnings=list(p.doc.warnings),
            )
        self._collect_garbage(collection)

    def _warm_units(self, stored: list[StoredChunk], origin: Origin) -> None:
        """Embed the answer units of the new chunks once, now, so asks only read them. A
        failure here costs speed, not data: an ask embeds what it does not find."""
        if self._unit_vectors is None:
            return
        try:
            self._unit_vectors.warm([to_passage(c, 0.0, origin) for c in stored])
        except Exception:
            log.warning("answer units of %d chunks not embedded at ingest", len(stored), exc_info=True)

    def _stored(
        self,
        workspace: str,
        origin: Origin,
        p: _Prepared,
        chunk: Chunk,
        chunk_tags: dict[str, float],
        declared: list[str],
        now: datetime,
    ) -> StoredChunk:
        for cid in declared:
            chunk_tags.setdefault(cid, 0.5)
        clause_list, clause_scores = encode_tags(chunk_tags)
        return StoredChunk(
            id=f"{p.doc_id}-v{p.version}-{chunk.index:05d}",
            text=chunk.text,
            metadata={
                "workspace": workspace,
                "origin": origin.value,
                "document_id": p.doc_id,
                "source": p.source,
                "title": p.doc.title,
                "doc_type": p.kind.value,
                "section": chunk.section,
                "page": chunk.page if chunk.page is not None else 0,
                "chunk_index": chunk.index,
                "clauses": clause_list,
                "clause_scores": clause_scores,
                "content_hash": p.digest,
                "version": p.version,
                "ingested_at": now.isoformat(timespec="seconds"),
            },
        )

    def _remove(self, collection: str, doc_id: str) -> None:
        ids = set(self._store.chunk_ids(collection, doc_id)) | set(self._lexical.chunk_ids(collection, doc_id))
        self._manifest.remove(collection, doc_id, sorted(ids))
        self._collect_garbage(collection)

    def _collect_garbage(self, collection: str) -> None:
        pending = self._manifest.pending_garbage(collection)
        if pending:
            self._store.delete_chunks(collection, pending)
            self._lexical.delete_chunks(collection, pending)
            self._manifest.clear_garbage(collection, pending)


def _declared_type(doc: LoadedDocument) -> DocType | None:
    value = doc.metadata.get("doc_type")
    try:
        return DocType(value) if value else None
    except ValueError:
        return None


__all__ = ["IngestPipeline", "SUPPORTED", "discover", "document_id"]
