"""Clause tags for chunks: embedding similarity to the catalogue's requirement elements,
plus the clauses the text names outright (``Catalogue.resolve``)."""

from __future__ import annotations

import json

import numpy as np

from assistant.catalogue import Catalogue
from assistant.ports import Embedder

MAX_TAGS = 3
MIN_SCORE = 0.35
NAMED_BONUS = 0.15


class ClauseTagger:
    """Scores every chunk against every element statement in one matrix product."""

    def __init__(self, catalogue: Catalogue, embedder: Embedder) -> None:
        self._catalogue = catalogue
        self._embedder = embedder
        self._matrix: np.ndarray | None = None
        self._element_clause: list[str] = []
        self._clause_ids: list[str] = []
        self._columns: list[np.ndarray] = []  # per clause: its elements' rows in the matrix

    def _elements(self) -> np.ndarray:
        """The element statements' vectors, embedded once per process."""
        if self._matrix is None:
            texts: list[str] = []
            for element in self._catalogue.elements.values():
                clause = self._catalogue.get(element.clause_id)
                texts.append(f"{clause.title}: {element.statement}")
                self._element_clause.append(clause.id)
            order = {cid: i for i, cid in enumerate(self._catalogue.ids)}
            self._clause_ids = sorted(set(self._element_clause), key=order.__getitem__)
            owner = np.array([self._clause_ids.index(c) for c in self._element_clause])
            self._columns = [np.flatnonzero(owner == j) for j in range(len(self._clause_ids))]
            self._matrix = self._embedder.embed_documents(texts)
        return self._matrix

    def tag(self, texts: list[str], vectors: np.ndarray) -> list[dict[str, float]]:
        """For each chunk, up to three clause ids with scores in [0, 1].

        ``vectors`` are the chunks' own embeddings: tagging never embeds a chunk again.
        """
        if len(texts) == 0:
            return []
        sims = vectors @ self._elements().T  # (chunks, elements)
        clause_ids = self._clause_ids
        per_clause = np.empty((len(texts), len(clause_ids)), dtype=np.float32)
        for j, rows in enumerate(self._columns):
            per_clause[:, j] = sims[:, rows].max(axis=1)
        top = np.argsort(-per_clause, axis=1)[:, : MAX_TAGS * 2]
        tags: list[dict[str, float]] = []
        for row, best_cols, text in zip(per_clause, top, texts, strict=True):
            scores = {clause_ids[j]: float(row[j]) for j in best_cols}
            for named in self._catalogue.resolve(text):
                scores[named] = min(1.0, scores.get(named, MIN_SCORE) + NAMED_BONUS)
            best = sorted(scores.items(), key=lambda kv: -kv[1])[:MAX_TAGS]
            tags.append({cid: round(s, 4) for cid, s in best if s >= MIN_SCORE})
        return tags


def encode_tags(tags: dict[str, float]) -> tuple[str, str]:
    """Flat metadata for the stores: ',8.5.1,8.5.1.3,' (searchable) and the JSON scores."""
    return ("," + ",".join(tags) + ",") if tags else "", json.dumps(tags)


def decode_tags(value: object) -> list[str]:
    return [t for t in str(value or "").split(",") if t]
