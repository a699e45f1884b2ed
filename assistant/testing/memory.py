"""Dictionary-backed ``VectorStore`` and ``LexicalIndex`` and a word-hashing ``Embedder``."""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence

import numpy as np

from assistant.adapters.chroma_store import check_collection_name
from assistant.adapters.fts_index import STOPWORDS
from assistant.errors import InvalidInput
from assistant.ports import Filter, ScoredChunk, StoredChunk

_WORD = re.compile(r"[a-z0-9][a-z0-9']*")
_META_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _stem(word: str) -> str:
    """A few English suffixes off, so "approves" meets "approve" as FTS5's porter stemmer
    lets it; a test double needs no more."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + repl
    return word


def words(text: str) -> list[str]:
    """Content words of a text, lower-cased and stemmed."""
    return [_stem(w.strip("'")) for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOPWORDS]


def _matches(meta: dict, where: Filter | None) -> bool:
    for key, value in (where or {}).items():
        allowed = value if isinstance(value, list) else [value]
        if meta.get(key) not in allowed:
            return False
    return True


def _check_where(where: Filter | None) -> None:
    for key in where or {}:
        if not _META_KEY.fullmatch(key):
            raise InvalidInput(f"invalid filter key {key!r}")


class HashEmbedder:
    """Unit vectors from hashed content words: texts sharing words are near, others far.

    Deterministic across processes (blake2b, not Python's salted ``hash``)."""

    def __init__(self, dimension: int = 384) -> None:
        if dimension <= 0:
            raise ValueError(f"dimension must be greater than 0, got {dimension}")
        self._dim = dimension

    @property
    def name(self) -> str:
        return f"hash-{self._dim}"

    @property
    def dimension(self) -> int:
        return self._dim

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dim, dtype=np.float32)
        for word in words(text) or [text.strip().lower() or "empty"]:
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self._dim
            vec[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:  # opposite signs cancelled out
            vec[0], norm = 1.0, 1.0
        return vec / norm

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)


