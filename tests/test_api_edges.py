"""The API's edges: stored upload names, what is kept of refused and failed uploads, the
key and size checks that come before a body is read, and the error responses the OpenAPI
schema declares."""

from __future__ import annotations

import asyncio
import io
import json
import socket
import threading
import time
import unicodedata
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.deps import get_ask
from assistant.api.gate import MAX_JSON_BYTES
from assistant.bootstrap import build_assistant
from assistant.models import Answer, Intent
from assistant.workspaces import workspace_collection
from ingest.intake import MAX_NAME_BYTES, safe_filename
from ingest.lock import workspace_lock
from tests.builders import write_pdf
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

CHANGE = b"""# Change Management Procedure

## 1 Approval
The CAB approves every normal change at its weekly meeting.
"""
INCIDENT = b"""# Incident Management Procedure

## 1 Priorities
The service desk assigns a priority from impact and urgency; P1 incidents are escalated at once.
"""
UPLOAD_LIMIT = 200_000


@pytest.fixture
def api(data_dir: Path, embedder):
    settings = make_settings(data_dir, rate_limit_per_minute=1000, max_upload_bytes=UPLOAD_LIMIT)
    assistant = build_assistant(settings, embedder=embedder)
    client = TestClient(create_app(settings, assistant), raise_server_exceptions=False)
    return client, assistant.keys.create("acme")[0], assistant


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _upload(client, key, *files: tuple[str, bytes]):
    return client.post("/v1/documents", headers=_auth(key), files=[("files", (n, c, "text/plain")) for n, c in files])


def _stored(assistant) -> list[str]:
    """The workspace's kept originals, and anything left in the staging folder."""
    staging = assistant.settings.data_dir / "staging"
    left = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*")) if staging.exists() else []
    return assistant.originals.names("acme") + left


