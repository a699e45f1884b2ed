"""Ingest locks across nodes: on PostgreSQL the workspace lock is an advisory lock in the
shared database, so an upload on one node waits for (or is refused by) an ingest on
another node, which a lock file on each node's own disk never could."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.bootstrap import build_assistant
from assistant.db import create_db_engine
from assistant.workspaces import workspace_collection
from ingest.lock import workspace_lock
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

POLICY = b"# Change management\n\nEvery normal change is approved by the change advisory board before it is deployed.\n"


def _node(tmp_path: Path, name: str, pg_url: str, embedder) -> TestClient:
    """One API node: its own data folder (so its own lock files), the shared database."""
    settings = make_settings(tmp_path / name, database_url=pg_url, auth="off", workspace="acme")
    return TestClient(create_app(settings, build_assistant(settings, embedder)))


def _upload(client: TestClient):
    return client.post("/v1/documents", files=[("files", ("change-policy.md", POLICY, "text/markdown"))])


def test_an_upload_while_another_node_ingests_the_workspace_is_refused_with_409(tmp_path, pg_url, embedder):
    node_b = _node(tmp_path, "b", pg_url, embedder)
    holding, release = threading.Event(), threading.Event()

    def node_a_ingesting() -> None:  # node A's ingest, mid-way: its own disk, the shared database
        with workspace_lock(tmp_path / "a" / "locks", workspace_collection("acme"), 0.0, create_db_engine(pg_url)):
            holding.set()
            release.wait(30)

    other = threading.Thread(target=node_a_ingesting)
    other.start()
    try:
        assert holding.wait(30)
        refused = _upload(node_b)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "workspace_busy"
    finally:
        release.set()
        other.join()
    accepted = _upload(node_b)
    assert accepted.status_code == 200, accepted.text
    assert [r["outcome"] for r in accepted.json()["results"]] == ["added"]
