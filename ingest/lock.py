"""One ingest per workspace at a time: an OS file lock that dies with its process."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import WorkspaceBusy


@contextmanager
def workspace_lock(lock_dir: Path, name: str, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the workspace's lock, waiting up to ``wait_s`` seconds, else ``WorkspaceBusy``."""
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
                    raise WorkspaceBusy(
                        f"workspace {name!r} is being ingested by {holder}; wait for it to "
                        "finish (or set AUDITPREP_LOCK_TIMEOUT_S to wait automatically)"
                    ) from None
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
