"""The readiness report served from cache: the API and the bot read the latest stored report
at once and say how old it is; a change of the workspace is recomputed once, in the
background, however many changes arrive."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from assistant.db import create_db_engine
from assistant.readiness.models import ReadinessReport, ReportAge
from assistant.readiness.service import ReadinessService
from assistant.readiness.store import DbReportStore
from assistant.workspaces import workspace_collection


class FakeManifest:
    """Committed document versions per collection, changed by the test."""

    def __init__(self) -> None:
        self.versions: dict[str, dict[str, int]] = {}
        self.reads = 0

    def committed_versions(self, collection: str) -> dict[str, int]:
        self.reads += 1
        return dict(self.versions.get(collection, {}))

    def bump(self, workspace: str, doc: str = "doc-1") -> None:
        docs = self.versions.setdefault(workspace_collection(workspace), {})
        docs[doc] = docs.get(doc, 0) + 1


class CountingReadiness(ReadinessService):
    """A service whose report is a small stand-in that takes ``seconds`` to compute."""

    def __init__(
        self, catalogue, manifest: FakeManifest, reports=None, seconds: float = 0.0, watch_s=60.0, verify_s=1.0
    ):
        super().__init__(catalogue, None, None, manifest, reports=reports, watch_s=watch_s, verify_s=verify_s)  # type: ignore[arg-type]
        self.manifest = manifest
        self.computed: list[str] = []
        self.seconds = seconds
        self.release = threading.Event()
        self.release.set()

    def report(self, workspace: str, as_of: date | None = None, progress=None) -> ReadinessReport:
        self.release.wait(timeout=30)
        time.sleep(self.seconds)
        self.computed.append(workspace)
        docs = len(self.manifest.committed_versions(workspace_collection(workspace)))
        return ReadinessReport(
            workspace=workspace,
            generated_at=datetime.now(UTC),
            as_of=as_of or date.today(),
            documents=docs,
            overall_score=0.5,
            overall_status="nearly ready",
            clauses=[],
            groups=[],
            checklist=[],
            freshness=[],
            inconsistencies=[],
            actions=[],
            element_counts={},
        )


def _wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_changed_workspace_is_served_at_once_and_recomputed_in_the_background(catalogue):
    manifest = FakeManifest()
    manifest.bump("acme")
    service = CountingReadiness(catalogue, manifest)
    first = service.cached("acme")  # nothing stored yet: the first report is computed
    assert first.current and not first.refreshing and first.report.documents == 1
    assert service.computed == ["acme"]

    service.release.clear()  # the next computation waits until the test lets it go
    manifest.bump("acme", "doc-2")
    started = time.perf_counter()
    stale = service.cached("acme")
    assert time.perf_counter() - started < 1.0
    assert stale.report.documents == 1 and not stale.current and stale.refreshing
    service.release.set()
    assert _wait_until(lambda: service.cached("acme").current)
    fresh = service.cached("acme")
    assert fresh.report.documents == 2 and not fresh.refreshing
    assert service.computed == ["acme", "acme"]


def test_a_burst_of_changes_costs_one_follow_up_not_one_per_change(catalogue):
    manifest = FakeManifest()
    manifest.bump("acme")
    service = CountingReadiness(catalogue, manifest)
    service.cached("acme")
    service.release.clear()
    for n in range(10):
        manifest.bump("acme", f"doc-{n}")
        service.changed("acme")
        service.cached("acme")
    service.release.set()
    assert _wait_until(lambda: service.cached("acme").current and not service.cached("acme").refreshing)
    assert 2 <= len(service.computed) <= 3, service.computed  # the first report, the run, at most one follow-up
    assert service.cached("acme").report.documents == 10


def test_an_upload_to_a_workspace_without_a_report_computes_nothing(catalogue):
    manifest = FakeManifest()
    manifest.bump("acme")
    service = CountingReadiness(catalogue, manifest)
    service.changed("acme")
    time.sleep(0.2)
    assert service.computed == []  # the first report waits until someone asks for it


def test_a_change_made_elsewhere_is_noticed_without_a_request(catalogue):
    """An ingest from the command line changes the manifest; the server's watch recomputes."""
    manifest = FakeManifest()
    manifest.bump("acme")
    service = CountingReadiness(catalogue, manifest, watch_s=0.05)
    service.cached("acme")
    manifest.bump("acme", "doc-2")
    assert _wait_until(lambda: len(service.computed) == 2)
    assert _wait_until(lambda: not service.cached("acme").refreshing)
    assert service.cached("acme").current and service.cached("acme").report.documents == 2