class InMemoryVectorStore:
    """``VectorStore`` in dictionaries: exact cosine search over every chunk."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, tuple[StoredChunk, np.ndarray]]] = {}
        self._lock = threading.Lock()

    def _col(self, name: str) -> dict[str, tuple[StoredChunk, np.ndarray]]:
        check_collection_name(name)
        return self._data.setdefault(name, {})

    def upsert(self, collection: str, chunks: Sequence[StoredChunk], vectors: np.ndarray) -> None:
        if len(chunks) != len(vectors):
            raise InvalidInput(f"{len(chunks)} chunks but {len(vectors)} vectors")
        with self._lock:
            col = self._col(collection)
            for chunk, vec in zip(chunks, vectors, strict=True):
                v = np.asarray(vec, dtype=np.float32)
                meta = {k: v for k, v in chunk.metadata.items() if v is not None}
                col[chunk.id] = (StoredChunk(chunk.id, chunk.text, meta), v / (np.linalg.norm(v) or 1.0))

    def replace_document(
        self, collection: str, document_id: str, chunks: Sequence[StoredChunk], vectors: np.ndarray
    ) -> None:
        old = set(self.chunk_ids(collection, document_id))
        self.upsert(collection, chunks, vectors)
        self.delete_chunks(collection, sorted(old - {c.id for c in chunks}))

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None:
        with self._lock:
            col = self._col(collection)
            for cid in chunk_ids:
                col.pop(cid, None)

    def delete_document(self, collection: str, document_id: str) -> int:
        ids = self.chunk_ids(collection, document_id)
        self.delete_chunks(collection, ids)
        return len(ids)

    def query(self, collection: str, vector: np.ndarray, k: int, where: Filter | None = None) -> list[ScoredChunk]:
        if k <= 0:
            raise InvalidInput(f"k must be greater than 0, got {k}")
        q = np.asarray(vector, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        with self._lock:
            rows = [(c, v) for c, v in self._col(collection).values() if _matches(c.metadata, where)]
        scored = [(float(v @ q), c) for c, v in rows]
        scored.sort(key=lambda t: (-t[0], t[1].id))
        return [ScoredChunk(StoredChunk(c.id, c.text, dict(c.metadata)), s) for s, c in scored[:k]]

    def count(self, collection: str) -> int:
        return len(self._col(collection))

    def list_documents(self, collection: str) -> dict[str, int]:
        counts: Counter[str] = Counter(
            str(c.metadata.get("document_id", "")) for c, _ in self._col(collection).values()
        )
        return dict(counts)

    def chunk_ids(self, collection: str, document_id: str) -> list[str]:
        return [cid for cid, (c, _) in self._col(collection).items() if c.metadata.get("document_id") == document_id]

    def get(self, collection: str, chunk_ids: Sequence[str]) -> list[StoredChunk]:
        col = self._col(collection)
        return [StoredChunk(col[i][0].id, col[i][0].text, dict(col[i][0].metadata)) for i in chunk_ids if i in col]

    def drop_collection(self, collection: str) -> None:
        check_collection_name(collection)
        with self._lock:
            self._data.pop(collection, None)

    def ping(self) -> None:
        return None


class InMemoryLexicalIndex:
    """``LexicalIndex`` in dictionaries: Okapi BM25 (k1 1.2, b 0.75) over the chunk text
    plus its title and section at 0.4 weight, as the FTS5 index ranks them."""

    K1, B, CONTEXT_WEIGHT = 1.2, 0.75, 0.4

    def __init__(self) -> None:
        self._data: dict[str, dict[str, tuple[StoredChunk, Counter[str]]]] = {}
        self._lock = threading.Lock()

    def _terms(self, chunk: StoredChunk) -> Counter[str]:
        meta = chunk.metadata
        terms: Counter[str] = Counter()
        for w in words(chunk.text):
            terms[w] += 1.0
        for w in words(f"{meta.get('title', '')} {meta.get('section', '')}"):
            terms[w] += self.CONTEXT_WEIGHT
        return terms

    def upsert(self, collection: str, chunks: Sequence[StoredChunk]) -> None:
        with self._lock:
            col = self._data.setdefault(collection, {})
            for c in chunks:
                col[c.id] = (StoredChunk(c.id, c.text, dict(c.metadata)), self._terms(c))

    def replace_document(self, collection: str, document_id: str, chunks: Sequence[StoredChunk]) -> None:
        self.delete_document(collection, document_id)
        self.upsert(collection, [StoredChunk(c.id, c.text, {**c.metadata, "document_id": document_id}) for c in chunks])

    def delete_document(self, collection: str, document_id: str) -> int:
        ids = self.chunk_ids(collection, document_id)
        self.delete_chunks(collection, ids)
        return len(ids)

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None:
        with self._lock:
            col = self._data.get(collection, {})
            for cid in chunk_ids:
                col.pop(cid, None)

    def search(self, collection: str, query: str, k: int, where: Filter | None = None) -> list[ScoredChunk]:
        if k <= 0:
            raise InvalidInput(f"k must be greater than 0, got {k}")
        _check_where(where)
        terms = list(dict.fromkeys(words(query)))[:32]
        with self._lock:
            rows = list(self._data.get(collection, {}).values())
        if not terms or not rows:
            return []
        avg = sum(sum(t.values()) for _, t in rows) / len(rows)
        idf = {}
        for term in terms:
            n = sum(1 for _, t in rows if term in t)
            idf[term] = math.log(1 + (len(rows) - n + 0.5) / (n + 0.5))
        scored = []
        for chunk, tf in rows:
            if not _matches(chunk.metadata, where):
                continue
            length = sum(tf.values())
            score = sum(
                idf[w] * tf[w] * (self.K1 + 1) / (tf[w] + self.K1 * (1 - self.B + self.B * length / (avg or 1.0)))
                for w in terms
                if w in tf
            )
            if score > 0:
                scored.append((score, chunk))
        scored.sort(key=lambda t: (-t[0], t[1].id))
        return [ScoredChunk(StoredChunk(c.id, c.text, dict(c.metadata)), s) for s, c in scored[:k]]

    def count(self, collection: str) -> int:
        return len(self._data.get(collection, {}))

    def chunk_ids(self, collection: str, document_id: str) -> list[str]:
        col = self._data.get(collection, {})
        return sorted(cid for cid, (c, _) in col.items() if c.metadata.get("document_id") == document_id)

    def drop_collection(self, collection: str) -> None:
        with self._lock:
            self._data.pop(collection, None)
