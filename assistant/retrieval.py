"""Hybrid, clause-aware retrieval over the standard's and the workspace's collections.

Dense and BM25 candidates are fused by reciprocal rank fusion; chunks tagged with the
clauses a question names get a boost (never a filter, so evidence tagged elsewhere still
surfaces); near-duplicates collapse and close scores are spread across documents. Only
chunks of committed document versions are returned.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from assistant.catalogue import Catalogue
from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.manifest import Manifest
from assistant.models import DocType, Origin, Passage
from assistant.ports import Embedder, LexicalIndex, ScoredChunk, VectorStore
from assistant.text import jaccard, shingles
from assistant.workspaces import STANDARD_COLLECTION, workspace_collection

RRF_K = 60
CLAUSE_BOOST = 0.6 / (RRF_K + 1)  # a fully matching tag is worth ~0.6 of a first-rank vote
DUPLICATE_JACCARD = 0.8
SAME_DOC_PENALTY = 0.85
MAX_ENTRIES = 2
ENTRY_LEAD = 1e-6  # entries tie with the best passage found by search, in the order named
CLAUSE_SOURCE_PREFIX = "clauses/"  # where ingest.standard files each catalogue entry


@dataclass(slots=True)
class Retrieved:
    """What the retriever found for one question."""

    question: str
    vector: np.ndarray
    named_clauses: list[str]
    standard: list[Passage] = field(default_factory=list)
    organization: list[Passage] = field(default_factory=list)
    best_org_similarity: float = 0.0  # dense cosine of the best workspace chunk
    timings_ms: dict[str, float] = field(default_factory=dict)


class Retriever:
    """The core's retrieval service; no store types leak out of it."""

    def __init__(
        self,
        settings: Settings,
        catalogue: Catalogue,
        embedder: Embedder,
        store: VectorStore,
        lexical: LexicalIndex,
        manifest: Manifest,
        *,
        use_lexical: bool | None = None,
        clause_steering: bool | None = None,
    ) -> None:
        self._settings = settings
        self._catalogue = catalogue
        self._embedder = embedder
        self._store = store
        self._lexical = lexical
        self._manifest = manifest
        self.use_lexical = settings.lexical if use_lexical is None else use_lexical
        self.clause_steering = settings.clause_steering if clause_steering is None else clause_steering

    def retrieve(
        self,
        question: str,
        workspace: str,
        k: int | None = None,
        *,
        clauses: list[str] | None = None,
        vector: np.ndarray | None = None,
    ) -> Retrieved:
        k = k or self._settings.top_k
        if k <= 0:
            raise InvalidInput(f"k must be greater than 0, got {k}")
        started = time.perf_counter()
        named = clauses if clauses is not None else self._catalogue.resolve(question)
        vec = vector if vector is not None else self._embedder.embed_query(question)
        result = Retrieved(question, vec, named)
        result.timings_ms["embed"] = (time.perf_counter() - started) * 1000
        steer = named if self.clause_steering else []
        result.standard = self.search(STANDARD_COLLECTION, question, vec, k, steer, Origin.STANDARD)
        if steer:
            result.standard = self._lead_with_entries(result.standard, steer[:MAX_ENTRIES], k)
        org_collection = workspace_collection(workspace)
        result.organization = self.search(org_collection, question, vec, k, steer, Origin.ORGANIZATION)
        result.best_org_similarity = max(
            (p.similarity for p in result.organization if p.doc_type is not DocType.CLAUSE),
            default=0.0,
        )
        result.timings_ms["total"] = (time.perf_counter() - started) * 1000
        return result

    def _lead_with_entries(self, passages: list[Passage], clause_ids: list[str], k: int) -> list[Passage]:
        """The catalogue entry of each clause the question names leads the standard's
        passages: it is the authoritative statement of what that clause asks for."""
        sources = {f"{CLAUSE_SOURCE_PREFIX}{c}" for c in clause_ids}
        records = [r for r in self._manifest.list(STANDARD_COLLECTION) if r.source in sources and r.version > 0]
        wanted = [f"{r.document_id}-v{r.version}-00000" for r in records if r.chunk_count > 0]
        if not wanted:
            return passages
        top = max((p.score for p in passages), default=0.0)
        found = {p.id: p for p in passages}
        lead: list[Passage] = []
        missing = [i for i in wanted if i not in found]
        fetched = {c.id: to_passage(c, 0.0, Origin.STANDARD) for c in self._store.get(STANDARD_COLLECTION, missing)}
        for n, chunk_id in enumerate(wanted):
            passage = found.get(chunk_id) or fetched.get(chunk_id)
            if passage is not None:
                lead.append(passage.model_copy(update={"score": round(top + ENTRY_LEAD * (len(wanted) - n - 1), 6)}))
        chosen = {p.id for p in lead}
        return (lead + [p for p in passages if p.id not in chosen])[: max(k, len(lead))]

    def search(
        self,
        collection: str,
        question: str,
        vector: np.ndarray,
        k: int,
        steer: list[str],
        origin: Origin,
    ) -> list[Passage]:
        """Fused, de-duplicated, diversified passages from one collection.

        ``Passage.score`` is the fused rank score; ``Passage.similarity`` the dense cosine
        (0 when only BM25 found it).
        """
        n = self._settings.candidates
        committed = self._manifest.committed_versions(collection)
        if not committed:
            return []
        dense = [h for h in self._store.query(collection, vector, n) if is_visible(h, committed)]
        lexical = (
            [h for h in self._lexical.search(collection, question, n) if is_visible(h, committed)]
            if self.use_lexical
            else []
        )
        fused: dict[str, float] = {}
        chunks: dict[str, ScoredChunk] = {}
        cosine: dict[str, float] = {}
        for rank, hit in enumerate(dense):
            fused[hit.chunk.id] = fused.get(hit.chunk.id, 0.0) + 1.0 / (RRF_K + rank + 1)
            chunks[hit.chunk.id] = hit
            cosine[hit.chunk.id] = hit.score
        for rank, hit in enumerate(lexical):
            fused[hit.chunk.id] = fused.get(hit.chunk.id, 0.0) + 1.0 / (RRF_K + rank + 1)
            chunks.setdefault(hit.chunk.id, hit)
        if steer:
            for chunk_id, hit in chunks.items():
                fused[chunk_id] += CLAUSE_BOOST * self._tag_match(hit, steer)
        ranked = sorted(fused, key=lambda cid: -fused[cid])
        picked = _diversify([chunks[c] for c in ranked], [fused[c] for c in ranked], k)
        return [to_passage(chunks[c].chunk, cosine.get(c, 0.0), origin, fused[c]) for c in picked]

    def _tag_match(self, hit: ScoredChunk, steer: list[str]) -> float:
        best = 0.0
        for tag, score in _tag_scores(hit):
            for named in steer:
                if self._catalogue.is_within(tag, named) or self._catalogue.is_within(named, tag):
                    best = max(best, score if tag == named or tag.startswith(named + ".") else score * 0.5)
        return best


