"""The readiness report measured against labelled gaps on two organizations: the sample
organization (knowledge/samples/kestrel/GAPS.yaml) and the Sourcegraph documents of the
development set (evals/readiness/sourcegraph_gaps.yaml, labelled before the report was
run on them). Each floor is a product target, or today's figure where the target is not
met yet (the README says which)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from evals.readiness.measure import load_labels, measure
from tests.conftest import REPO, SAMPLE_ORG, SAMPLE_WORKSPACE

pytestmark = pytest.mark.integration

LABELS = REPO / "evals" / "readiness"
DEVDATA = REPO.parent / "shared" / "devdata" / "corpus"


def _as_of(labels: dict) -> date:
    return date.fromisoformat(str(labels["as_of"]))


@pytest.fixture(scope="module")
def kestrel(sample_assistant):
    labels = load_labels(SAMPLE_ORG / "GAPS.yaml")
    report = sample_assistant.readiness.report(SAMPLE_WORKSPACE, as_of=date(2026, 11, 23))
    return measure(report, labels, load_labels(LABELS / "kestrel_flags.yaml"))


@pytest.fixture(scope="module")
def sourcegraph(sample_assistant, tmp_path_factory):
    labels = load_labels(LABELS / "sourcegraph_gaps.yaml")
    folder = tmp_path_factory.mktemp("sourcegraph")
    for path in sorted(DEVDATA.glob(labels["documents"] + "*.md")):
        shutil.copy(path, folder / path.name)
    assert len(list(folder.iterdir())) == 5, f"the development set is expected at {DEVDATA}"
    ingested = sample_assistant.pipeline.ingest_paths([Path(folder)], "sourcegraph")
    assert not ingested.failed
    report = sample_assistant.readiness.report("sourcegraph", as_of=_as_of(labels))
    return measure(report, labels, load_labels(LABELS / "sourcegraph_flags.yaml"))


def test_the_sample_organization_meets_every_target(kestrel):
    summary = kestrel.summary()
    assert kestrel.recall >= 0.90, summary
    assert kestrel.grade_agreement >= 0.80, [(g.id, g.label, g.grade) for g in kestrel.gaps if not g.agrees]
    assert kestrel.majors and kestrel.majors_in_top == len(kestrel.majors), [(g.id, g.rank) for g in kestrel.majors]
    assert set(kestrel.well_documented.values()) == {"covered"}, kestrel.well_documented
    assert not kestrel.unlabelled_flags, kestrel.unlabelled_flags  # every flag is labelled, so the rate is measured
    assert kestrel.false_flag_share <= 0.10, summary


def test_the_labelled_development_organization_holds_its_floors(sourcegraph):
    summary = sourcegraph.summary()
    assert sourcegraph.recall >= 0.90, summary
    assert not sourcegraph.unlabelled_flags, sourcegraph.unlabelled_flags
    assert sourcegraph.false_flag_share <= 0.10, summary
    # Below the product targets today (grade agreement 0.80, every major in the top five):
    # held at today's figures so they cannot silently drop.
    assert sourcegraph.grade_agreement >= 0.53, [(g.id, g.label, g.grade) for g in sourcegraph.gaps]
    assert sourcegraph.majors_in_top >= 5, [(g.id, g.rank) for g in sourcegraph.majors]
