"""chromadb as the vector store: embedded (PersistentClient) or a server (HttpClient).

Collections are always opened with ``embedding_function=None`` and written with our own
vectors: chromadb's default embedding function would download a model.

An embedded client keeps each collection's vector index in memory and never sees what
another process (a CLI ingest next to a running ``serve``) commits to the same folder. So
before each query the embedded store asks Chroma's own SQLite file whether anything
committed since it last looked (``PRAGMA data_version``, microseconds) and, if so, opens a
fresh client, which loads the current index.

A server serves every node the current data, but a collection handle names the collection
by its id: once another node drops and recreates the collection (``ingest --standard``
after a knowledge change, a workspace rebuilt), every call on the old handle fails with
"does not exist". Such a call reopens the collection by name and runs once more.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.errors import InvalidInput, StoreUnavailable
from assistant.ports import Filter, Metadata, ScoredChunk, StoredChunk

_COLLECTION = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")


def check_collection_name(name: str) -> str:
    if not _COLLECTION.fullmatch(name) or ".." in name:
        raise InvalidInput(
            f"invalid collection name {name!r}: 3-512 characters of letters, digits, '.', '_' "
            "or '-', starting and ending with a letter or digit"
        )
    return name


def to_chroma_where(where: Filter | None) -> dict[str, Any] | None:
    if not where:
        return None
    clauses: list[dict[str, Any]] = []
    for key, value in where.items():
        clauses.append({key: {"$in": list(value)}} if isinstance(value, list) else {key: value})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """``VectorStore`` over chromadb."""

    def __init__(self, client: Any, reopen: Callable[[], Any] | None = None, data_file: Path | None = None) -> None:
        """``reopen`` builds a fresh client and ``data_file`` is the SQLite file whose
        commits make the open one stale (embedded only)."""
        self._client = client
        self._collections: dict[str, Any] = {}
        self._batch = max(1, min(int(client.get_max_batch_size()), 4000))
        self._reopen = reopen
        self._watch: sqlite3.Connection | None = None
        self._seen: int | None = None
        self._refresh_lock = threading.Lock()
        if reopen is not None and data_file is not None and data_file.exists():
            self._watch = sqlite3.connect(f"file:{data_file}?mode=ro", uri=True, check_same_thread=False)
            self._seen = self._data_version()

    @classmethod
    def embedded(cls, path: Path) -> ChromaStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)

        def open_client() -> Any:
            return chromadb.PersistentClient(path=str(path), settings=settings)

        def reopen() -> Any:
            from chromadb.api.shared_system_client import SharedSystemClient

            # chromadb shares one system per folder in a process; forgetting it (without
            # stopping it: queries in flight keep using it) makes the next client load anew.
            SharedSystemClient._identifier_to_system.pop(str(path), None)
            return open_client()

        try:
            return cls(open_client(), reopen, path / "chroma.sqlite3")
        except Exception as exc:  # chromadb raises many kinds on a bad or locked folder
            raise StoreUnavailable(f"cannot open the vector store at {path}: {exc}") from exc

    @classmethod
    def server(cls, url: str) -> ChromaStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise InvalidInput(f"AUDITPREP_CHROMA_URL must look like http://host:port, got {url!r}")
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )
            return cls(client)
        except Exception as exc:
            raise StoreUnavailable(f"cannot reach the Chroma server at {url}: {exc}") from exc

    # -- helpers ---------------------------------------------------------------------
    def _data_version(self) -> int:
        assert self._watch is not None
        return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def _refresh_if_stale(self) -> None:
        """Open a fresh client when the folder changed since the last look."""
        if self._watch is None or self._reopen is None:
            return
        with self._refresh_lock:
            version = self._data_version()
            if version == self._seen:
                return
            self._client = self._call("reopen", self._reopen)
            self._collections = {}
            # opening commits once itself; the fresh client loads each index on first
            # use, after this read, so whatever committed before it is in what it loads
            self._seen = self._data_version()

    def _collection(self, name: str) -> Any:
        if name not in self._collections:
            check_collection_name(name)
            try:
                self._collections[name] = self._client.get_or_create_collection(
                    name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
                )
            except Exception as exc:
                raise StoreUnavailable(f"cannot open collection {name!r}: {exc}") from exc
        return self._collections[name]

    def _on(self, collection: str, what: str, method: str, **kwargs: Any) -> Any:
        """``method`` of the collection's handle, reopened once when the collection it
        names was dropped (and maybe recreated) by another node or process."""
        handle = self._collection(collection)
        try:
            return getattr(handle, method)(**kwargs)
        except (InvalidInput, StoreUnavailable):
            raise
        except Exception as exc:
            if not _collection_gone(exc):
                raise StoreUnavailable(f"vector store {what} failed: {exc}") from exc
        with self._refresh_lock:
            if self._collections.get(collection) is handle:
                del self._collections[collection]
        return self._call(what, getattr(self._collection(collection), method), **kwargs)

    def _call(self, what: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (InvalidInput, StoreUnavailable):
            raise
        except Exception as exc:
            raise StoreUnavailable(f"vector store {what} failed: {exc}") from exc

    # -- VectorStore -----------------------------------------------------------------
    def upsert(self, collection: str, chunks: Sequence[StoredChunk], vectors: np.ndarray) -> None:
        if len(chunks) != len(vectors):
            raise InvalidInput(f"{len(chunks)} chunks but {len(vectors)} vectors")
        for start in range(0, len(chunks), self._batch):
            part = chunks[start : start + self._batch]
            self._on(
                collection,
                "write",
                "upsert",
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[_clean(c.metadata) for c in part],
                embeddings=vectors[start : start + len(part)],
            )

    def replace_document(
        self, collection: str, document_id: str, chunks: Sequence[StoredChunk], vectors: np.ndarray
    ) -> None:
        old = set(self.chunk_ids(collection, document_id))
        self.upsert(collection, chunks, vectors)
        stale = sorted(old - {c.id for c in chunks})
        self.delete_chunks(collection, stale)

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None:
        for start in range(0, len(chunk_ids), self._batch):
            self._on(collection, "delete", "delete", ids=list(chunk_ids[start : start + self._batch]))

    def delete_document(self, collection: str, document_id: str) -> int:
        ids = self.chunk_ids(collection, document_id)
        self.delete_chunks(collection, ids)
        return len(ids)

    def query(self, collection: str, vector: np.ndarray, k: int, where: Filter | None = None) -> list[ScoredChunk]:
        if k <= 0:
            raise InvalidInput(f"k must be greater than 0, got {k}")
        self._refresh_if_stale()
        result = self._on(
            collection,
            "query",
            "query",
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k,
            where=to_chroma_where(where),
            include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        docs = result["documents"][0]
        metas = result["metadatas"][0]
        dists = result["distances"][0]
        return [
            ScoredChunk(StoredChunk(i, d or "", dict(m or {})), 1.0 - float(dist))
            for i, d, m, dist in zip(ids, docs, metas, dists, strict=True)
        ]

    def count(self, collection: str) -> int:
        return int(self._on(collection, "count", "count"))

    def list_documents(self, collection: str) -> dict[str, int]:
        got = self._on(collection, "read", "get", include=["metadatas"])
        counts: dict[str, int] = {}
        for meta in got["metadatas"] or []:
            doc = str((meta or {}).get("document_id", ""))
            counts[doc] = counts.get(doc, 0) + 1
        return counts

    def chunk_ids(self, collection: str, document_id: str) -> list[str]:
        got = self._on(collection, "read", "get", where={"document_id": document_id}, include=[])
        return list(got["ids"])

    def get(self, collection: str, chunk_ids: Sequence[str]) -> list[StoredChunk]:
        """The chunks with these ids, read in batches: one call with every id of a large
        workspace exceeds the backing database's limit on query variables."""
        if not chunk_ids:
            return []
        out: list[StoredChunk] = []
        for start in range(0, len(chunk_ids), self._batch):
            got = self._on(
                collection,
                "read",
                "get",
                ids=list(chunk_ids[start : start + self._batch]),
                include=["documents", "metadatas"],
            )
            out += [
                StoredChunk(i, d or "", dict(m or {}))
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]
        return out

    def drop_collection(self, collection: str) -> None:
        check_collection_name(collection)
        self._collections.pop(collection, None)
        try:
            self._client.delete_collection(collection)
        except Exception:  # absent already: nothing to drop
            return

    def ping(self) -> None:
        self._call("heartbeat", self._client.heartbeat)


def _collection_gone(exc: Exception) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError)


def _clean(meta: Metadata) -> Metadata:
    return {k: v for k, v in meta.items() if v is not None}
