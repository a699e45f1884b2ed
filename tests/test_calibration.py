"""The calibration file: committed, fitted on fit parts only, validated at load, and
reproduced by the calibration command from the committed data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.calibration import Calibration, LinearModel, calibration_path, load_calibration
from assistant.config import DEFAULT_KNOWLEDGE_DIR
from assistant.errors import KnowledgeError
from assistant.evidence.abstention import ABSTAIN_FEATURES
from assistant.evidence.features import FEATURES
from assistant.evidence.rules import load_answer_types
from evals.dataset import load_dataset
from evals.splits import load_split, select_part
from tests.conftest import REPO

SHARED = REPO.parent / "shared"
DATASETS = [REPO / "evals" / "datasets" / "sample_org.yaml", REPO / "evals" / "datasets" / "standard.yaml"]
DEVDATA = SHARED / "devdata" / "real_dev.yaml"


def test_the_committed_calibration_loads_and_names_its_embedder_and_features():
    calibration = load_calibration(DEFAULT_KNOWLEDGE_DIR)
    assert calibration.embedder
    assert tuple(calibration.selector.features) == FEATURES
    assert calibration.abstention is not None and tuple(calibration.abstention.features) == ABSTAIN_FEATURES
    assert 0.0 < calibration.thresholds.answer < 1.0


def test_the_calibration_was_fitted_on_fit_parts_only():
    calibration = load_calibration(DEFAULT_KNOWLEDGE_DIR)
    assert calibration.fitted_on and all(key.endswith(":fit") for key in calibration.fitted_on)


@pytest.mark.parametrize("path", [*DATASETS, DEVDATA], ids=lambda p: p.name)
def test_every_item_is_in_exactly_one_part(path: Path):
    dataset = load_dataset(path)
    split = load_split(dataset)
    assert not set(split["fit"]) & set(split["check"])
    assert set(split["fit"]) | set(split["check"]) == {i.id for i in dataset.items}
    check = select_part(dataset, "check")
    assert 0 < len(check.items) < len(dataset.items)
    assert {i.kind for i in check.items} == {i.kind for i in dataset.items}  # every kind is checked


def test_a_calibration_of_another_embedder_is_refused(tmp_path: Path):
    shutil.copy(calibration_path(DEFAULT_KNOWLEDGE_DIR), tmp_path / "calibration.json")
    with pytest.raises(KnowledgeError, match="fitted with the embedder"):
        load_calibration(tmp_path, "some-other-model")


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON"), ('{"version": 1}', "calibration file"), ("", "not valid JSON")],
)
def test_a_broken_calibration_file_gives_a_clear_error(tmp_path: Path, content: str, message: str):
    (tmp_path / "calibration.json").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_calibration(tmp_path)


def test_a_missing_calibration_file_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(KnowledgeError, match="auditprep calibrate"):
        load_calibration(tmp_path)


def test_a_rules_file_with_a_bad_pattern_is_refused_with_its_name(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "answer_types.yaml").write_text(
        "types:\n  duration:\n    question: ['(unclosed']\n    unit: ['x']\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError, match=r"answer_types.yaml.*duration"):
        load_answer_types(tmp_path)


def test_the_linear_model_agrees_with_the_logistic_function():
    model = LinearModel(features=["a", "b"], mean=[1.0, 0.0], scale=[2.0, 1.0], coef=[[1.0, -1.0]], intercept=[0.5])
    x = np.array([[3.0, 2.0]])
    z = (3.0 - 1.0) / 2.0 * 1.0 + (2.0 - 0.0) * -1.0 + 0.5
    assert model.probability(x)[0] == pytest.approx(1 / (1 + np.exp(-z)))
    with pytest.raises(ValueError, match="expected 2 features"):
        model.probability(np.zeros((1, 3)))


def _close(a: object, b: object, tolerance: float) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= tolerance  # type: ignore[arg-type]
    return a == b


@pytest.mark.integration
def test_the_calibration_command_reproduces_the_committed_file(tmp_path: Path, standard_template: Path):
    from evals.calibrate import main

    out = tmp_path / "calibration.json"
    work = tmp_path / "data"
    shutil.copytree(standard_template, work)  # the knowledge base is ingested already: the rest is fitted here
    assert main(["--shared", str(SHARED), "--output", str(out), "--work-dir", str(work)]) == 0
    fitted = Calibration.model_validate(json.loads(out.read_text(encoding="utf-8")))
    committed = load_calibration(DEFAULT_KNOWLEDGE_DIR)
    assert fitted.fitted_on == committed.fitted_on
    # the same data, seed and embedder give the same weights; a fresh HNSW index can order a
    # few near-tied candidates differently, which moves a weight in its second decimal at most
    assert _close(fitted.model_dump(), committed.model_dump(), 0.05)
