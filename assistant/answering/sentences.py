"""Picking the sentences of retrieved passages that answer a question."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.models import Passage
from assistant.text import content_terms, sentences


@dataclass(slots=True)
class Pick:
    sentence: str
    passage: Passage
    score: float


def pick_sentences(
    question: str,
    passages: list[Passage],
    *,
    max_sentences: int = 4,
    max_words: int = 120,
    per_passage: int = 2,
    min_overlap: int = 1,
    min_share: float = 0.0,
    min_words: int = 1,
) -> list[Pick]:
    """Sentences sharing the most content words with the question, weighted by the
    passage's rank, at most ``per_passage`` from one passage, best first."""
    wanted = set(content_terms(question))
    if not wanted:
        return []
    candidates: list[Pick] = []
    for rank, passage in enumerate(passages):
        prior = 1.0 / (1.0 + 0.35 * rank)
        for position, sentence in enumerate(sentences(passage.text)):
            terms = content_terms(sentence)
            overlap = len(wanted & set(terms))
            if overlap < min_overlap or overlap < min_share * len(wanted):
                continue
            length = len(sentence.split())
            if length > 80 or length < min_words:
                continue
            density = overlap / (len(wanted) ** 0.5)
            score = prior * (density + 0.1 * passage.similarity) * (1.0 - 0.01 * position) / (1 + length / 120)
            candidates.append(Pick(sentence, passage, score))
    candidates.sort(key=lambda p: -p.score)
    picked: list[Pick] = []
    used: dict[str, int] = {}
    words = 0
    for cand in candidates:
        if used.get(cand.passage.id, 0) >= per_passage:
            continue
        if any(cand.sentence == p.sentence for p in picked):
            continue
        length = len(cand.sentence.split())
        if picked and words + length > max_words:
            continue
        picked.append(cand)
        used[cand.passage.id] = used.get(cand.passage.id, 0) + 1
        words += length
        if len(picked) >= max_sentences:
            break
    return picked
