"""The clause catalogue is complete, valid, and resolves what users type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.catalogue import Catalogue, Clause
from assistant.errors import KnowledgeError, UnknownClause
from tests.conftest import KNOWLEDGE

SHARED_CLAUSES = Path(__file__).resolve().parents[2] / "shared" / "iso20000-1-2018-clauses.md"


def _shared_ids() -> list[str]:
    """Clause ids of the first table of the shared clause list (the 2011 table follows)."""
    text = SHARED_CLAUSES.read_text(encoding="utf-8").split("## The 2011 edition")[0]
    return [m.group(1) for m in re.finditer(r"^\| (\d+(?:\.\d+)*) \| ", text, re.M)]


def test_exactly_the_77_clause_ids_of_the_2018_edition(catalogue: Catalogue):
    assert len(catalogue) == 77
    if SHARED_CLAUSES.exists():
        assert catalogue.ids == _shared_ids()
    assert catalogue.ids[0] == "4" and catalogue.ids[-1] == "10.2"


def test_every_leaf_has_checkable_elements_with_cues(catalogue: Catalogue):
    leaves = catalogue.leaves()
    assert len(leaves) == 57
    for clause in leaves:
        assert 3 <= len(clause.elements) <= 10, clause.id
        for element in clause.elements:
            assert element.id.startswith(clause.id + "-e")
            assert element.cues, element.id
            assert len(element.statement.split()) >= 5, element.id


def test_catalogue_entries_are_complete(catalogue: Catalogue):
    for clause in catalogue:
        assert len(clause.intent.split()) >= 15, clause.id
        assert clause.group
        for rel in clause.related:
            assert rel in catalogue
    assert catalogue.get("8.5.1").edition_2011
    assert catalogue.children("8.5.1") and [c.id for c in catalogue.children("8.5.1")] == [
        "8.5.1.1",
        "8.5.1.2",
        "8.5.1.3",
    ]


def test_unknown_clause_is_a_clear_error(catalogue: Catalogue):
    with pytest.raises(UnknownClause, match="does not exist"):
        catalogue.get("8.9.4")
    assert "8.9.4" not in catalogue


def test_validation_rejects_a_broken_catalogue(tmp_path: Path):
    base = dict(title="T", group="g", intent="x")
    with pytest.raises(KnowledgeError, match="parent 9 does not exist"):
        Catalogue([Clause(id="9.1", parent="9", elements=[], **base)])
    with pytest.raises(KnowledgeError, match="leaf clause needs requirement elements"):
        Catalogue([Clause(id="9", parent=None, **base)])
    with pytest.raises(KnowledgeError, match="defined twice"):
        leaf = Clause(id="9", parent=None, elements=[{"id": "9-e1", "statement": "s"}], **base)
        Catalogue([leaf, leaf])
    (tmp_path / "standard").mkdir()
    (tmp_path / "standard" / "clauses.yaml").write_text("- id: 9.1\n  title: x\n  group: g\n  intent: i\n")
    with pytest.raises(KnowledgeError, match="quoted as a string"):
        Catalogue.load(tmp_path)


RESOLVE_CASES = [
    ("What does 8.5.1 require?", "8.5.1"),
    ("explain clause 9.2", "9.2"),
    ("Where does § 8.6.3 apply?", "8.6.3"),
    ("What is Clause 8 about?", "8"),
    ("clause 10.1 corrective action", "10.1"),
    ("Do we meet 8.7.3.2?", "8.7.3.2"),
    ("How does the CAB approve changes?", "8.5.1"),
    ("Is our change management procedure good enough?", "8.5.1"),
    ("Who chairs the change advisory board?", "8.5.1"),
    ("Do we keep a known error database?", "8.6.3"),
    ("What about the KEDB?", "8.6.3"),
    ("Show me root cause analysis records", "8.6.3"),
    ("problem management evidence", "8.6.3"),
    ("Is our CMDB accurate?", "8.2.6"),
    ("configuration items in the CI register", "8.2.6"),
    ("configuration management plan", "8.2.6"),
    ("What happens after an SLA breach?", "8.3.3"),
    ("service level agreements with customers", "8.3.3"),
    ("Do we test the BCP?", "8.7.2"),
    ("when was the last DR test", "8.7.2"),
    ("service continuity plan", "8.7.2"),
    ("incident management and major incidents", "8.6.1"),
    ("service request management", "8.6.2"),
    ("capacity management forecasts", "8.4.3"),
    ("availability management targets", "8.7.1"),
    ("information security management", "8.7.3"),
    ("supplier management contracts", "8.3.4"),
    ("release and deployment management", "8.5.3"),
    ("business relationship management", "8.3.2"),
    ("the service catalogue", "8.2.4"),
    ("internal audit programme", "9.2"),
    ("management review minutes", "9.3"),
    ("service reporting to customers", "9.4"),
    ("continual improvement register", "10.2"),
    ("nonconformity and corrective action", "10.1"),
    ("the service management policy", "5.2"),
    ("scope of the SMS", "4.3"),
    ("interested parties", "4.2"),
    ("risks and opportunities", "6.1"),
    ("control of documented information", "7.5.3"),
    ("competence of staff", "7.2"),
    ("budgeting and accounting for IT services", "8.4.1"),
    ("Service continuity and availability management", "8.7.1"),
    ("Incident and service request management", "8.6.2"),
    ("Design and transition of new or changed services", "8.5.2"),
    ("Governance of processes operated by other parties", "8.2.3"),
]


@pytest.mark.parametrize(("text", "expected"), RESOLVE_CASES)
def test_resolve_finds_the_clause_a_text_names(catalogue: Catalogue, text: str, expected: str):
    found = catalogue.resolve(text)
    assert any(catalogue.is_within(f, expected) or catalogue.is_within(expected, f) for f in found), (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "What's the weather like in Leeds?",
        "Please order more printer paper",
        "The meeting lasts 8 hours and costs 9.50 pounds",
        "We upgraded to version 8.5.1 of the software",
        "Lunch is at 12.30 for 10 people",
        "Who won the football on Saturday?",
        "dr smith will visit on tuesday",
    ],
)
def test_resolve_finds_nothing_in_unrelated_text(catalogue: Catalogue, text: str):
    assert catalogue.resolve(text) == []


def test_longer_phrases_win_and_ids_come_in_order(catalogue: Catalogue):
    assert catalogue.resolve("clause 9.2 and then 8.5.1")[:2] == ["9.2", "8.5.1"]
    assert catalogue.resolve("clause 8.9.4") == []


def test_knowledge_dir_is_found_without_the_working_directory(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(Catalogue.load(KNOWLEDGE)) == 77


def test_resolve_prefilter_changes_no_result(catalogue: Catalogue):
    """The word pre-check in ``resolve`` only skips phrases that cannot match."""
    texts = [
        "Emergency changes are approved by the ECAB within 24 hours (see 8.5.1.3).",
        "The Service Continuity Plan is tested annually; the CAB reviews the change schedule.",
        "Capacity management: the capacity plan covers demand forecasts. Version 8.2 of the tool.",
        "Gestão de mudanças: the CAB approves every change request.",
        "incident-management and service-level-management are reviewed by top management",
        "Release 8.5 of the tool, version   8.6.1, ISO 20000 8.2, ISO20000\n 8.4, rev. 8.3 and v8.1 are not clauses;"
        " clause 8.5.1 and 7.5 are. See 4 and 10.2, version\n\n 8.7.1, then 9.1 again.",
    ]
    for path in sorted((KNOWLEDGE / "guidance").glob("*.md")):
        texts += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    for text in texts:
        assert catalogue.resolve(text) == _resolve_scanning_every_phrase(catalogue, text), text


def _resolve_scanning_every_phrase(catalogue: Catalogue, text: str) -> list[str]:
    import assistant.catalogue as module

    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for match in module._CLAUSE_NUMBER.finditer(text):
        clause_id = match.group("id")
        if clause_id not in catalogue or ("." not in clause_id and not match.group("prefix")):
            continue
        if module._VERSION_BEFORE.search(text[: match.start()]):
            continue
        found.append((match.start(), clause_id))
        taken.append(match.span())
    for phrase in catalogue._phrases:
        for match in phrase.pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and end > t_start for t_start, t_end in taken):
                continue
            taken.append((start, end))
            found.extend((start, cid) for cid in phrase.clause_ids)
    return list(dict.fromkeys(cid for _, cid in sorted(found, key=lambda item: item[0])))
