"""Document embeddings kept in a SQLite file that several data directories share.

Evals, the calibration command and throw-away workspaces ingest the same documents again
and again; with a shared cache, text that any of them embedded before costs a lookup, not
a model call. Vectors are stored exactly as the model returned them (float32), so what is
read back equals a fresh embedding. Queries are not cached: one text, embedded once per ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.adapters.sqlite_vectors import SqliteVectorCache
from assistant.ports import Embedder, VectorCache


class CachedEmbedder:
    """``Embedder`` whose document vectors come from ``cache`` when it holds them."""

    def __init__(self, inner: Embedder, cache: VectorCache) -> None:
        self._inner = inner
        self._cache = cache

    @classmethod
    def in_file(cls, inner: Embedder, path: Path) -> CachedEmbedder:
        """``inner`` behind the SQLite cache at ``path`` (its vectors of ``inner``'s model only)."""
        return cls(inner, SqliteVectorCache(path, inner.name))

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self._inner.embed_documents(texts)
        unique = list(dict.fromkeys(texts))
        held = self._cache.get(unique)
        missing = [t for t in unique if t not in held]
        if missing:
            fresh = dict(zip(missing, self._inner.embed_documents(missing), strict=True))
            self._cache.put(fresh)
            held.update(fresh)
        return np.stack([np.asarray(held[t], dtype=np.float32) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._inner.embed_query(text)
