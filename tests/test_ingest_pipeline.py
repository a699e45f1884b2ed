"""The incremental ingest pipeline with the real embedder, chromadb and SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import StoreUnavailable, WorkspaceBusy
from assistant.models import FileOutcome
from assistant.workspaces import workspace_collection
from ingest.lock import workspace_lock
from tests.builders import write_docx, write_pdf, write_zip_bomb_docx

pytestmark = pytest.mark.integration

CHANGE = """# Change Management Procedure

## 1 Normal changes
Every normal change is raised as an RFC. The Change Manager assesses risk and impact, and the CAB
approves the change at its weekly meeting before implementation.

## 2 Emergency changes
Emergency changes are approved by the Emergency CAB within 2 hours. A post-implementation review
is held within 5 working days.
"""
INCIDENT = """# Incident Management Procedure

## 1 Logging
The service desk logs every incident in the ITSM tool and classifies it by impact and urgency.

## 2 Major incidents
A major incident is Priority 1 and the Major Incident Manager is paged within 15 minutes.
"""


def _org(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "change-procedure.md").write_text(CHANGE, encoding="utf-8")
    (folder / "incident-procedure.md").write_text(INCIDENT, encoding="utf-8")
    return folder


def _consistent(assistant, workspace: str) -> None:
    """Both indexes hold exactly the manifest's committed chunks."""
    col = workspace_collection(workspace)
    expected = {cid for r in assistant.manifest.list(col) for cid in assistant.manifest.chunk_ids(col, r.document_id)}
    stored = {cid for doc in assistant.store.list_documents(col) for cid in assistant.store.chunk_ids(col, doc)}
    lexical = {cid for doc in assistant.store.list_documents(col) for cid in assistant.lexical.chunk_ids(col, doc)}
    assert stored == expected
    assert lexical == expected
    assert assistant.lexical.count(col) == len(expected)


def test_ingest_is_incremental_and_propagates_changes_and_deletions(assistant, tmp_path: Path):
    org = _org(tmp_path / "org")
    first = assistant.pipeline.ingest_paths([org], "acme")
    assert [r.outcome for r in first.results] == [FileOutcome.ADDED, FileOutcome.ADDED]
    again = assistant.pipeline.ingest_paths([org], "acme")
    assert all(r.outcome is FileOutcome.UNCHANGED for r in again.results)

    (org / "change-procedure.md").write_text(CHANGE.replace("2 hours", "4 hours"), encoding="utf-8")
    changed = assistant.pipeline.ingest_paths([org], "acme")
    outcomes = {r.source: r.outcome for r in changed.results}
    assert outcomes == {"change-procedure.md": FileOutcome.UPDATED, "incident-procedure.md": FileOutcome.UNCHANGED}
    col = workspace_collection("acme")
    record = next(r for r in assistant.manifest.list(col) if r.source == "change-procedure.md")
    assert record.version == 2
    texts = [c.text for c in assistant.store.get(col, assistant.manifest.chunk_ids(col, record.document_id))]
    assert any("4 hours" in t for t in texts) and not any("2 hours" in t for t in texts)
    _consistent(assistant, "acme")

    (org / "incident-procedure.md").unlink()
    kept = assistant.pipeline.ingest_paths([org], "acme", prune=False)
    assert all(r.outcome is not FileOutcome.REMOVED for r in kept.results)
    pruned = assistant.pipeline.ingest_paths([org], "acme")
    assert [r.source for r in pruned.results if r.outcome is FileOutcome.REMOVED] == ["incident-procedure.md"]
    assert [r.source for r in assistant.manifest.list(col)] == ["change-procedure.md"]
    assert assistant.lexical.search(col, "major incident paged", 5) == []
    _consistent(assistant, "acme")


