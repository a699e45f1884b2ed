"""One contract for the vector store, run against embedded chromadb, a real Chroma server
started with `chroma run` and the in-memory store of ``assistant.testing``; one for the
lexical index, run against the FTS5 index and the in-memory one. The in-memory runs are
fast-lane tests: a double that breaks the contract would let fast tests pass on behaviour
the real adapters do not have."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.adapters.chroma_store import ChromaStore
from assistant.adapters.fts_index import FtsIndex
from assistant.errors import InvalidInput
from assistant.ports import StoredChunk
from assistant.testing import HashEmbedder, InMemoryLexicalIndex, InMemoryVectorStore

REAL = pytest.mark.integration


@pytest.fixture(params=[pytest.param("embedded", marks=REAL), pytest.param("server", marks=REAL), "memory"])
def store(request, tmp_path: Path):
    if request.param == "memory":
        return InMemoryVectorStore()
    if request.param == "embedded":
        return ChromaStore.embedded(tmp_path / "chroma")
    return ChromaStore.server(request.getfixturevalue("chroma_server"))


def _chunks(doc: str, n: int, version: int = 1, dim: int = 8) -> tuple[list[StoredChunk], np.ndarray]:
    rng = np.random.default_rng(abs(hash((doc, version))) % 2**32)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [
        StoredChunk(
            f"{doc}-v{version}-{i:05d}",
            f"{doc} chunk {i} about change approval" if i % 2 == 0 else f"{doc} chunk {i} on incidents",
            {
                "document_id": doc,
                "version": version,
                "doc_type": "procedure" if i % 2 else "policy",
            },
        )
        for i in range(n)
    ]
    return chunks, vectors


def _collection(request) -> str:
    return "ws-" + "".join(ch for ch in request.node.name if ch.isalnum())[:40]


class TestVectorStoreContract:
    def test_replace_document_keeps_only_the_new_version(self, store, request):
        col = _collection(request)
        old, old_v = _chunks("docA", 5, version=1)
        store.replace_document(col, "docA", old, old_v)
        new, new_v = _chunks("docA", 3, version=2)
        store.replace_document(col, "docA", new, new_v)
        assert sorted(store.chunk_ids(col, "docA")) == sorted(c.id for c in new)
        assert store.count(col) == 3

    def test_query_returns_nearest_first_with_metadata(self, store, request):
        col = _collection(request)
        chunks, vectors = _chunks("docB", 6)
        store.upsert(col, chunks, vectors)
        hits = store.query(col, vectors[2], 3)
        assert hits[0].chunk.id == chunks[2].id
        assert hits[0].score == pytest.approx(1.0, abs=1e-3)
        assert hits[0].chunk.metadata["document_id"] == "docB"
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_query_filters_on_metadata(self, store, request):
        col = _collection(request)
        chunks, vectors = _chunks("docC", 6)
        store.upsert(col, chunks, vectors)
        hits = store.query(col, vectors[0], 6, where={"doc_type": "procedure"})
        assert hits and all(h.chunk.metadata["doc_type"] == "procedure" for h in hits)
        hits = store.query(col, vectors[0], 6, where={"document_id": ["docC", "nope"]})
        assert len(hits) == 6

    def test_delete_document_and_list(self, store, request):
        col = _collection(request)
        for doc in ("d1", "d2"):
            chunks, vectors = _chunks(doc, 4)
            store.upsert(col, chunks, vectors)
        assert store.list_documents(col) == {"d1": 4, "d2": 4}
        assert store.delete_document(col, "d1") == 4
        assert store.list_documents(col) == {"d2": 4}
        assert store.get(col, ["d2-v1-00001"])[0].text.startswith("d2 chunk 1")

    def test_batches_beyond_the_client_batch_size(self, store, request, monkeypatch):
        col = _collection(request)
        monkeypatch.setattr(store, "_batch", 7, raising=False)  # the in-memory store has no client batches
        chunks, vectors = _chunks("big", 30)
        store.upsert(col, chunks, vectors)
        assert store.count(col) == 30
        assert sorted(c.id for c in store.get(col, [c.id for c in chunks])) == sorted(c.id for c in chunks)
        store.delete_chunks(col, [c.id for c in chunks[:20]])
        assert store.count(col) == 10

    def test_rejects_invalid_collection_names_and_k(self, store):
        with pytest.raises(InvalidInput):
            store.count("a")
        with pytest.raises(InvalidInput):
            store.count("bad name/../x")
        with pytest.raises(InvalidInput):
            store.query("ws-valid", np.ones(8, dtype=np.float32), 0)

    def test_ping(self, store):
        store.ping()


@REAL
def test_a_collection_another_node_recreated_on_the_server_is_seen_on_the_next_call(chroma_server):
    """Two nodes on one Chroma server: node A drops and rebuilds a collection that node B
    holds a handle to; B's next calls read the rebuilt one, none fails."""
    node_a, node_b = ChromaStore.server(chroma_server), ChromaStore.server(chroma_server)
    old, old_v = _chunks("docA", 4)
    node_a.upsert("ws-recreated", old, old_v)
    assert node_b.count("ws-recreated") == 4  # B now holds a handle to the first collection
    node_a.drop_collection("ws-recreated")
    new, new_v = _chunks("docB", 3)
    node_a.upsert("ws-recreated", new, new_v)
    assert node_b.count("ws-recreated") == 3
    hits = node_b.query("ws-recreated", new_v[0], 1)
    assert [h.chunk.id for h in hits] == [new[0].id]
    node_a.drop_collection("ws-recreated")
    extra, extra_v = _chunks("docC", 2)
    node_b.upsert("ws-recreated", extra, extra_v)  # a write on a stale handle lands too
    assert node_a.list_documents("ws-recreated") == {"docC": 2}


