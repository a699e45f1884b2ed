"""The packaged embedder as an int8 ONNX model run by ONNX Runtime, without torch.

``make install`` exports the model (``assistant/adapters/onnx_export.py``); this adapter only
tokenizes (the ``tokenizers`` library), runs the graph and mean-pools in numpy, which is
what sentence-transformers does for all-MiniLM-L6-v2, so a process serving with it never
imports torch or sentence-transformers.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.errors import KnowledgeError

MODEL_FILE = "model.onnx"
ONNX_NAME = "all-MiniLM-L6-v2-onnx-int8"
# As in the torch adapter: a question or an answer's few sentences run on one thread, which
# a busy machine serves sooner than a parallel step waiting for a descheduled thread.
SINGLE_THREAD_MAX_TEXTS = 32


def default_onnx_dir() -> Path:
    """Where ``make install`` writes the exported model: inside the virtual environment."""
    return Path(sys.prefix) / "share" / "auditprep" / ONNX_NAME


class OnnxEmbedder:
    """ONNX Runtime over an exported model folder; unit-length float32 vectors.

    Loads lazily, once per instance; a missing export is a ``KnowledgeError`` that says
    how to make it.
    """

    def __init__(self, model_dir: Path | None = None, batch_size: int = 1) -> None:
        """``batch_size`` 1 by default: dynamic int8 quantization scales activations per run,
        so in a batch a text's vector would depend on its neighbours (cosine 0.99 to itself
        alone); one text per run also wastes nothing on padding and measured faster."""
        self._dir = model_dir or default_onnx_dir()
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._loaded: tuple | None = None

    @property
    def name(self) -> str:
        return ONNX_NAME

    @property
    def dimension(self) -> int:
        return int(self._load()[3])

    def _load(self) -> tuple:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = self._open()
        return self._loaded

    def _open(self) -> tuple:
        model, meta_path = self._dir / MODEL_FILE, self._dir / "auditprep_onnx.json"
        if not model.is_file() or not meta_path.is_file():
            raise KnowledgeError(
                f"no exported ONNX embedder in {self._dir}: run `make install` or "
                "`python -m assistant.adapters.onnx_export`, or set AUDITPREP_EMBEDDER_BACKEND=torch"
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(self._dir / "tokenizer.json"))
        tokenizer.enable_truncation(int(meta["max_seq_length"]))
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        sessions = {}
        for single in (True, False):
            options = ort.SessionOptions()
            options.log_severity_level = 3
            if single:
                options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            sessions[single] = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        inputs = {i.name for i in sessions[True].get_inputs()}
        return tokenizer, sessions, inputs, int(meta["dimension"])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        tokenizer, sessions, inputs, dim = self._load()
        session = sessions[len(texts) <= SINGLE_THREAD_MAX_TEXTS]
        # like sentence-transformers: batches of similar length waste little on padding
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), dim), dtype=np.float32)
        for start in range(0, len(texts), self._batch_size):
            picked = order[start : start + self._batch_size]
            encoded = tokenizer.encode_batch([texts[i] for i in picked])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = session.run(None, {k: v for k, v in feed.items() if k in inputs})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[picked] = pooled / np.clip(norms, 1e-12, None)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]
