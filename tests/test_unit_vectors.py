"""Answer-unit vectors are embedded once at ingest and read back by asks, in any process."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.adapters.sqlite_vectors import SqliteVectorCache
from assistant.bootstrap import build_assistant
from assistant.evidence.selector import UnitVectors, unit_key
from assistant.evidence.units import units_of
from assistant.models import Origin, Passage
from assistant.testing import HashEmbedder
from tests.conftest import SAMPLE_DOCS, make_settings


class Counting:
    """An embedder that records what it was asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.texts: list[str] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += list(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        self.texts.append(text)
        return self.inner.embed_query(text)


def _passage(text: str) -> Passage:
    return Passage(
        id="d-v1-00000", text=text, origin=Origin.ORGANIZATION, document_id="d", source="sla.md", title="SLA"
    )


def test_the_cache_keeps_vectors_per_embedder_across_instances(tmp_path: Path):
    path = tmp_path / "units.sqlite"
    vectors = {f"unit {i}": np.full(4, i, dtype=np.float32) for i in range(1200)}  # more than one SELECT batch
    SqliteVectorCache(path, "model-a").put(vectors)
    again = SqliteVectorCache(path, "model-a").get(list(vectors) + ["never stored"])
    assert set(again) == set(vectors)
    assert np.array_equal(again["unit 7"], vectors["unit 7"])
    assert SqliteVectorCache(path, "model-b").get(["unit 7"]) == {}  # another embedder's vectors are not served
    assert SqliteVectorCache(path, "model-a", dimension=8).get(["unit 7"]) == {}  # nor ones of another size


def test_warmed_units_are_read_not_embedded_and_equal_a_fresh_embedding(tmp_path: Path):
    passage = _passage(
        "Priority: P1; Initial response: 15 minutes; Resolution: 4 hours\n"
        "The service desk logs every incident. Major incidents are reviewed within five days."
    )
    texts = [u.context_text for u in units_of(passage)]
    warming = Counting(HashEmbedder())
    assert UnitVectors(warming, store=SqliteVectorCache(tmp_path / "u.sqlite", warming.name)).warm([passage]) == len(
        texts
    )
    asking = Counting(HashEmbedder())
    got = UnitVectors(asking, store=SqliteVectorCache(tmp_path / "u.sqlite", asking.name))(texts)
    assert asking.texts == []
    assert np.array_equal(got, HashEmbedder().embed_documents([unit_key(t) for t in texts]))


def test_units_ingest_missed_are_embedded_once_and_kept(tmp_path: Path):
    texts = ["Changes are approved by the CAB every Tuesday.", "Backups are tested quarterly by the platform team."]
    first = Counting(HashEmbedder())
    UnitVectors(first, store=SqliteVectorCache(tmp_path / "u.sqlite", first.name))(texts)
    second = Counting(HashEmbedder())
    UnitVectors(second, store=SqliteVectorCache(tmp_path / "u.sqlite", second.name))(texts)
    assert len(first.texts) == 2 and second.texts == []


@pytest.mark.integration
def test_an_ask_in_a_new_process_embeds_only_the_question(tmp_path: Path, data_dir: Path, embedder):
    settings = make_settings(data_dir, workspace="acme")
    report = build_assistant(settings, embedder=embedder).pipeline.ingest_paths([SAMPLE_DOCS], "acme")
    assert not report.failed
    counting = Counting(embedder)
    fresh = build_assistant(settings, embedder=counting)
    question = "Who approves emergency changes?"
    ctx = fresh.ask.context(question, "acme")
    assert ctx.scored, "the question should reach the fitted unit selector"
    candidate_keys = {unit_key(s.unit.context_text) for s in ctx.scored}
    assert not candidate_keys & set(counting.texts)
    assert question in counting.texts
