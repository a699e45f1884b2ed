"""The lexical index contract, run against the PostgreSQL adapter on a real cluster, and
what only a shared index gives: a second node's instance sees the first one's rows."""

from __future__ import annotations

import pytest

from assistant.adapters.pg_lexical import PostgresLexicalIndex
from assistant.db import create_db_engine
from assistant.errors import ConfigurationError
from assistant.ports import StoredChunk
from tests.test_store_contract import TestLexicalIndex as LexicalContract

pytestmark = pytest.mark.integration


class TestPostgresLexicalIndex(LexicalContract):
    @pytest.fixture
    def index(self, pg_url: str):
        engine = create_db_engine(pg_url)
        yield PostgresLexicalIndex(engine)
        engine.dispose()

    def test_metadata_filters_match_json_values_of_any_type(self, index):
        index.upsert(
            "ws-t",
            [
                StoredChunk("a", "change approval", {"document_id": "d", "version": 2, "current": True}),
                StoredChunk("b", "change approval", {"document_id": "e", "version": 3, "current": False}),
            ],
        )
        assert [h.chunk.id for h in index.search("ws-t", "change", 5, where={"version": [2, 9]})] == ["a"]
        assert [h.chunk.id for h in index.search("ws-t", "change", 5, where={"current": False})] == ["b"]
        assert [h.chunk.id for h in index.search("ws-t", "change", 5, where={"document_id": ["e"]})] == ["b"]
        hit = index.search("ws-t", "approval", 5, where={"version": 2})[0]
        assert hit.chunk.metadata == {"document_id": "d", "version": 2, "current": True}


def test_two_nodes_share_one_index(pg_url: str):
    node_a = PostgresLexicalIndex(create_db_engine(pg_url))
    node_b = PostgresLexicalIndex(create_db_engine(pg_url))
    node_a.replace_document(
        "ws-acme", "d", [StoredChunk("d:1:0", "The CAB approves normal changes.", {"document_id": "d"})]
    )
    assert [h.chunk.id for h in node_b.search("ws-acme", "who approves changes", 5)] == ["d:1:0"]
    node_b.delete_document("ws-acme", "d")
    assert node_a.count("ws-acme") == 0


def test_refuses_a_database_that_is_not_postgresql(tmp_path):
    with pytest.raises(ConfigurationError, match="postgresql"):
        PostgresLexicalIndex(create_db_engine(f"sqlite:///{tmp_path / 'x.db'}"))


def test_with_postgresql_every_node_ingests_into_and_searches_the_shared_index(tmp_path, pg_url, embedder):
    from assistant.adapters.fts_index import FtsIndex
    from assistant.bootstrap import build_assistant
    from assistant.workspaces import workspace_collection
    from tests.conftest import make_settings

    node_a = build_assistant(make_settings(tmp_path / "a", database_url=pg_url), embedder)
    node_b = build_assistant(make_settings(tmp_path / "b", database_url=pg_url), embedder)
    assert isinstance(node_a.lexical, PostgresLexicalIndex)
    document = tmp_path / "escalation.md"
    document.write_text("# Escalation\n\nMajor incidents are escalated to the duty manager within fifteen minutes.\n")
    report = node_a.pipeline.ingest_paths([document], "acme")
    assert not report.failed
    hits = node_b.lexical.search(workspace_collection("acme"), "who gets escalated major incidents", 5)
    assert hits and hits[0].chunk.metadata["source"].endswith("escalation.md")
    assert not (tmp_path / "a" / "lexical.sqlite").exists()
    assert isinstance(build_assistant(make_settings(tmp_path / "c"), embedder).lexical, FtsIndex)
