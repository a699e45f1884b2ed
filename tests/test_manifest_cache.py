"""The manifest's cached reads follow every commit to the database file: through the
manifest, through another engine (another process), and through plain SQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.db import create_db_engine
from assistant.manifest import Manifest, documents
from assistant.models import DocType, DocumentRecord, DocumentStatus

WS = "ws-cache"


def _record(document_id: str, version: int) -> DocumentRecord:
    return DocumentRecord(
        workspace=WS,
        document_id=document_id,
        source=f"{document_id}.md",
        title=document_id,
        doc_type=DocType.POLICY,
        content_hash=f"h{version}",
        version=version,
        chunk_count=1,
        status=DocumentStatus.INDEXED,
        ingested_at=datetime.now(UTC),
    )


def _commit(manifest: Manifest, document_id: str, version: int) -> None:
    manifest.commit(_record(document_id, version), [f"{document_id}-v{version}-00000"], [])


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'auditprep.db'}"


def test_reads_follow_commits_made_through_the_manifest(url: str):
    manifest = Manifest(create_db_engine(url))
    assert manifest.committed_versions(WS) == {}
    _commit(manifest, "a", 1)
    assert manifest.committed_versions(WS) == {"a": 1}
    _commit(manifest, "a", 2)
    assert manifest.committed_versions(WS) == {"a": 2}
    assert [(r.document_id, r.version) for r in manifest.list(WS)] == [("a", 2)]
    manifest.remove(WS, "a", [])
    assert manifest.committed_versions(WS) == {} and manifest.list(WS) == []


def test_reads_follow_commits_made_by_another_engine_and_by_plain_sql(url: str):
    reader = Manifest(create_db_engine(url))
    writer_engine = create_db_engine(url)
    writer = Manifest(writer_engine)
    assert reader.committed_versions(WS) == {}
    _commit(writer, "a", 1)
    assert reader.committed_versions(WS) == {"a": 1}
    with writer_engine.begin() as conn:  # a write that bypasses Manifest altogether
        conn.execute(documents.update().where(documents.c.document_id == "a").values(version=3))
    assert reader.committed_versions(WS) == {"a": 3}
    assert reader.list(WS)[0].version == 3
    writer.drop_workspace(WS)
    assert reader.list(WS) == []


def test_cached_values_cannot_be_changed_by_callers(url: str):
    manifest = Manifest(create_db_engine(url))
    _commit(manifest, "a", 1)
    manifest.committed_versions(WS)["a"] = 99
    manifest.list(WS).clear()
    assert manifest.committed_versions(WS) == {"a": 1}
    record = manifest.list(WS)[0]
    with pytest.raises(ValidationError):
        record.version = 5
    assert manifest.list(WS)[0].version == 1


def test_concurrent_readers_never_keep_a_stale_value(url: str):
    reader = Manifest(create_db_engine(url))
    writer = Manifest(create_db_engine(url))
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            reader.committed_versions(WS)

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for version in range(1, 30):
            _commit(writer, "a", version)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert reader.committed_versions(WS) == {"a": 29}


def test_an_in_memory_database_is_read_every_time():
    manifest = Manifest(create_db_engine("sqlite://"))
    _commit(manifest, "a", 1)
    assert manifest.committed_versions(WS) == {"a": 1}
    _commit(manifest, "a", 2)
    assert manifest.committed_versions(WS) == {"a": 2}
