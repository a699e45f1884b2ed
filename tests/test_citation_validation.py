"""Citation validation removes invented clauses, unretrieved documents and non-verbatim
quotes, on every answer, whatever generator produced it."""

from __future__ import annotations

from assistant.answering.validation import validate_answer
from assistant.models import Answer, Citation, Intent, Origin, Passage

PASSAGE = Passage(
    id="doc1-v1-00001",
    text="Emergency changes are approved by the Emergency CAB within 2 hours. A review follows.",
    origin=Origin.ORGANIZATION,
    document_id="doc1",
    source="change-management-procedure.docx",
    title="Change Management Procedure",
    section="Change Management Procedure › 3 Emergency changes",
)


def _answer(text: str, citations: list[Citation]) -> Answer:
    return Answer(
        question="Who approves emergency changes?",
        workspace="acme",
        intent=Intent.EVIDENCE,
        text=text,
        citations=citations,
        passages=[PASSAGE],
    )


def test_valid_citations_survive_untouched(catalogue):
    answer = _answer(
        "The Emergency CAB approves emergency changes [1], as clause 8.5.1 expects [2].",
        [
            Citation(
                marker=1,
                kind="document",
                document=PASSAGE.source,
                chunk_id=PASSAGE.id,
                quote="Emergency changes are approved by the Emergency CAB within 2 hours.",
            ),
            Citation(marker=2, kind="clause", clause_id="8.5.1", title="Change management"),
        ],
    )
    checked = validate_answer(answer, catalogue)
    assert checked.citations == answer.citations
    assert checked.text == answer.text
    assert not checked.abstained and not checked.metadata.removed_citations


def test_invented_clause_unretrieved_document_and_false_quote_are_removed(catalogue):
    answer = _answer(
        "Approval is by the Emergency CAB [1]. Clause 8.9.4 requires board sign-off [2]. "
        "The policy says changes need no approval [3]. Our supplier handbook agrees [4].",
        [
            Citation(
                marker=1,
                kind="document",
                document=PASSAGE.source,
                chunk_id=PASSAGE.id,
                quote="approved by the Emergency CAB within 2 hours",
            ),
            Citation(marker=2, kind="clause", clause_id="8.9.4", title="Invented"),
            Citation(
                marker=3,
                kind="document",
                document=PASSAGE.source,
                chunk_id=PASSAGE.id,
                quote="changes need no approval",
            ),
            Citation(
                marker=4,
                kind="document",
                document="supplier-handbook.pdf",
                chunk_id="never-retrieved",
                quote="anything",
            ),
        ],
    )
    checked = validate_answer(answer, catalogue)
    assert [c.marker for c in checked.citations] == [1]
    assert checked.citations[0].quote == "approved by the Emergency CAB within 2 hours"
    assert "8.9.4" not in checked.text
    assert "[2]" not in checked.text and "[3]" not in checked.text and "[4]" not in checked.text
    reasons = " ".join(r.reason for r in checked.metadata.removed_citations)
    assert "8.9.4" in reasons and "not verbatim" in reasons and "retrieved passage" in reasons
    assert not checked.abstained


def test_an_answer_left_without_support_abstains(catalogue):
    answer = _answer(
        "Clause 8.9.4 covers this [1].",
        [Citation(marker=1, kind="clause", clause_id="8.9.4", title="Invented")],
    )
    checked = validate_answer(answer, catalogue)
    assert checked.abstained
    assert checked.citations == []
    assert "8.9.4" not in checked.text


def test_a_document_citation_must_name_the_passage_source(catalogue):
    answer = _answer(
        "Approval is by the Emergency CAB [1].",
        [
            Citation(
                marker=1,
                kind="document",
                document="other.docx",
                chunk_id=PASSAGE.id,
                quote="approved by the Emergency CAB",
            )
        ],
    )
    assert validate_answer(answer, catalogue).abstained
