"""The fitted unit selector: which units of the retrieved passages state the answer."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.calibration import LinearModel
from assistant.evidence.features import FEATURES, unit_features
from assistant.evidence.question import QuestionProfile
from assistant.evidence.rules import AnswerTypes
from assistant.evidence.units import AnswerUnit, units_of
from assistant.models import Passage
from assistant.ports import Embedder, VectorCache

EMBED_WORDS = 60  # what a unit is about shows in its first words
CACHE_SIZE = 50_000


@dataclass(frozen=True, slots=True)
class ScoredUnit:
    unit: AnswerUnit
    probability: float
    features: np.ndarray


def unit_key(text: str) -> str:
    """What a unit is embedded as: its first ``EMBED_WORDS`` words."""
    return " ".join(text.split()[:EMBED_WORDS])


class UnitVectors:
    """Unit embeddings, kept across questions (the same passages come back often) and, with
    a ``VectorCache``, across processes: ingest embeds every unit of a new passage once
    (``warm``), and an ask only reads them."""

    def __init__(self, embedder: Embedder, size: int = CACHE_SIZE, store: VectorCache | None = None) -> None:
        self._embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._store = store

    def _remember(self, key: str, vector: np.ndarray) -> None:
        self._cache[key] = vector
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)

    def _fill(self, keys: Sequence[str]) -> None:
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if not missing:
            return
        if self._store is not None:
            for key, vector in self._store.get(missing).items():
                self._remember(key, vector)
            missing = [k for k in missing if k not in self._cache]
        if missing:
            made = dict(zip(missing, self._embedder.embed_documents(missing), strict=True))
            if self._store is not None:
                self._store.put(made)
            for key, vector in made.items():
                self._remember(key, vector)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        keys = [unit_key(t) for t in texts]
        self._fill(keys)
        if not keys:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])

    def warm(self, passages: Sequence[Passage]) -> int:
        """Embed and keep the units of these passages that the store lacks (at ingest);
        how many were embedded."""
        if self._store is None:
            return 0
        keys = list(dict.fromkeys(unit_key(u.context_text) for p in passages for u in units_of(p)))
        held = self._store.get(keys)
        missing = [k for k in keys if k not in held]
        if missing:
            self._store.put(dict(zip(missing, self._embedder.embed_documents(missing), strict=True)))
        return len(missing)


def ranked_units(passages: Sequence[Passage]) -> tuple[list[AnswerUnit], list[int]]:
    """Units of the passages, with each unit's passage rank within its origin."""
    units: list[AnswerUnit] = []
    ranks: list[int] = []
    seen_rank: dict[str, int] = {}
    seen_text: set[str] = set()
    for p in passages:
        rank = seen_rank.get(p.origin.value, 0)
        seen_rank[p.origin.value] = rank + 1
        for u in units_of(p):
            key = u.text.lower()
            if key in seen_text:  # chunk overlap repeats a sentence
                continue
            seen_text.add(key)
            units.append(u)
            ranks.append(rank)
    return units, ranks


class UnitSelector:
    """Scores every unit of the given passages with the fitted model."""

    def __init__(
        self,
        model: LinearModel | None,
        embedder: Embedder,
        answer_types: AnswerTypes,
        vectors: UnitVectors | None = None,
    ) -> None:
        if model is not None and tuple(model.features) != FEATURES:
            missing = sorted(set(FEATURES) ^ set(model.features))
            raise ValueError(f"the selector was fitted on other features ({', '.join(missing)}): recalibrate")
        self._model = model
        self.vectors = vectors or UnitVectors(embedder)
        self._types = answer_types

    def features(
        self, profile: QuestionProfile, question_vector: np.ndarray, passages: Sequence[Passage]
    ) -> tuple[list[AnswerUnit], np.ndarray]:
        units, ranks = ranked_units(passages)
        if not units:
            return [], np.zeros((0, len(FEATURES)))
        sims = self.vectors([u.context_text for u in units]) @ question_vector
        return units, unit_features(profile, units, sims, ranks, self._types)

    def score(
        self, profile: QuestionProfile, question_vector: np.ndarray, passages: Sequence[Passage]
    ) -> list[ScoredUnit]:
        """Units best first."""
        if self._model is None:
            raise RuntimeError("the selector has no fitted model: run `auditprep calibrate`")
        units, x = self.features(profile, question_vector, passages)
        if not units:
            return []
        probs = self._model.probability(x)
        order = np.argsort(-probs, kind="stable")
        return [ScoredUnit(units[i], float(probs[i]), x[i]) for i in order]
