"""One ingest per workspace at a time, on every node: a lock that dies with its holder.

With PostgreSQL (several nodes on one database) the lock is a session-level advisory lock
held on a connection of its own, so nodes that share the database exclude each other and
a killed holder's lock goes with its connection. Otherwise it is an OS file lock in the
data folder, which dies with its process.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from assistant.db import connect
from assistant.errors import WorkspaceBusy


def _busy(name: str, holder: str) -> WorkspaceBusy:
    return WorkspaceBusy(
        f"workspace {name!r} is being ingested by {holder}; wait for it to "
        "finish (or set AUDITPREP_LOCK_TIMEOUT_S to wait automatically)"
    )


def advisory_key(name: str) -> int:
    """The workspace's advisory lock key: a signed 64-bit number derived from its name."""
    return int.from_bytes(hashlib.sha256(f"auditprep-workspace:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def workspace_lock(lock_dir: Path, name: str, wait_s: float = 0.0, engine: Engine | None = None) -> Iterator[None]:
    """Hold the workspace's lock, waiting up to ``wait_s`` seconds, else ``WorkspaceBusy``.

    ``engine`` is the shared database: on PostgreSQL the lock is taken there, so it holds
    across nodes; on SQLite (one machine) the file lock in ``lock_dir`` does.
    """
    if engine is not None and engine.dialect.name == "postgresql":
        with _advisory_lock(engine, name, wait_s):
            yield
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f"{name}.lock"
    handle = path.open("a+")
    deadline = time.monotonic() + wait_s
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise _busy(name, holder) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            handle.close()


@contextmanager
def _advisory_lock(engine: Engine, name: str, wait_s: float) -> Iterator[None]:
    key = advisory_key(name)
    with connect(engine) as conn:
        deadline = time.monotonic() + wait_s
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one():
            conn.commit()
            if time.monotonic() >= deadline:
                raise _busy(name, "another node or process")
            time.sleep(0.2)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
