"""Keyword search in PostgreSQL, for deployments of several nodes on one database.

With SQLite FTS5 the lexical index is a file on the ingesting node's disk, so another
node never sees its rows. Here the chunks live in the shared database (table
``lexical_chunks``, made by migration 0002): a stored ``tsvector`` (text weighted A,
title and section B, English stemming like FTS5's porter tokenizer) with a GIN index,
ranked by ``ts_rank_cd`` normalized by document length — cover density over the
query's terms, the closest built-in to BM25. Queries are the same OR of content words
as FTS5's, so both adapters see the same terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.exc import DBAPIError

from assistant.adapters.fts_index import query_terms
from assistant.db import ensure_schema
from assistant.errors import ConfigurationError, InvalidInput, StoreUnavailable
from assistant.ports import Filter, ScoredChunk, StoredChunk

_META_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# D, C, B, A weights: context (B) counts 0.4 of text (A), as FTS5's bm25(…, 1.0, 0.4).
_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
# ts_rank_cd normalization 1: divide by 1 + log(document length), BM25's length damping.
_NORMALIZATION = 1

_INSERT = text(
    "INSERT INTO lexical_chunks (collection, id, document_id, metadata, text, context) "
    "VALUES (:collection, :id, :document_id, CAST(:metadata AS jsonb), :text, :context) "
    "ON CONFLICT (collection, id) DO UPDATE SET document_id = EXCLUDED.document_id, "
    "metadata = EXCLUDED.metadata, text = EXCLUDED.text, context = EXCLUDED.context"
)


class PostgresLexicalIndex:
    """``LexicalIndex`` over PostgreSQL full-text search, shared by every node."""

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ConfigurationError("the PostgreSQL lexical index needs a postgresql+psycopg:// database URL")
        self._engine = engine
        ensure_schema(engine)

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except DBAPIError as exc:
            raise StoreUnavailable(f"lexical index (PostgreSQL) failed: {type(exc.orig).__name__}") from exc

    # -- LexicalIndex ----------------------------------------------------------------
    def upsert(self, collection: str, chunks: Sequence[StoredChunk]) -> None:
        if not chunks:
            return
        with self._tx() as conn:
            conn.execute(_INSERT, [_row(collection, c.metadata.get("document_id", ""), c) for c in chunks])

    def replace_document(self, collection: str, document_id: str, chunks: Sequence[StoredChunk]) -> None:
        with self._tx() as conn:
            conn.execute(
                text("DELETE FROM lexical_chunks WHERE collection = :c AND document_id = :d"),
                {"c": collection, "d": document_id},
            )
            if chunks:
                conn.execute(_INSERT, [_row(collection, document_id, c) for c in chunks])

    def delete_document(self, collection: str, document_id: str) -> int:
        with self._tx() as conn:
            return conn.execute(
                text("DELETE FROM lexical_chunks WHERE collection = :c AND document_id = :d"),
                {"c": collection, "d": document_id},
            ).rowcount

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None:
        if not chunk_ids:
            return
        with self._tx() as conn:
            conn.execute(
                text("DELETE FROM lexical_chunks WHERE collection = :c AND id = ANY(:ids)"),
                {"c": collection, "ids": list(chunk_ids)},
            )

    def search(self, collection: str, query: str, k: int, where: Filter | None = None) -> list[ScoredChunk]:
        if k <= 0:
            raise InvalidInput(f"k must be greater than 0, got {k}")
        conditions, params = _filters(where)
        terms = [t.replace("'", "") for t in query_terms(query)]
        terms = [t for t in terms if t]
        if not terms:
            return []
        sql = (
            f"SELECT id, text, metadata, ts_rank_cd('{_WEIGHTS}', tsv, q, {_NORMALIZATION}) AS rank "
            "FROM lexical_chunks, to_tsquery('english', :q) AS q "
            f"WHERE collection = :collection AND tsv @@ q{''.join(' AND ' + c for c in conditions)} "
            "ORDER BY rank DESC, id LIMIT :k"
        )
        statement = text(sql)
        for name, value in params.items():
            if isinstance(value, list):
                statement = statement.bindparams(bindparam(name, expanding=True))
        with self._tx() as conn:
            rows = conn.execute(statement, {"q": " | ".join(terms), "collection": collection, "k": k, **params}).all()
        return [ScoredChunk(StoredChunk(i, t, dict(m)), float(r)) for i, t, m, r in rows]

    def count(self, collection: str) -> int:
        with self._tx() as conn:
            return int(
                conn.execute(
                    text("SELECT COUNT(*) FROM lexical_chunks WHERE collection = :c"), {"c": collection}
                ).scalar_one()
            )

    def chunk_ids(self, collection: str, document_id: str) -> list[str]:
        with self._tx() as conn:
            rows = conn.execute(
                text("SELECT id FROM lexical_chunks WHERE collection = :c AND document_id = :d ORDER BY id"),
                {"c": collection, "d": document_id},
            )
            return [r[0] for r in rows]

    def drop_collection(self, collection: str) -> None:
        with self._tx() as conn:
            conn.execute(text("DELETE FROM lexical_chunks WHERE collection = :c"), {"c": collection})

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless the index's table answers."""
        with self._tx() as conn:
            conn.execute(text("SELECT 1 FROM lexical_chunks LIMIT 1"))


def _filters(where: Filter | None) -> tuple[list[str], dict[str, object]]:
    """Conditions on the metadata (as JSON values, so 2 matches 2 and "2" matches "2")."""
    conditions: list[str] = []
    params: dict[str, object] = {}
    for n, (key, value) in enumerate((where or {}).items()):
        if not key or len(key) > 64 or key[0].isdigit() or not set(key) <= _META_KEY_CHARS:
            raise InvalidInput(f"invalid filter key {key!r}")
        values = value if isinstance(value, list) else [value]
        if key == "document_id":
            conditions.append(f"document_id IN :f{n}")
            params[f"f{n}"] = [str(v) for v in values]
        else:
            conditions.append(f"metadata -> :k{n} = ANY(SELECT jsonb_array_elements(CAST(:f{n} AS jsonb)))")
            params[f"k{n}"] = key
            params[f"f{n}"] = json.dumps(values)
    return conditions, params


def _row(collection: str, document_id: object, chunk: StoredChunk) -> dict[str, object]:
    meta = chunk.metadata
    return {
        "collection": collection,
        "id": chunk.id,
        "document_id": str(document_id),
        "metadata": json.dumps(meta, sort_keys=True),
        "text": chunk.text,
        "context": f"{meta.get('title', '')} {meta.get('section', '')}",
    }
