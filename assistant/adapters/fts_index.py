"""BM25 keyword search with SQLite FTS5, kept in step with the vector store.

FTS5 ranks with BM25 inside SQLite's C code, so a query over 100k chunks never walks
the chunks in Python. Each collection has its own content table and FTS5 table, so a
search only touches its own collection's postings (a large workspace does not slow down
searches of the standard, nor the other way round) and BM25's statistics are the
collection's own. Rows carry flat metadata (JSON) so the same equality filters as the
vector store apply.

Tables are named after a number from the ``collections`` registry, never after the
collection's name, so no name ever reaches SQL as text. Numbers are never reused and a
dropped collection keeps its (emptied) tables, so a number cached by one process stays
valid while another drops or refills the collection.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import InvalidInput, StoreUnavailable
from assistant.ports import Filter, ScoredChunk, StoredChunk

_REGISTRY = """
CREATE TABLE IF NOT EXISTS collections (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);
"""
# Per-collection tables; {c}, {f}, {p} are the quoted content table, FTS table and prefix.
_COLLECTION_DDL = (
    """CREATE TABLE {c} (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        document_id TEXT NOT NULL,
        metadata TEXT NOT NULL,
        text TEXT NOT NULL,
        context TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX {p_doc} ON {c} (document_id)",
    """CREATE VIRTUAL TABLE {f} USING fts5(
        text, context, content={c_lit}, content_rowid='rowid', tokenize='porter unicode61'
    )""",
    """CREATE TRIGGER {p_ai} AFTER INSERT ON {c} BEGIN
        INSERT INTO {f} (rowid, text, context) VALUES (new.rowid, new.text, new.context);
    END""",
    """CREATE TRIGGER {p_ad} AFTER DELETE ON {c} BEGIN
        INSERT INTO {f} ({f}, rowid, text, context) VALUES ('delete', old.rowid, old.text, old.context);
    END""",
)
# The layout before per-collection tables: one table for every collection.
_LEGACY_DROP = (
    "DROP TRIGGER IF EXISTS chunks_ai",
    "DROP TRIGGER IF EXISTS chunks_ad",
    "DROP TABLE IF EXISTS chunks_fts",
    "DROP TABLE IF EXISTS chunks",
)
_COLUMNS = "id, document_id, metadata, text, context"

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


def query_terms(text: str, max_terms: int = 32) -> list[str]:
    """The text's content words, lower-cased, once each: what every lexical adapter searches."""
    seen: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        token = token.strip("'")
        if len(token) < 2 or token in STOPWORDS or token in seen:
            continue
        seen.append(token)
        if len(seen) >= max_terms:
            break
    return seen


def match_query(text: str, max_terms: int = 32) -> str:
    """An FTS5 OR-query of the text's content words, each quoted (no FTS syntax leaks)."""
    return " OR ".join(f'"{t}"' for t in query_terms(text, max_terms))


def quote_identifier(name: str) -> str:
    """``name`` as an SQL identifier: double-quoted, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


class _Tables:
    """The quoted SQL names of one collection's tables."""

    __slots__ = ("chunks", "fts", "n")

    def __init__(self, n: int) -> None:
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise StoreUnavailable(f"corrupt lexical index registry: table number {n!r}")
        self.n = n
        self.chunks = quote_identifier(f"c{n}_chunks")
        self.fts = quote_identifier(f"c{n}_fts")

    def ddl(self) -> list[str]:
        names = {
            "c": self.chunks,
            "f": self.fts,
            "c_lit": "'" + f"c{self.n}_chunks" + "'",
            "p_doc": quote_identifier(f"c{self.n}_doc"),
            "p_ai": quote_identifier(f"c{self.n}_ai"),
            "p_ad": quote_identifier(f"c{self.n}_ad"),
        }
        return [stmt.format(**names) for stmt in _COLLECTION_DDL]


