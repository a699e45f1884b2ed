"""The readiness report on the sample organization: planted gaps surface at the right
clause, well-documented clauses are not flagged, the Stage 1 checklist and freshness flags
come from the documents, and an empty workspace reports everything missing."""

from __future__ import annotations

import re
from datetime import date

import pytest
import yaml

from assistant.readiness.render import to_html, to_markdown
from tests.conftest import SAMPLE_ORG, SAMPLE_WORKSPACE

pytestmark = pytest.mark.integration

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def report(sample_assistant):
    return sample_assistant.readiness.report(SAMPLE_WORKSPACE, as_of=AS_OF)


def _gaps() -> dict:
    return yaml.safe_load((SAMPLE_ORG / "GAPS.yaml").read_text(encoding="utf-8"))


def _surfaced(report, gap: dict) -> bool:
    clause = next((c for c in report.clauses if c.clause_id == gap["clause"]), None)
    if clause is not None and clause.status.value != "covered":
        return True
    if clause is not None and any(
        f.element_id == gap["element"] and f.status.value != "evidenced" for f in clause.elements
    ):
        return True
    where = set(gap["where"])
    if any(gap["clause"] in f.clause_ids or f.document in where for f in report.freshness):
        return True
    if any(where & {p.source for p in d.statements} for d in report.inconsistencies):
        return True
    return any(gap["clause"] in item.clauses and item.status != "present" for item in report.checklist)


# Regression floor at today's measured recall (12 of 16); the product target is 0.9.
GAP_RECALL_FLOOR = 0.75


def test_planted_gaps_surface_at_the_right_clause(report):
    gaps = _gaps()["gaps"]
    surfaced = [g["id"] for g in gaps if _surfaced(report, g)]
    recall = len(surfaced) / len(gaps)
    assert recall >= GAP_RECALL_FLOOR, (recall, sorted({g["id"] for g in gaps} - set(surfaced)))


def test_well_documented_clauses_are_marked_covered(report):
    fine = _gaps()["well_documented"]
    by_id = {c.clause_id: c for c in report.clauses}
    covered = [c for c in fine if by_id[c].status.value == "covered"]
    assert len(covered) / len(fine) >= 0.66, {c: by_id[c].status.value for c in fine}


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
    assert 1 <= len(report.actions) <= 10
    assert len(report.clauses) == 57 and {g.key for g in report.groups} >= {"4", "8.5", "8.7", "10"}


def test_renderings(report):
    md = to_markdown(report)
    assert "## Stage 1 checklist" in md and "8.5.1.3" in md
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
