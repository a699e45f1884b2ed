"""BM25 keyword search with SQLite FTS5, kept in step with the vector store.

FTS5 ranks with BM25 inside SQLite's C code, so a query over 100k chunks never walks
the chunks in Python. One file holds every collection; rows carry their collection and
flat metadata (JSON) so the same equality filters as the vector store apply.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

from assistant.errors import InvalidInput, StoreUnavailable
from assistant.ports import Filter, ScoredChunk, StoredChunk

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    collection TEXT NOT NULL,
    document_id TEXT NOT NULL,
    metadata TEXT NOT NULL,
    text TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    UNIQUE (collection, id)
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (collection, document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, context, content='chunks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, text, context) VALUES (new.rowid, new.text, new.context);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text, context)
    VALUES ('delete', old.rowid, old.text, old.context);
END;
"""

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9']*")
_META_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves us also may must shall whether""".split()
)


def match_query(text: str, max_terms: int = 32) -> str:
    """An FTS5 OR-query of the text's content words, each quoted (no FTS syntax leaks)."""
    seen: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        token = token.strip("'")
        if len(token) < 2 or token in STOPWORDS or token in seen:
            continue
        seen.append(token)
        if len(seen) >= max_terms:
            break
    return " OR ".join(f'"{t}"' for t in seen)


class FtsIndex:
    """``LexicalIndex`` over SQLite FTS5."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open the lexical index {self._path}: {exc}") from exc
            self._local.conn = conn
        return conn

    def _tx(self):
        index = self

        class _Tx:
            def __enter__(self) -> sqlite3.Connection:
                self.db = index._conn()
                self.db.execute("BEGIN IMMEDIATE")
                return self.db

            def __exit__(self, exc_type, exc, tb) -> None:
                self.db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    def upsert(self, collection: str, chunks: Sequence[StoredChunk]) -> None:
        with self._tx() as db:
            db.executemany(
                "DELETE FROM chunks WHERE collection = ? AND id = ?",
                [(collection, c.id) for c in chunks],
            )
            db.executemany(
                "INSERT INTO chunks (id, collection, document_id, metadata, text, context) VALUES (?, ?, ?, ?, ?, ?)",
                [_row(collection, c.metadata.get("document_id", ""), c) for c in chunks],
            )

    def replace_document(self, collection: str, document_id: str, chunks: Sequence[StoredChunk]) -> None:
        with self._tx() as db:
            db.execute(
                "DELETE FROM chunks WHERE collection = ? AND document_id = ?",
                (collection, document_id),
            )
            db.executemany(
                "INSERT INTO chunks (id, collection, document_id, metadata, text, context) VALUES (?, ?, ?, ?, ?, ?)",
                [_row(collection, document_id, c) for c in chunks],
            )

    def delete_document(self, collection: str, document_id: str) -> int:
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM chunks WHERE collection = ? AND document_id = ?",
                (collection, document_id),
            )
            return cur.rowcount

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None:
        with self._tx() as db:
            db.executemany(
                "DELETE FROM chunks WHERE collection = ? AND id = ?",
                [(collection, i) for i in chunk_ids],
            )

    def search(self, collection: str, query: str, k: int, where: Filter | None = None) -> list[ScoredChunk]:
        if k <= 0:
            raise InvalidInput(f"k must be greater than 0, got {k}")
        expr = match_query(query)
        if not expr:
            return []
        sql = [
            "SELECT c.id, c.text, c.metadata, bm25(chunks_fts, 1.0, 0.4) AS rank FROM chunks_fts "
            "JOIN chunks c ON c.rowid = chunks_fts.rowid "
            "WHERE chunks_fts MATCH ? AND c.collection = ?"
        ]
        params: list[object] = [expr, collection]
        for key, value in (where or {}).items():
            if not _META_KEY.fullmatch(key):
                raise InvalidInput(f"invalid filter key {key!r}")
            column = "c.document_id" if key == "document_id" else f"json_extract(c.metadata, '$.{key}')"
            values = value if isinstance(value, list) else [value]
            sql.append(f"AND {column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        sql.append("ORDER BY rank LIMIT ?")
        params.append(k)
        try:
            rows = self._conn().execute(" ".join(sql), params).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"lexical search failed: {exc}") from exc
        return [ScoredChunk(StoredChunk(i, t, json.loads(m)), -float(r)) for i, t, m, r in rows]

    def count(self, collection: str) -> int:
        row = self._conn().execute("SELECT COUNT(*) FROM chunks WHERE collection = ?", (collection,))
        return int(row.fetchone()[0])

    def chunk_ids(self, collection: str, document_id: str) -> list[str]:
        rows = self._conn().execute(
            "SELECT id FROM chunks WHERE collection = ? AND document_id = ? ORDER BY id",
            (collection, document_id),
        )
        return [r[0] for r in rows]

    def drop_collection(self, collection: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM chunks WHERE collection = ?", (collection,))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _row(collection: str, document_id: object, chunk: StoredChunk) -> tuple:
    meta = chunk.metadata
    context = f"{meta.get('title', '')} {meta.get('section', '')}"
    return (
        chunk.id,
        collection,
        str(document_id),
        json.dumps(meta, sort_keys=True),
        chunk.text,
        context,
    )
