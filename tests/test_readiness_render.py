"""The HTML readiness page: per clause, findings with their quotes in context inside
collapsible details, majors first; no tail of loose quotes; a print view for slides."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from assistant.readiness.models import (
    Action,
    ClauseReadiness,
    ClauseStatus,
    Finding,
    Quote,
    ReadinessReport,
    Severity,
)
from assistant.readiness.render import to_html, to_markdown


def _finding(clause: str, grade: Severity, summary: str, quote: Quote | None = None) -> Finding:
    return Finding(
        clause_id=clause,
        grade=grade,
        source="element",
        state="negated",
        rule="r",
        why="because",
        summary=summary,
        quotes=[quote] if quote else [],
    )


def _clause(clause: str, status: ClauseStatus, findings: list[Finding]) -> ClauseReadiness:
    return ClauseReadiness(
        clause_id=clause, title=f"Title {clause}", group="8.5", status=status, score=0.5, elements=[], findings=findings
    )


BYPASS = Quote(
    document="change-procedure.docx",
    section="7 Emergency changes",
    sentence="The engineer implements the fix without waiting for approval.",
    context="Normal changes go to the CAB. The engineer implements the fix without waiting for approval. "
    "A retrospective RFC follows.",
)


def _report() -> ReadinessReport:
    clauses = [
        _clause("7.2", ClauseStatus.PARTIAL, [_finding("7.2", Severity.MINOR, "Training plans not addressed")]),
        _clause(
            "8.5.1.3",
            ClauseStatus.PARTIAL,
            [
                _finding("8.5.1.3", Severity.MAJOR, "Emergency changes bypass approval", BYPASS),
                _finding("8.5.1.3", Severity.OBSERVATION, "Evidence unclear: change trends"),
            ],
        ),
        _clause("8.6.2", ClauseStatus.COVERED, []),
    ]
    return ReadinessReport(
        workspace="acme",
        generated_at=datetime.now(UTC),
        as_of=date(2026, 11, 23),
        documents=3,
        overall_score=0.6,
        overall_status="nearly ready",
        clauses=clauses,
        groups=[],
        checklist=[],
        freshness=[],
        inconsistencies=[],
        actions=[
            Action(
                severity=Severity.MAJOR,
                title="Change the documented practice",
                detail="bypass",
                clause_ids=["8.5.1.3"],
                owner="Change manager",
                closes="Approved ECAB records",
            )
        ],
        element_counts={"evidenced": 3, "weak": 1, "not_found": 1},
    )


def test_findings_sit_in_collapsible_clauses_majors_first_with_quotes_in_context():
    page = to_html(_report())
    clauses = re.findall(r'<details class="clause worst-(\w+)" id="c-([\d.]+)"', page)
    assert clauses == [("major", "8.5.1.3"), ("minor", "7.2")]  # the covered clause is only in the summary table
    section = page[page.index('id="c-8.5.1.3"') : page.index('id="c-7.2"')]
    assert section.index("Emergency changes bypass approval") < section.index("Evidence unclear")
    assert "<mark>The engineer implements the fix without waiting for approval.</mark>" in section
    assert "Normal changes go to the CAB." in section and "change-procedure.docx · 7 Emergency changes" in section
    assert "<details class='notes'><summary>1 observation</summary>" in section


def test_the_page_has_no_tail_of_loose_quotes_and_prints_for_slides():
    page = to_html(_report())
    assert "<h2>Passages</h2>" not in page
    assert page.count("<blockquote") == 1  # one quote, with its finding
    assert "@media print" in page and "size:A4 landscape" in page and "break-before:page" in page
    assert "Change manager" in page and "Approved ECAB records" in page
    assert "<script" not in page and not re.search(r"""(?:src|href)=["']https?://""", page)


def test_markdown_lists_each_clause_findings_with_their_grade():
    md = to_markdown(_report())
    assert "- **major**: Emergency changes bypass approval — “The engineer implements" in md
    assert "owner: Change manager; closed by: Approved ECAB records" in md
    assert "### 8.6.2 Title 8.6.2 — covered (50%)\n\n- no findings" in md
