"""Shared fixtures: the real packaged embedder (loaded once), settings in tmp_path, and a
session-wide workspace with the standard and the sample organization ingested."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.offline import enforce_offline

enforce_offline()

from assistant.bootstrap import Assistant, build_assistant  # noqa: E402
from assistant.config import DEFAULT_KNOWLEDGE_DIR, Settings, load_settings  # noqa: E402
from tests.chroma_server import chroma_server  # noqa: E402, F401 - shared fixtures
from tests.pg_server import pg_url, postgres_server  # noqa: E402, F401 - shared fixtures

REPO = Path(__file__).resolve().parent.parent
KNOWLEDGE = DEFAULT_KNOWLEDGE_DIR
SAMPLE_ORG = KNOWLEDGE / "samples" / "kestrel"
SAMPLE_DOCS = SAMPLE_ORG / "documents"
SAMPLE_WORKSPACE = "kestrel"
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole run, as a team shares one across evals: the real
    model embeds each text once, however many tests ingest the sample documents."""
    return tmp_path_factory.mktemp("embedding-cache") / "embeddings.sqlite"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, embedding_cache: Path) -> None:
    """Tests never read a developer's AUDITPREP_* environment or .env file; every process
    they start shares the run's embedding cache."""
    for key in list(os.environ):
        if key.startswith("AUDITPREP_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AUDITPREP_EMBEDDING_CACHE", str(embedding_cache))


@pytest.fixture(scope="session")
def embedder(embedding_cache: Path):
    from assistant.adapters.cached_embedder import CachedEmbedder
    from assistant.adapters.embedder import SentenceTransformerEmbedder

    return CachedEmbedder.in_file(SentenceTransformerEmbedder(), embedding_cache)


@pytest.fixture(scope="session")
def catalogue():
    from assistant.catalogue import Catalogue

    return Catalogue.load(KNOWLEDGE)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return load_settings(data_dir=data_dir, knowledge_dir=KNOWLEDGE, _env_file=None, **overrides)


@pytest.fixture(scope="session")
def standard_template(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """A data folder with the standard's knowledge ingested once; tests start from copies."""
    data = tmp_path_factory.mktemp("standard-template")
    built = build_assistant(make_settings(data), embedder=embedder)
    report = built.pipeline.ingest_standard()
    assert not report.failed, report
    return data


@pytest.fixture
def data_dir(tmp_path: Path, standard_template: Path) -> Path:
    """A private data folder that already holds the standard's collection."""
    target = tmp_path / "data"
    shutil.copytree(standard_template, target)
    return target


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return make_settings(data_dir)


@pytest.fixture
def assistant(settings: Settings, embedder) -> Assistant:
    return build_assistant(settings, embedder=embedder)


@pytest.fixture(scope="session")
def sample_assistant(tmp_path_factory: pytest.TempPathFactory, embedder, standard_template: Path) -> Assistant:
    """The standard and the sample organization, ingested once for read-only tests."""
    data = tmp_path_factory.mktemp("sample-data") / "data"
    shutil.copytree(standard_template, data)
    built = build_assistant(make_settings(data, workspace=SAMPLE_WORKSPACE), embedder=embedder)
    report = built.pipeline.ingest_paths([SAMPLE_DOCS], SAMPLE_WORKSPACE)
    assert not report.failed, [r for r in report.results if r.reason]
    return built


@pytest.fixture(scope="session")
def interview_measurements(sample_assistant: Assistant) -> dict:
    """Every graded interview answer of both datasets measured once by the live grader, each
    against its organization's documents (the sample organization's workspace above, GitLab's
    in a throw-away one): the floors, the score/points property and the refit of the interview
    calibration all decide on these, instead of measuring the same answers again."""
    from evals.calibrate_interviews import measure_items
    from evals.grading import load_grading_dataset, throwaway_workspace

    datasets = REPO / "evals" / "datasets"
    sample = load_grading_dataset(datasets / "interview_grading.yaml")
    assert sample.corpus == [SAMPLE_DOCS.resolve()], "the sample dataset is graded on the sample organization"
    gitlab = load_grading_dataset(datasets / "interview_grading_gitlab.yaml")
    measured = {"interview_grading": measure_items(sample_assistant, sample, SAMPLE_WORKSPACE)}
    with throwaway_workspace(sample_assistant, gitlab) as workspace:
        measured["interview_grading_gitlab"] = measure_items(sample_assistant, gitlab, workspace)
    return measured


@pytest.fixture
def org_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample organization's documents."""
    target = tmp_path / "org"
    shutil.copytree(SAMPLE_DOCS, target)
    return target
