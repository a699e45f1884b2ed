"""The relational database: one schema through Alembic on SQLite and PostgreSQL, a data
folder made before migrations upgraded in place, and clear errors for URLs that cannot
work or servers that cannot be reached (one line and exit status 2 on the CLI, 503 on the
API)."""

from __future__ import annotations

import hashlib
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, inspect, text

from assistant.api.app import create_app
from assistant.apikeys import KeyStore
from assistant.bootstrap import build_assistant
from assistant.cli import main
from assistant.db import create_db_engine, current_revision, head_revision, upgrade
from assistant.errors import ConfigurationError
from assistant.manifest import Manifest
from assistant.schema import metadata
from tests.conftest import make_settings


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _old_layout(path: Path) -> None:
    """A database file as the code before migrations left it: each store's ``create_all``
    of its own tables, here from before document warnings, with rows in it."""
    old = MetaData()
    tz = DateTime(timezone=True)
    Table(
        "documents",
        old,
        Column("workspace", String(128), primary_key=True),
        Column("document_id", String(64), primary_key=True),
        Column("source", Text, nullable=False),
        Column("title", Text, nullable=False),
        Column("doc_type", String(32), nullable=False),
        Column("content_hash", String(64), nullable=False),
        Column("version", Integer, nullable=False),
        Column("chunk_ids", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("last_error", Text),
        Column("ingested_at", tz, nullable=False),
    )
    Table(
        "chunk_garbage",
        old,
        Column("workspace", String(128), primary_key=True),
        Column("chunk_id", String(160), primary_key=True),
    )
    Table(
        "api_keys",
        old,
        Column("id", String(16), primary_key=True),
        Column("workspace", String(128), nullable=False),
        Column("key_hash", String(64), nullable=False, unique=True),
        Column("label", String(128)),
        Column("revoked", Boolean, nullable=False, default=False),
        Column("created_at", tz, nullable=False),
    )
    engine = create_engine(f"sqlite:///{path}")
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO documents VALUES ('ws-acme', 'd1', 'policy.md', 'Service policy', 'policy', 'h', 2,"
                " '[\"d1:2:0\"]', 'indexed', NULL, :at)"
            ),
            {"at": datetime(2026, 1, 2, tzinfo=UTC)},
        )
        conn.execute(text("INSERT INTO chunk_garbage VALUES ('ws-acme', 'd1:1:0')"))
    engine.dispose()


def test_a_data_folder_from_before_migrations_upgrades_in_place_keeping_its_rows(tmp_path: Path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    db = data / "auditprep.db"
    _old_layout(db)
    engine = create_engine(f"sqlite:///{db}")
    assert current_revision(engine) is None  # no alembic_version yet
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO api_keys VALUES ('k1', 'acme', :h, 'ops', 0, :at)"),
            {"h": hashlib.sha256(b"apk_old-secret").hexdigest(), "at": datetime.now(UTC)},
        )

    assert main(["db", "upgrade", "--data-dir", str(data)]) == 0
    assert "upgraded none -> " + head_revision() in capsys.readouterr().out

    engine = create_engine(f"sqlite:///{db}")
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {"document_warnings", "interview_sessions", "feedback", "slack_threads"} <= tables
    manifest = Manifest(engine)
    [record] = manifest.list("ws-acme")
    assert (record.document_id, record.version, record.chunk_count) == ("d1", 2, 1)
    assert manifest.pending_garbage("ws-acme") == ["d1:1:0"]
    found = KeyStore(engine).authenticate("apk_old-secret")
    assert found is not None and found.workspace == "acme"
    # a second upgrade changes nothing
    assert main(["db", "upgrade", "--data-dir", str(data)]) == 0
    assert f"at revision {head_revision()}" in capsys.readouterr().out