def _aes_pdf(path: Path) -> bytes:
    from pypdf import PdfReader, PdfWriter

    write_pdf(path, [["1 Secret", "Restricted change calendar."]])
    writer = PdfWriter(clone_from=PdfReader(str(path)))
    writer.encrypt(user_password="x", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# -- stored names ------------------------------------------------------------------------
def test_non_ascii_names_stay_distinct_and_are_listed_as_given(api):
    client, key, assistant = api
    for name, content in (("变更管理.md", CHANGE), ("事件管理.md", INCIDENT)):
        response = _upload(client, key, (name, content))
        assert response.status_code == 200, response.text
        assert response.json()["results"][0]["outcome"] == "added"
    docs = client.get("/v1/documents", headers=_auth(key)).json()
    assert sorted(d["source"] for d in docs) == sorted(["变更管理.md", "事件管理.md"])
    assert _stored(assistant) == sorted(["变更管理.md", "事件管理.md"])
    first = {d["source"]: d["document_id"] for d in docs}["变更管理.md"]
    again = _upload(client, key, ("变更管理.md", CHANGE)).json()["results"][0]
    assert again["outcome"] == "unchanged" and again["document_id"] == first


def test_safe_names_are_stable_and_never_merge_different_names():
    assert safe_filename("变更管理.md") == "变更管理.md"
    assert safe_filename("Política de cambios (v2).docx") == "Política de cambios (v2).docx"
    assert safe_filename("../../../etc/passwd.md") == "passwd.md"
    nfd = unicodedata.normalize("NFD", "café.md")
    assert safe_filename(nfd) == safe_filename("café.md") == "café.md"
    lossy = [safe_filename(n) for n in ("a?b.md", "a*b.md", "a:b.md", "a_b.md", "a\u202egpj.md", "ａｂ.md", "ab.md")]
    assert len(set(lossy)) == len(lossy), lossy
    assert all(n.endswith(".md") and "/" not in n for n in lossy)
    assert safe_filename("a?b.md") == safe_filename("a?b.md")
    long = [safe_filename("规程" * 200 + ".md"), safe_filename("规程" * 201 + ".md")]
    assert long[0] != long[1]
    assert all(n.endswith(".md") and len(n.encode()) <= MAX_NAME_BYTES for n in long)
    for hostile in ("..", "", "/", "\x00\x01", "...", "  "):
        with pytest.raises(ValueError):
            safe_filename(hostile)


# -- refused and failed uploads ------------------------------------------------------------
def test_refused_uploads_leave_nothing_behind(api):
    client, key, assistant = api
    assert _upload(client, key, ("report.pdf", b"just text pretending")).status_code == 415
    assert _upload(client, key, ("tool.exe", b"MZ\x90\x00")).status_code == 415
    mixed = _upload(client, key, ("notes.md", b"\x00\x01\x02"), ("change.md", CHANGE))
    assert [r["outcome"] for r in mixed.json()["results"]] == ["failed", "added"]
    assert _stored(assistant) == ["change.md"]


def test_a_file_that_fails_to_ingest_is_not_kept_and_is_listed_as_failed(api, tmp_path: Path):
    client, key, assistant = api
    response = _upload(client, key, ("locked.pdf", _aes_pdf(tmp_path / "locked.pdf")))
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["outcome"] == "failed" and "needs a password" in result["reason"]
    assert _stored(assistant) == []
    listed = client.get("/v1/documents", headers=_auth(key)).json()
    assert [(d["source"], d["status"]) for d in listed] == [("locked.pdf", "failed")]
    assert "needs a password" in listed[0]["last_error"]


def test_a_failed_new_version_keeps_the_good_file(api):
    client, key, assistant = api
    assert _upload(client, key, ("policy.md", CHANGE)).json()["results"][0]["outcome"] == "added"
    failed = _upload(client, key, ("policy.md", b"")).json()["results"][0]
    assert failed["outcome"] == "failed"
    assert _stored(assistant) == ["policy.md"]
    assert assistant.originals.get("acme", "policy.md") == CHANGE
    [doc] = client.get("/v1/documents", headers=_auth(key)).json()
    assert doc["status"] == "indexed" and doc["version"] == 1 and doc["last_error"] == failed["reason"]


def test_an_upload_to_a_busy_workspace_is_409_and_not_kept(api):
    client, key, assistant = api
    with workspace_lock(assistant.settings.data_dir / "locks", workspace_collection("acme")):
        busy = _upload(client, key, ("change.md", CHANGE))
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "workspace_busy"
    assert _stored(assistant) == []


def test_deleting_a_document_deletes_its_upload(api):
    client, key, assistant = api
    doc_id = _upload(client, key, ("change.md", CHANGE)).json()["results"][0]["document_id"]
    assert client.delete(f"/v1/documents/{doc_id}", headers=_auth(key)).status_code == 200
    assert _stored(assistant) == []


# -- key and size before the body ----------------------------------------------------------
class Body:
    """A request body fed to the app chunk by chunk, recording how much of it the app took."""

    def __init__(self, total: int, head: bytes = b"", chunk: int = 64 << 10) -> None:
        self.total, self.head, self.chunk, self.taken = total, head, chunk, 0

    async def receive(self) -> dict:
        size = min(self.chunk, self.total - self.taken)
        data = (self.head[self.taken :] + b" " * size)[:size]
        self.taken += size
        return {"type": "http.request", "body": data, "more_body": self.taken < self.total}


class EchoAsk:
    """Stands in for the answering service: the body's question comes back as the answer."""

    def ask(self, question: str, workspace: str, generator: str | None = None) -> Answer:
        return Answer(question=question, workspace=workspace, intent=Intent.GENERAL, text=question)


def _call(app, path: str, body: Body, headers: dict[str, str], declare_length: bool) -> tuple[int, dict]:
    """One request straight through the ASGI app; a body without a length is sent chunked."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(body.total).encode()) if declare_length else (b"transfer-encoding", b"chunked"))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": raw,
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, body.receive, send))
    return sent[0]["status"], json.loads(b"".join(m.get("body", b"") for m in sent[1:]))


JSON = {"Content-Type": "application/json"}
MULTIPART = {"Content-Type": "multipart/form-data; boundary=x"}
FILE_PART = b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.md"\r\nContent-Type: text/plain\r\n\r\n'

HUGE = 250_000_000


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_request_without_a_valid_key_is_refused_before_its_body_is_read(api, declare_length: bool):
    client, _, _ = api
    for path, kind in (("/v1/ask", JSON), ("/v1/documents", MULTIPART), ("/v1/interviews", JSON)):
        for auth in ({}, _auth("apk_not_a_real_key"), {"Authorization": "Basic abc"}):
            body = Body(HUGE)
            status, payload = _call(client.app, path, body, {**kind, **auth}, declare_length)
            assert (status, payload["error"]["code"]) == (401, "unauthorized"), (path, auth)
            assert body.taken == 0, (path, auth)


def test_a_declared_length_over_the_limit_is_413_without_reading(api):
    client, key, _ = api
    for path, kind, size in (("/v1/ask", JSON, HUGE), ("/v1/documents", MULTIPART, UPLOAD_LIMIT + 1)):
        body = Body(size)
        status, payload = _call(client.app, path, body, {**kind, **_auth(key)}, declare_length=True)
        assert (status, payload["error"]["code"]) == (413, "too_large"), path
        assert body.taken == 0


def test_a_streamed_body_over_the_limit_is_cut_off_with_413(api):
    client, key, _ = api
    for path, kind, limit in (("/v1/ask", JSON, MAX_JSON_BYTES), ("/v1/documents", MULTIPART, UPLOAD_LIMIT)):
        body = Body(HUGE, head=b'{"question": "' if kind is JSON else FILE_PART)
        status, payload = _call(client.app, path, body, {**kind, **_auth(key)}, declare_length=False)
        assert (status, payload["error"]["code"]) == (413, "too_large"), path
        assert body.taken <= limit + body.chunk


def test_bodies_within_the_limits_get_through(api):
    client, key, _ = api
    client.app.dependency_overrides[get_ask] = EchoAsk
    question = "Who approves normal changes? " + "x" * 1900
    fine = client.post("/v1/ask", headers=_auth(key), json={"question": question})
    assert fine.status_code == 200 and fine.json()["text"] == question
    near = CHANGE + b"\n" + b"The CAB minutes are kept. " * ((UPLOAD_LIMIT - 2000) // 26)
    uploaded = _upload(client, key, ("minutes.md", near))
    assert uploaded.status_code == 200 and uploaded.json()["results"][0]["outcome"] == "added"


def test_auth_off_serves_requests_and_still_limits_bodies(data_dir: Path, embedder):
    settings = make_settings(data_dir, auth="off", workspace="acme", max_upload_bytes=UPLOAD_LIMIT)
    client = TestClient(create_app(settings, build_assistant(settings, embedder=embedder)))
    client.app.dependency_overrides[get_ask] = EchoAsk
    answer = client.post("/v1/ask", json={"question": "What does clause 8.5.1 require?"})
    assert answer.status_code == 200 and answer.json()["workspace"] == "acme"
    assert client.get("/v1/clauses").status_code == 200
    body = Body(HUGE)
    status, _ = _call(client.app, "/v1/ask", body, JSON, declare_length=False)
    assert status == 413 and body.taken <= MAX_JSON_BYTES + body.chunk


def test_a_real_server_answers_401_before_a_huge_body_arrives(api):
    _, _, assistant = api
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(assistant.settings, assistant), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(
                b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 250000000\r\n\r\n" + b" " * 65536
            )
            head = conn.recv(4096)  # the server must answer with ~250 MB still unsent
        assert head.startswith(b"HTTP/1.1 401"), head[:80]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# -- OpenAPI ----------------------------------------------------------------------------
def test_openapi_declares_the_error_responses(api):
    client, _, _ = api
    schema = client.get("/openapi.json").json()
    error_ref = "#/components/schemas/ErrorResponse"
    expected = {
        ("/v1/ask", "post"): {"401", "403", "413", "422", "429", "503"},
        ("/v1/documents", "post"): {"400", "401", "403", "409", "413", "415", "422", "429", "503"},
        ("/v1/documents/{doc_id}", "delete"): {"401", "403", "404", "409", "422", "429", "503"},
        ("/v1/clauses/{clause_id}", "get"): {"401", "403", "404", "422", "429", "503"},
    }
    for (path, method), statuses in expected.items():
        responses = schema["paths"][path][method]["responses"]
        assert statuses <= set(responses), (path, sorted(responses))
        for status in statuses:
            body = responses[status]["content"]["application/json"]["schema"]
            assert body == {"$ref": error_ref}, (path, status, body)
    assert "Retry-After" in schema["paths"]["/v1/ask"]["post"]["responses"]["429"]["headers"]
    assert set(schema["components"]["schemas"]["ErrorResponse"]["properties"]) == {"error"}
    assert "503" in schema["paths"]["/readyz"]["get"]["responses"]


def test_a_malformed_multipart_upload_is_the_declared_400(api):
    client, key, _ = api
    response = client.post(
        "/v1/documents",
        headers={**_auth(key), "Content-Type": "multipart/form-data; boundary=zz"},
        content=b"this body does not start with the boundary",
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "bad_request"


def test_a_key_store_outage_is_a_503_not_a_crash(data_dir: Path, embedder, monkeypatch: pytest.MonkeyPatch):
    from sqlalchemy.exc import OperationalError

    settings = make_settings(data_dir)
    assistant = build_assistant(settings, embedder=embedder)

    def down(secret: str):
        raise OperationalError("SELECT api_keys", {}, Exception("disk I/O error"))

    monkeypatch.setattr(assistant.keys, "authenticate", down)
    client = TestClient(create_app(settings, assistant), raise_server_exceptions=False)
    response = client.get("/v1/clauses", headers=_auth("apk_whatever"))
    assert response.status_code == 503 and response.json()["error"]["code"] == "unavailable"
    assert "disk I/O" not in response.text