class FtsIndex:
    """``LexicalIndex`` over SQLite FTS5, one FTS5 table per collection."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._known: dict[str, _Tables] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn().executescript(_REGISTRY)
        self._migrate_shared_table()

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

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- collections -----------------------------------------------------------------
    def _lookup(self, db: sqlite3.Connection, collection: str) -> _Tables | None:
        """The collection's tables, or None when it was never written to."""
        tables = self._known.get(collection)
        if tables is None:
            row = db.execute("SELECT n FROM collections WHERE name = ?", (collection,)).fetchone()
            if row is None:
                return None
            tables = self._known[collection] = _Tables(row[0])
        return tables

    def _ensure(self, db: sqlite3.Connection, collection: str) -> _Tables:
        """The collection's tables, created inside the caller's transaction if new (not
        cached until found again: the transaction may still roll back)."""
        tables = self._lookup(db, collection)
        if tables is None:
            n = db.execute("INSERT INTO collections (name) VALUES (?)", (collection,)).lastrowid
            tables = _Tables(int(n or 0))
            for stmt in tables.ddl():
                db.execute(stmt)
        return tables

    def _migrate_shared_table(self) -> None:
        """Move a data file of the old single-table layout into per-collection tables, in
        one transaction: either everything moves or nothing does."""
        if not _has_legacy_table(self._conn()):
            return
        with self._tx() as db:
            if not _has_legacy_table(db):  # another process migrated it meanwhile
                return
            names = [r[0] for r in db.execute("SELECT DISTINCT collection FROM chunks ORDER BY collection")]
            for name in names:
                tables = self._ensure(db, name)
                db.execute(
                    f"INSERT INTO {tables.chunks} ({_COLUMNS}) "
                    f"SELECT {_COLUMNS} FROM chunks WHERE collection = ? ORDER BY rowid",
                    (name,),
                )
            for stmt in _LEGACY_DROP:
                db.execute(stmt)

    # -- LexicalIndex ----------------------------------------------------------------
    def upsert(self, collection: str, chunks: Sequence[StoredChunk]) -> None:
        with self._tx() as db:
            tables = self._ensure(db, collection)
            db.executemany(f"DELETE FROM {tables.chunks} WHERE id = ?", [(c.id,) for c in chunks])
            db.executemany(
                f"INSERT INTO {tables.chunks} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                [_row(c.metadata.get("document_id", ""), c) for c in chunks],
            )

    def replace_document(self, collection: str, document_id: str, chunks: Sequence[StoredChunk]) -> None:
        with self._tx() as db:
            tables = self._ensure(db, collection)
            db.execute(f"DELETE FROM {tables.chunks} WHERE document_id = ?", (document_id,))
            db.executemany(
                f"INSERT INTO {tables.chunks} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                [_row(document_id, c) for c in chunks],
            )

    def delete_document(self, collection: str, document_id: str) -> int:
        with self._tx() as db:
            tables = self._lookup(db, collection)
            if tables is None:
                return 0
            return db.execute(f"DELETE FROM {tables.chunks} WHERE document_id = ?", (document_id,)).rowcount

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None:
        with self._tx() as db:
            tables = self._lookup(db, collection)
            if tables is not None:
                db.executemany(f"DELETE FROM {tables.chunks} WHERE id = ?", [(i,) for i in chunk_ids])

    def search(self, collection: str, query: str, k: int, where: Filter | None = None) -> list[ScoredChunk]:
        if k <= 0:
            raise InvalidInput(f"k must be greater than 0, got {k}")
        filters, values = _filters(where)
        expr = match_query(query)
        if not expr:
            return []
        try:
            db = self._conn()
            tables = self._lookup(db, collection)
            if tables is None:
                return []
            rows = db.execute(_search_sql(tables, filters), [expr, *values, k]).fetchall()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"lexical search failed: {exc}") from exc
        return [ScoredChunk(StoredChunk(i, t, json.loads(m)), -float(r)) for i, t, m, r in rows]

    def count(self, collection: str) -> int:
        db = self._conn()
        tables = self._lookup(db, collection)
        return 0 if tables is None else int(db.execute(f"SELECT COUNT(*) FROM {tables.chunks}").fetchone()[0])

    def chunk_ids(self, collection: str, document_id: str) -> list[str]:
        db = self._conn()
        tables = self._lookup(db, collection)
        if tables is None:
            return []
        rows = db.execute(f"SELECT id FROM {tables.chunks} WHERE document_id = ? ORDER BY id", (document_id,))
        return [r[0] for r in rows]

    def drop_collection(self, collection: str) -> None:
        """Empty the collection; its tables stay (see the module docstring)."""
        with self._tx() as db:
            tables = self._lookup(db, collection)
            if tables is not None:
                db.execute(f"DELETE FROM {tables.chunks}")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _has_legacy_table(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chunks'").fetchone()
    return row is not None


def _filters(where: Filter | None) -> tuple[list[str], list[object]]:
    """SQL conditions on the content table ``c`` and their parameters; keys are checked."""
    conditions: list[str] = []
    params: list[object] = []
    for key, value in (where or {}).items():
        if not _META_KEY.fullmatch(key):
            raise InvalidInput(f"invalid filter key {key!r}")
        column = "c.document_id" if key == "document_id" else f"json_extract(c.metadata, '$.{key}')"
        values = value if isinstance(value, list) else [value]
        conditions.append(f"{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)
    return conditions, params


def _search_sql(tables: _Tables, filters: list[str]) -> str:
    """Best BM25 matches first. Without filters the top k are picked inside the FTS
    table and only those k rows are read from the content table."""
    rank = f"bm25({tables.fts}, 1.0, 0.4)"
    if not filters:
        return (
            f"SELECT c.id, c.text, c.metadata, top.rank FROM ("
            f"SELECT rowid, {rank} AS rank FROM {tables.fts} WHERE {tables.fts} MATCH ? "
            f"ORDER BY rank, rowid LIMIT ?) AS top "
            f"JOIN {tables.chunks} c ON c.rowid = top.rowid ORDER BY top.rank, top.rowid"
        )
    return (
        f"SELECT c.id, c.text, c.metadata, {rank} AS rank FROM {tables.fts} "
        f"JOIN {tables.chunks} c ON c.rowid = {tables.fts}.rowid "
        f"WHERE {tables.fts} MATCH ? AND {' AND '.join(filters)} ORDER BY rank, c.rowid LIMIT ?"
    )


def _row(document_id: object, chunk: StoredChunk) -> tuple:
    meta = chunk.metadata
    context = f"{meta.get('title', '')} {meta.get('section', '')}"
    return (chunk.id, str(document_id), json.dumps(meta, sort_keys=True), chunk.text, context)