def test_chunks_carry_provenance_and_clause_tags(assistant, tmp_path: Path):
    org = _org(tmp_path / "org")
    write_pdf(
        org / "continuity-plan.pdf",
        [
            ["Service Continuity Plan", "1 Purpose", "Restore services after a disaster."],
            ["2 Testing", "The disaster recovery plan is tested annually."],
        ],
    )
    assistant.pipeline.ingest_paths([org], "acme")
    col = workspace_collection("acme")
    hits = assistant.store.query(col, assistant.embedder.embed_query("emergency change approval"), 3)
    meta = hits[0].chunk.metadata
    assert meta["source"] == "change-procedure.md"
    assert meta["title"] == "Change Management Procedure"
    assert meta["doc_type"] == "procedure"
    assert meta["section"].startswith("Change Management Procedure › ")
    assert meta["workspace"] == "acme" and meta["version"] == 1 and meta["content_hash"]
    assert ",8.5.1" in meta["clauses"]
    pdf = [
        h.chunk
        for h in assistant.store.query(col, assistant.embedder.embed_query("disaster recovery tested"), 5)
        if h.chunk.metadata["source"] == "continuity-plan.pdf"
    ]
    assert pdf and pdf[0].metadata["page"] in (1, 2)
    assert any(t.startswith("8.7") for t in pdf[0].metadata["clauses"].strip(",").split(","))


def test_a_failed_replacement_leaves_the_previous_version_searchable(assistant, tmp_path: Path, monkeypatch):
    org = _org(tmp_path / "org")
    assistant.pipeline.ingest_paths([org], "acme")
    col = workspace_collection("acme")
    before = {r.document_id: r.version for r in assistant.manifest.list(col)}

    (org / "change-procedure.md").write_bytes(b"\x00\x01\x02 binary junk")
    report = assistant.pipeline.ingest_paths([org], "acme")
    failed = [r for r in report.results if r.outcome is FileOutcome.FAILED]
    assert failed and "binary" in failed[0].reason and report.failed
    record = next(r for r in assistant.manifest.list(col) if r.source == "change-procedure.md")
    assert record.version == 1 and "binary" in record.last_error
    assert assistant.retriever.retrieve("Who approves emergency changes?", "acme").organization

    (org / "change-procedure.md").write_text(CHANGE.replace("weekly", "fortnightly"), encoding="utf-8")
    original = assistant.store.upsert

    def broken(*args, **kwargs):
        original(*args, **kwargs)  # half-written: the new chunks exist, the manifest does not know
        raise StoreUnavailable("connection lost")

    monkeypatch.setattr(assistant.store, "upsert", broken)
    with pytest.raises(StoreUnavailable):
        assistant.pipeline.ingest_paths([org], "acme")
    monkeypatch.setattr(assistant.store, "upsert", original)
    after = {r.document_id: r.version for r in assistant.manifest.list(col)}
    assert after == before
    passages = assistant.retriever.retrieve("How often does the CAB meet?", "acme").organization
    assert passages and all("fortnightly" not in p.text for p in passages)

    assistant.pipeline.ingest_paths([org], "acme")
    passages = assistant.retriever.retrieve("How often does the CAB meet?", "acme").organization
    assert any("fortnightly" in p.text for p in passages)
    _consistent(assistant, "acme")


def test_a_second_ingest_of_the_same_workspace_is_refused(assistant, settings, tmp_path: Path):
    org = _org(tmp_path / "org")
    with workspace_lock(settings.data_dir / "locks", workspace_collection("acme")):
        with pytest.raises(WorkspaceBusy, match="being ingested"):
            assistant.pipeline.ingest_paths([org], "acme")
    assert not assistant.pipeline.ingest_paths([org], "acme").failed


