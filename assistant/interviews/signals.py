"""What the interview grader measures in an answer, before deciding anything.

Measurements and decisions are kept apart so that the calibration command fits the
decisions on exactly the numbers the live grader computes: each expected point's best
sentence similarity and word share, how on-topic the answer is, the red-flag features
(closeness to the question's red flags and to examples of admitted nonconforming practice,
the admission cues, the evidence judge's negation cue), and the facts the documents confirm
or contradict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.interviews.admissions import Admissions
from assistant.interviews.bank import BankQuestion
from assistant.interviews.consistency import FactCheck, check_facts
from assistant.models import Passage
from assistant.ports import Embedder
from assistant.text import content_terms, sentences

RED_FLAG_FEATURES = (
    "bank_flag_similarity",
    "example_similarity",
    "admission_kinds",
    "negation_share",
    "nearest_sentence_admits",
)


@dataclass(slots=True)
class AnswerSignals:
    """Everything the grader's decisions read, for one answer to one question."""

    point_similarity: list[float]
    point_terms: list[float]
    topic: float
    red_flag: np.ndarray  # RED_FLAG_FEATURES
    admitting: str  # the sentence that reads most like an admission
    bank_flag: str | None  # the question's red flag nearest to the answer
    facts: FactCheck

    def covered(self, point: float, term_weight: float) -> list[bool]:
        return [s + term_weight * t >= point for s, t in zip(self.point_similarity, self.point_terms, strict=True)]


_BREAK = re.compile(r"\s*(?:[;,:]|\s-\s|\b(?:and then|then|and|so|but|which|where|because|while)\b)\s*", re.I)
MIN_UNIT_WORDS = 4


def clause_units(sentence: str) -> list[str]:
    """A sentence's clauses ("we look at call volumes by hour", "plan the rota from that")
    and each two neighbouring clauses, short pieces joined to the one before: staff pack
    several points into one sentence, and a point is matched against the words that make it."""
    units: list[str] = []
    for piece in _BREAK.split(sentence):
        if not piece.strip():
            continue
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
    question: BankQuestion,
    answer: str,
    passages: list[Passage],
) -> AnswerSignals:
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
    texts = [*said, answer.strip(), *pieces, *question.expected_points, *question.red_flags, *admissions.examples]
    vectors = embedder.embed_documents([*texts, topic_text])
    m, n, p, r = len(said), len(pieces), len(question.expected_points), len(question.red_flags)
    sentence_vecs = vectors[:m]
    at = m + 1 + n
    point_sims = vectors[at : at + p] @ vectors[m + 1 : at].T
    if not any(pieces):
        point_sims = np.zeros((p, 1))
    flag_sims = vectors[at + p : at + p + r] @ sentence_vecs.T if r else np.zeros((0, m))
    example_sims = vectors[at + p + r : -1] @ sentence_vecs.T
    topic = float(vectors[-1] @ vectors[m])

    answer_terms = set(content_terms(" ".join(pieces)))
    per_sentence_flag = flag_sims.max(axis=0) if r else np.zeros(len(said))
    per_sentence_example = example_sims.max(axis=0)
    nearest = int(np.argmax(np.maximum(per_sentence_flag, per_sentence_example)))
    features = np.array(
        [
            float(per_sentence_flag.max()) if r else 0.0,
            float(per_sentence_example.max()),
            float(max(kinds)),
            sum(bool(negation.search(s)) for s in said) / len(said),
            float(kinds[nearest]),
        ]
    )
    admitting = max(range(len(said)), key=lambda i: (kinds[i] > 0, per_sentence_flag[i] + per_sentence_example[i]))
    bank_flag = question.red_flags[int(np.argmax(flag_sims.max(axis=1)))] if r else None
    return AnswerSignals(
        point_similarity=[round(float(point_sims[i].max()), 4) for i in range(p)],
        point_terms=[round(_term_share(pt, answer_terms), 4) for pt in question.expected_points],
        topic=round(topic, 4),
        red_flag=features,
        admitting=said[admitting],
        bank_flag=bank_flag,
        facts=check_facts(embedder, answer, passages),
    )
