"""The PyTorch embedder runs the packaged model without sentence-transformers: its vectors
are sentence-transformers' own (the fitted calibration and every cached vector stay valid),
and a process that embeds imports neither transformers nor scikit-learn."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from assistant.adapters.embedder import SentenceTransformerEmbedder, packaged_model_path
from tests.conftest import SAMPLE_DOCS

pytestmark = pytest.mark.integration


def test_vectors_are_sentence_transformers_own():
    from sentence_transformers import SentenceTransformer

    texts = [
        "Who approves emergency changes?",
        "a",
        "Änderungen — 事件管理 procedure, émergence of CAB approval ✓",
        " ".join(["capacity"] * 700),  # past the 256-token limit: truncated as sentence-transformers does
        *[p.read_text(encoding="utf-8")[:1500] for p in sorted(SAMPLE_DOCS.glob("*.md"))[:6]],
    ]
    reference = SentenceTransformer(str(packaged_model_path()), device="cpu", local_files_only=True).encode(
        texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True
    )
    embedder = SentenceTransformerEmbedder()
    together = embedder.embed_documents(texts)
    assert together.shape == (len(texts), embedder.dimension) == (len(texts), 384)
    assert np.abs(together - reference).max() < 1e-5
    alone = np.stack([embedder.embed_query(t) for t in texts])  # no padding: the same vectors
    assert np.abs(alone - reference).max() < 1e-5
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_documents([]).shape == (0, 384)


def test_embedding_imports_neither_transformers_nor_scikit_learn():
    code = (
        "import json, sys\n"
        "from assistant.adapters.embedder import SentenceTransformerEmbedder\n"
        "v = SentenceTransformerEmbedder().embed_query('Who owns the capacity plan?')\n"
        "heavy = ('transformers', 'sentence_transformers', 'sklearn', 'scipy')\n"
        "print(json.dumps({'dim': len(v), 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"dim": 384, "loaded": []}
