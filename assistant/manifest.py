"""The ingest manifest: which version of each document is committed, what failed, and
what each committed version's ingest left out on purpose (its warnings).

Readers only trust chunks of a committed (document, version) pair, so a document being
replaced — or one whose ingest was killed half-way — is never seen half-indexed: the
previous version stays the visible one until the new one is complete.

Reads that every question makes (``list``, ``committed_versions``) are cached and the cache
is dropped whenever anything commits to the database, in this process or another one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Engine,
    and_,
    delete,
    insert,
    select,
    update,
)

from assistant.db import ensure_schema
from assistant.models import DocType, DocumentRecord, DocumentStatus
from assistant.schema import chunk_garbage, document_warnings, documents

T = TypeVar("T")
warnings_table = document_warnings
garbage = chunk_garbage


class ChangeWatch:
    """Tells whether anything committed to an SQLite database file since it last looked.

    SQLite's ``PRAGMA data_version`` changes when any other connection, in any process,
    commits; so a connection held only for asking it sees every write, including writes
    that bypass ``Manifest``. Other databases get no watch (``changed`` is always true).
    """

    def __init__(self, engine: Engine) -> None:
        self._conn: Any = None
        self._seen: int | None = None
        self._lock = threading.Lock()
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:" and "mode=memory" not in database:
            raw = engine.raw_connection()
            raw.detach()  # never handed out by the pool, so never used for writes
            self._conn = raw

    def changed(self) -> bool:
        """True on the first call and whenever a commit happened since the previous call."""
        if self._conn is None:
            return True
        with self._lock:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            changed, self._seen = version != self._seen, version
        return changed


class Manifest:
    """Per-workspace document records and the chunks awaiting deletion."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)
        self._watch = ChangeWatch(engine)
        self._cache: dict[tuple[str, str], Any] = {}
        self._generation = 0
        self._cache_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The database the manifest lives in (ingest locks are taken there on PostgreSQL)."""
        return self._engine

    def _cached(self, kind: str, workspace: str, load: Callable[[], T]) -> T:
        """``load()``'s value, reused until the database changes. The change check runs
        before the read, and a value read while the cache was dropped is not kept, so a
        racing commit only ever costs a re-read, never a stale answer."""
        with self._cache_lock:
            if self._watch.changed():
                self._cache.clear()
                self._generation += 1
            generation = self._generation
            hit = self._cache.get((kind, workspace))
        if hit is not None:
            return hit
        value = load()
        with self._cache_lock:
            if generation == self._generation:
                self._cache[(kind, workspace)] = value
        return value

    def get(self, workspace: str, document_id: str) -> DocumentRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(documents).where(
                    and_(documents.c.workspace == workspace, documents.c.document_id == document_id)
                )
            ).first()
            if row is None:
                return None
            found = conn.execute(
                select(warnings_table.c.message)
                .where(
                    and_(
                        warnings_table.c.workspace == workspace,
                        warnings_table.c.document_id == document_id,
                        warnings_table.c.version == row.version,
                    )
                )
                .order_by(warnings_table.c.position)
            ).all()
        return _record(row, tuple(w[0] for w in found))

    def list(self, workspace: str) -> list[DocumentRecord]:
        """The workspace's records by source (records are immutable, so they are shared)."""
        return list(self._cached("list", workspace, lambda: self._list(workspace)))

    def _list(self, workspace: str) -> tuple[DocumentRecord, ...]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(documents).where(documents.c.workspace == workspace).order_by(documents.c.source)
            ).all()
            found = conn.execute(
                select(warnings_table.c.document_id, warnings_table.c.version, warnings_table.c.message)
                .where(warnings_table.c.workspace == workspace)
                .order_by(warnings_table.c.position)
            ).all()
        by_version: dict[tuple[str, int], list[str]] = {}
        for document_id, version, message in found:
            by_version.setdefault((document_id, version), []).append(message)
        return tuple(_record(r, tuple(by_version.get((r.document_id, r.version), ()))) for r in rows)

    def chunk_ids(self, workspace: str, document_id: str) -> list[str]:
        with self._engine.connect() as conn:
            value = conn.execute(
                select(documents.c.chunk_ids).where(
                    and_(documents.c.workspace == workspace, documents.c.document_id == document_id)
                )
            ).scalar()
        return json.loads(value) if value else []

    def committed_versions(self, workspace: str) -> dict[str, int]:
        """Document id -> the version readers may see."""
        return dict(self._cached("committed", workspace, lambda: self._committed_versions(workspace)))

    def _committed_versions(self, workspace: str) -> dict[str, int]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(documents.c.document_id, documents.c.version).where(
                    and_(documents.c.workspace == workspace, documents.c.version > 0)
                )
            ).all()
        return {r[0]: int(r[1]) for r in rows}

    def commit(self, record: DocumentRecord, chunk_ids: list[str], stale_ids: list[str]) -> None:
        """Make ``record`` the visible version and queue the old chunks for deletion."""
        values = {
            "source": record.source,
            "title": record.title,
            "doc_type": record.doc_type.value,
            "content_hash": record.content_hash,
            "version": record.version,
            "chunk_ids": json.dumps(chunk_ids),
            "status": record.status.value,
            "last_error": record.last_error,
            "ingested_at": record.ingested_at,
        }
        with self._engine.begin() as conn:
            self._upsert(conn, record.workspace, record.document_id, values)
            self._replace_warnings(conn, record)
            self._queue(conn, record.workspace, stale_ids)

    def record_failure(self, workspace: str, document_id: str, source: str, reason: str) -> None:
        """Note a failed ingest without touching the committed version, if any."""
        with self._engine.begin() as conn:
            exists = conn.execute(
                select(documents.c.version).where(
                    and_(documents.c.workspace == workspace, documents.c.document_id == document_id)
                )
            ).first()
            if exists:
                conn.execute(
                    update(documents)
                    .where(
                        and_(
                            documents.c.workspace == workspace,
                            documents.c.document_id == document_id,
                        )
                    )
                    .values(
                        last_error=reason,
                        status=DocumentStatus.FAILED.value if exists[0] == 0 else DocumentStatus.INDEXED.value,
                    )
                )
            else:
                conn.execute(
                    insert(documents).values(
                        workspace=workspace,
                        document_id=document_id,
                        source=source,
                        title=source.rsplit("/", 1)[-1],
                        doc_type=DocType.OTHER.value,
                        content_hash="",
                        version=0,
                        chunk_ids="[]",
                        status=DocumentStatus.FAILED.value,
                        last_error=reason,
                        ingested_at=datetime.now(UTC),
                    )
                )

    def remove(self, workspace: str, document_id: str, stale_ids: list[str]) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                delete(documents).where(
                    and_(documents.c.workspace == workspace, documents.c.document_id == document_id)
                )
            )
            conn.execute(
                delete(warnings_table).where(
                    and_(
                        warnings_table.c.workspace == workspace,
                        warnings_table.c.document_id == document_id,
                    )
                )
            )
            self._queue(conn, workspace, stale_ids)

    def claim(self, workspace: str, document_ids: list[str], root: str) -> None:
        """Record that these documents came from ``root`` (see ``roots``)."""
        with self._engine.begin() as conn:
            for start in range(0, len(document_ids), 500):
                conn.execute(
                    update(documents)
                    .where(
                        and_(
                            documents.c.workspace == workspace,
                            documents.c.document_id.in_(document_ids[start : start + 500]),
                        )
                    )
                    .values(source_root=root)
                )

    def roots(self, workspace: str) -> dict[str, str | None]:
        """Document id -> the ingest root it came from (None for documents from before roots)."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(documents.c.document_id, documents.c.source_root).where(documents.c.workspace == workspace)
            ).all()
        return {r[0]: r[1] for r in rows}

    def pending_garbage(self, workspace: str) -> list[str]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(garbage.c.chunk_id).where(garbage.c.workspace == workspace)).all()
        return [r[0] for r in rows]

    def clear_garbage(self, workspace: str, chunk_ids: list[str]) -> None:
        with self._engine.begin() as conn:
            for start in range(0, len(chunk_ids), 500):
                conn.execute(
                    delete(garbage).where(
                        and_(
                            garbage.c.workspace == workspace,
                            garbage.c.chunk_id.in_(chunk_ids[start : start + 500]),
                        )
                    )
                )

    def drop_workspace(self, workspace: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(documents).where(documents.c.workspace == workspace))
            conn.execute(delete(warnings_table).where(warnings_table.c.workspace == workspace))
            conn.execute(delete(garbage).where(garbage.c.workspace == workspace))

    # -- internals -------------------------------------------------------------------
    @staticmethod
    def _upsert(conn, workspace: str, document_id: str, values: dict) -> None:
        where = and_(documents.c.workspace == workspace, documents.c.document_id == document_id)
        if conn.execute(select(documents.c.version).where(where)).first():
            conn.execute(update(documents).where(where).values(**values))
        else:
            conn.execute(insert(documents).values(workspace=workspace, document_id=document_id, **values))

    @staticmethod
    def _replace_warnings(conn, record: DocumentRecord) -> None:
        """The document's warnings become the committed version's."""
        conn.execute(
            delete(warnings_table).where(
                and_(
                    warnings_table.c.workspace == record.workspace,
                    warnings_table.c.document_id == record.document_id,
                )
            )
        )
        if record.warnings:
            conn.execute(
                insert(warnings_table),
                [
                    {
                        "workspace": record.workspace,
                        "document_id": record.document_id,
                        "version": record.version,
                        "position": i,
                        "message": message,
                    }
                    for i, message in enumerate(record.warnings)
                ],
            )

    @staticmethod
    def _queue(conn, workspace: str, chunk_ids: list[str]) -> None:
        if not chunk_ids:
            return
        known = {r[0] for r in conn.execute(select(garbage.c.chunk_id).where(garbage.c.workspace == workspace))}
        fresh = [{"workspace": workspace, "chunk_id": c} for c in chunk_ids if c not in known]
        if fresh:
            conn.execute(insert(garbage), fresh)


def _record(row, warnings: tuple[str, ...] = ()) -> DocumentRecord:
    ingested = row.ingested_at
    if ingested.tzinfo is None:
        ingested = ingested.replace(tzinfo=UTC)
    return DocumentRecord(
        workspace=row.workspace,
        document_id=row.document_id,
        source=row.source,
        title=row.title,
        doc_type=DocType(row.doc_type),
        content_hash=row.content_hash,
        version=row.version,
        chunk_count=len(json.loads(row.chunk_ids)),
        status=DocumentStatus(row.status),
        last_error=row.last_error,
        ingested_at=ingested,
        warnings=warnings,
    )
