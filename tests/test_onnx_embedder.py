"""The int8 ONNX embedder against the PyTorch model it was exported from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.adapters.onnx_embedder import ONNX_NAME, OnnxEmbedder
from assistant.errors import KnowledgeError
from tests.conftest import KNOWLEDGE


def _paragraphs(limit: int = 120) -> list[str]:
    texts = []
    for path in sorted((KNOWLEDGE / "guidance").glob("*.md")):
        texts += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 5]
    return texts[:limit]


def test_a_missing_export_says_how_to_make_it(tmp_path: Path):
    embedder = OnnxEmbedder(tmp_path / "nothing-here")
    assert embedder.name == ONNX_NAME  # naming needs no model: calibration checks it first
    with pytest.raises(KnowledgeError, match="make install"):
        embedder.embed_query("who approves changes?")


@pytest.mark.integration
def test_int8_vectors_stay_close_to_the_pytorch_model(embedder):
    texts = _paragraphs()
    onnx = OnnxEmbedder().embed_documents(texts)
    torch = embedder.embed_documents(texts)
    cosine = (onnx * torch).sum(axis=1)
    assert cosine.min() > 0.97
    assert cosine.mean() > 0.985


@pytest.mark.integration
def test_int8_ranks_passages_as_the_pytorch_model_does(embedder):
    texts = _paragraphs()
    questions = [
        "Who approves emergency changes?",
        "How often is the continuity plan tested?",
        "What must an internal audit programme cover?",
        "How are supplier contracts reviewed?",
        "What is a major incident?",
    ]
    onnx = OnnxEmbedder()
    torch_docs, onnx_docs = embedder.embed_documents(texts), onnx.embed_documents(texts)
    for q in questions:
        by_torch = np.argsort(-(torch_docs @ embedder.embed_query(q)))[:5]
        by_onnx = np.argsort(-(onnx_docs @ onnx.embed_query(q)))[:5]
        assert by_onnx[0] in by_torch[:3], q
        assert len(set(by_onnx) & set(by_torch)) >= 3, q
