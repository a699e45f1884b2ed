"""A throw-away PostgreSQL cluster for the tests: ``initdb`` into a temporary folder and
``postgres`` on a free loopback port, once per test session; each test gets a database
of its own. PostgreSQL refuses to run as root, so under root the server runs as
``nobody``. On a machine without PostgreSQL the fixture fails with what to install
(``.ci/run`` installs Debian's ``postgresql``)."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

USER = "auditprep"


def _bin_dir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    pytest.fail("PostgreSQL is not installed: apt-get install postgresql (Debian) provides initdb and postgres")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> dict[str, str]:
    """Popen arguments that drop root to ``nobody`` (PostgreSQL will not run as root)."""
    return {"user": "nobody", "group": "nogroup"} if os.geteuid() == 0 else {}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """``postgresql+psycopg://…/`` of a running cluster (no database name)."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="auditprep-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
        for path in (root, sockets):
            shutil.chown(path, "nobody", "nogroup")
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8"],
        check=True,
        cwd=root,
        **_server_user(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            str(bin_dir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "-k",
            str(sockets),
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ],  # fmt: skip
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **_server_user(),
    )
    deadline = time.monotonic() + 30
    while True:
        ready = subprocess.run(
            [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, "-d", "postgres"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if ready.returncode == 0:
            break
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"PostgreSQL did not start on port {port}")
        time.sleep(0.2)
    try:
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/"
    finally:
        server.send_signal(signal.SIGINT)  # "fast" shutdown: does not wait for clients
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def fresh_database(postgres_server: str, prefix: str = "t") -> Iterator[str]:
    """A new, empty database on the session's cluster, dropped afterwards (with any
    connection still open to it)."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = postgres_server.replace("postgresql+psycopg://", "postgresql://") + "postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's cluster."""
    with fresh_database(postgres_server) as url:
        yield url
