"""The eval datasets are sound, and our default pipeline meets its quality floors on them
(and beats the naive baseline on fact recall)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.dataset import load_dataset
from evals.metrics import fact_present
from evals.runner import EvalRunner
from evals.splits import select_part
from ingest.loaders import load_document
from ingest.standard import render_clause
from tests.conftest import KNOWLEDGE, REPO, SAMPLE_DOCS, SAMPLE_WORKSPACE

pytestmark = pytest.mark.integration

DATASETS = Path(__file__).resolve().parents[1] / "evals" / "datasets"


def _source_texts(catalogue) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in sorted((KNOWLEDGE / "guidance").glob("*.md")) + sorted(SAMPLE_DOCS.iterdir()):
        doc, _ = load_document(path, 50_000_000)
        texts[path.name] = doc.text
    for clause in catalogue:
        texts[clause.id] = render_clause(clause, catalogue).text
    return texts


@pytest.mark.parametrize("name", ["sample_org.yaml", "standard.yaml"])
def test_every_expected_fact_occurs_in_an_expected_source(name, catalogue):
    dataset = load_dataset(DATASETS / name)
    texts = _source_texts(catalogue)
    for item in dataset.items:
        for source in item.expected_sources:
            assert source in texts, (item.id, source)
        for clause_id in item.expected_clauses:
            assert clause_id in catalogue, (item.id, clause_id)
        for fact in item.expected_facts:
            assert any(fact_present(fact, texts[s]) for s in item.expected_sources), (item.id, fact)


def test_dataset_sizes_and_kinds():
    sample = load_dataset(DATASETS / "sample_org.yaml")
    kinds = [i.kind for i in sample.items]
    assert len(sample.items) >= 100
    for kind in ("lookup", "gap", "consistency", "unanswerable"):
        assert kinds.count(kind) >= 15, kind
    assert len(load_dataset(DATASETS / "standard.yaml").items) >= 50


# Floors: the product targets (runner.FLOORS) on both datasets — hit@5, citation precision,
# verdict accuracy, abstention on unanswerable questions — plus citation recall on the
# standard, so quality cannot silently drop. `auditprep eval` reports the same targets and
# exits 1 while any is missed.
# Held on the parts nothing was fitted on: the check parts of our datasets and the real
# documents of other organizations (devdata). Each floor sits about one item under today's
# figure (README, "Answer quality"); the product targets the figures still miss are there too.
FLOORS_BY_PART = {
    "sample_org.yaml": {
        "hit@5": 0.90,
        "verdict_accuracy": 0.70,
        "abstention_unanswerable": 0.70,
        "clause_precision": 0.90,
    },
    "standard.yaml": {"hit@5": 0.85, "clause_precision": 0.95, "clause_recall": 0.90, "abstention_unanswerable": 0.90},
}
DEVDATA = REPO.parent / "shared" / "devdata" / "real_dev.yaml"
DEVDATA_FLOORS = {"hit@5": 0.95, "verdict_accuracy": 0.50, "abstention_unanswerable": 0.60}


@pytest.mark.parametrize("name", ["sample_org.yaml", "standard.yaml"])
def test_quality_floors_on_the_check_parts(name, sample_assistant):
    dataset = select_part(load_dataset(DATASETS / name), "check")
    report = EvalRunner(sample_assistant).run(dataset, workspace=SAMPLE_WORKSPACE, baselines=("naive",))
    ours = report.systems["ours"].overall
    naive = report.systems["naive"].overall
    assert ours["invented"] == 0
    for metric, floor in FLOORS_BY_PART[name].items():
        assert ours[metric] >= floor, (metric, ours[metric], floor)
    assert ours["fact_recall"] > naive["fact_recall"], (ours["fact_recall"], naive["fact_recall"])
    if name == "sample_org.yaml":
        assert ours["fact_recall"] >= 1.5 * naive["fact_recall"], (ours["fact_recall"], naive["fact_recall"])


def test_quality_floors_on_documents_nobody_here_wrote(assistant):
    """The real, openly licensed documents of six organizations, in a throw-away workspace."""
    dataset = load_dataset(DEVDATA)
    report = EvalRunner(assistant).run(dataset, baselines=("naive",))
    ours = report.systems["ours"].overall
    naive = report.systems["naive"].overall
    assert ours["invented"] == 0
    for metric, floor in DEVDATA_FLOORS.items():
        assert ours[metric] >= floor, (metric, ours[metric], floor)
    assert ours["fact_recall"] > naive["fact_recall"], (ours["fact_recall"], naive["fact_recall"])
    assert ours["words"] <= 160, ours["words"]  # short answers: the comparison with naive is at equal length
