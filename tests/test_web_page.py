"""The web page and the HTML report in a real headless browser (Debian's chromium driven by
Playwright): ask and see cited sources, answer an interview question and see the
assessment, open the readiness report with its charts drawn."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

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
CHANGE = """# Change Management Procedure

## 1 Approval
The CAB approves every normal change at its weekly meeting. Emergency changes are approved by the
Emergency CAB within 2 hours, and a post-implementation review follows within 5 working days.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder, standard_template):
    import shutil

    root = tmp_path_factory.mktemp("web")
    shutil.copytree(standard_template, root / "data")
    config = make_settings(root / "data", auth="off", workspace="acme")
    assistant = build_assistant(config, embedder=embedder)
    org = root / "org"
    org.mkdir()
    (org / "change-management-procedure.md").write_text(CHANGE, encoding="utf-8")
    assistant.pipeline.ingest_paths([org], "acme")
    assistant.ensure_standard()
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(config, assistant), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: `make test` and .ci/run install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def test_ask_shows_the_answer_with_numbered_sources(server, page):
    page.goto(server + "/")
    page.get_by_label("Your question").fill("Who approves emergency changes?")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#sources li", timeout=60_000)
    assert "Emergency CAB" in page.inner_text("#answer-text")
    sources = page.inner_text("#sources")
    assert "change-management-procedure.md" in sources and "Clause" in sources
    button = page.locator("#sources li button").first
    button.click()
    assert page.locator("#sources blockquote").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-ask.png"), full_page=True)


def test_interview_question_answer_and_assessment(server, page):
    page.goto(server + "/")
    page.get_by_role("tab", name="Rehearse an interview").click()
    page.get_by_label("Clause, process or role").fill("change management")
    page.get_by_label("Questions").fill("1")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#iv-prompt:not(:empty)", timeout=60_000)
    assert page.inner_text("#iv-prompt").strip()
    page.get_by_label("Your answer").fill("Every change is raised as an RFC, risk assessed, and approved by the CAB.")
    page.get_by_role("button", name="Send answer").click()
    page.wait_for_selector("#iv-assessment .score", timeout=60_000)
    assert "Score" in page.inner_text("#iv-assessment")
    page.screenshot(path=str(ARTIFACTS / "web-interview.png"), full_page=True)


def test_readiness_report_opens_with_charts_drawn(server, page):
    page.goto(server + "/v1/readiness?format=html")
    page.wait_for_selector("svg rect.bar", timeout=120_000)
    bars = page.locator("svg rect.bar")
    assert bars.count() >= 10
    box = bars.first.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    assert page.locator("table").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "readiness-report.png"), full_page=True)
