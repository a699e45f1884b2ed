"""Findings graded as a certification auditor would grade them, from the grading table in
knowledge/rules/, scores capped by the worst finding, and actions in the order an auditor
would rank them."""

from __future__ import annotations

import pytest

from assistant.config import DEFAULT_KNOWLEDGE_DIR
from assistant.errors import KnowledgeError
from assistant.evidence import load_statement_cues
from assistant.models import DocType, ElementFinding, ElementStatus
from assistant.readiness.actions import ActionPlanner
from assistant.readiness.findings import FindingBuilder, ordered
from assistant.readiness.grading import Facts, GradingRules, clause_score, clause_status, element_state
from assistant.readiness.models import (
    ChecklistEntry,
    ClauseReadiness,
    ClauseStatus,
    FreshnessFlag,
    RecordFinding,
    Severity,
)

PROCEDURE = "change-procedure.md"
RECORD = "change-record-0412.md"
TEXTS = {
    PROCEDURE: "Normal changes go to the CAB. Where a service is down, the on-call engineer implements "
    "the fix without waiting for approval. A retrospective RFC follows.",
    RECORD: "Change 0412 was implemented without approval on 2026-03-02.",
}
KINDS = {PROCEDURE: DocType.PROCEDURE, RECORD: DocType.RECORD}


@pytest.fixture(scope="module")
def rules() -> GradingRules:
    return GradingRules.load(DEFAULT_KNOWLEDGE_DIR)


@pytest.fixture(scope="module")
def cues():
    return load_statement_cues(DEFAULT_KNOWLEDGE_DIR)


def builder_rules() -> GradingRules:
    return GradingRules.load(DEFAULT_KNOWLEDGE_DIR)


@pytest.fixture
def builder(rules, catalogue) -> FindingBuilder:
    return FindingBuilder(rules, catalogue, TEXTS, KINDS)


def _finding(element_id: str, status: ElementStatus, document: str | None = None, quote: str | None = None):
    """A finding as the evidence check gives it; a quoted passage names the element's first cue."""
    return ElementFinding(
        element_id=element_id,
        clause_id=element_id.rsplit("-e", 1)[0],
        statement="",
        status=status,
        score=0.6,
        document=document,
        section="7 Emergency changes" if document else None,
        quote=quote,
        matched_cues=["emergency change"] if quote else [],
    )


BYPASS = "Where a service is down, the on-call engineer implements the fix without waiting for approval."


@pytest.mark.parametrize(
    ("facts", "grade"),
    [
        (Facts("checklist", "missing"), Severity.MAJOR),
        (Facts("checklist", "audit coverage"), Severity.MAJOR),
        (Facts("clause", "absent"), Severity.MAJOR),
        (Facts("element", "negated", required=True, prescribed=True, named=True), Severity.MAJOR),
        (Facts("element", "negated", required=True, prescribed=True, named=False), Severity.OBSERVATION),
        (Facts("freshness", "untested plan"), Severity.MAJOR),
        (Facts("freshness", "no test record"), Severity.MINOR),
        (Facts("element", "negated", required=True, prescribed=False, named=True), Severity.MINOR),
        (Facts("element", "deferred", required=True, prescribed=True), Severity.MINOR),
        (Facts("element", "absent", required=True, prescribed=True), Severity.MINOR),
        (Facts("checklist", "vague targets"), Severity.MINOR),
        (Facts("freshness", "stale record"), Severity.MINOR),
        (Facts("freshness", "overdue review"), Severity.MINOR),
        (Facts("register", "incomplete records"), Severity.MINOR),
        (Facts("register", "overdue"), Severity.MINOR),
        (Facts("inconsistency", "disagree"), Severity.MINOR),
        (Facts("freshness", "owner has left"), Severity.OBSERVATION),
        (Facts("element", "not found", required=True, prescribed=False), Severity.OBSERVATION),
        (Facts("element", "unclear", required=True, prescribed=True), Severity.OBSERVATION),
        (Facts("register", "a kind nobody listed"), Severity.OBSERVATION),
    ],
)
def test_each_kind_of_finding_gets_the_grade_an_auditor_gives(rules, facts, grade):
    assert rules.rule(facts).grade is grade


