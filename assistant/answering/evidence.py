"""The evidence check: each requirement element of a clause against the organization's
own passages, with a status per element and a verdict per clause.

Deterministic by design: the same documents always give the same verdict, and no text
inside a document can change it (a passage is only ever scored, never obeyed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.catalogue import Catalogue, Element
from assistant.config import DEFAULT_KNOWLEDGE_DIR
from assistant.evidence.rules import load_statement_cues
from assistant.manifest import Manifest
from assistant.models import DocType, ElementFinding, ElementStatus, Origin, Passage, Verdict
from assistant.ports import Embedder, LexicalIndex, VectorStore
from assistant.retrieval import is_visible, to_passage
from assistant.text import content_terms, sentences
from assistant.workspaces import workspace_collection

EVIDENCED = 0.50
STRONG = 0.62  # evidenced even without a cue word
WEAK = 0.42
CUE_WEIGHT = 0.04
MAX_ELEMENTS = 60
CANDIDATES = 6

# Wording that qualifies or negates what a sentence says: evidence that reads like this
# is at best weak ("emergency changes may proceed without approval"). The phrases are data
# (`qualifier` in knowledge/rules/statement_cues.yaml), shipped with the product.
NEGATION = load_statement_cues(DEFAULT_KNOWLEDGE_DIR).qualifier


@dataclass(slots=True)
class ClauseCheck:
    clause_id: str
    verdict: Verdict
    findings: list[ElementFinding]


def cue_hits(cues: list[str], text: str) -> list[str]:
    """The cues a text mentions; short all-capital cues ("RTO", "P1") must match in capitals so
    that "rto" inside a word or sentence case prose does not count."""
    lower = text.lower()
    hits = []
    for cue in cues:
        acronym = cue.isupper() and len(cue) <= 6
        needle, haystack = (cue, text) if acronym else (cue.lower(), lower)
        if re.search(r"(?<![\w])" + re.escape(needle) + r"(?:s|es)?(?![\w])", haystack):
            hits.append(cue)
    return hits


def best_sentence(passage_text: str, element: Element) -> str:
    """The sentence (or row) of a passage that speaks most directly to an element."""
    wanted = set(content_terms(element.statement + " " + " ".join(element.cues)))
    best, best_score = "", -1.0
    for sentence in sentences(passage_text) or [passage_text.strip()]:
        terms = set(content_terms(sentence))
        score = len(terms & wanted) + 2 * len(cue_hits(element.cues, sentence))
        score /= 1 + 0.01 * len(sentence.split())
        if score > best_score:
            best, best_score = sentence, score
    return best


def qualifying_sentence(passage_text: str, element: Element) -> str | None:
    """A sentence on the element's topic that hedges or negates it, if the passage has one."""
    wanted = set(content_terms(element.statement))
    for sentence in sentences(passage_text):
        if not NEGATION.search(sentence):
            continue
        on_topic = cue_hits(element.cues, sentence) or len(set(content_terms(sentence)) & wanted) >= 3
        if on_topic:
            return sentence
    return None


def verdict_for(findings: list[ElementFinding]) -> Verdict:
    if not findings:
        return Verdict.NOT_COVERED
    n = len(findings)
    evidenced = sum(f.status is ElementStatus.EVIDENCED for f in findings)
    weak = sum(f.status is ElementStatus.WEAK for f in findings)
    missing = n - evidenced - weak
    if missing == 0 and weak == 0:
        return Verdict.COVERED
    if evidenced == 0 and weak < n / 2:
        return Verdict.NOT_COVERED
    return Verdict.PARTIAL


