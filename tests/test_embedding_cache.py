"""The shared embedding cache: text embedded once, by any data directory, is read back
exactly, never embedded again, and never served to another embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.adapters.cached_embedder import CachedEmbedder
from assistant.bootstrap import build_assistant
from assistant.testing import HashEmbedder
from tests.conftest import make_settings
from tests.test_unit_vectors import Counting

TEXTS = ["Normal changes are approved by the CAB.", "P1 incidents get a response within 15 minutes."]


def _cached(path: Path, inner) -> CachedEmbedder:
    return CachedEmbedder.in_file(inner, path)


def test_a_second_instance_on_the_same_file_reads_what_the_first_embedded(tmp_path: Path):
    first, second = Counting(HashEmbedder()), Counting(HashEmbedder())
    a = _cached(tmp_path / "e.sqlite", first).embed_documents(TEXTS)
    b = _cached(tmp_path / "e.sqlite", second).embed_documents([TEXTS[1], TEXTS[0], TEXTS[1]])
    assert first.texts == TEXTS and second.texts == []
    assert np.array_equal(b, np.stack([a[1], a[0], a[1]]))  # in the order asked, duplicates included
    assert np.array_equal(a, HashEmbedder().embed_documents(TEXTS))  # equal to a fresh embedding


def test_only_the_missing_texts_are_embedded(tmp_path: Path):
    _cached(tmp_path / "e.sqlite", HashEmbedder()).embed_documents(TEXTS[:1])
    counting = Counting(HashEmbedder())
    _cached(tmp_path / "e.sqlite", counting).embed_documents(TEXTS)
    assert counting.texts == TEXTS[1:]


def test_queries_and_empty_batches_go_to_the_model(tmp_path: Path):
    counting = Counting(HashEmbedder())
    cached = _cached(tmp_path / "e.sqlite", counting)
    assert cached.embed_documents([]).shape[0] == 0
    cached.embed_query(TEXTS[0])
    cached.embed_query(TEXTS[0])
    assert counting.texts == [TEXTS[0], TEXTS[0]]


def test_the_setting_puts_the_configured_model_behind_the_cache(tmp_path: Path):
    cache = tmp_path / "shared" / "embeddings.sqlite"
    built = build_assistant(make_settings(tmp_path / "data", embedding_cache=cache))
    assert isinstance(built.embedder, CachedEmbedder)
    assert built.settings.unit_vectors_path == cache  # answer-unit vectors are shared as well
    plain = build_assistant(make_settings(tmp_path / "data", embedding_cache=""))
    assert not isinstance(plain.embedder, CachedEmbedder)
    assert plain.settings.unit_vectors_path == tmp_path / "data" / "unit_vectors.sqlite"
