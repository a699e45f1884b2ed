"""A folder ingest prunes only documents that came from that same folder: documents
uploaded through the API (or added one by one) and those of other folders stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.models import FileOutcome
from assistant.workspaces import workspace_collection
from ingest.intake import IncomingFile

pytestmark = pytest.mark.integration


def _write(folder: Path, name: str, sentence: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"# {name}\n\n{sentence}\n", encoding="utf-8")
    return path


def test_a_folder_ingest_prunes_only_its_own_documents(assistant, tmp_path: Path):
    policies, records = tmp_path / "policies", tmp_path / "records"
    _write(policies, "change-policy.md", "The change advisory board approves every normal change.")
    retired = _write(policies, "old-policy.md", "Backups are kept for thirty days.")
    _write(records, "incident-log.md", "Incident 42 was resolved within four hours.")
    assistant.pipeline.ingest_paths([policies], "acme")
    assistant.pipeline.ingest_paths([records], "acme")
    with (tmp_path / "upload.md").open("wb") as handle:
        handle.write(b"# Supplier review\n\nSuppliers are reviewed every quarter by the service owner.\n")
    with (tmp_path / "upload.md").open("rb") as handle:
        uploaded = assistant.intake.receive("acme", [IncomingFile("supplier-review.md", handle)])
    assert [r.outcome for r in uploaded.results] == [FileOutcome.ADDED]

    retired.unlink()
    report = assistant.pipeline.ingest_paths([policies], "acme")

    assert [(r.source, r.outcome) for r in report.results if r.outcome is FileOutcome.REMOVED] == [
        ("old-policy.md", FileOutcome.REMOVED)
    ]
    kept = sorted(r.source.rsplit("/", 1)[-1] for r in assistant.manifest.list(workspace_collection("acme")))
    assert kept == ["change-policy.md", "incident-log.md", "supplier-review.md"]
