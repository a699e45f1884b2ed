"""The lexical index's per-collection layout: data files of the older single-table layout
are moved over on open without losing a row, and collection names never reach SQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant.adapters.fts_index import FtsIndex, match_query
from assistant.ports import StoredChunk

pytestmark = pytest.mark.integration

# The schema data files were written with before each collection had its own tables.
LEGACY_SCHEMA = """
CREATE TABLE chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    collection TEXT NOT NULL,
    document_id TEXT NOT NULL,
    metadata TEXT NOT NULL,
    text TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    UNIQUE (collection, id)
);
CREATE INDEX chunks_doc ON chunks (collection, document_id);
CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, context, content='chunks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts (rowid, text, context) VALUES (new.rowid, new.text, new.context);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts (chunks_fts, rowid, text, context)
    VALUES ('delete', old.rowid, old.text, old.context);
END;
"""
LEGACY_SEARCH = (
    "SELECT c.id, bm25(chunks_fts, 1.0, 0.4) AS rank FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
    "WHERE chunks_fts MATCH ? AND c.collection = ? ORDER BY rank LIMIT ?"
)
TEXTS = [
    "The CAB approves every normal change on Tuesday.",
    "Emergency changes are approved by the ECAB and reviewed afterwards.",
    "Incidents are logged by the service desk and prioritised P1 to P4.",
    "Capacity thresholds trigger alerts to the infrastructure team.",
    "The continuity plan is tested once a year with a failover exercise.",
    "Change records hold the risk assessment and the back-out plan.",
]


def _legacy_file(path: Path, collections: dict[str, int]) -> None:
    """A data file in the single-table layout, ``n`` chunks per collection."""
    db = sqlite3.connect(path)
    db.executescript(LEGACY_SCHEMA)
    for name, n in collections.items():
        for i in range(n):
            meta = {"document_id": f"doc{i % 3}", "version": 1, "title": f"Doc {i % 3}", "section": "s"}
            db.execute(
                "INSERT INTO chunks (id, collection, document_id, metadata, text, context) VALUES (?, ?, ?, ?, ?, ?)",
                (f"{name}-{i}", name, meta["document_id"], json.dumps(meta), TEXTS[i % len(TEXTS)], "Doc s"),
            )
    db.commit()
    db.close()


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}


def test_legacy_layout_is_migrated_on_open_without_losing_rows(tmp_path: Path):
    path = tmp_path / "lexical.sqlite"
    _legacy_file(path, {"auditprep-standard": 7, "ws-kestrel": 12})
    index = FtsIndex(path)
    assert index.count("auditprep-standard") == 7
    assert index.count("ws-kestrel") == 12
    assert index.chunk_ids("ws-kestrel", "doc0") == sorted(f"ws-kestrel-{i}" for i in range(0, 12, 3))
    hits = index.search("ws-kestrel", "who approves emergency changes", 20)
    assert hits and all(h.chunk.id.startswith("ws-kestrel-") for h in hits)
    assert hits[0].chunk.metadata["document_id"].startswith("doc")
    assert not {"chunks", "chunks_fts", "chunks_ai", "chunks_ad"} & _tables(path)
    index.close()
    again = FtsIndex(path)  # a second open finds nothing left to migrate
    assert again.count("ws-kestrel") == 12
    again.upsert("ws-kestrel", [StoredChunk("new", "emergency approval", {"document_id": "d9"})])
    assert again.count("ws-kestrel") == 13
    assert again.count("auditprep-standard") == 7


def test_migrated_search_ranks_as_the_single_table_did(tmp_path: Path):
    """With one collection the statistics are the same, so ids, order and scores are too."""
    path = tmp_path / "lexical.sqlite"
    _legacy_file(path, {"ws-only": 30})
    questions = ["Who approves emergency changes?", "capacity alerts", "How is the continuity plan tested?"]
    with sqlite3.connect(path) as db:
        before = [db.execute(LEGACY_SEARCH, (match_query(q), "ws-only", 8)).fetchall() for q in questions]
    index = FtsIndex(path)
    after = [[(h.chunk.id, -h.score) for h in index.search("ws-only", q, 8)] for q in questions]
    assert [[i for i, _ in rows] for rows in after] == [[i for i, _ in rows] for rows in before]
    assert [[round(s, 9) for _, s in rows] for rows in after] == [[round(s, 9) for _, s in rows] for rows in before]


def test_a_failed_migration_leaves_the_legacy_layout_intact(tmp_path: Path):
    path = tmp_path / "lexical.sqlite"
    _legacy_file(path, {"ws-a": 4})
    with sqlite3.connect(path) as db:  # a table in the way of the one the migration creates
        db.execute("CREATE TABLE c1_fts (x)")
        db.execute("CREATE TABLE c1_chunks (x)")
    with pytest.raises(sqlite3.Error):
        FtsIndex(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] == 4
        assert db.execute("SELECT COUNT(*) FROM collections").fetchone()[0] == 0


def test_collections_have_their_own_tables_and_statistics(tmp_path: Path):
    index = FtsIndex(tmp_path / "lexical.sqlite")
    index.upsert("ws-small", [StoredChunk("a", "change approval by the CAB", {"document_id": "d"})])
    index.upsert("ws-big", [StoredChunk(f"b{i}", "change change change", {"document_id": "e"}) for i in range(50)])
    alone = FtsIndex(tmp_path / "alone.sqlite")
    alone.upsert("ws-small", [StoredChunk("a", "change approval by the CAB", {"document_id": "d"})])
    shared, own = index.search("ws-small", "change approval", 5), alone.search("ws-small", "change approval", 5)
    assert shared[0].score == own[0].score
    index.drop_collection("ws-big")
    assert index.count("ws-big") == 0 and index.search("ws-big", "change", 5) == []
    index.upsert("ws-big", [StoredChunk("c", "change again", {"document_id": "e"})])
    assert [h.chunk.id for h in index.search("ws-big", "change", 5)] == ["c"]


@pytest.mark.parametrize(
    "name",
    [
        'ws"; DROP TABLE collections; --',
        "ws'); DELETE FROM c1_chunks; --",
        "c1_chunks",
        "ws-]`[\\",
    ],
)
def test_hostile_collection_names_are_only_data(tmp_path: Path, name: str):
    index = FtsIndex(tmp_path / "lexical.sqlite")
    index.upsert("ws-victim", [StoredChunk("v", "change approval", {"document_id": "d"})])
    index.upsert(name, [StoredChunk("h", "change approval hostile", {"document_id": "d"})])
    assert [h.chunk.id for h in index.search(name, "change", 5)] == ["h"]
    assert [h.chunk.id for h in index.search("ws-victim", "change", 5)] == ["v"]
    assert index.chunk_ids(name, "d") == ["h"]
    index.drop_collection(name)
    assert index.count(name) == 0
    assert index.count("ws-victim") == 1
    assert {"collections", "c1_chunks", "c2_chunks"} <= _tables(tmp_path / "lexical.sqlite")
