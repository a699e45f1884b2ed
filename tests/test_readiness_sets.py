"""The labelled organizations the readiness report is measured on: a committed fit/check
split, and labels that name real clauses and elements, so a typo cannot silently drop a gap
from the measure."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evals.readiness.measure import load_sets

GRADES = {"major", "minor", "observation"}


@pytest.fixture(scope="module")
def sets():
    return load_sets()


def test_the_split_keeps_a_check_organization_apart_from_the_fit_ones(sets):
    splits = {s.split for s in sets.values()}
    assert splits == {"fit", "check"}, splits
    assert sets["sourcegraph"].split == "check"


@pytest.mark.parametrize("name", ["kestrel", "gitlab", "sourcegraph"])
def test_each_labelled_gap_names_an_element_of_its_clause(sets, catalogue, name):
    labelled = sets[name]
    labels = labelled.labels()
    assert labelled.day() is not None, "a labelled set is measured as of a fixed day"
    assert labels["gaps"]
    for gap in labels["gaps"]:
        element = catalogue.element(gap["element"])
        assert element.clause_id == gap["clause"], gap["id"]
        assert gap["auditor_grade"] in GRADES, gap["id"]
    judged = {g["clause"] for g in labels["gaps"]} | set(labels.get("well_documented", []))
    assert not judged & set(labels.get("absent", [])), "a clause is either judged or absent"
    flags = labelled.flag_labels() or {}
    assert not (set(flags.get("sound") or []) | set(flags.get("gaps") or [])) & judged


def test_an_unknown_split_is_refused(tmp_path: Path):
    (tmp_path / "sets.yaml").write_text(
        yaml.safe_dump({"sets": {"x": {"split": "train", "gaps": "g.yaml"}}}), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="split: fit or check"):
        load_sets(tmp_path / "sets.yaml", tmp_path)
