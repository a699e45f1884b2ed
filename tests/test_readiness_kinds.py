"""Elements an auditor accepts only from one kind of record (management review inputs from
the review's minutes) are evidenced only by documents of that kind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.config import DEFAULT_KNOWLEDGE_DIR
from assistant.models import DocType, DocumentRecord, DocumentStatus, ElementFinding, ElementStatus, Origin, Passage
from assistant.readiness.elements import ElementRules
from assistant.readiness.kinds import DocumentKinds, hold_to_kind

POLICY = "supplier-management-policy.md"
MINUTES = "management-review-minutes-2026-03.md"


def _record(source: str, title: str, doc_type: DocType) -> DocumentRecord:
    return DocumentRecord(
        workspace="ws-acme",
        document_id=source,
        source=source,
        title=title,
        doc_type=doc_type,
        content_hash="0",
        version=1,
        chunk_count=1,
        status=DocumentStatus.INDEXED,
        ingested_at=datetime.now(UTC),
    )


def _passage(source: str, text: str, section: str = "") -> Passage:
    return Passage(
        id=f"{source}#1",
        text=text,
        origin=Origin.ORGANIZATION,
        document_id=source,
        source=source,
        title=source,
        section=section,
    )


@pytest.fixture(scope="module")
def kinds(catalogue) -> DocumentKinds:
    return DocumentKinds.load(DEFAULT_KNOWLEDGE_DIR, catalogue)


@pytest.fixture(scope="module")
def rules(catalogue) -> ElementRules:
    return ElementRules(catalogue)


def _from_policy() -> ElementFinding:
    return ElementFinding(
        element_id="9.3-e4",
        clause_id="9.3",
        statement="",
        status=ElementStatus.EVIDENCED,
        score=0.7,
        passage_id=f"{POLICY}#1",
        document=POLICY,
        section="Reporting",
        quote="Supplier performance is reported to management review.",
        matched_cues=["supplier performance"],
    )


def test_a_document_is_of_a_kind_by_its_title_or_name(kinds):
    records = [
        _record(MINUTES, "Minutes", DocType.RECORD),
        _record("ia.pdf", "Internal Audit Report 2026", DocType.RECORD),
        _record(POLICY, "Supplier management policy", DocType.POLICY),
    ]
    assert kinds.documents(records) == {
        "management review minutes": {MINUTES},
        "internal audit report": {"ia.pdf"},
        "continuity test record": set(),
    }


def test_a_review_input_is_evidenced_by_the_minutes_not_by_a_policy(kinds, rules):
    documents = {"management review minutes": {MINUTES}}
    minutes = _passage(MINUTES, "Customer satisfaction scored 8.1; two complaints were reviewed.", "4 Customers")
    held, absent = hold_to_kind([_from_policy()], kinds, documents, [minutes], rules)
    assert absent == set()
    assert held[0].document == MINUTES and held[0].status is ElementStatus.EVIDENCED
    assert "complaints" in held[0].quote


def test_without_minutes_that_name_it_a_review_input_is_not_evidenced(kinds, rules):
    minutes = _passage(MINUTES, "The CEO opened the meeting and thanked the team.")
    for documents, passages in (({"management review minutes": {MINUTES}}, [minutes]), ({}, [])):
        held, absent = hold_to_kind([_from_policy()], kinds, documents, passages, rules)
        assert absent == {"9.3-e4"}
        assert held[0].status is ElementStatus.WEAK and held[0].document is None
        assert held[0].quote == "no management review minutes records it"


def test_elements_of_no_particular_kind_keep_their_evidence(kinds, rules):
    finding = _from_policy().model_copy(update={"element_id": "8.3.4.1-e5", "clause_id": "8.3.4.1"})
    held, absent = hold_to_kind([finding], kinds, {}, [], rules)
    assert held == [finding] and absent == set()
