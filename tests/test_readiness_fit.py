"""The absence check's likeness-alone threshold is fitted data, not a constant: the committed
fit names its embedder and the organizations it was fitted on, and the threshold decides
whether generic prose about a process is read as evidence of one of its requirements."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.adapters.embedder import MODEL_NAME
from assistant.errors import KnowledgeError
from assistant.models import ElementFinding, ElementStatus
from assistant.readiness.elements import FIT_FILE, LIKENESS_ALONE, ElementRules, fitted_likeness_alone
from evals.readiness.measure import load_sets
from tests.conftest import KNOWLEDGE

PROSE = (
    "Change management refers to the guidelines we apply to manage changes in the operational "
    "environment safely, effectively and efficiently."
)


def test_the_committed_fit_names_its_embedder_and_only_fit_organizations():
    import yaml

    fit = yaml.safe_load((KNOWLEDGE / FIT_FILE).read_text(encoding="utf-8"))
    assert fit["embedder"] == MODEL_NAME
    sets = load_sets()
    assert fit["fitted_on"] and all(sets[name].split == "fit" for name in fit["fitted_on"])
    assert 0.0 < fitted_likeness_alone(KNOWLEDGE) < 1.0


def test_without_a_fit_the_default_holds_and_a_broken_fit_is_refused(tmp_path: Path):
    assert fitted_likeness_alone(tmp_path) == LIKENESS_ALONE
    (tmp_path / FIT_FILE).parent.mkdir(parents=True)
    (tmp_path / FIT_FILE).write_text("likeness_alone: 1.5\nembedder: x\nfitted_on: [a]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError):
        fitted_likeness_alone(tmp_path)


def test_the_threshold_decides_when_prose_alone_evidences_a_requirement(catalogue):
    element = catalogue.element("8.5.1.3-e7")  # post-implementation review of changes
    finding = ElementFinding(
        element_id=element.id,
        clause_id=element.clause_id,
        statement=element.statement,
        status=ElementStatus.EVIDENCED,
        score=0.72,
        document="change.md",
        quote=PROSE,
    )
    texts = {"change.md": PROSE}
    below = ElementRules(catalogue, likeness_alone=0.70).absences("8.5.1.3", [finding], texts, ["change.md"])
    above = ElementRules(catalogue, likeness_alone=0.74).absences("8.5.1.3", [finding], texts, ["change.md"])
    assert below == []
    assert [d.element_id for d in above] == [element.id]


def test_a_document_about_a_group_of_sub_clauses_addresses_each_of_them_not_a_whole_section():
    from collections import Counter

    from assistant.readiness.elements import about, relevant_documents

    assert about({"8.5.1"}, "8.5.1.1") and about({"8.5.1.3"}, "8.5.1.3")
    assert not about({"8"}, "8.2") and not about({"8.5.1"}, "8.5.2.1")
    tags = {
        "change.md": Counter({"8.5.1.3": 9, "8.5.1.2": 7, "8.5.1": 5, "8.5.1.1": 1}),
        "other.md": Counter({"8.6.1": 3}),
    }
    assert relevant_documents(tags, "8.5.1.1") == ["change.md"]


def test_the_fit_takes_the_best_score_and_breaks_ties_towards_the_default():
    from evals.readiness.fit import choose

    assert choose({0.60: 40, 0.74: 52, 0.80: 51}) == 0.74
    assert choose({0.62: 50, 0.68: 50, 0.78: 50}, default=0.70) == 0.68
    with pytest.raises(ValueError):
        choose({})
