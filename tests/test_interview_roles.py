"""The fact reader's roles: the generic names of knowledge/rules/roles.yaml, and the roles an
organization's own documents define (no embedder: the fast lane)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import KnowledgeError
from assistant.interviews.facts import extract
from assistant.interviews.roles import load_roles
from tests.conftest import KNOWLEDGE

HANDBOOK = (
    "The Engineer On Call (EOC) is the first responder. The Incident Manager On-Call (IMOC) leads "
    "S1 incidents. A Merge Request (MR) carries the code."
)


def test_generic_roles_and_their_aliases_come_from_the_rules_file():
    roles = load_roles(KNOWLEDGE)
    assert roles.find("The ECAB approves it, then the Change Advisory Board and the team lead.") == [
        "cab",
        "emergency cab",
        "team leader",
    ]
    assert roles.find("the on call engineer, the oncall engineer") == ["on-call engineer"]
    assert roles.find("The EOC approves it.") == []  # nobody listed it: only a document can


def test_an_organizations_documents_add_the_roles_they_define():
    roles = load_roles(KNOWLEDGE).with_documents([HANDBOOK])
    assert roles.find("The EOC approves it and tells the engineer on call.") == ["engineer on-call"]
    assert roles.find("the IMOC decides") == ["incident manager on-call"]
    assert roles.find("the MR is merged") == []  # "request" names no role
    said = extract("An emergency change is approved by the EOC.", roles)
    documented = extract("Emergency changes are approved by the Incident Manager On Call (IMOC).", roles)
    assert [(f.kind, f.value) for f in said] == [("approver", "engineer on-call")]
    assert [(f.kind, f.value) for f in documented] == [("approver", "incident manager on-call")]


def test_an_acronym_that_is_not_the_names_initials_is_not_a_role():
    roles = load_roles(KNOWLEDGE).with_documents(["The Incident Responder (EOC) pages the team."])
    assert roles.find("the EOC approves") == []


def test_without_roles_no_approver_is_read():
    assert [f.kind for f in extract("The change manager approves every normal change.")] == []
    assert [f.kind for f in extract("The change manager approves every normal change.", load_roles(KNOWLEDGE))] == [
        "approver"
    ]


def test_a_broken_roles_file_is_refused_with_its_name(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "roles.yaml").write_text("names: []\nheads: [manager]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="roles.yaml"):
        load_roles(tmp_path)
