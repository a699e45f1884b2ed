"""Answer-unit vectors in a SQLite file next to the lexical index, one row per unit text
and embedder, so a new process (a cold `auditprep ask`, a restarted server) reuses the
vectors ingest computed instead of embedding every candidate unit again."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.errors import StoreUnavailable

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS unit_vectors ("
    "embedder TEXT NOT NULL, key BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (embedder, key)"
    ") WITHOUT ROWID"
)
_BATCH = 500  # keys per SELECT: under SQLite's limit on bound variables


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()


class SqliteVectorCache:
    """``VectorCache`` over SQLite (WAL): vectors of one embedder, keyed by a hash of the text."""

    def __init__(self, path: Path, embedder_name: str, dimension: int | None = None) -> None:
        self._path = path
        self._embedder = embedder_name
        self._dimension = dimension
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self._path, timeout=30, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open the unit vector cache {self._path}: {exc}") from exc
            self._local.conn = conn
        return conn

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        by_digest = {_digest(k): k for k in keys}
        digests = list(by_digest)
        out: dict[str, np.ndarray] = {}
        try:
            db = self._conn()
            for start in range(0, len(digests), _BATCH):
                part = digests[start : start + _BATCH]
                marks = ", ".join("?" * len(part))
                sql = f"SELECT key, vector FROM unit_vectors WHERE embedder = ? AND key IN ({marks})"
                rows = db.execute(sql, [self._embedder, *part]).fetchall()
                for digest, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if self._dimension is None or vector.shape[0] == self._dimension:
                        out[by_digest[digest]] = vector
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"unit vector cache read failed: {exc}") from exc
        return out

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        rows = [(self._embedder, _digest(k), np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()]
        try:
            db = self._conn()
            with db:
                db.executemany("INSERT OR REPLACE INTO unit_vectors (embedder, key, vector) VALUES (?, ?, ?)", rows)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"unit vector cache write failed: {exc}") from exc

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