def test_kill_during_ingest_then_rerun_ends_complete_and_consistent(assistant, settings, tmp_path: Path):
    org = tmp_path / "big"
    org.mkdir()
    for i in range(60):
        (org / f"procedure-{i:02d}.md").write_text(
            f"# Procedure {i}\n\n"
            + "\n\n".join(
                f"## {s} Step\nThe change manager reviews item {i}-{s} and records the approval in the tool. " * 6
                for s in range(1, 5)
            ),
            encoding="utf-8",
        )
    env = {
        **os.environ,
        "AUDITPREP_DATA_DIR": str(settings.data_dir),
        "AUDITPREP_KNOWLEDGE_DIR": str(settings.knowledge_dir),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", str(org), "-w", "acme"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    col = workspace_collection("acme")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and len(assistant.manifest.list(col)) < 5:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < len(assistant.manifest.list(col)) < 60
    report = assistant.pipeline.ingest_paths([org], "acme")
    assert not report.failed
    assert len(assistant.manifest.list(col)) == 60
    _consistent(assistant, "acme")


def test_every_bad_input_is_reported_and_the_batch_continues(assistant, settings, tmp_path: Path):
    org = _org(tmp_path / "org")
    (org / "empty.md").write_bytes(b"")
    (org / "junk.md").write_bytes(os.urandom(2048).replace(b"\x00", b"\x01") + b"\x00")
    (org / "legacy.txt").write_bytes("Gest\xe3o de mudan\xe7as: the CAB approves changes.".encode("cp1252"))
    write_pdf(org / "secret.pdf", [["1 Secret", "Restricted."]], password="pw")
    (org / "corrupt.pdf").write_bytes(b"%PDF-1.7 not really")
    (org / "corrupt.docx").write_bytes(b"PK\x03\x04 broken")
    write_zip_bomb_docx(org / "bomb.docx", settings.max_file_bytes + 1)
    (org / "big.txt").write_bytes(b"word " * (settings.max_file_bytes // 5 + 10))
    (org / "tool.exe").write_bytes(b"MZ")
    outside = tmp_path / "outside.md"
    outside.write_text("# Secret\n\nOutside the ingest root.", encoding="utf-8")
    (org / "link.md").symlink_to(outside)
    write_docx(
        org / "policy.docx", "Service Management Policy", [("1 Commitment", ["Top management commits to the SMS."])]
    )

    report = assistant.pipeline.ingest_paths([org, tmp_path / "missing"], "acme")
    reasons = {r.source: r.reason for r in report.results if r.outcome is FileOutcome.FAILED}
    assert reasons["empty.md"] == "empty file"
    assert "binary content" in reasons["junk.md"]
    assert "encrypted PDF" in reasons["secret.pdf"]
    assert "corrupt or unreadable PDF" in reasons["corrupt.pdf"]
    assert "corrupt DOCX" in reasons["corrupt.docx"]
    assert "zip bomb" in reasons["bomb.docx"]
    assert "over the" in reasons["big.txt"]
    assert "unsupported file type" in reasons["tool.exe"]
    assert "outside the ingest folder" in reasons["link.md"]
    assert reasons[str(tmp_path / "missing")] == "path does not exist"
    added = {r.source for r in report.results if r.outcome is FileOutcome.ADDED}
    assert added == {"change-procedure.md", "incident-procedure.md", "legacy.txt", "policy.docx"}
    assert report.failed
    col = workspace_collection("acme")
    assert not any(
        "Outside the ingest root" in h.chunk.text
        for h in assistant.lexical.search(col, "secret outside ingest root", 5)
    )


def test_the_standard_collection_holds_guidance_and_every_clause(assistant):
    report = assistant.pipeline.ingest_standard()
    assert not report.failed
    from assistant.workspaces import STANDARD_COLLECTION

    sources = {r.source for r in assistant.manifest.list(STANDARD_COLLECTION)}
    assert {f"clauses/{c.id}" for c in assistant.catalogue} <= sources
    assert len([s for s in sources if s.startswith("guidance/")]) >= 10
    again = assistant.pipeline.ingest_standard()
    assert all(r.outcome is FileOutcome.UNCHANGED for r in again.results)
