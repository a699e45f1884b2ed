"""Document identification (7.5.2) is read from the documents themselves: a control block
or a revision table with a version and an owner or approver. A workspace none of whose
documents is identified holds the identification requirement absent; one that is evidences
it, whatever the similarity search made of a table of versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import KnowledgeError
from assistant.models import ElementFinding, ElementStatus, Origin, Passage
from assistant.readiness.identification import RULES, Identification
from tests.conftest import KNOWLEDGE

CONTROL_BLOCK = "# Change procedure\n\nDocument owner: Tom Brennan, Change Manager\nVersion: 3.0\n\nEvery change ..."
MARKDOWN_TABLE = (
    "**Policy Owner:** Head of Security\n\n| Version | Date | Description | Author | Approved by |\n"
    "|---|---|---|---|---|\n| 1.0 | 31-Jul-2021 | First version | A. Writer | B. Approver |"
)
HTML_TABLE = "#### &nbsp; Policy Owner: Compliance Manager\n<table>\n  <tr>\n   <td><strong>Version</strong>\n   </td>"
# The same tables as text extraction leaves them: an HTML table one cell per line, a header
# row run into one line, a PDF control block run into one line.
CELLS = "Policy Owner: Security Engineering Manager\nVersion\nDate\nAuthor/Reviewer\nComments\n1.0\n24-Jan-2022"
HEADER_ROW = "Version Date Comments Author\n1.0 2022-03-15 First Version N. Writer"
RUN_IN = "Configuration Management Procedure Document owner: L. Nowak, Configuration Manager Version: 2.0"
HANDBOOK_PAGE = (
    "## Criticality 1\n\n1. Major version upgrades of tooling (e.g HAProxy, Chef).\n"
    "The Service Owner will note down their findings on the issue.\n"
)


@pytest.fixture(scope="module")
def identification(catalogue) -> Identification:
    return Identification.load(KNOWLEDGE, catalogue)


@pytest.mark.parametrize("text", [CONTROL_BLOCK, MARKDOWN_TABLE, HTML_TABLE, CELLS, HEADER_ROW, RUN_IN])
def test_a_control_block_or_revision_table_identifies_a_document(identification, text):
    assert identification.identified(text)


def test_prose_that_mentions_versions_and_owners_is_not_identification(identification):
    assert not identification.identified(HANDBOOK_PAGE)
    assert not identification.identified("Version: 2.0\n\nNo owner is named here.")


def test_the_requirement_is_held_absent_only_when_no_document_is_identified(identification):
    pages = {"change.md": HANDBOOK_PAGE, "incidents.md": "Incidents are declared in Slack."}
    held = identification.unidentified(pages)
    assert [d.element_id for d in held] == ["7.5.2-e1"]
    assert "change.md" in held[0].quote and "incidents.md" in held[0].quote
    assert identification.unidentified({**pages, "policy.md": CONTROL_BLOCK}) == []
    assert identification.unidentified({}) == []


def _finding(status: ElementStatus, document: str | None = None) -> ElementFinding:
    return ElementFinding(
        element_id="7.5.2-e1", clause_id="7.5.2", statement="identified", status=status, score=0.37, document=document
    )


def test_an_identified_document_evidences_the_requirement_the_search_missed(identification):
    texts = {"incidents.md": HANDBOOK_PAGE, "policy.md": "Intro.\n" + CELLS}
    passage = Passage(
        id="p1", text=CELLS, origin=Origin.ORGANIZATION, document_id="d", source="policy.md", title="P", section="S"
    )
    identified = identification.evidence(texts, [passage])
    assert identified is not None and identified.document == "policy.md"
    [held] = identification.confirm([_finding(ElementStatus.NOT_FOUND)], identified)
    assert held.status is ElementStatus.EVIDENCED
    assert (held.document, held.passage_id) == ("policy.md", "p1")
    assert held.quote == "Policy Owner: Security Engineering Manager"
    cited = _finding(ElementStatus.EVIDENCED, "plan.md")
    assert identification.confirm([cited], identified) == [cited]  # evidence already cited is kept
    other = _finding(ElementStatus.WEAK).model_copy(update={"element_id": "7.5.2-e5"})
    assert identification.confirm([other], identified) == [other]  # only the identification element


def test_nothing_is_evidenced_when_no_document_is_identified(identification):
    pages = {"change.md": HANDBOOK_PAGE}
    assert identification.evidence(pages, []) is None
    weak = _finding(ElementStatus.WEAK)
    assert identification.confirm([weak], None) == [weak]


def test_a_broken_rules_file_is_refused(tmp_path: Path, catalogue):
    (tmp_path / RULES).parent.mkdir(parents=True)
    (tmp_path / RULES).write_text("element: '7.5.2-e1'\nversion: ['(unclosed']\nowner: ['owner:']\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="invalid pattern"):
        Identification.load(tmp_path, catalogue)
    (tmp_path / RULES).write_text("element: '9.9-e9'\nversion: ['v']\nowner: ['o']\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="no such element"):
        Identification.load(tmp_path, catalogue)
