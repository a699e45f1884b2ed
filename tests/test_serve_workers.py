"""`auditprep serve` with several worker processes: the setting and option reach uvicorn,
bad values and a bad database are one error line, and two workers answer on one port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant import cli
from evals.bench_api import free_port


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[tuple, dict]]:
    """uvicorn.run's calls, instead of serving; the environment the command sets is undone."""
    import uvicorn

    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setenv("AUDITPREP_DATA_DIR", str(tmp_path / "unused"))
    monkeypatch.setenv("AUDITPREP_WORKSPACE", "unused")
    return calls


def test_serve_defaults_to_one_worker_per_core(served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    assert cli.main(["serve", "--data-dir", str(tmp_path / "data"), "-w", "acme", "--port", "8123"]) == 0
    ((args, kwargs),) = served
    assert args == ("assistant.api.app:worker_app",)
    assert kwargs["factory"] is True and kwargs["workers"] == 3 and kwargs["port"] == 8123
    # every worker builds its app from the environment: the command line's choices are there
    assert os.environ["AUDITPREP_DATA_DIR"] == str((tmp_path / "data").resolve())
    assert os.environ["AUDITPREP_WORKSPACE"] == "acme"
    assert (tmp_path / "data" / "auditprep.db").exists()  # the schema was made once, before the workers


def test_the_option_overrides_the_setting(served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("AUDITPREP_WORKERS", "4")
    assert cli.main(["serve", "--data-dir", str(tmp_path)]) == 0
    assert cli.main(["serve", "--data-dir", str(tmp_path), "--workers", "2"]) == 0
    assert [kwargs["workers"] for _, kwargs in served] == [4, 2]


def test_one_worker_serves_the_app_in_this_process(served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from assistant.readiness.service import ReadinessService

    warmed: list[str] = []
    monkeypatch.setattr(ReadinessService, "warm", lambda self, workspace: warmed.append(workspace))
    assert cli.main(["serve", "--data-dir", str(tmp_path), "-w", "acme", "--workers", "1"]) == 0
    ((args, kwargs),) = served
    from fastapi import FastAPI

    assert isinstance(args[0], FastAPI) and "workers" not in kwargs
    assert warmed == ["acme"]


@pytest.mark.parametrize("value", ["-1", "65", "two", ""])
def test_a_bad_worker_count_is_a_usage_error(served, value: str, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--data-dir", str(tmp_path), "--workers", value])
    assert exit_.value.code == 2 and "--workers" in capsys.readouterr().err
    assert served == []


def test_a_bad_worker_setting_is_a_usage_error(served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys):
    monkeypatch.setenv("AUDITPREP_WORKERS", "100")
    assert cli.main(["serve", "--data-dir", str(tmp_path)]) == 2
    assert "workers" in capsys.readouterr().err and served == []


def test_a_bad_database_stops_the_command_before_any_worker_starts(
    served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
):
    monkeypatch.setenv("AUDITPREP_DATABASE_URL", "mysql://auditprep@127.0.0.1/auditprep")
    assert cli.main(["serve", "--data-dir", str(tmp_path), "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unsupported database 'mysql'") and served == []


def _workers(pid: int) -> list[int]:
    """The serving processes started by ``pid`` (not multiprocessing's resource tracker)."""
    tasks = Path(f"/proc/{pid}/task")
    children = [int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split()]
    return [c for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.integration
def test_two_workers_answer_on_one_port(tmp_path: Path, data_dir: Path):
    """Two processes accept on the one port, and a stop of the command stops both."""
    port = free_port()
    env = {**os.environ, "AUDITPREP_AUTH": "off", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    command = [str(Path(sys.executable).with_name("auditprep")), "--data-dir", str(data_dir), "serve"]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        workers = _workers(server.pid)
        assert len(workers) == 2, (tmp_path / "serve.log").read_text()

        def clause(_: int) -> int:
            return httpx.get(f"{base}/v1/clauses/8.5.1", timeout=60).status_code

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(clause, range(16))) == [200] * 16
        assert "2 worker processes" in (tmp_path / "serve.log").read_text()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