def is_visible(hit: ScoredChunk, committed: dict[str, int]) -> bool:
    meta = hit.chunk.metadata
    return committed.get(str(meta.get("document_id"))) == int(meta.get("version", -1))


def _tag_scores(hit: ScoredChunk) -> tuple[tuple[str, float], ...]:
    raw = hit.chunk.metadata.get("clause_scores")
    return _parse_tag_scores(str(raw)) if raw else ()


@lru_cache(maxsize=8192)
def _parse_tag_scores(raw: str) -> tuple[tuple[str, float], ...]:
    """Parsed once per distinct value: the same chunks come back question after question."""
    try:
        return tuple(json.loads(raw).items())
    except ValueError:
        return ()


def _diversify(hits: list[ScoredChunk], scores: list[float], k: int) -> list[str]:
    """Greedy pick: drop near-duplicates, and let a different document win close calls."""
    pool = list(zip(hits, scores, strict=True))
    picked: list[str] = []
    picked_shingles: list[set] = []
    per_doc: dict[str, int] = {}
    while pool and len(picked) < k:
        best_i, best_val = 0, -1.0
        for i, (hit, score) in enumerate(pool):
            doc = str(hit.chunk.metadata.get("document_id"))
            value = score * (SAME_DOC_PENALTY ** per_doc.get(doc, 0))
            if value > best_val:
                best_i, best_val = i, value
        hit, _ = pool.pop(best_i)
        sh = shingles(hit.chunk.text)
        if any(jaccard(sh, other) >= DUPLICATE_JACCARD for other in picked_shingles):
            continue
        picked.append(hit.chunk.id)
        picked_shingles.append(sh)
        doc = str(hit.chunk.metadata.get("document_id"))
        per_doc[doc] = per_doc.get(doc, 0) + 1
    return picked


def to_passage(chunk, cosine: float, origin: Origin, fused: float = 0.0) -> Passage:
    meta = chunk.metadata
    try:
        doc_type = DocType(str(meta.get("doc_type", "other")))
    except ValueError:
        doc_type = DocType.OTHER
    page = int(meta.get("page") or 0)
    return Passage(
        id=chunk.id,
        text=chunk.text,
        score=round(float(fused), 6),
        similarity=round(float(cosine), 4),
        origin=origin,
        document_id=str(meta.get("document_id", "")),
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        doc_type=doc_type,
        section=str(meta.get("section", "")),
        page=page or None,
        clauses=[c for c in str(meta.get("clauses", "")).split(",") if c],
    )
