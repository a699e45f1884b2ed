"""The relational database (SQLite by default, PostgreSQL by URL) via SQLAlchemy.

The schema is Alembic's (``assistant/migrations``): every store calls ``ensure_schema``
with its engine, which brings the database to the newest revision once per engine and
process, so a node started on an older database upgrades it before serving. Concurrent
upgrades are serialized (an advisory lock on PostgreSQL, a lock file next to an SQLite
file), so nodes starting together run each migration once.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from assistant.errors import ConfigurationError, StoreUnavailable

_upgraded: weakref.WeakSet[Engine] = weakref.WeakSet()
_upgrade_lock = threading.Lock()


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout so processes can share it.

    A URL that cannot work raises ``ConfigurationError`` naming what to fix (the password
    is never shown); connecting happens later, on first use.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            "invalid database URL: expected e.g. sqlite:////path/auditprep.db or "
            "postgresql+psycopg://user:password@host:5432/auditprep"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigurationError(f"unsupported database {backend!r} in {shown(parsed)}: use sqlite or postgresql")
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if parsed.get_driver_name() != "psycopg":
        raise ConfigurationError(
            f"database URL {shown(parsed)}: use the psycopg driver, postgresql+psycopg://user:password@host/db"
        )
    try:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (ModuleNotFoundError, NoSuchModuleError):
        raise ConfigurationError("the PostgreSQL driver is not installed: pip install 'auditprep[postgres]'") from None


def shown(url: URL) -> str:
    """The URL as it may be printed: never with its password."""
    return url.render_as_string(hide_password=True)


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection, with "cannot reach the database" as ``StoreUnavailable``."""
    try:
        conn = engine.connect()
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise StoreUnavailable(f"cannot reach the database at {shown(engine.url)}: {reason}") from None
    with conn:
        yield conn


def ping(engine: Engine) -> None:
    """Raise ``StoreUnavailable`` unless the database answers."""
    with connect(engine) as conn:
        conn.execute(text("SELECT 1"))


@cache
def _script():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "assistant:migrations")
    return config, ScriptDirectory.from_config(config)


def head_revision() -> str:
    return str(_script()[1].get_current_head())


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database or one from before
    migrations."""
    from alembic.runtime.migration import MigrationContext

    with connect(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database to ``revision``; returns the revision it is at afterwards."""
    from alembic import command

    config, _ = _script()
    with connect(engine) as conn, named_lock(engine, "schema-upgrade"):  # one upgrade at a time, every node
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, revision)
        finally:
            config.attributes.pop("connection", None)
        conn.commit()
    _upgraded.add(engine)
    return current_revision(engine) or ""


def ensure_schema(engine: Engine) -> None:
    """Upgrade to the newest revision unless this process already did for ``engine``."""
    if engine in _upgraded:
        return
    with _upgrade_lock:
        if engine in _upgraded:
            return
        if current_revision(engine) != head_revision():
            upgrade(engine)
        _upgraded.add(engine)


@contextmanager
def named_lock(engine: Engine, name: str) -> Iterator[None]:
    """Wait for, then hold, the lock called ``name`` among every process using ``engine``'s
    database: a session advisory lock on PostgreSQL (it dies with its holder's connection),
    an OS file lock next to an SQLite file. An in-memory database has one process: no lock."""
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"auditprep-lock:{name}".encode()).digest()[:8], "big", signed=True)
        with engine.connect() as conn:  # a database gone after start is the API's generic 503
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:" or "mode=memory" in database:
        yield
        return
    tag = hashlib.sha256(name.encode()).hexdigest()[:16]
    handle: Any = open(f"{database}.{tag}.lock", "a+b")  # noqa: SIM115 - held for the block
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()