def test_the_migrations_build_exactly_the_schema_the_code_uses_on_sqlite(tmp_path: Path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert upgrade(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_db_current_reports_a_database_behind_and_up_to_date(tmp_path: Path, capsys):
    assert main(["db", "current", "--data-dir", str(tmp_path)]) == 0
    assert "revision none, behind" in capsys.readouterr().out
    main(["db", "upgrade", "--data-dir", str(tmp_path)])
    capsys.readouterr()
    assert main(["db", "current", "--data-dir", str(tmp_path)]) == 0
    assert f"revision {head_revision()}, up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "invalid database URL"),
        ("mysql://user@db/auditprep", "unsupported database 'mysql'"),
        ("postgresql+psycopg2://user@db/auditprep", "use the psycopg driver"),
    ],
)
def test_a_database_url_that_cannot_work_is_one_line_and_exit_status_2(url, says, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUDITPREP_DATABASE_URL", url)
    assert main(["keys", "list", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_unreachable_database_is_one_line_exit_status_2_and_never_shows_the_password(tmp_path, monkeypatch, capsys):
    url = f"postgresql+psycopg://auditprep:s3cret-pw@127.0.0.1:{_closed_port()}/auditprep"
    monkeypatch.setenv("AUDITPREP_DATABASE_URL", url)
    assert main(["db", "upgrade", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the database at postgresql+psycopg://auditprep:***@127.0.0.1:")
    assert err.count("\n") == 1 and "s3cret-pw" not in err


def test_a_missing_postgresql_driver_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if auditprep[postgres] were not installed
    with pytest.raises(ConfigurationError, match=r"pip install 'auditprep\[postgres\]'"):
        create_db_engine("postgresql+psycopg://auditprep@127.0.0.1/auditprep")


@pytest.mark.integration
def test_the_api_answers_503_when_the_database_is_unreachable(tmp_path: Path, embedder):
    url = f"postgresql+psycopg://auditprep:pw@127.0.0.1:{_closed_port()}/auditprep"
    settings = make_settings(tmp_path, database_url=url, auth="off")
    client = TestClient(create_app(settings, build_assistant(settings, embedder)), raise_server_exceptions=False)
    response = client.get("/v1/documents")
    assert response.status_code == 503
    assert response.json()["error"]["message"].startswith("cannot reach the database at postgresql+psycopg://")
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("unavailable")


@pytest.mark.integration
def test_an_unreachable_chroma_server_is_one_line_and_exit_status_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUDITPREP_CHROMA_URL", f"http://127.0.0.1:{_closed_port()}")
    assert main(["documents", "remove", "policy.md", "-w", "acme", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the Chroma server at http://127.0.0.1:") and err.count("\n") == 1


@pytest.mark.integration
def test_on_postgresql_the_migrations_build_the_schema_and_the_lexical_table(pg_url: str):
    engine = create_db_engine(pg_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, kind, _: not (kind == "table" and name == "lexical_chunks")}
        )
        assert compare_metadata(context, metadata) == []
    columns = {c["name"] for c in inspect(engine).get_columns("lexical_chunks")}
    assert {"collection", "id", "document_id", "metadata", "text", "context", "tsv"} <= columns
    assert upgrade(engine) == head_revision()  # idempotent
    engine.dispose()


@pytest.mark.integration
def test_the_api_answers_503_when_postgresql_goes_away_after_start(
    pg_url: str, postgres_server: str, tmp_path: Path, embedder
):
    import psycopg

    settings = make_settings(tmp_path, database_url=pg_url, auth="off")
    client = TestClient(create_app(settings, build_assistant(settings, embedder)), raise_server_exceptions=False)
    assert client.get("/v1/documents").status_code == 200
    admin = postgres_server.replace("postgresql+psycopg://", "postgresql://") + "postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{pg_url.rsplit("/", 1)[1]}" WITH (FORCE)')
    response = client.get("/v1/documents")
    assert response.status_code == 503
    assert response.json()["error"] == {
        "code": "unavailable",
        "message": "the database is unavailable; try again shortly",
    }


def test_slack_oauth_tables_the_bot_made_before_migrations_are_kept_with_their_rows(tmp_path: Path):
    """Before its tables were migrated, the bot's installation store created them itself: an
    upgrade adopts them, rows and all, and the schema then matches the migrations."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    engine = create_db_engine(f"sqlite:///{tmp_path / 'auditprep.db'}")
    upgrade(engine, "0004")
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    store.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            store.bots.insert().values(
                client_id="111.222",
                app_id="A1",
                team_id="T1",
                bot_token="xoxb-1",
                is_enterprise_install=False,
                installed_at=datetime(2026, 1, 1),
            )
        )
    assert upgrade(engine) == head_revision()
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-1"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