def test_a_bypassed_control_is_major_in_a_procedure_and_minor_in_one_record(builder, catalogue, cues):
    """The procedure says how every emergency change is made (systematic); a change record
    shows one case (an isolated lapse)."""
    element = catalogue.element("8.5.1.3-e3")
    in_procedure = _finding(element.id, ElementStatus.WEAK, PROCEDURE, BYPASS)
    in_record = _finding(element.id, ElementStatus.WEAK, RECORD, "Change 0412 was implemented without approval.")
    assert element_state(in_procedure, element, cues, absent=False, deferred=False) == "negated"
    assert builder.element(in_procedure, "negated").grade is Severity.MAJOR
    assert builder.element(in_record, "negated").grade is Severity.MINOR
    elsewhere = in_procedure.model_copy(update={"matched_cues": []})  # a negation near the topic, not about it
    assert builder.element(elsewhere, "negated").grade is Severity.OBSERVATION
    about_incidents = FindingBuilder(builder_rules(), catalogue, TEXTS, KINDS, {PROCEDURE: {"8.6.1"}})
    assert about_incidents.element(in_procedure, "negated").grade is Severity.OBSERVATION  # not its process


def test_element_states_come_from_the_checks_not_from_any_wording(catalogue, cues):
    element = catalogue.element("8.7.2-e5")
    planned = "A failover test is being prepared, and testing is planned for the first quarter of 2027."
    weak = _finding(element.id, ElementStatus.WEAK, "plan.md", planned)
    assert element_state(weak, element, cues, absent=False, deferred=False) == "deferred"
    assert element_state(_finding(element.id, ElementStatus.NOT_FOUND), element, cues, False, False) == "not found"
    assert element_state(weak, element, cues, absent=True, deferred=False) == "absent"
    loose = _finding(element.id, ElementStatus.WEAK, "plan.md", "The plan lists the recovery teams.")
    assert element_state(loose, element, cues, absent=False, deferred=False) == "unclear"
    assert (
        element_state(_finding(element.id, ElementStatus.EVIDENCED, "plan.md", "x"), element, cues, False, False)
        is None
    )


def test_a_quote_is_shown_with_the_sentences_around_it(builder, catalogue):
    finding = builder.element(_finding("8.5.1.3-e3", ElementStatus.WEAK, PROCEDURE, BYPASS), "negated")
    quote = finding.quotes[0]
    assert quote.document == PROCEDURE and quote.section == "7 Emergency changes"
    assert quote.context.startswith("Normal changes go to the CAB.") and quote.context.endswith(
        "A retrospective RFC follows."
    )


def test_a_clause_with_a_major_finding_scores_at_most_its_cap_whatever_its_other_elements(rules, builder, catalogue):
    elements = [_finding(e.id, ElementStatus.EVIDENCED, PROCEDURE, "ok") for e in catalogue.get("8.5.1.3").elements]
    elements[2] = _finding("8.5.1.3-e3", ElementStatus.WEAK, PROCEDURE, BYPASS)
    findings = [builder.element(elements[2], "negated")]
    score = clause_score(elements, findings, rules, absent=False)
    assert score <= rules.cap[Severity.MAJOR] < 7 / 8  # seven of eight elements evidenced
    assert clause_status(elements, findings, absent=False) is ClauseStatus.PARTIAL
    observation = [builder.element(elements[2], "unclear")]
    assert clause_status(elements, observation, absent=False) is ClauseStatus.COVERED
    assert clause_score(elements, observation, rules, absent=False) > score
    assert clause_score(elements, [], rules, absent=False) == 1.0


