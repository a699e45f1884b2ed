"""Originals of uploaded files, kept in the database every node shares: the same behaviour
on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from assistant.db import create_db_engine
from assistant.originals import DbOriginals


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'auditprep.db'}"
    return request.getfixturevalue("pg_url")


def test_an_original_is_kept_replaced_listed_and_deleted_for_every_process(database_url: str):
    node_a, node_b = DbOriginals(create_db_engine(database_url)), DbOriginals(create_db_engine(database_url))
    binary = bytes(range(256)) * 64  # PDFs and DOCX files are binary: kept byte for byte
    node_a.put("acme", "plan.pdf", binary)
    node_a.put("acme", "policy.md", b"v1")
    node_a.put("other", "policy.md", b"elsewhere")
    assert node_b.get("acme", "plan.pdf") == binary
    node_b.put("acme", "policy.md", b"v2")  # a new version replaces the old one
    assert node_a.get("acme", "policy.md") == b"v2" and node_a.get("other", "policy.md") == b"elsewhere"
    assert node_a.names("acme") == ["plan.pdf", "policy.md"]
    assert node_a.delete("acme", "plan.pdf") and not node_b.delete("acme", "plan.pdf")
    assert node_b.get("acme", "plan.pdf") is None and node_b.names("acme") == ["policy.md"]
