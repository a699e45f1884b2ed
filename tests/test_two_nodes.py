"""Two ``auditprep serve`` nodes on one PostgreSQL database and one Chroma server, as a
deployment of several nodes runs them: what one node is told, the other knows.

The standard's committed chunks and vectors are copied into the shared stores from the
session's standard template (ingested once for the whole suite, so its embedding is not paid
again); both nodes are real processes started with the command line. One module-scoped
deployment serves every test here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest

from assistant.apikeys import KeyStore
from assistant.bootstrap import Assistant, build_assistant
from assistant.db import create_db_engine
from assistant.ports import StoredChunk
from assistant.workspaces import STANDARD_COLLECTION
from tests.conftest import make_settings
from tests.pg_server import fresh_database

pytestmark = pytest.mark.integration

RATE_LIMIT = 12  # a minute, per key, for the whole deployment
EMERGENCY = b"""# Emergency Change Procedure

## Approval
Emergency changes are approved by the Emergency CAB chaired by Priya Raman, the Change
Manager, within two hours of the request. Each emergency change is reviewed at the next
weekly CAB meeting.
"""


@dataclass
class Deployment:
    nodes: list[httpx.Client]
    keys: KeyStore
    database_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed_standard(template: Path, target: Assistant) -> None:
    """The template's committed standard, chunk for chunk and vector for vector, written
    into ``target``'s stores and committed in its manifest."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    source = build_assistant(make_settings(template), embedder=target.embedder)
    client = chromadb.PersistentClient(str(template / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    held = client.get_collection(STANDARD_COLLECTION).get(include=["documents", "metadatas", "embeddings"])
    vectors = dict(zip(held["ids"], held["embeddings"], strict=True))
    texts = {
        i: StoredChunk(i, d, dict(m)) for i, d, m in zip(held["ids"], held["documents"], held["metadatas"], strict=True)
    }
    for record in source.manifest.list(STANDARD_COLLECTION):
        ids = source.manifest.chunk_ids(STANDARD_COLLECTION, record.document_id)
        chunks = [texts[i] for i in ids]
        target.store.upsert(STANDARD_COLLECTION, chunks, np.asarray([vectors[i] for i in ids], dtype=np.float32))
        target.lexical.upsert(STANDARD_COLLECTION, chunks)
        target.manifest.commit(record, ids, [])


@pytest.fixture(scope="module")
def deployment(
    postgres_server: str, chroma_server: str, embedder, standard_template: Path, tmp_path_factory
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("two-nodes")
    template = root / "template"
    shutil.copytree(standard_template, template)  # opened for reading, but never the shared one
    with fresh_database(postgres_server, "two_nodes") as database_url:
        shared = {"database_url": database_url, "chroma_url": chroma_server}
        _seed_standard(template, build_assistant(make_settings(root / "seed", **shared), embedder=embedder))
        processes, nodes = [], []
        try:
            for name in ("a", "b"):
                port = _free_port()
                (root / f"node-{name}").mkdir()
                # answer-unit vectors are a per-node cache: seeded, as an earlier run would leave it
                for part in template.glob("unit_vectors.sqlite*"):
                    shutil.copy(part, root / f"node-{name}" / part.name)
                env = {
                    **{k: v for k, v in os.environ.items() if not k.startswith("AUDITPREP_")},
                    "AUDITPREP_DATABASE_URL": database_url,
                    "AUDITPREP_CHROMA_URL": chroma_server,
                    "AUDITPREP_DATA_DIR": str(root / f"node-{name}"),  # nothing shared on disk
                    "AUDITPREP_WORKSPACE": "acme",
                    "AUDITPREP_WORKERS": "1",  # a node per process: two processes, two models
                    "AUDITPREP_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
                    "HF_HUB_OFFLINE": "1",
                    "TRANSFORMERS_OFFLINE": "1",
                    "ANONYMIZED_TELEMETRY": "False",
                }
                log = (root / f"node-{name}.log").open("w")
                processes.append(
                    subprocess.Popen(
                        [str(Path(sys.executable).parent / "auditprep"), "serve", "--port", str(port)],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        cwd=root,
                    )
                )
                nodes.append(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120))
            for node, process in zip(nodes, processes, strict=True):
                _wait_ready(node, process, root)
            yield Deployment(nodes, KeyStore(create_db_engine(database_url)), database_url)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            for node in nodes:
                node.close()


def _wait_ready(node: httpx.Client, process: subprocess.Popen, root: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            logs = "\n".join(p.read_text()[-2000:] for p in root.glob("node-*.log"))
            pytest.fail(f"a node exited with status {process.returncode}:\n{logs}")
        try:
            if node.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail("a node did not become ready in 180 s")


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_document_uploaded_on_one_node_is_cited_by_the_other(deployment: Deployment):
    a, b = deployment.nodes
    key = deployment.keys.create("acme")[0]
    upload = a.post(
        "/v1/documents", headers=_auth(key), files=[("files", ("emergency-changes.md", EMERGENCY, "text/markdown"))]
    )
    assert upload.status_code == 200, upload.text
    assert upload.json()["results"][0]["outcome"] == "added"

    listed = b.get("/v1/documents", headers=_auth(key)).json()
    assert [d["source"] for d in listed] == ["emergency-changes.md"]
    answer = b.post("/v1/ask", headers=_auth(key), json={"question": "Who approves emergency changes?"})
    assert answer.status_code == 200, answer.text
    cited = {c["document"] for c in answer.json()["citations"] if c["kind"] == "document"}
    assert "emergency-changes.md" in cited, answer.json()


def test_both_nodes_serve_the_same_readiness_report(deployment: Deployment):
    a, b = deployment.nodes
    key = deployment.keys.create("acme")[0]
    deadline = time.monotonic() + 240
    while True:  # the upload above made the report stale: wait for the recomputation
        served = a.get("/v1/readiness", headers=_auth(key))
        assert served.status_code == 200, served.text
        state = served.json()["served"]
        if state["current"] and not state["refreshing"]:
            break
        assert time.monotonic() < deadline, "the report was not recomputed in 240 s"
        time.sleep(6)  # within the key's rate limit
    on_b = b.get("/v1/readiness", headers=_auth(key))
    assert on_b.status_code == 200 and on_b.json()["served"]["current"]
    report_a = {k: v for k, v in served.json().items() if k != "served"}
    report_b = {k: v for k, v in on_b.json().items() if k != "served"}
    assert report_a["documents"] >= 1  # the upload of the first test is in it
    assert report_b == report_a  # one stored report, the same generated_at, the same findings


def test_the_rate_limit_holds_across_both_nodes(deployment: Deployment):
    nodes = deployment.nodes
    key = deployment.keys.create("acme")[0]
    codes = [nodes[i % 2].get("/v1/workspace", headers=_auth(key)).status_code for i in range(RATE_LIMIT + 4)]
    assert codes[:RATE_LIMIT] == [200] * RATE_LIMIT
    assert codes[RATE_LIMIT:] == [429] * 4  # two nodes did not allow twice the limit
    other = deployment.keys.create("acme")[0]
    assert nodes[1].get("/v1/workspace", headers=_auth(other)).status_code == 200


def test_a_key_revoked_through_one_node_is_refused_by_the_other(deployment: Deployment):
    a, b = deployment.nodes
    key, info = deployment.keys.create("acme")
    assert b.get("/v1/workspace", headers=_auth(key)).status_code == 200
    deployment.keys.revoke(info.id)
    assert a.get("/v1/workspace", headers=_auth(key)).status_code == 401
    assert b.get("/v1/workspace", headers=_auth(key)).status_code == 401


def test_one_document_uploaded_to_both_nodes_at_once_is_ingested_once(deployment: Deployment):
    nodes = deployment.nodes
    key = deployment.keys.create("acme")[0]
    body = EMERGENCY.replace(b"two hours", b"ninety minutes") + b"\nRecorded in the change log.\n" * 200
    start = threading.Barrier(2)
    statuses: list[int] = []

    def upload(node: httpx.Client) -> None:
        start.wait()
        response = node.post("/v1/documents", headers=_auth(key), files=[("files", ("cab-charter.md", body))])
        statuses.append(response.status_code)

    threads = [threading.Thread(target=upload, args=(node,)) for node in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200, 409]
    listed = nodes[1].get("/v1/documents", headers=_auth(key)).json()
    assert [d["version"] for d in listed if d["source"] == "cab-charter.md"] == [1]


def test_an_interview_started_on_one_node_is_answered_on_the_other(deployment: Deployment):
    a, b = deployment.nodes
    key = deployment.keys.create("acme")[0]
    started = a.post("/v1/interviews", headers=_auth(key), json={"target": "8.5.1", "length": 2, "seed": 7})
    assert started.status_code == 200, started.text
    state = started.json()
    session, first = state["session"]["id"], state["current"]
    answer = "I don't know."  # assessed from the workspace's passages, which node B reads too
    answered = b.post(f"/v1/interviews/{session}/answers", headers=_auth(key), json={"answer": answer, "turn": 0})
    assert answered.status_code == 200, answered.text
    assert answered.json()["answered"]["question_id"] == first["question_id"]
    assert answered.json()["assessment"]["kind"] == "dont_know"
    on_a = a.get(f"/v1/interviews/{session}", headers=_auth(key)).json()
    assert on_a["turns"][0]["answer"] == answer and on_a["current"]["index"] == 1