class TestLexicalIndex:
    @pytest.fixture(params=[pytest.param("fts", marks=REAL), "memory"])
    def index(self, request, tmp_path: Path) -> FtsIndex | InMemoryLexicalIndex:
        if request.param == "memory":
            return InMemoryLexicalIndex()
        return FtsIndex(tmp_path / "lexical.sqlite")

    def test_bm25_ranks_the_matching_chunk_first(self, index):
        chunks = [
            StoredChunk(
                "a",
                "The CAB approves every normal change on Tuesday.",
                {"document_id": "d", "version": 1},
            ),
            StoredChunk("b", "Incidents are logged by the service desk.", {"document_id": "d", "version": 1}),
            StoredChunk("c", "Capacity thresholds trigger alerts.", {"document_id": "e", "version": 1}),
        ]
        index.upsert("ws-t", chunks)
        hits = index.search("ws-t", "who approves a change?", 3)
        assert hits[0].chunk.id == "a"
        assert all(h.chunk.id != "c" for h in hits)

    def test_filters_replace_and_delete_stay_in_step(self, index):
        index.replace_document(
            "ws-t",
            "d",
            [StoredChunk("a", "change approval", {"document_id": "d", "doc_type": "policy"})],
        )
        index.replace_document(
            "ws-t",
            "e",
            [StoredChunk("b", "change approval", {"document_id": "e", "doc_type": "record"})],
        )
        assert [h.chunk.id for h in index.search("ws-t", "change", 5, where={"doc_type": "record"})] == ["b"]
        index.replace_document("ws-t", "d", [StoredChunk("a2", "incident logging", {"document_id": "d"})])
        assert index.chunk_ids("ws-t", "d") == ["a2"]
        assert [h.chunk.id for h in index.search("ws-t", "change", 5)] == ["b"]
        assert index.delete_document("ws-t", "e") == 1
        assert index.search("ws-t", "change", 5) == []
        assert index.count("ws-t") == 1

    def test_collections_are_isolated(self, index):
        index.upsert("ws-one", [StoredChunk("a", "secret change plan", {"document_id": "d"})])
        assert index.search("ws-two", "secret change plan", 5) == []

    def test_hostile_query_text_is_only_words(self, index):
        index.upsert("ws-t", [StoredChunk("a", "change approval", {"document_id": "d"})])
        for query in [
            '"unbalanced',
            "NEAR(a b)",
            "change* OR ) (",
            "'; DROP TABLE chunks; --",
            "",
            "   ",
        ]:
            index.search("ws-t", query, 5)  # must not raise
        assert index.count("ws-t") == 1
        with pytest.raises(InvalidInput):
            index.search("ws-t", "change", 5, where={"bad key')": "x"})


@pytest.fixture(params=[pytest.param("torch", marks=REAL), pytest.param("onnx", marks=REAL), "hash"])
def any_embedder(request):
    if request.param == "hash":
        return HashEmbedder()
    if request.param == "onnx":
        from assistant.adapters.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder()  # the export `make install` writes into the venv
    return request.getfixturevalue("embedder")


class TestEmbedderContract:
    def test_unit_vectors_of_the_stated_dimension(self, any_embedder):
        vectors = any_embedder.embed_documents(["Emergency changes are approved by the ECAB.", "x", ""])
        assert vectors.shape == (3, any_embedder.dimension)
        assert vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
        assert any_embedder.embed_documents([]).shape[0] == 0

    def test_same_text_same_vector_in_any_batch(self, any_embedder):
        texts = ["The CAB meets weekly.", "Incidents are logged by the service desk within 15 minutes of detection."]
        alone = any_embedder.embed_query(texts[0])
        batch = any_embedder.embed_documents(texts)
        assert float(alone @ batch[0]) == pytest.approx(1.0, abs=1e-4)

    def test_shared_words_are_nearer_than_unrelated_text(self, any_embedder):
        q = any_embedder.embed_query("who approves emergency changes")
        near, far = any_embedder.embed_documents(
            ["Emergency changes are approved by the emergency change advisory board.", "Backups run nightly at 2am."]
        )
        assert float(q @ near) > float(q @ far)
