"""Interfaces to what lives outside the core: embedder, vector store, lexical index.

Retrieval, answering, interviews and readiness depend only on these; the adapters in
``assistant/adapters/`` implement them with sentence-transformers, chromadb and SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

# Metadata values the stores accept: flat primitives only (chromadb's rule).
MetaValue = str | int | float | bool
Metadata = dict[str, MetaValue]
# Equality filters on metadata; a list value means "any of".
Filter = dict[str, MetaValue | list[MetaValue]]


@dataclass(slots=True)
class StoredChunk:
    """A chunk as the stores hold it: id, text and flat metadata."""

    id: str
    text: str
    metadata: Metadata = field(default_factory=dict)


@dataclass(slots=True)
class ScoredChunk:
    chunk: StoredChunk
    score: float  # higher is better; cosine similarity for dense, BM25 for lexical


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length vectors."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


@runtime_checkable
class VectorStore(Protocol):
    """Dense store of chunks, grouped by collection and by document."""

    def upsert(self, collection: str, chunks: Sequence[StoredChunk], vectors: np.ndarray) -> None:
        """Write chunks (batched), overwriting any with the same ids."""

    def replace_document(
        self, collection: str, document_id: str, chunks: Sequence[StoredChunk], vectors: np.ndarray
    ) -> None:
        """Write a document's new chunks, then drop any of its older chunks."""

    def delete_document(self, collection: str, document_id: str) -> int: ...

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None: ...

    def query(self, collection: str, vector: np.ndarray, k: int, where: Filter | None = None) -> list[ScoredChunk]: ...

    def count(self, collection: str) -> int: ...

    def list_documents(self, collection: str) -> dict[str, int]:
        """Document id -> number of chunks."""

    def chunk_ids(self, collection: str, document_id: str) -> list[str]: ...

    def get(self, collection: str, chunk_ids: Sequence[str]) -> list[StoredChunk]: ...

    def drop_collection(self, collection: str) -> None: ...

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` when the store cannot be reached."""


@runtime_checkable
class LexicalIndex(Protocol):
    """BM25-ranked keyword search over the same chunks, with the same filters."""

    def upsert(self, collection: str, chunks: Sequence[StoredChunk]) -> None: ...

    def replace_document(self, collection: str, document_id: str, chunks: Sequence[StoredChunk]) -> None: ...

    def delete_document(self, collection: str, document_id: str) -> int: ...

    def delete_chunks(self, collection: str, chunk_ids: Sequence[str]) -> None: ...

    def search(self, collection: str, query: str, k: int, where: Filter | None = None) -> list[ScoredChunk]: ...

    def count(self, collection: str) -> int: ...

    def chunk_ids(self, collection: str, document_id: str) -> list[str]: ...

    def drop_collection(self, collection: str) -> None: ...


@runtime_checkable
class VectorCache(Protocol):
    """Vectors of short texts by key, kept across processes: the answer units of every
    passage are embedded once, at ingest, not on the asks that first meet them."""

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors held for these keys; absent keys are left out."""

    def put(self, vectors: dict[str, np.ndarray]) -> None: ...


@runtime_checkable
class ChatModel(Protocol):
    """A chat LLM: rules in the system message, data in the user message; returns text."""

    @property
    def name(self) -> str: ...

    def complete(self, system: str, user: str) -> str:
        """One completion; raises ``GeneratorError`` on failure or timeout."""
