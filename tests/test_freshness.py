"""Every process sees every committed ingest on its next request, with embedded Chroma
too: a store opened before another process wrote to the same folder finds the new
vectors on its next query, and a running API answers from a document that a CLI ingest
in another process committed, without a restart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from assistant.adapters.chroma_store import ChromaStore
from assistant.api.app import create_app
from assistant.bootstrap import build_assistant
from tests.conftest import REPO, make_settings

pytestmark = pytest.mark.integration

WRITER = """
import sys
from pathlib import Path
import numpy as np
from assistant.adapters.chroma_store import ChromaStore
from assistant.ports import StoredChunk
n, offset = int(sys.argv[2]), int(sys.argv[3])
vectors = np.random.default_rng(offset).normal(size=(n, 8)).astype(np.float32)
vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
chunks = [StoredChunk(f"c{offset + i}", f"text {i}", {"document_id": f"d{offset}"}) for i in range(n)]
ChromaStore.embedded(Path(sys.argv[1])).upsert("ws-t", chunks, vectors)
"""

CAPACITY = (
    b"# Capacity plan\n\n## Storage headroom\n\n"
    b"The capacity manager, Priya Natarajan, reviews storage headroom every Monday morning. "
    b"When a volume passes 80 percent the team orders disks within five working days.\n"
)


def _write_in_another_process(path: Path, n: int, offset: int) -> None:
    subprocess.run([sys.executable, "-c", WRITER, str(path), str(n), str(offset)], check=True, cwd=REPO)


def test_an_open_embedded_store_finds_vectors_another_process_wrote(tmp_path: Path):
    _write_in_another_process(tmp_path / "chroma", 5, 0)
    reader = ChromaStore.embedded(tmp_path / "chroma")
    probe = np.full(8, 8**-0.5, dtype=np.float32)
    assert len(reader.query("ws-t", probe, 100)) == 5
    _write_in_another_process(tmp_path / "chroma", 200, 1000)
    assert len(reader.query("ws-t", probe, 300)) == 205
    _write_in_another_process(tmp_path / "chroma", 20, 5000)
    assert len(reader.query("ws-t", probe, 300)) == 225


def test_a_running_api_answers_from_a_document_the_cli_ingested_meanwhile(data_dir: Path, tmp_path: Path, embedder):
    settings = make_settings(data_dir, auth="off", workspace="acme")
    client = TestClient(create_app(settings, build_assistant(settings, embedder)))
    question = {"question": "How often does the capacity manager review storage headroom?"}

    def similarity_by_source() -> dict[str, float]:
        """Each cited file's best dense similarity (0 when only keyword search found it)."""
        response = client.post("/v1/ask", json=question)
        assert response.status_code == 200, response.text
        best: dict[str, float] = {}
        for p in response.json()["passages"]:
            name = p["source"].rsplit("/", 1)[-1]
            best[name] = max(best.get(name, 0.0), p["similarity"])
        return best

    policy = b"# Change policy\n\nThe change advisory board approves every normal change on Tuesdays.\n"
    uploaded = client.post("/v1/documents", files=[("files", ("change-policy.md", policy, "text/markdown"))])
    assert uploaded.status_code == 200, uploaded.text
    # the serving process now holds the workspace's vector index open
    assert "capacity-plan.md" not in similarity_by_source()
    document = tmp_path / "capacity-plan.md"
    document.write_bytes(CAPACITY)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITPREP_")} | {"HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", str(document), "-w", "acme", "--data-dir", str(data_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    # found by the vector store too, not only by the keyword index (which is read fresh anyway)
    assert similarity_by_source().get("capacity-plan.md", 0.0) > 0.3
