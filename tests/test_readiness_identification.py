"""Document identification (7.5.2) is read from the documents themselves: a control block
or a revision table with a version and an owner or approver. A workspace none of whose
documents is identified holds the identification requirement absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import KnowledgeError
from assistant.readiness.identification import RULES, Identification
from tests.conftest import KNOWLEDGE

CONTROL_BLOCK = "# Change procedure\n\nDocument owner: Tom Brennan, Change Manager\nVersion: 3.0\n\nEvery change ..."
MARKDOWN_TABLE = (
    "**Policy Owner:** Head of Security\n\n| Version | Date | Description | Author | Approved by |\n"
    "|---|---|---|---|---|\n| 1.0 | 31-Jul-2021 | First version | A. Writer | B. Approver |"
)
HTML_TABLE = "#### &nbsp; Policy Owner: Compliance Manager\n<table>\n  <tr>\n   <td><strong>Version</strong>\n   </td>"
HANDBOOK_PAGE = (
    "## Criticality 1\n\n1. Major version upgrades of tooling (e.g HAProxy, Chef).\n"
    "The Service Owner will note down their findings on the issue.\n"
)


@pytest.fixture(scope="module")
def identification(catalogue) -> Identification:
    return Identification.load(KNOWLEDGE, catalogue)


@pytest.mark.parametrize("text", [CONTROL_BLOCK, MARKDOWN_TABLE, HTML_TABLE])
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


def test_a_broken_rules_file_is_refused(tmp_path: Path, catalogue):
    (tmp_path / RULES).parent.mkdir(parents=True)
    (tmp_path / RULES).write_text("element: '7.5.2-e1'\nversion: ['(unclosed']\nowner: ['owner:']\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="invalid pattern"):
        Identification.load(tmp_path, catalogue)
    (tmp_path / RULES).write_text("element: '9.9-e9'\nversion: ['v']\nowner: ['o']\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="no such element"):
        Identification.load(tmp_path, catalogue)
