"""The fact reader's roles: the generic names of knowledge/rules/roles.yaml, and the roles an
organization's own documents define (no embedder: the fast lane)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import KnowledgeError
from assistant.interviews.facts import agree, extract
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


def test_roles_joined_by_and_stay_in_one_approver_fact():
    said = "Major changes are approved by the change manager and the service director."
    [fact] = extract(said, load_roles(KNOWLEDGE))
    assert (fact.kind, fact.value) == ("approver", "change manager|service director")


def test_an_escalation_naming_one_of_the_documented_levels_agrees_with_the_document():
    roles = load_roles(KNOWLEDGE)
    [documented] = extract("Open complaints are escalated to the service level manager or the service director.", roles)
    [said] = extract("If it still isn't sorted it is escalated to the service director.", roles)
    [other] = extract("If it still isn't sorted it is escalated to the finance director.", roles)
    assert {documented.kind, said.kind, other.kind} == {"escalation"}
    assert agree(said, documented)
    assert not agree(other, documented)


def test_a_broken_roles_file_is_refused_with_its_name(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "roles.yaml").write_text("names: []\nheads: [manager]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="roles.yaml"):
        load_roles(tmp_path)
