"""The HTTP API through real requests (TestClient): every endpoint, its errors, workspace
isolation, upload limits, hostile file names and rate limiting."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.deps import get_ask
from assistant.bootstrap import build_assistant
from assistant.errors import StoreUnavailable
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

CHANGE = b"""# Change Management Procedure

## 1 Approval
The CAB approves every normal change at its weekly meeting. Emergency changes are approved by the
Emergency CAB within 2 hours, and a post-implementation review follows within 5 working days.
"""


@pytest.fixture
def api(data_dir: Path, embedder):
    settings = make_settings(data_dir, rate_limit_per_minute=1000, max_upload_bytes=200_000)
    assistant = build_assistant(settings, embedder=embedder)
    app = create_app(settings, assistant)
    client = TestClient(app, raise_server_exceptions=False)
    keys = {ws: assistant.keys.create(ws)[0] for ws in ("acme", "globex")}
    return client, keys, assistant


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _upload(client, key, name="change-management-procedure.md", content=CHANGE):
    return client.post("/v1/documents", headers=_auth(key), files=[("files", (name, content, "text/markdown"))])


def test_health_endpoints(api):
    client, _, _ = api
    assert client.get("/healthz").json() == {"status": "ok", "checks": {}}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "store": "ok",
        "database": "ok",
        "lexical": "ok",
        "embedder": "ok",
    }


def test_every_v1_route_needs_a_valid_key(api):
    client, keys, _ = api
    for method, path in [
        ("get", "/v1/documents"),
        ("get", "/v1/clauses"),
        ("post", "/v1/ask"),
        ("get", "/v1/readiness"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthorized"
    bad = client.get("/v1/clauses", headers=_auth("apk_nothing_real"))
    assert bad.status_code == 401
    assert client.get("/v1/clauses", headers={"Authorization": "Basic abc"}).status_code == 401


def test_upload_list_ask_and_delete_documents(api):
    client, keys, _ = api
    response = _upload(client, keys["acme"])
    assert response.status_code == 200, response.text
    result = response.json()["results"][0]
    assert result["outcome"] == "added" and result["chunks"] >= 1
    docs = client.get("/v1/documents", headers=_auth(keys["acme"])).json()
    assert [d["source"] for d in docs] == ["change-management-procedure.md"]

    answer = client.post("/v1/ask", headers=_auth(keys["acme"]), json={"question": "Who approves emergency changes?"})
    assert answer.status_code == 200
    body = answer.json()
    assert any(c["kind"] == "document" and c["document"] == "change-management-procedure.md" for c in body["citations"])
    assert any(c["kind"] == "clause" for c in body["citations"])

    gone = client.delete(f"/v1/documents/{docs[0]['document_id']}", headers=_auth(keys["acme"]))
    assert gone.status_code == 200
    assert client.get("/v1/documents", headers=_auth(keys["acme"])).json() == []
    missing = client.delete("/v1/documents/nope", headers=_auth(keys["acme"]))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_the_workspace_and_a_cited_passage_are_served_only_to_their_key(api):
    client, keys, _ = api
    _upload(client, keys["acme"])
    _upload(client, keys["acme"], "broken.pdf", b"%PDF-1.4 not really")
    info = client.get("/v1/workspace", headers=_auth(keys["acme"])).json()
    assert info == {"workspace": "acme", "documents": 2, "failed": 1}
    assert client.get("/v1/workspace", headers=_auth(keys["globex"])).json()["documents"] == 0
    answer = client.post("/v1/ask", headers=_auth(keys["acme"]), json={"question": "Who approves emergency changes?"})
    cited = next(c for c in answer.json()["citations"] if c["kind"] == "document" and c["chunk_id"])
    passage = client.get(f"/v1/passages/{cited['chunk_id']}", headers=_auth(keys["acme"]))
    assert passage.status_code == 200
    assert passage.json()["source"] == cited["document"] and cited["quote"] in passage.json()["text"]
    other = client.get(f"/v1/passages/{cited['chunk_id']}", headers=_auth(keys["globex"]))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"


def test_a_key_never_reaches_another_workspace(api):
    client, keys, _ = api
    _upload(client, keys["acme"])
    assert client.get("/v1/documents", headers=_auth(keys["globex"])).json() == []
    forbidden = client.post(
        "/v1/ask",
        headers=_auth(keys["globex"]),
        json={"question": "Who approves emergency changes?", "workspace": "acme"},
    )
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    answer = client.post("/v1/ask", headers=_auth(keys["globex"]), json={"question": "Who approves emergency changes?"})
    assert all(c.get("document") != "change-management-procedure.md" for c in answer.json()["citations"])
    docs = client.get("/v1/documents", headers=_auth(keys["acme"])).json()
    assert client.delete(f"/v1/documents/{docs[0]['document_id']}", headers=_auth(keys["globex"])).status_code == 404
    started = client.post("/v1/interviews", headers=_auth(keys["acme"]), json={"target": "8.5.1", "length": 1}).json()
    sid = started["session"]["id"]
    assert client.get(f"/v1/interviews/{sid}", headers=_auth(keys["globex"])).status_code == 404
    assert (
        client.post(f"/v1/interviews/{sid}/answers", headers=_auth(keys["globex"]), json={"answer": "x"}).status_code
        == 404
    )


def test_upload_limits_types_and_hostile_names(api):
    client, keys, assistant = api
    too_big = _upload(client, keys["acme"], "big.md", b"# Big\n\n" + b"word " * 60_000)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
    exe = _upload(client, keys["acme"], "tool.exe", b"MZ\x90\x00")
    assert exe.status_code == 415
    fake_pdf = _upload(client, keys["acme"], "report.pdf", b"just text pretending")
    assert fake_pdf.status_code == 415 and "not a PDF" in fake_pdf.json()["error"]["message"]
    binary_md = _upload(client, keys["acme"], "notes.md", b"\x00\x01\x02\x03")
    assert binary_md.status_code == 415
    hostile = _upload(client, keys["acme"], "../../../etc/passwd.md", CHANGE)
    assert hostile.status_code == 200
    assert hostile.json()["results"][0]["source"] == "passwd.md"
    assert assistant.originals.get("acme", "passwd.md") == CHANGE
    assert not (assistant.settings.data_dir.parent / "etc").exists()
    dots = _upload(client, keys["acme"], "..", CHANGE)
    assert dots.status_code == 200 and dots.json()["results"][0]["outcome"] == "failed"
    empty = client.post("/v1/documents", headers=_auth(keys["acme"]))
    assert empty.status_code == 422


@pytest.mark.parametrize(
    "payload",
    [{"question": ""}, {"question": "x" * 2001}, {"question": 42}, {}, {"question": "ok", "generator": "nope"}],
)
def test_bad_questions_get_clear_422s(api, payload):
    client, keys, _ = api
    response = client.post("/v1/ask", headers=_auth(keys["acme"]), json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


def test_malformed_json_is_a_clear_error(api):
    client, keys, _ = api
    response = client.post(
        "/v1/ask", headers={**_auth(keys["acme"]), "Content-Type": "application/json"}, content=b"{not json"
    )
    assert response.status_code == 422
    assert "Traceback" not in response.text


def test_interview_lifecycle(api):
    client, keys, _ = api
    _upload(client, keys["acme"])
    started = client.post(
        "/v1/interviews", headers=_auth(keys["acme"]), json={"target": "change management", "length": 2}
    )
    assert started.status_code == 200
    state = started.json()
    sid, turn = state["session"]["id"], state["current"]
    result = client.post(
        f"/v1/interviews/{sid}/answers",
        headers=_auth(keys["acme"]),
        json={"answer": "We raise an RFC, assess the risk, and the CAB approves it.", "turn": turn["index"]},
    )
    assert result.status_code == 200
    assert result.json()["assessment"]["score"] is not None
    again = client.post(
        f"/v1/interviews/{sid}/answers",
        headers=_auth(keys["acme"]),
        json={"answer": "We raise an RFC, assess the risk, and the CAB approves it.", "turn": turn["index"]},
    )
    assert again.status_code == 200 and again.json()["message"] == "already recorded"
    got = client.get(f"/v1/interviews/{sid}", headers=_auth(keys["acme"])).json()
    assert len([t for t in got["turns"] if t["answer"]]) == 1
    summary = client.post(f"/v1/interviews/{sid}/end", headers=_auth(keys["acme"]))
    assert summary.status_code == 200 and summary.json()["questions"]
    assert "grade" in summary.json()
    assert all(f["rationale"] and f["grade"] for f in summary.json()["findings"])
    bad = client.post("/v1/interviews", headers=_auth(keys["acme"]), json={"target": "astrology", "length": 2})
    assert bad.status_code == 422
    assert client.get("/v1/interviews/unknown", headers=_auth(keys["acme"])).status_code == 404


def test_clauses_and_readiness(api):
    client, keys, _ = api
    clauses = client.get("/v1/clauses", headers=_auth(keys["acme"])).json()
    assert len(clauses) == 77
    one = client.get("/v1/clauses/8.5.1", headers=_auth(keys["acme"])).json()
    assert one["title"] == "Change management" and one["intent"]
    assert client.get("/v1/clauses/8.9.4", headers=_auth(keys["acme"])).status_code == 404
    _upload(client, keys["acme"])
    report = client.get("/v1/readiness", headers=_auth(keys["acme"]))
    assert report.status_code == 200 and report.json()["workspace"] == "acme"
    html = client.get("/v1/readiness?format=html", headers=_auth(keys["acme"]))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<svg" in html.text
    assert client.get("/v1/readiness?format=pdf", headers=_auth(keys["acme"])).status_code == 422


def test_rate_limit_returns_429_with_retry_after(data_dir, embedder):
    settings = make_settings(data_dir, rate_limit_per_minute=3)
    assistant = build_assistant(settings, embedder=embedder)
    client = TestClient(create_app(settings, assistant), raise_server_exceptions=False)
    key = assistant.keys.create("acme")[0]
    codes = [client.get("/v1/clauses", headers=_auth(key)).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    limited = client.get("/v1/clauses", headers=_auth(key))
    assert limited.headers["Retry-After"] and limited.json()["error"]["code"] == "rate_limited"


def test_store_unavailable_is_503_without_internals(api):
    client, keys, assistant = api

    class DownService:
        def ask(self, *args, **kwargs):
            raise StoreUnavailable("vector store query failed: connection refused")

    client.app.dependency_overrides[get_ask] = lambda: DownService()
    response = client.post("/v1/ask", headers=_auth(keys["acme"]), json={"question": "Is the store up?"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store_unavailable"
    assert "Traceback" not in response.text and keys["acme"] not in response.text


def test_auth_off_serves_the_default_workspace_and_the_page(data_dir, embedder):
    settings = make_settings(data_dir, auth="off", workspace="acme")
    client = TestClient(create_app(settings, build_assistant(settings, embedder=embedder)))
    assert client.get("/v1/clauses").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "auditprep" in page.text and 'src="/static/page.js"' in page.text
    script = client.get("/static/page.js")
    assert script.status_code == 200 and "/v1/ask" in script.text
