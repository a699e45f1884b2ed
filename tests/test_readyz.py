"""/readyz tells a load balancer whether this node can answer: the vector store, the
database at the newest schema, the lexical index and the embedder."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from assistant.api.app import create_app
from assistant.bootstrap import build_assistant
from tests.conftest import make_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def node(data_dir: Path, embedder):
    settings = make_settings(data_dir, auth="off")
    assistant = build_assistant(settings, embedder=embedder)
    return TestClient(create_app(settings, assistant), raise_server_exceptions=False), assistant


def test_a_healthy_node_reports_every_part(node):
    client, _ = node
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"store": "ok", "database": "ok", "lexical": "ok", "embedder": "ok"}


def test_a_database_behind_the_newest_schema_is_not_ready(node):
    client, assistant = node
    assert client.get("/readyz").status_code == 200
    with assistant.engine.begin() as conn:  # as if another node's older release had migrated it
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("behind: schema 0001")


def test_an_unreadable_lexical_index_is_not_ready(tmp_path: Path, embedder):
    """A node whose lexical index file is damaged (a bad disk, a half-copied volume)."""
    settings = make_settings(tmp_path / "data", auth="off")
    settings.lexical_path.parent.mkdir(parents=True, exist_ok=True)
    settings.lexical_path.write_bytes(b"this is not an SQLite file" * 100)
    client = TestClient(create_app(settings, build_assistant(settings, embedder=embedder)))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["lexical"].startswith("unavailable")
    assert checks["store"] == checks["database"] == "ok"