def test_reads_under_load_check_the_workspace_once_per_interval_and_a_change_here_at_once(catalogue):
    """Serving from cache must not read the manifest on every request; a change through this
    process is seen by the next read, one made elsewhere within the interval."""
    manifest = FakeManifest()
    manifest.bump("acme")
    service = CountingReadiness(catalogue, manifest, verify_s=0.5)
    service.cached("acme")
    service.cached("acme")  # checked: the report is current
    reads = manifest.reads
    assert all(service.cached("acme").current for _ in range(200))
    assert manifest.reads == reads  # 200 reads within the interval, no manifest read

    manifest.bump("acme", "doc-2")  # as an ingest in another process would
    assert _wait_until(lambda: not service.cached("acme").current or service.cached("acme").report.documents == 2, 2.0)
    assert _wait_until(lambda: service.cached("acme").report.documents == 2)

    service.release.clear()
    manifest.bump("acme", "doc-3")
    service.changed("acme")  # an upload through this process
    stale = service.cached("acme")
    assert not stale.current and stale.refreshing and stale.report.documents == 2
    service.release.set()
    assert _wait_until(lambda: service.cached("acme").report.documents == 3 and service.cached("acme").current)


def _reports(url: str) -> DbReportStore:
    return DbReportStore(create_db_engine(url))


def test_a_new_process_serves_the_stored_report_with_its_age(catalogue, tmp_path):
    manifest = FakeManifest()
    manifest.bump("acme")
    url = f"sqlite:///{tmp_path / 'auditprep.db'}"
    CountingReadiness(catalogue, manifest, reports=_reports(url)).cached("acme")
    later = CountingReadiness(catalogue, manifest, reports=_reports(url))
    served = later.cached("acme")
    assert later.computed == [] and served.current
    served.now = served.report.generated_at + timedelta(minutes=7, seconds=5)
    assert served.age.age_seconds == pytest.approx(425, abs=1)
    assert served.age.summary() == "computed 7 minutes ago"


def _nodes_share_one_report(catalogue, url: str) -> None:
    manifest = FakeManifest()  # the manifest both nodes read from their one database
    manifest.bump("acme")
    node_a = CountingReadiness(catalogue, manifest, reports=_reports(url))
    node_b = CountingReadiness(catalogue, manifest, reports=_reports(url))
    first = node_a.cached("acme")
    assert node_b.cached("acme").json() == first.json() and node_b.computed == []

    # a change: both nodes notice it, one computes, the other waits for it and takes it
    manifest.bump("acme", "doc-2")
    node_a.release.clear()
    runs = [threading.Thread(target=node.latest, args=("acme",)) for node in (node_a, node_b)]
    for run in runs:
        run.start()
    time.sleep(0.3)  # both are now in: one computing, one waiting for the lock
    node_a.release.set()
    for run in runs:
        run.join(timeout=30)
    assert len(node_a.computed) + len(node_b.computed) == 2, (node_a.computed, node_b.computed)
    served_a, served_b = node_a.cached("acme"), node_b.cached("acme")
    assert served_a.current and served_b.current and served_a.report.documents == 2
    assert served_a.json() == served_b.json()  # the same stored report, byte for byte


def test_nodes_on_one_sqlite_database_serve_one_report_computed_once_per_change(catalogue, tmp_path):
    _nodes_share_one_report(catalogue, f"sqlite:///{tmp_path / 'auditprep.db'}")


@pytest.mark.integration
def test_nodes_on_one_postgresql_database_serve_one_report_computed_once_per_change(catalogue, pg_url):
    _nodes_share_one_report(catalogue, pg_url)


def test_an_unreadable_stored_report_is_computed_again(catalogue, tmp_path):
    manifest = FakeManifest()
    manifest.bump("acme")
    reports = _reports(f"sqlite:///{tmp_path / 'auditprep.db'}")
    service = CountingReadiness(catalogue, manifest, reports=reports)
    reports.save("acme", service._fingerprint("acme"), b'{"not": "a report"}')
    assert service.cached("acme").report.workspace == "acme" and service.computed == ["acme"]


