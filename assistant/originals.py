"""The originals of uploaded files, kept in the database every node shares.

An upload is ingested on whichever node received it; its original is kept with the
workspace's other records, not on that node's disk, so every node holds the same files and
a document can be read back (or ingested again) from any of them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from assistant.db import ensure_schema
from assistant.schema import uploaded_files


@runtime_checkable
class Originals(Protocol):
    """Uploaded files by workspace and stored name (the document's source)."""

    def put(self, workspace: str, name: str, content: bytes) -> None:
        """Keep ``content`` as the original of ``name``, replacing an earlier one."""

    def get(self, workspace: str, name: str) -> bytes | None: ...

    def names(self, workspace: str) -> list[str]: ...

    def delete(self, workspace: str, name: str) -> bool: ...


class DbOriginals:
    """``Originals`` in the relational database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def put(self, workspace: str, name: str, content: bytes) -> None:
        values = {
            "workspace": workspace,
            "name": name,
            "content": content,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "stored_at": datetime.now(UTC),
        }
        insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(uploaded_files).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[uploaded_files.c.workspace, uploaded_files.c.name],
            set_={k: statement.excluded[k] for k in ("content", "sha256", "size", "stored_at")},
        )
        with self._engine.connect() as conn:
            conn.execute(statement)
            conn.commit()

    def get(self, workspace: str, name: str) -> bytes | None:
        with self._engine.connect() as conn:
            found = conn.execute(select(uploaded_files.c.content).where(self._key(workspace, name))).scalar()
        return bytes(found) if found is not None else None

    def names(self, workspace: str) -> list[str]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(uploaded_files.c.name).where(uploaded_files.c.workspace == workspace))
            return sorted(rows.scalars())

    def delete(self, workspace: str, name: str) -> bool:
        with self._engine.connect() as conn:
            removed = conn.execute(delete(uploaded_files).where(self._key(workspace, name))).rowcount
            conn.commit()
        return bool(removed)

    @staticmethod
    def _key(workspace: str, name: str):
        return (uploaded_files.c.workspace == workspace) & (uploaded_files.c.name == name)
