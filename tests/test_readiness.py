"""The readiness report on the sample organization: planted gaps surface at the right
clause, well-documented clauses are not flagged, the Stage 1 checklist and freshness flags
come from the documents, and an empty workspace reports everything missing."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml

from assistant.readiness.models import ReadinessReport
from assistant.readiness.render import to_html, to_markdown
from assistant.readiness.store import DbReportStore
from tests.conftest import SAMPLE_ORG, SAMPLE_WORKSPACE

pytestmark = pytest.mark.integration

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def report(sample_assistant):
    return sample_assistant.readiness.report(SAMPLE_WORKSPACE, as_of=AS_OF)


def _gaps() -> dict:
    return yaml.safe_load((SAMPLE_ORG / "GAPS.yaml").read_text(encoding="utf-8"))


def _surfaced(report, gap: dict) -> bool:
    """A gap is surfaced at its clause: its element is not evidenced there, or a finding names
    the clause (a stale or incomplete record, a disagreement, a weak Stage 1 document)."""
    clause = next((c for c in report.clauses if c.clause_id == gap["clause"]), None)
    if clause is not None and any(
        f.element_id == gap["element"] and f.status.value != "evidenced" for f in clause.elements
    ):
        return True
    findings = [*report.freshness, *report.records, *report.inconsistencies]
    if any(gap["clause"] in f.clause_ids for f in findings):
        return True
    return any(gap["clause"] in item.clauses and item.status != "present" for item in report.checklist)


GAP_RECALL_FLOOR = 0.9
FLAG_PRECISION_FLOOR = 0.8


def test_planted_gaps_surface_at_the_right_clause(report):
    gaps = _gaps()["gaps"]
    surfaced = [g["id"] for g in gaps if _surfaced(report, g)]
    recall = len(surfaced) / len(gaps)
    assert recall >= GAP_RECALL_FLOOR, (recall, sorted({g["id"] for g in gaps} - set(surfaced)))


def test_missing_and_partial_statuses_are_precise(report):
    """Of the clauses GAPS.yaml judges (planted gaps, well documented), those marked missing or
    partial are the gaps."""
    truth = _gaps()
    gap_clauses = {g["clause"] for g in truth["gaps"]}
    judged = gap_clauses | set(truth["well_documented"])
    flagged = {c.clause_id for c in report.clauses if c.clause_id in judged and c.status.value != "covered"}
    precision = len(flagged & gap_clauses) / len(flagged)
    assert precision >= FLAG_PRECISION_FLOOR, (precision, sorted(flagged - gap_clauses))


def test_well_documented_clauses_are_marked_covered(report):
    fine = _gaps()["well_documented"]
    by_id = {c.clause_id: c for c in report.clauses}
    assert all(by_id[c].status.value == "covered" for c in fine), {c: by_id[c].status.value for c in fine}


def test_register_rows_and_deferrals_are_findings(report):
    records = {(r.document, r.kind, tuple(r.clause_ids)) for r in report.records}
    assert ("ci-register.csv", "incomplete records", ("8.2.6",)) in records
    assert ("continual-improvement-register.xlsx", "overdue", ("10.1",)) in records
    owner_left = [f for f in report.freshness if f.kind == "owner has left"]
    assert [f.document for f in owner_left] == ["supplier-management-policy.html"]
    by_element = {f.element_id: f for c in report.clauses for f in c.elements}
    capacity = by_element["8.4.3-e2"]
    assert capacity.status.value == "weak" and "will be prepared once" in capacity.quote


def test_stage1_checklist_and_freshness_on_the_sample(report):
    checklist = {item.key: item for item in report.checklist}
    assert checklist["scope"].status == "present" and "sms-scope-statement.md" in checklist["scope"].documents
    assert checklist["sla"].status == "weak" and "sla-brightwell-retail.pdf" in checklist["sla"].note
    assert checklist["internal_audit"].status == "weak" and "8.7" in checklist["internal_audit"].note
    kinds = {(f.document, f.kind) for f in report.freshness}
    assert ("management-review-minutes-2025-10.docx", "stale record") in kinds
    assert ("configuration-management-procedure.pdf", "overdue review") in kinds
    assert ("service-continuity-plan.pdf", "untested plan") in kinds
    assert any(d.topic.startswith("major incident") for d in report.inconsistencies)
    assert report.actions and report.actions[0].severity.value == "major"
    named = {c for a in report.actions for c in a.clause_ids}
    assert {c for r in report.records for c in r.clause_ids} <= named  # registers are never crowded out
    assert len(report.clauses) == 57 and {g.key for g in report.groups} >= {"4", "8.5", "8.7", "10"}


def test_renderings(report):
    md = to_markdown(report)
    assert "## Stage 1 checklist" in md and "8.5.1.3" in md and "## Register records" in md
    html = to_html(report)
    assert html.count('class="bar"') >= 13
    assert not re.search(r"""(?:src|href)=["']https?://""", html)  # no external assets
    assert "<script" not in html


