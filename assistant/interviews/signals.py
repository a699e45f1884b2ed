"""What the interview grader measures in an answer, before deciding anything.

Measurements and decisions are kept apart so that the calibration command fits the
decisions on exactly the numbers the live grader computes: each expected point's best
sentence similarity and word share, how close the answer comes to the organization's own
words for the point, how on-topic the answer is, the red-flag features of every sentence
(how close the sentence or its closest clause comes to the nearest of the question's red
flags and the examples of admitted nonconforming practice, the admission cues, the evidence
judge's negation cue), and the facts the documents confirm or contradict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.evidence.units import units_of
from assistant.interviews.admissions import Admissions
from assistant.interviews.bank import BankQuestion
from assistant.interviews.consistency import FactCheck, check_facts
from assistant.interviews.roles import RoleNames
from assistant.models import Passage
from assistant.ports import Embedder
from assistant.text import clauses, content_terms, sentences

# one row per answer sentence: an admission is one sentence ("we don't do PIRs though"), and
# a long, otherwise sound answer must not dilute it; nor must a long sentence dilute its one
# admitting clause ("..., nobody looks at them, and we wait until something breaks"), so a
# sentence is as close to an admission as its closest clause. The question's red flags and the
# examples of admissions are both exemplars of an admission: closeness is to the nearest of them.
RED_FLAG_FEATURES = (
    "admission_similarity",
    "admission_kinds",
    "negation",
)
UnitVectorReader = Callable[[Sequence[str]], np.ndarray]


@dataclass(slots=True)
class AnswerSignals:
    """Everything the grader's decisions read, for one answer to one question."""

    point_similarity: list[float]
    point_terms: list[float]
    point_bridge: list[float]  # through the organization's sentence nearest the point (0 without one)
    topic: float
    said: list[str]  # the answer's sentences
    red_flag: np.ndarray  # one row of RED_FLAG_FEATURES per sentence
    facts: FactCheck

    def covered(self, point: float, term_weight: float, bridge: float = 2.0) -> list[bool]:
        """Per expected point: the answer says it in the bank's words or in the organization's."""
        return [
            s + term_weight * t >= point or b >= bridge
            for s, t, b in zip(self.point_similarity, self.point_terms, self.point_bridge, strict=True)
        ]


MIN_UNIT_WORDS = 4


def clause_units(sentence: str) -> list[str]:
    """A sentence's clauses ("we look at call volumes by hour", "plan the rota from that")
    and each two neighbouring clauses, short pieces joined to the one before: staff pack
    several points into one sentence, and a point is matched against the words that make it."""
    units: list[str] = []
    for piece in clauses(sentence, fine=True):
        if units and len(piece.split()) < MIN_UNIT_WORDS:
            units[-1] = f"{units[-1]} {piece}"
        else:
            units.append(piece.strip())
    if len(units) < 2:
        return []
    pairs = [f"{a} {b}" for a, b in zip(units, units[1:], strict=False)] if len(units) > 2 else []
    return [u for u in [*units, *pairs] if len(u.split()) >= MIN_UNIT_WORDS]


def _term_share(point: str, answer_terms: set[str]) -> float:
    terms = set(content_terms(point))
    return len(terms & answer_terms) / len(terms) if terms else 0.0


def measure(
    embedder: Embedder,
    admissions: Admissions,
    negation: re.Pattern[str],
    roles: RoleNames,
    question: BankQuestion,
    answer: str,
    passages: list[Passage],
    unit_vectors: UnitVectorReader | None = None,
) -> AnswerSignals:
    """``unit_vectors`` reads the passages' sentence vectors embedded at ingest (the
    embedder when none is given)."""
    said = sentences(answer) or [answer.strip()]
    kinds = [admissions.kinds(s) for s in said]
    # a sentence or clause admitting a step is skipped does not evidence that step ("we don't do PIRs")
    kept = [s for s, k in zip(said, kinds, strict=True) if not k]
    units = [u for s in said for u in clause_units(s) if not admissions.kinds(u)]
    pieces = list(dict.fromkeys([*kept, *units]))
    if len(kept) > 1 and len(kept) == len(said):
        pieces.append(answer.strip())
    pieces = pieces or [""]
    topic_text = question.question + " " + " ".join(question.expected_points)
    # each sentence with its clauses, for the closeness of the sentence's closest clause
    own = [[s, *clause_units(s)] for s in said]
    extra = [u for us in own for u in us[1:] if u not in pieces]
    texts = [*said, answer.strip(), *pieces, *question.expected_points, *question.red_flags, *admissions.examples]
    everything = embedder.embed_documents([*texts, topic_text, *extra])
    vectors, extra_vecs = everything[: len(texts) + 1], everything[len(texts) + 1 :]
    m, n, p = len(said), len(pieces), len(question.expected_points)
    at = m + 1 + n
    piece_vecs = vectors[m + 1 : at]
    point_vecs = vectors[at : at + p]
    point_sims = point_vecs @ piece_vecs.T
    if not any(pieces):
        point_sims = np.zeros((p, 1))
    exemplar_vecs = vectors[at + p : -1]  # the question's red flags, then the admission examples
    topic = float(vectors[-1] @ vectors[m])
    row = {t: vectors[i] for i, t in enumerate(texts)} | {t: extra_vecs[i] for i, t in enumerate(extra)}
    closeness = [float((exemplar_vecs @ np.stack([row[u] for u in us]).T).max()) for us in own]

    answer_terms = set(content_terms(" ".join(pieces)))
    features = np.column_stack(
        [
            np.array(closeness),
            np.asarray(kinds, dtype=np.float64),
            np.array([float(bool(negation.search(s))) for s in said]),
        ]
    )
    bridge = _bridge(point_vecs, piece_vecs, passages, unit_vectors or embedder.embed_documents)
    return AnswerSignals(
        point_similarity=[round(float(point_sims[i].max()), 4) for i in range(p)],
        point_terms=[round(_term_share(pt, answer_terms), 4) for pt in question.expected_points],
        point_bridge=[round(float(b), 4) for b in bridge] if any(pieces) else [0.0] * p,
        topic=round(topic, 4),
        said=said,
        red_flag=np.round(features, 4),
        facts=check_facts(embedder, answer, passages, roles),
    )


def _bridge(
    point_vecs: np.ndarray, piece_vecs: np.ndarray, passages: list[Passage], unit_vectors: UnitVectorReader
) -> np.ndarray:
    """Per point, how surely the answer says what one of the organization's sentences about
    the point says: over the passages' sentences, the best of the weaker link of
    point-to-sentence and sentence-to-answer. Staff answer in their organization's words
    ("the change issue gets the manager_approved label"), not the auditor's ("authorised by
    the change authority")."""
    texts = list(dict.fromkeys(u.context_text for p in passages for u in units_of(p)))
    if not texts:
        return np.zeros(len(point_vecs))
    org = unit_vectors(texts)
    to_point = point_vecs @ org.T  # (points, org sentences)
    to_answer = (org @ piece_vecs.T).max(axis=1)  # (org sentences,)
    return np.minimum(to_point, to_answer[None, :]).max(axis=1)