def test_the_grading_table_is_validated_at_load(tmp_path):
    (tmp_path / "rules").mkdir()
    table = (DEFAULT_KNOWLEDGE_DIR / "rules" / "finding_grades.yaml").read_text(encoding="utf-8")
    (tmp_path / "rules" / "action_owners.yaml").write_text("owners: {'8': Someone}\n", encoding="utf-8")
    (tmp_path / "rules" / "finding_grades.yaml").write_text(table.replace("when: {}", "when: {source: x}"))
    with pytest.raises(KnowledgeError, match="last rule must match anything"):
        GradingRules.load(tmp_path)
    (tmp_path / "rules" / "finding_grades.yaml").write_text(table.replace("{source: checklist,", "{colour: red,", 1))
    with pytest.raises(KnowledgeError, match="unknown condition"):
        GradingRules.load(tmp_path)
    (tmp_path / "rules" / "finding_grades.yaml").write_text(table.replace("publish: {subject}", "publish: {subjekt}"))
    with pytest.raises(KnowledgeError, match="use only"):
        GradingRules.load(tmp_path)


def _clause(catalogue, clause_id: str, findings) -> ClauseReadiness:
    return ClauseReadiness(
        clause_id=clause_id,
        title=catalogue.get(clause_id).title,
        group="x",
        status=ClauseStatus.PARTIAL,
        score=0.5,
        elements=[],
        findings=ordered(findings),
    )


def test_actions_run_by_grade_then_stage1_relevance_then_clause_order(rules, builder, catalogue):
    unclear = [builder.element(_finding(f"7.2-e{i}", ElementStatus.WEAK, PROCEDURE, "x"), "unclear") for i in (1, 2)]
    clauses = [
        _clause(catalogue, "7.2", unclear + [builder.element(_finding("7.2-e3", ElementStatus.NOT_FOUND), "absent")]),
        _clause(
            catalogue,
            "8.5.1.3",
            [builder.element(_finding("8.5.1.3-e3", ElementStatus.WEAK, PROCEDURE, BYPASS), "negated")],
        ),
        _clause(
            catalogue,
            "8.7.2",
            builder.freshness(
                FreshnessFlag(document="bcp.md", kind="untested plan", detail="never tested", clause_ids=["8.7.2"])
            ),
        ),
        _clause(
            catalogue,
            "9.2",
            builder.checklist(
                ChecklistEntry(
                    key="internal_audit",
                    label="Internal audit records",
                    clauses=["9.2"],
                    status="weak",
                    documents=["audit.md"],
                    note="the audit records do not cover: 8.7",
                    finding="audit coverage",
                )
            ),
        ),
    ]
    actions = ActionPlanner(rules, catalogue).plan(clauses)
    assert [(a.severity.value, a.clause_ids[0]) for a in actions] == [
        ("major", "9.2"),  # a Stage 1 document first
        ("major", "8.5.1.3"),
        ("major", "8.7.2"),
        ("minor", "7.2"),
        ("observation", "7.2"),
    ]
    bypass = actions[1]
    assert bypass.owner == "Change manager" and bypass.title.startswith("Change the documented practice")
    assert bypass.closes and "emergency" in bypass.title


def test_register_and_freshness_findings_are_never_crowded_out(rules, builder, catalogue):
    generic = [
        _clause(
            catalogue, c.id, [builder.element(_finding(e.id, ElementStatus.NOT_FOUND), "absent") for e in c.elements]
        )
        for c in catalogue.leaves()[:20]
    ]
    register = builder.register(
        RecordFinding(document="ci.csv", kind="incomplete records", detail="2 rows have no owner", clause_ids=["10.1"])
    )
    stale = builder.freshness(
        FreshnessFlag(document="mr.md", kind="stale record", detail="held 14 months ago", clause_ids=["10.2"])
    )
    actions = ActionPlanner(rules, catalogue).plan(
        [*generic, _clause(catalogue, "10.1", register), _clause(catalogue, "10.2", stale)], limit=10
    )
    sources = [a.source for a in actions]
    assert "register" in sources and "freshness" in sources
    assert len(actions) == 10
