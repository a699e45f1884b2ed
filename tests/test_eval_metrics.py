"""Metrics score hand-made answers as a reviewer would, including answers worth 0; the
dataset loader names the item and field at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import InvalidInput
from evals import metrics as m
from evals.dataset import load_dataset
from evals.runner import ItemResult, SystemReport, aggregate, check_floors


def test_retrieval_hit_at_k_and_mrr():
    ranked = ["a.md", "b.docx", "change.docx", "d.pdf"]
    assert m.hit_at_k(ranked, ["change.docx"], 1) == 0.0
    assert m.hit_at_k(ranked, ["change.docx"], 3) == 1.0
    assert m.reciprocal_rank(ranked, ["change.docx"]) == pytest.approx(1 / 3)
    assert m.reciprocal_rank(ranked, ["missing.md"]) == 0.0
    assert m.hit_at_k(ranked, [], 5) is None


def test_clause_precision_and_recall_count_parents_and_children():
    assert m.clause_precision(["8.5.1.3", "9.2"], ["8.5.1"]) == 0.5
    assert m.clause_recall(["8.5"], ["8.5.1"]) == 1.0
    assert m.clause_recall(["8.6.1"], ["8.5.1", "8.6.1"]) == 0.5
    assert m.clause_precision(["4.1"], ["8.5.1"]) == 0.0
    assert m.clause_precision([], ["8.5.1"]) is None


def test_source_metrics_and_invented_citations():
    assert m.source_precision(["a.md", "b.md"], ["a.md"]) == 0.5
    assert m.source_recall(["a.md"], ["a.md", "c.md"]) == 0.5
    assert m.invented_citations(["8.5.1", "8.9.4"], ["a.md", "ghost.pdf"], {"8.5.1"}, {"a.md"}) == 2
    assert m.invented_citations(["8.5.1"], ["a.md"], {"8.5.1"}, {"a.md"}) == 0


def test_fact_recall_tolerates_markup_case_and_stopwords():
    answer = "**Emergency changes** are approved by the *Emergency CAB*, within 24 hours [2]."
    assert m.fact_present("Emergency CAB", answer)
    assert m.fact_present("within 24 hours", answer)
    assert not m.fact_present("within 48 hours", answer)
    assert m.fact_recall(["Emergency CAB", "post-implementation review"], answer) == 0.5
    assert m.fact_recall(["nothing here at all"], "") == 0.0


def test_verdict_and_abstention():
    assert m.verdict_correct("partial", "partial") == 1.0
    assert m.verdict_correct("covered", "partial") == 0.0
    assert m.verdict_correct(None, None) is None
    assert m.abstention_correct(True, True) == 1.0
    assert m.abstention_correct(False, True) == 0.0
    assert m.abstention_correct(True, False) == 0.0


def _result(metrics: dict) -> ItemResult:
    return ItemResult(
        id="x",
        kind="lookup",
        question="q",
        answer="a",
        cited_clauses=[],
        cited_sources=[],
        abstained=False,
        verdict=None,
        latency_ms=1.0,
        words=1,
        metrics=metrics,
    )


def test_floors_fail_on_low_scores_invented_citations_and_no_gain_over_naive():
    ours = SystemReport(
        "ours",
        aggregate(
            [_result({"hit@5": 0.5, "clause_precision": 1.0, "invented": 1.0, "fact_recall": 0.4, "latency_ms": 3.0})]
        ),
        {},
        [],
    )
    naive = SystemReport(
        "naive",
        aggregate(
            [_result({"hit@5": 0.5, "clause_precision": 1.0, "invented": 0.0, "fact_recall": 0.6, "latency_ms": 1.0})]
        ),
        {},
        [],
    )
    failures = " ".join(check_floors(ours, naive))
    assert "hit@5" in failures and "invented" in failures and "naive" in failures


def test_dataset_errors_name_the_item_and_field(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nitems:\n  - id: q1\n    question: hi\n    kind: lookup\n"
        "  - id: q2\n    question: hello\n    kind: guess\n"
    )
    with pytest.raises(InvalidInput, match="item q2: field 'kind'"):
        load_dataset(bad)
    (tmp_path / "dupe.yaml").write_text(
        "name: x\nitems:\n  - {id: a, question: q, kind: lookup}\n  - {id: a, question: q, kind: lookup}\n"
    )
    with pytest.raises(InvalidInput, match="used twice"):
        load_dataset(tmp_path / "dupe.yaml")
    (tmp_path / "notyaml.yaml").write_text("items: [unclosed")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_dataset(tmp_path / "notyaml.yaml")
    extra = tmp_path / "extra.yaml"
    extra.write_text("name: x\nowner: me\nitems:\n  - {id: a, question: q, kind: lookup, difficulty: 3}\n")
    loaded = load_dataset(extra)
    assert loaded.unknown_keys == ["items.difficulty", "owner"]


def test_a_named_workspace_with_no_documents_is_refused_before_the_run(tmp_path: Path):
    from assistant.bootstrap import build_assistant
    from assistant.testing import HashEmbedder
    from evals.runner import EvalRunner
    from tests.conftest import make_settings

    # the refusal comes before any retrieval: no model and no ingested standard needed
    assistant = build_assistant(make_settings(tmp_path / "data"), embedder=HashEmbedder(), calibrated=False)

    path = tmp_path / "d.yaml"
    path.write_text(
        "name: d\nitems:\n  - id: q1\n    question: Who approves changes?\n    kind: lookup\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match="holds no documents"):
        EvalRunner(assistant).run(load_dataset(path), workspace="nobody", baselines=())
