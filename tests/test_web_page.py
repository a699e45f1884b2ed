"""The web page in a real headless browser (Debian's chromium driven by Playwright), as a
coordinator uses it: the workspace and its documents, an upload with per-file results, an
answer with its sources quoted in context, an interview transcript, and the readiness view.
Every view is checked with axe-core (vendored in tests/vendor, so no network is needed) and
saved as a screenshot in test-artifacts/."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from assistant.api.app import create_app
from assistant.bootstrap import build_assistant
from tests.conftest import ARTIFACTS, make_settings

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
CHANGE = """# Change Management Procedure

## 1 Scope
This procedure covers every change to the live services and the infrastructure they run on.
Standard changes are pre-approved and follow their documented models.

## 2 Approval
The CAB approves every normal change at its weekly meeting. Emergency changes are approved by the
Emergency CAB within 2 hours, and a post-implementation review follows within 5 working days.
Every approval is recorded in the change record with the approver's name.
"""
INCIDENT = """# Incident Management Procedure

## 1 Priorities
The service desk assigns a priority from impact and urgency; P1 incidents are escalated at once.
"""
LONG_ANSWER = (
    "Every change is raised as an RFC in the service management tool, risk assessed by the change "
    "manager, and approved by the CAB at its weekly meeting; emergency changes go to the Emergency CAB."
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder, standard_template):
    """The app on a real port, auth off, workspace acme: one good document and one that failed."""
    root = tmp_path_factory.mktemp("web")
    shutil.copytree(standard_template, root / "data")
    config = make_settings(root / "data", auth="off", workspace="acme", rate_limit_per_minute=1000)
    assistant = build_assistant(config, embedder=embedder)
    org = root / "org"
    org.mkdir()
    (org / "change-management-procedure.md").write_text(CHANGE, encoding="utf-8")
    (org / "supplier-register.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF")
    report = assistant.pipeline.ingest_paths([org], "acme")
    assert [r.outcome for r in sorted(report.results, key=lambda r: r.source)] == ["added", "failed"]
    assistant.ensure_standard()
    assistant.readiness.cached("acme")  # the first report is computed once, before the page asks for it
    yield from _serve(create_app(config, assistant))


def _serve(app):
    """Serve an app on a free local port for as long as the generator is open."""
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `make test` and .ci/run install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context per test: its own session storage, like a new tab."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"the page raised: {errors}"


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def _assert_accessible(page) -> None:
    """axe-core's WCAG 2 A/AA and best-practice rules: no serious or critical violation."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})"
    )
    serious = [
        {"rule": v["id"], "help": v["help"], "nodes": [n["html"][:160] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, json.dumps(serious, indent=2)
    assert result["passes"], "axe ran no check"


def _words(text: str) -> str:
    return " ".join(text.split())


def _answering(body: dict):
    """A route handler that answers every request with ``body``."""
    return lambda route: route.fulfill(json=body)


def _open(page, server: str, tab: str | None = None) -> None:
    page.goto(server + "/")
    page.wait_for_function("document.getElementById('ws-name').textContent === 'acme'")
    if tab:
        page.get_by_role("tab", name=tab).click()


def test_the_workspace_and_its_documents_with_failed_ones_and_their_reason(server, page):
    _open(page, server)
    assert "acme" in page.inner_text("header") and "2 documents, 1 failed" in page.inner_text("header")
    # Keyboard: the skip link, the key control, then the selected tab; the tabs move with the arrow keys.
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "document.activeElement.id || document.activeElement.className || document.activeElement.tagName"
            )
        )
    assert order == ["skip-link", "SUMMARY", "tab-ask"], order
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-documents"
    assert page.locator("#panel-documents").is_visible() and not page.locator("#panel-ask").is_visible()
    rows = page.locator("#documents tbody tr")
    page.wait_for_function("document.querySelectorAll('#documents tbody tr').length === 2")
    failed, good = rows.nth(0), rows.nth(1)  # failed documents are listed first
    assert "supplier-register.pdf" in failed.inner_text() and "failed" in failed.inner_text()
    assert "Not ingested:" in failed.inner_text()
    assert "change-management-procedure.md" in good.inner_text()
    assert "procedure" in good.inner_text() and "indexed" in good.inner_text()
    _screenshot(page, "web-documents.png")
    _assert_accessible(page)


def test_the_api_key_control_is_compact_and_lasts_for_the_browser_session(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _open(page, server)
    control = page.locator("#key-control summary")
    assert (control.bounding_box() or {}).get("width", 1000) < 260
    assert page.locator("#apikey").is_hidden()
    control.click()
    page.get_by_label("API key for this browser session").fill("ap_test_secret")
    page.get_by_role("button", name="Use key").click()
    assert page.inner_text("#key-state") == "set" and page.locator("#apikey").is_hidden()
    with page.expect_request("**/v1/workspace") as request:
        page.reload()
    assert request.value.headers.get("authorization") == "Bearer ap_test_secret"
    assert page.inner_text("#key-state") == "set"
    assert "ap_test_secret" not in page.content()
    other = context.browser.new_context().new_page()  # another session starts without it
    other.goto(server + "/")
    assert other.inner_text("#key-state") == "not set"
    other.context.close()
    context.close()


def test_with_authentication_on_the_page_asks_for_the_key_and_then_uses_it(
    browser, tmp_path, embedder, standard_template
):
    shutil.copytree(standard_template, tmp_path / "data")
    config = make_settings(tmp_path / "data", workspace="default", rate_limit_per_minute=1000)
    assistant = build_assistant(config, embedder=embedder)
    key = assistant.keys.create("globex")[0]
    server = _serve(create_app(config, assistant))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(next(server) + "/")
        page.wait_for_function("document.getElementById('ws-name').textContent === 'needs an API key'")
        assert page.get_by_label("API key for this browser session").is_visible()  # the control opened itself
        assert "Enter your API key" in page.inner_text("#documents-status")
        page.get_by_label("API key for this browser session").fill(key)
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('ws-name').textContent === 'globex'")
        assert page.inner_text("#key-state") == "set" and "0 documents" in page.inner_text("header")
        _screenshot(page, "web-key.png")
    finally:
        context.close()
        server.close()


def test_an_example_question_is_answered_with_its_sources_in_context(server, page):
    _open(page, server)
    groups = page.locator("#examples h3").all_text_contents()
    assert len(groups) >= 4 and "Evidence checks" in groups
    page.get_by_role("button", name="Who approves emergency changes?").click()
    page.wait_for_selector("#sources li", timeout=60_000)
    assert page.get_by_label("Your question").input_value() == "Who approves emergency changes?"
    lead = page.inner_text("#answer-lead")
    assert "Emergency CAB" in lead
    assert page.evaluate("getComputedStyle(document.getElementById('answer-lead')).fontWeight") in ("600", "700")
    source = page.locator("#sources li", has_text="change-management-procedure.md").first
    where = source.locator(".where").inner_text()
    assert where.startswith("change-management-procedure.md ›") and "Approval" in where
    quote = _words(source.locator("mark").inner_text())
    context = _words(source.locator("blockquote").inner_text().strip("… "))
    assert quote and quote in _words(CHANGE)
    assert quote in context and len(context) > len(quote) + 20 and context in _words(CHANGE)
    assert "Clause" in page.inner_text("#sources") or "clause" in page.inner_text("#sources")
    marker = page.locator("#answer-lead a.marker, #answer-rest a.marker").first
    target = marker.get_attribute("href")
    assert target and page.locator(target).count() == 1
    _screenshot(page, "web-ask.png")
    _assert_accessible(page)


def test_a_link_to_a_source_opens_its_passage_and_a_link_to_a_clause_its_summary(server, page):
    answer = httpx.post(server + "/v1/ask", json={"question": "Who approves emergency changes?"}, timeout=120).json()
    cited = next(c for c in answer["citations"] if c["kind"] == "document" and c["document"].endswith(".md"))
    page.goto(server + "/#passage=" + cited["chunk_id"])
    page.wait_for_selector("#linked:not([hidden])", timeout=30_000)
    assert page.inner_text("#linked .where").startswith("change-management-procedure.md")
    assert _words(cited["quote"]) in _words(page.inner_text("#linked blockquote"))
    assert page.evaluate("document.activeElement.id") == "linked"
    page.goto(server + "/#clause=8.5.1.3")
    page.wait_for_selector("#linked h2:has-text('8.5.1.3')", timeout=30_000)
    assert "Documented information" in page.inner_text("#linked")
    page.get_by_role("button", name="Close").click()
    assert page.locator("#linked").is_hidden() and page.evaluate("location.hash") == ""
    page.goto(server + "/#clause=8.5.1.3")
    page.wait_for_selector("#linked:not([hidden])", timeout=30_000)
    _screenshot(page, "web-linked-clause.png")
    _assert_accessible(page)


def test_an_evidence_question_shows_its_verdict_next_to_the_direct_answer(server, page):
    question = "Do we have evidence for change management?"
    expected = httpx.post(server + "/v1/ask", json={"question": question}, timeout=120).json()
    _open(page, server)
    page.get_by_label("Your question").fill(question)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#ask-result:not([hidden])", timeout=120_000)
    lead = expected["text"].split("\n")[0]
    assert _words(page.inner_text("#answer-lead")) == _words(lead)
    if expected["verdict"]:
        assert page.inner_text("#verdict") == expected["verdict"].replace("_", " ")
    else:
        assert page.locator("#verdict").is_hidden()
    # Each verdict the API can give is shown as a badge beside the lead, in words.
    for verdict in ("covered", "partial", "not_covered", "inconsistent"):
        page.route("**/v1/ask", _answering({**expected, "verdict": verdict}))
        page.get_by_role("button", name="Ask", exact=True).click()
        page.wait_for_function(f"document.getElementById('verdict').textContent === {verdict.replace('_', ' ')!r}")
        badge, lead_box = page.locator("#verdict").bounding_box(), page.locator("#answer-lead").bounding_box()
        assert badge and lead_box and abs(badge["y"] - lead_box["y"]) < 20 and badge["x"] < lead_box["x"]
        page.unroute("**/v1/ask")
    page.get_by_role("button", name="Ask", exact=True).click()  # the real answer again, for the screenshot
    page.wait_for_function("!document.querySelector('#ask-form button').disabled")
    assert _words(page.inner_text("#answer-lead")) == _words(lead)
    _screenshot(page, "web-evidence.png")
    _assert_accessible(page)


def test_an_interview_reads_as_a_transcript_across_three_turns(server, page):
    _open(page, server, "Rehearse an interview")
    page.get_by_label("Clause, process or role").fill("change management")
    page.get_by_label("Questions", exact=True).fill("3")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#iv-prompt:not(:empty)", timeout=60_000)
    asked = []
    for turn, reply in enumerate((LONG_ANSWER, "The CAB approves them.", None)):
        asked.append(page.inner_text("#iv-prompt"))
        if reply is None:
            page.get_by_role("button", name="Skip question").click()
        else:
            page.get_by_label("Your answer", exact=True).fill(reply)
            page.get_by_role("button", name="Send answer").click()
        page.wait_for_function(f"document.querySelectorAll('#transcript > li').length === {turn + 1}", timeout=60_000)
        entry = page.locator("#transcript > li").nth(turn)
        # The question, the answer given and its assessment stay together, in that order.
        assert entry.locator(".prompt").inner_text() == asked[-1]
        assert entry.locator(".said").inner_text() == (reply or "Skipped")
        assert entry.locator(".assessment").is_visible()
        if reply is not None:
            assert "Score" in entry.locator(".assessment .score").inner_text()
        if turn < 2:
            page.wait_for_selector("#iv-turn:not([hidden])")
            assert page.inner_text("#iv-prompt") != asked[-1]
        if turn == 1:  # mid-interview: the transcript, then the question to answer, Skip and End
            skip = page.get_by_role("button", name="Skip question")
            assert skip.evaluate("b => getComputedStyle(b).borderStyle") == "solid"
            _screenshot(page, "web-interview.png")
    if page.locator("#iv-turn").is_visible():
        page.get_by_role("button", name="End interview").click()
    page.wait_for_selector("#iv-summary:not([hidden])", timeout=60_000)
    assert "Summary" in page.inner_text("#iv-summary") and "skipped" in page.inner_text("#iv-summary")
    _screenshot(page, "web-interview-summary.png")
    _assert_accessible(page)


def test_readiness_shows_the_overall_status_the_clause_chart_and_majors_first(server, page):
    report = httpx.get(server + "/v1/readiness", timeout=300).json()
    _open(page, server, "Readiness")
    page.get_by_role("button", name="Check readiness").click()
    page.wait_for_selector("#rd-result .overall", timeout=300_000)
    assert report["overall_status"] in page.inner_text("#rd-result .overall")
    assert f"{round(report['overall_score'] * 100)}%" in page.inner_text("#rd-result .overall")
    assert re.search(r"Computed (just now|\d+ minutes? ago)", page.inner_text("#rd-result"))
    headings = page.locator("#rd-result h2").all_inner_texts()
    assert (
        headings.index("Overall")
        < headings.index("Clauses by group")
        < next(i for i, h in enumerate(headings) if h.startswith("Findings"))
    )
    groups = page.locator("#rd-result details.group")
    assert groups.count() == len(report["groups"])
    bar = groups.first.locator(".bar")
    first_group = report["groups"][0]
    assert f"{first_group['covered']} covered" in bar.get_attribute("aria-label")
    assert (bar.bounding_box() or {}).get("width", 0) > 100
    grades = page.locator("#rd-result details.finding > summary .badge").all_text_contents()
    order = ["major", "major nonconformity", "minor", "minor nonconformity", "observation"]
    ranks = [order.index(g) if g in order else len(order) for g in grades]
    assert ranks == sorted(ranks), grades
    if any(a["severity"] == "major" for a in report["actions"]):
        assert grades and grades[0].startswith("major")
        first_section = page.locator("#rd-result details.grade-section").first
        assert first_section.get_attribute("open") is not None
        assert first_section.locator("> summary").inner_text().startswith("Major nonconformities")
    finding = page.locator("#rd-result details.finding").first
    finding.locator("summary").click()
    assert finding.locator(".body").is_visible() and finding.locator(".body").inner_text().strip()
    _screenshot(page, "web-readiness.png")
    _assert_accessible(page)


def test_the_html_report_opens_with_charts_drawn(server, page):
    page.goto(server + "/v1/readiness?format=html")
    page.wait_for_selector("svg rect.bar", timeout=120_000)
    bars = page.locator("svg rect.bar")
    assert bars.count() >= 10
    box = bars.first.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    assert page.locator("table").first.is_visible()
    _screenshot(page, "readiness-report.png")


def test_an_upload_shows_progress_and_a_result_per_file(server, page, tmp_path):
    good = tmp_path / "incident-procedure.md"
    good.write_text(INCIDENT, encoding="utf-8")
    bad = tmp_path / "notes.md"
    bad.write_bytes(b"\x00\x01\x02 binary")
    _open(page, server, "Documents")
    held = []  # the upload request, held until the page has shown its progress

    def hold(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route("**/v1/documents", hold)
    page.get_by_label("Add documents").set_input_files([str(good), str(bad)])
    page.get_by_role("button", name="Upload").click()
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the upload never left the page"
    assert page.locator("#upload-progress").is_visible()
    assert "Uploading 2 files" in page.inner_text("#upload-status")
    assert page.get_by_role("button", name="Upload").is_disabled()
    held[0].continue_()
    page.wait_for_selector("#upload-results li", timeout=60_000)
    results = page.locator("#upload-results li")
    assert results.count() == 2
    texts = sorted(results.all_inner_texts())
    assert "added" in texts[0] and "incident-procedure.md" in texts[0]
    assert "failed" in texts[1] and "notes.md" in texts[1] and "binary" in texts[1]
    assert "1 of 2 files ingested" in page.inner_text("#upload-status")
    assert page.locator("#upload-progress").is_hidden()
    page.wait_for_function("document.querySelectorAll('#documents tbody tr').length === 3")
    assert "incident-procedure.md" in page.inner_text("#documents")
    assert "3 documents" in page.inner_text("header")
    _screenshot(page, "web-upload.png")
    _assert_accessible(page)
