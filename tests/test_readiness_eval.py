"""The readiness report measured against labelled gaps on three organizations
(evals/readiness/sets.yaml): the sample organization (knowledge/samples/kestrel/GAPS.yaml)
and the GitLab documents of the development set (evals/readiness/gitlab_gaps.yaml), which
the grading may be tuned on (split: fit), and the Sourcegraph documents of the development
set (evals/readiness/sourcegraph_gaps.yaml), which it is only measured on (split: check).
The development sets were labelled before the report was run on them. Each floor is a
product target, or about one item under today's figure where the target is not met yet
(the README says which)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evals.readiness.measure import Measure, load_sets, measure_set
from tests.conftest import SAMPLE_WORKSPACE

pytestmark = pytest.mark.integration

SETS = load_sets()


def _development_set(sample_assistant, tmp_path_factory, name: str, expected: int) -> Measure:
    """A development-set organization, copied and ingested into its own workspace of the
    session's sample assistant."""
    labelled = SETS[name]
    folder = tmp_path_factory.mktemp(name)
    for path in labelled.documents:
        shutil.copy(path, folder / path.name)
    assert len(list(folder.iterdir())) == expected, f"the development set is expected beside the repository: {name}"
    ingested = sample_assistant.pipeline.ingest_paths([Path(folder)], name)
    assert not ingested.failed
    return measure_set(sample_assistant, labelled)


@pytest.fixture(scope="module")
def kestrel(sample_assistant) -> Measure:
    return measure_set(sample_assistant, SETS["kestrel"], SAMPLE_WORKSPACE)


@pytest.fixture(scope="module")
def gitlab(sample_assistant, tmp_path_factory) -> Measure:
    return _development_set(sample_assistant, tmp_path_factory, "gitlab", 8)


@pytest.fixture(scope="module")
def sourcegraph(sample_assistant, tmp_path_factory) -> Measure:
    return _development_set(sample_assistant, tmp_path_factory, "sourcegraph", 5)


def _grades(m: Measure) -> list[tuple[str, str, str | None]]:
    return [(g.id, g.label, g.grade) for g in m.gaps if not g.agrees]


def test_the_sample_organization_meets_every_target(kestrel):
    summary = kestrel.summary()
    assert kestrel.recall >= 0.90, summary
    assert kestrel.grade_agreement >= 0.80, _grades(kestrel)
    assert kestrel.majors and kestrel.majors_in_top == len(kestrel.majors), [(g.id, g.rank) for g in kestrel.majors]
    assert set(kestrel.well_documented.values()) == {"covered"}, kestrel.well_documented
    assert not kestrel.unlabelled_flags, kestrel.unlabelled_flags  # every flag is labelled, so the rate is measured
    assert kestrel.false_flag_share <= 0.10, summary


def test_the_labelled_gitlab_documents_hold_their_floors(gitlab):
    summary = gitlab.summary()
    assert not gitlab.unlabelled_flags, gitlab.unlabelled_flags
    assert gitlab.false_flag_share <= 0.10, summary
    assert gitlab.majors and gitlab.majors_in_top == len(gitlab.majors), [(g.id, g.rank) for g in gitlab.majors]
    # Below the product targets today (recall 0.90, grade agreement 0.80): about one gap
    # under today's figures, so they cannot silently drop.
    assert gitlab.recall >= 0.64, summary
    assert gitlab.grade_agreement >= 0.64, _grades(gitlab)


def test_the_check_organization_holds_its_floors(sourcegraph):
    """Sourcegraph is measured, never tuned on: its figures are the held-out ones."""
    summary = sourcegraph.summary()
    assert sourcegraph.recall >= 0.90, summary
    assert not sourcegraph.unlabelled_flags, sourcegraph.unlabelled_flags
    assert sourcegraph.false_flag_share <= 0.10, summary
    # Below the product targets today (grade agreement 0.80, every major in the top five).
    assert sourcegraph.grade_agreement >= 0.53, _grades(sourcegraph)
    assert sourcegraph.majors_in_top >= 4, [(g.id, g.rank) for g in sourcegraph.majors]