def test_the_age_reads_plainly():
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    fresh = ReportAge(generated_at=now, age_seconds=12, current=True, refreshing=False)
    assert fresh.summary() == "computed just now"
    old = ReportAge(generated_at=now, age_seconds=2 * 3600 + 5, current=False, refreshing=True)
    assert old.summary() == "computed 2 hours ago; the documents changed since, a newer one is on its way"


def _served(catalogue, tmp_path, **overrides):
    """The real app over a real database, its readiness service counting computations."""
    from assistant.api.app import create_app
    from assistant.api.deps import get_readiness
    from assistant.bootstrap import build_assistant
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "data", rate_limit_per_minute=1000, **overrides)
    assistant = build_assistant(settings)
    manifest = FakeManifest()
    manifest.bump("acme")
    service = CountingReadiness(catalogue, manifest)
    app = create_app(settings, assistant)
    app.dependency_overrides[get_readiness] = lambda: service
    return TestClient(app), service, manifest, assistant


def test_the_endpoint_serves_the_stored_report_and_says_how_old_it_is(catalogue, tmp_path):
    client, service, _, assistant = _served(catalogue, tmp_path)
    key = assistant.keys.create("acme")[0]
    headers = {"Authorization": f"Bearer {key}"}

    first = client.get("/v1/readiness", headers=headers)
    assert first.status_code == 200, first.text
    assert first.headers["content-encoding"] == "gzip"  # the client accepts it; decoded by the client
    body = first.json()
    assert body["workspace"] == "acme" and body["served"]["current"] is True
    assert body["served"]["generated_at"] == body["generated_at"] and int(first.headers["Age"]) >= 0
    ReadinessReport.model_validate({k: v for k, v in body.items() if k != "served"})
    plain = client.get("/v1/readiness", headers={**headers, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == body

    for _ in range(5):
        assert client.get("/v1/readiness", headers=headers).status_code == 200
    page = client.get("/v1/readiness?format=html", headers=headers)
    assert page.status_code == 200 and "Readiness report" in page.text
    assert service.computed == ["acme"]  # every read after the first came from the cache


def test_a_client_holding_the_report_revalidates_it_until_the_workspace_changes(catalogue, tmp_path):
    """The report is hundreds of kilobytes: a client that sends back its ETag gets 304 while
    the report and its state stand, with the Age still growing; a change of the workspace
    changes the tag, so the client gets the stale report marked as refreshing, then the new one."""
    client, service, manifest, _ = _served(catalogue, tmp_path, auth="off")
    url = "/v1/readiness?workspace=acme"

    first = client.get(url)
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('W/"')
    time.sleep(1.1)
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    assert int(again.headers["Age"]) >= int(first.headers["Age"]) + 1  # the age is the response's, not the bytes'
    plain = client.get(url, headers={"If-None-Match": tag.removeprefix("W/"), "Accept-Encoding": "identity"})
    assert plain.status_code == 304  # the plain and the gzipped bytes are one report: weak comparison
    for other in ('W/"something-else"', "", "not a tag", "x" * 5000):
        refetched = client.get(url, headers={"If-None-Match": other})
        assert refetched.status_code == 200 and refetched.content == first.content
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304

    page = client.get(url + "&format=html")
    assert page.status_code == 200 and page.headers["ETag"] not in (tag, "")
    assert client.get(url + "&format=html", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304

    service.release.clear()
    manifest.bump("acme", "doc-2")
    service.changed("acme")
    stale = client.get(url, headers={"If-None-Match": tag})
    assert stale.status_code == 200 and stale.headers["ETag"] != tag
    served = stale.json()["served"]
    assert not served["current"] and served["refreshing"] and stale.json()["documents"] == 1
    service.release.set()
    assert _wait_until(lambda: service.cached("acme").current and not service.cached("acme").refreshing)
    fresh = client.get(url, headers={"If-None-Match": stale.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.json()["documents"] == 2 and fresh.json()["served"]["current"]
    assert service.computed == ["acme", "acme"]