class EvidenceChecker:
    """Scores each element against the workspace with dense and BM25 candidates."""

    def __init__(
        self,
        catalogue: Catalogue,
        embedder: Embedder,
        store: VectorStore,
        lexical: LexicalIndex,
        manifest: Manifest,
    ) -> None:
        self._catalogue = catalogue
        self._embedder = embedder
        self._store = store
        self._lexical = lexical
        self._manifest = manifest
        self._vectors: dict[str, np.ndarray] = {}

    def element_vectors(self, elements: list[Element]) -> np.ndarray:
        missing = [e for e in elements if e.id not in self._vectors]
        if missing:
            texts = [f"{self._catalogue.get(e.clause_id).title}: {e.statement}" for e in missing]
            for element, vec in zip(missing, self._embedder.embed_documents(texts), strict=True):
                self._vectors[element.id] = vec
        return np.stack([self._vectors[e.id] for e in elements]) if elements else np.zeros((0, 1))

    def check(self, workspace: str, clause_ids: list[str]) -> list[ClauseCheck]:
        """One ``ClauseCheck`` per clause id (elements of the clause and its children)."""
        collection = workspace_collection(workspace)
        committed = self._manifest.committed_versions(collection)
        checks: list[ClauseCheck] = []
        for clause_id in clause_ids:
            elements = self._catalogue.elements_for(clause_id)[:MAX_ELEMENTS]
            findings = (
                [
                    self._element(collection, committed, e, v)
                    for e, v in zip(elements, self.element_vectors(elements), strict=True)
                ]
                if committed
                else [self._not_found(e) for e in elements]
            )
            checks.append(ClauseCheck(clause_id, verdict_for(findings), findings))
        return checks

    def _element(
        self, collection: str, committed: dict[str, int], element: Element, vector: np.ndarray
    ) -> ElementFinding:
        dense = [h for h in self._store.query(collection, vector, CANDIDATES) if is_visible(h, committed)]
        query = element.statement + " " + " ".join(element.cues)
        lexical = [h for h in self._lexical.search(collection, query, CANDIDATES) if is_visible(h, committed)]
        cosine = {h.chunk.id: h.score for h in dense}
        pool = {h.chunk.id: h.chunk for h in dense + lexical}
        best: tuple[float, Passage, list[str]] | None = None
        for chunk_id, chunk in pool.items():
            passage = to_passage(chunk, cosine.get(chunk_id, 0.0), Origin.ORGANIZATION)
            if passage.doc_type is DocType.CLAUSE:
                continue
            hits = cue_hits(element.cues, chunk.text)
            sim = cosine.get(chunk_id)
            if sim is None:  # found by BM25 only: its cues carry it, at a discount
                sim = WEAK - 0.05 + 0.02 * min(len(hits), 3)
            strength = sim + CUE_WEIGHT * min(len(hits), 3)
            if best is None or strength > best[0]:
                best = (strength, passage, hits)
        if best is None:
            return self._not_found(element)
        strength, passage, hits = best
        quote = best_sentence(passage.text, element)
        qualified = qualifying_sentence(passage.text, element)
        if strength >= STRONG or strength >= EVIDENCED and hits:
            status = ElementStatus.EVIDENCED
        elif strength >= WEAK:
            status = ElementStatus.WEAK
        else:
            status = ElementStatus.NOT_FOUND
        if qualified and status is not ElementStatus.NOT_FOUND:
            # The documents speak to the element but hedge or negate it: at best weak evidence,
            # and the hedging sentence is the one to show.
            status, quote = ElementStatus.WEAK, qualified
        return ElementFinding(
            element_id=element.id,
            clause_id=element.clause_id,
            statement=element.statement,
            status=status,
            score=round(float(strength), 4),
            passage_id=passage.id if status is not ElementStatus.NOT_FOUND else None,
            document=passage.source if status is not ElementStatus.NOT_FOUND else None,
            section=passage.section if status is not ElementStatus.NOT_FOUND else None,
            quote=quote if status is not ElementStatus.NOT_FOUND else None,
            matched_cues=hits,
        )

    @staticmethod
    def _not_found(element: Element) -> ElementFinding:
        return ElementFinding(
            element_id=element.id,
            clause_id=element.clause_id,
            statement=element.statement,
            status=ElementStatus.NOT_FOUND,
            score=0.0,
        )

    def passages_for(self, workspace: str, findings: list[ElementFinding]) -> list[Passage]:
        """The passages behind the findings (for citations), in finding order."""
        ids = list(dict.fromkeys(f.passage_id for f in findings if f.passage_id))
        chunks = {c.id: c for c in self._store.get(workspace_collection(workspace), ids)}
        return [to_passage(chunks[i], 0.0, Origin.ORGANIZATION) for i in ids if i in chunks]
