"""The command line's edges: global options after the command name, and document lists
that keep every character when piped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import _parser, main
from assistant.db import create_db_engine
from assistant.originals import DbOriginals
from tests.conftest import KNOWLEDGE

pytestmark = pytest.mark.integration

LONG_NAME = (
    "change-management-procedure-for-normal-standard-and-emergency-changes-approved-by-the-change-advisory-board-v2.md"
)
SPACED_NAME = "Incident management [draft] — 事件管理 procedure for the service desk and second-line support teams.md"
CHANGE = """# Change Management Procedure

## 1 Approval
The CAB approves every normal change at its weekly meeting.
"""


def _originals(data: Path) -> list[str]:
    """The names of the workspace's kept originals, read from the data folder's database."""
    return DbOriginals(create_db_engine(f"sqlite:///{data / 'auditprep.db'}")).names("acme")


@pytest.fixture
def no_env_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty folder, so a --data-dir that is ignored shows up as ./data."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUDITPREP_KNOWLEDGE_DIR", str(KNOWLEDGE))
    return tmp_path


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "-w", "kestrel", "--data-dir", "X", "Who approves changes?"],
        ["--data-dir", "X", "ask", "-w", "kestrel", "Who approves changes?"],
        ["--data-dir", "elsewhere", "ask", "--data-dir", "X", "-w", "kestrel", "Who approves changes?"],
    ],
)
def test_data_dir_is_accepted_before_or_after_the_command(argv: list[str]):
    args = _parser().parse_args(argv)
    assert (args.data_dir, args.workspace, args.question) == (Path("X"), "kestrel", "Who approves changes?")


def test_data_dir_before_the_command_is_not_cleared_by_the_command():
    args = _parser().parse_args(["--data-dir", "X", "documents", "list", "-w", "acme"])
    assert args.data_dir == Path("X")
    assert not hasattr(_parser().parse_args(["documents", "list"]), "data_dir")


def test_every_command_uses_a_data_dir_given_after_its_name(no_env_data_dir: Path, capsys):
    first, second = no_env_data_dir / "first", no_env_data_dir / "second"
    assert main(["keys", "create", "-w", "acme", "--data-dir", str(first), "--label", "ci"]) == 0
    key_id = capsys.readouterr().out.split()[2]
    assert main(["keys", "list", "--data-dir", str(first)]) == 0
    assert key_id in capsys.readouterr().out
    assert main(["--data-dir", str(first), "keys", "list"]) == 0
    assert key_id in capsys.readouterr().out
    assert main(["keys", "--data-dir", str(second), "list"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["documents", "list", "-w", "acme", "--data-dir", str(second)]) == 0
    assert "has no documents" in capsys.readouterr().out
    assert not (no_env_data_dir / "data").exists()
    assert (second / "auditprep.db").exists()


@pytest.fixture
def long_named_documents(assistant, tmp_path: Path) -> Path:
    org = tmp_path / "org"
    org.mkdir()
    (org / LONG_NAME).write_text(CHANGE, encoding="utf-8")
    (org / SPACED_NAME).write_text(CHANGE.replace("Change", "Incident"), encoding="utf-8")
    (org / "empty.md").write_text("", encoding="utf-8")
    assistant.pipeline.ingest_paths([org], "acme")
    return assistant.settings.data_dir


def _rows(output: str) -> dict[str, list[str]]:
    lines = output.splitlines()
    assert lines[0].split("\t") == ["id", "source", "type", "version", "chunks", "status"]
    return {fields[1]: fields for fields in (line.split("\t") for line in lines[1:])}


def test_documents_list_keeps_long_names_when_captured(long_named_documents: Path, capsys):
    assert main(["documents", "list", "-w", "acme", "--data-dir", str(long_named_documents)]) == 0
    rows = _rows(capsys.readouterr().out)
    assert set(rows) == {LONG_NAME, SPACED_NAME, "empty.md"}
    assert rows[LONG_NAME][5] == "indexed"
    assert rows["empty.md"][5] == "failed (empty file)"


def test_documents_list_piped_to_another_program_keeps_long_names(long_named_documents: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDITPREP_", "FORCE_COLOR", "TTY_"))}
    env.update(AUDITPREP_KNOWLEDGE_DIR=str(KNOWLEDGE), FORCE_COLOR="1", COLUMNS="80")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "documents",
            "list",
            "-w",
            "acme",
            "--data-dir",
            str(long_named_documents),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    rows = _rows(out.stdout)
    assert {LONG_NAME, SPACED_NAME} <= set(rows)
    assert all(len(fields) == 6 for fields in rows.values())


def test_documents_add_keeps_good_files_and_reports_refused_ones(no_env_data_dir: Path, capsys):
    """`documents add` is the API's upload from a terminal: a good file is ingested and kept,
    a refused one is reported and leaves nothing behind, and the exit status says so."""
    data = no_env_data_dir / "data-add"
    good = no_env_data_dir / "变更管理.md"
    good.write_text(CHANGE, encoding="utf-8")
    binary = no_env_data_dir / "tool.exe"
    binary.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 8)
    status = main(["documents", "add", str(good), str(binary), "-w", "acme", "--data-dir", str(data)])
    out, err = capsys.readouterr()
    assert status == 1  # one file failed
    assert "tool.exe" in err and "1 added" in out
    kept = _originals(data)
    assert len(kept) == 1 and kept[0].endswith(".md")
    assert main(["documents", "list", "-w", "acme", "--data-dir", str(data)]) == 0
    rows = _rows(capsys.readouterr().out)
    assert "变更管理.md" in rows and rows["变更管理.md"][5] == "indexed"
    assert "tool.exe" not in rows


def test_documents_add_of_a_missing_file_is_a_usage_error_and_changes_nothing(no_env_data_dir: Path, capsys):
    data = no_env_data_dir / "data-missing"
    status = main(["documents", "add", str(no_env_data_dir / "nowhere.md"), "-w", "acme", "--data-dir", str(data)])
    assert status == 2
    assert "not a file" in capsys.readouterr().err
    assert not (data / "auditprep.db").exists() or _originals(data) == []


def test_documents_add_of_one_refused_file_is_a_clear_error(no_env_data_dir: Path, capsys):
    data = no_env_data_dir / "data-refused"
    binary = no_env_data_dir / "archive.zip"
    binary.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    status = main(["documents", "add", str(binary), "-w", "acme", "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert status == 1, err
    assert "unsupported file type '.zip'" in err and "supported:" in err
    assert "Traceback" not in err
    assert _originals(data) == []
    assert not any((data / "staging").rglob("*"))