def test_an_empty_workspace_reports_everything_missing(sample_assistant):
    empty = sample_assistant.readiness.report("nothing-here", as_of=AS_OF)
    assert empty.documents == 0
    assert all(item.status == "missing" for item in empty.checklist)
    assert all(c.status.value == "missing" for c in empty.clauses)
    assert empty.overall_score == 0 and empty.actions


def _register(rows: list[str]) -> str:
    return "\n".join(rows)


def test_register_checks_skip_closed_rows_and_undated_statuses():
    from assistant.readiness.registers import register_issues

    text = _register(
        [f"Ref: A-{i}; Action: do {i}; Owner: Ann; Status: Open; Due: 2026-12-01" for i in range(4)]
        + ["Ref: A-8; Action: late; Owner: Ann; Status: In progress; Due: 2026-01-01"]
        + ["Ref: A-9; Action: old; Status: Closed; Due: 2025-01-01"]
    )
    issues = {(i.kind, i.column): [r.key for r in i.rows] for i in register_issues(text, AS_OF)}
    assert issues == {("overdue", "Due"): ["A-8"]}
    no_status = _register([f"Ref: M-{i}; Action: do {i}; Owner: Ann; Due: 2025-01-01" for i in range(6)])
    assert register_issues(no_status, AS_OF) == []


def test_a_recurring_plan_is_not_a_deferral(catalogue):
    from assistant.readiness.elements import DEFERRAL, ElementRules

    assert DEFERRAL.search("Testing is planned for the first quarter of 2027.")
    rules = ElementRules(catalogue)
    recurring = {"plan.md": "The next management review is scheduled for 2026-12-10, ahead of Stage 1."}
    assert rules.deferrals(recurring, {}) == []


def _one_document_workspace(org, settings, embedder, name: str, body: str):
    """An assistant whose workspace "acme" holds one Markdown document."""
    from assistant.bootstrap import build_assistant

    org.mkdir()
    title = name.rsplit(".", 1)[0].replace("-", " ").capitalize()
    (org / name).write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    built = build_assistant(settings, embedder=embedder)
    built.pipeline.ingest_paths([org], "acme")
    return built


def test_the_latest_report_is_kept_in_the_database_until_the_workspace_changes(
    tmp_path, settings, embedder, monkeypatch
):
    """A new process reuses today's report for an unchanged workspace; an edit recomputes it."""
    from assistant.bootstrap import build_assistant

    org = tmp_path / "org"
    first = _one_document_workspace(
        org,
        settings,
        embedder,
        "change-procedure.md",
        "Every change is approved by the CAB, which meets every Tuesday.",
    )
    original = first.readiness.latest("acme")
    stored = DbReportStore(first.engine).load("acme")
    assert stored is not None and ReadinessReport.model_validate_json(stored.body) == original

    second = build_assistant(settings, embedder=embedder)  # a new process on the same data
    calls: list[str] = []
    compute = second.readiness.report
    monkeypatch.setattr(second.readiness, "report", lambda ws, **kw: calls.append(ws) or compute(ws, **kw))
    reused = second.readiness.latest("acme")
    assert calls == [] and reused.model_dump() == original.model_dump()

    (org / "change-procedure.md").write_text(
        "# Change procedure\n\nEmergency changes are approved by the ECAB within 2 hours.\n", encoding="utf-8"
    )
    second.pipeline.ingest_paths([org], "acme")
    second.readiness.latest("acme")
    assert calls == ["acme"]

    reports = DbReportStore(first.engine)
    reports.save("acme", reports.fingerprint("acme") or {}, b"{not json")
    third = build_assistant(settings, embedder=embedder)
    assert third.readiness.latest("acme").workspace == "acme"  # an unreadable cache is recomputed


def test_the_report_is_not_ready_while_a_stage1_document_is_weak(report):
    weak = [i.label for i in report.checklist if i.status != "present"]
    assert weak, "the sample's SLA and internal audit items are planted as weak"
    assert not report.overall_status.startswith("ready"), (report.overall_status, weak)


def test_a_server_warms_the_report_at_start_up(tmp_path, settings, embedder, monkeypatch):
    """`serve` computes the report in the background; the first question then reuses it."""
    built = _one_document_workspace(
        tmp_path / "org",
        settings,
        embedder,
        "incident-procedure.md",
        "Major incidents are declared by the on-call lead.",
    )
    built.readiness.warm("acme").join(timeout=300)
    assert DbReportStore(built.engine).fingerprint("acme") is not None
    calls: list[str] = []
    monkeypatch.setattr(built.readiness, "report", lambda ws, **kw: calls.append(ws))
    assert built.readiness.latest("acme").workspace == "acme" and calls == []


def test_a_failed_warm_up_is_logged_not_raised(settings, embedder, monkeypatch, caplog):
    from assistant.bootstrap import build_assistant

    built = build_assistant(settings, embedder=embedder)

    def broken(workspace: str):
        raise RuntimeError("store offline")

    monkeypatch.setattr(built.readiness, "latest", broken)
    built.readiness.warm("acme").join(timeout=30)
    assert "readiness recomputation failed" in caplog.text
