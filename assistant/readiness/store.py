"""Where the latest readiness report of each workspace is kept: in the database every node
shares, so every node serves the same stored report, and one computation per change is
made for all of them (the others wait for it and read it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from assistant.db import ensure_schema, named_lock
from assistant.schema import readiness_reports


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A report as stored: what it was computed from and its JSON, byte for byte."""

    fingerprint: dict
    body: bytes


@runtime_checkable
class ReportStore(Protocol):
    """The latest report per workspace, and a lock so that one process computes it."""

    def fingerprint(self, workspace: str) -> dict | None:
        """What the stored report was computed from; None when there is none (a cheap read)."""

    def load(self, workspace: str) -> StoredReport | None: ...

    def save(self, workspace: str, fingerprint: dict, body: bytes) -> None: ...

    def computing(self, workspace: str) -> AbstractContextManager[None]:
        """Held while one process computes the workspace's report; others wait here."""


class DbReportStore:
    """``ReportStore`` in the relational database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        ensure_schema(engine)

    def fingerprint(self, workspace: str) -> dict | None:
        with self._engine.connect() as conn:
            found = conn.execute(
                select(readiness_reports.c.fingerprint).where(readiness_reports.c.workspace == workspace)
            ).scalar_one_or_none()
        return _parsed(found)

    def load(self, workspace: str) -> StoredReport | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(readiness_reports.c.fingerprint, readiness_reports.c.report).where(
                    readiness_reports.c.workspace == workspace
                )
            ).first()
        fingerprint = _parsed(row[0]) if row else None
        if row is None or fingerprint is None:
            return None
        return StoredReport(fingerprint, row[1].encode("utf-8"))

    def save(self, workspace: str, fingerprint: dict, body: bytes) -> None:
        values = {
            "workspace": workspace,
            "fingerprint": json.dumps(fingerprint, sort_keys=True),
            "report": body.decode("utf-8"),
            "stored_at": datetime.now(UTC),
        }
        dialect = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        statement = dialect(readiness_reports).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[readiness_reports.c.workspace],
            set_={k: statement.excluded[k] for k in ("fingerprint", "report", "stored_at")},
        )
        with self._engine.connect() as conn:
            conn.execute(statement)
            conn.commit()

    @contextmanager
    def computing(self, workspace: str) -> Iterator[None]:
        with named_lock(self._engine, f"readiness:{workspace}"):
            yield


def _parsed(fingerprint: str | None) -> dict | None:
    if fingerprint is None:
        return None
    try:
        value = json.loads(fingerprint)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
