"""The deterministic grader: expected points covered by meaning, facts checked against the
organization's documents, admitted nonconforming practice, and a 0-4 score computed from
those alone, all with parameters fitted on graded answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.calibration import InterviewCalibration
from assistant.errors import KnowledgeError
from assistant.interviews.admissions import Admissions
from assistant.interviews.bank import BankQuestion
from assistant.interviews.consistency import Conflict
from assistant.interviews.models import AnswerKind, Assessment, Contradiction, DocumentRef
from assistant.interviews.roles import RoleNames
from assistant.interviews.scoring import rationale, score_of
from assistant.interviews.signals import AnswerSignals, UnitVectorReader, measure
from assistant.models import Passage
from assistant.ports import Embedder

_SKIP = re.compile(r"^\s*(skip|pass|next( question)?|skip (this|it)( one)?)\s*[.!]?\s*$", re.I)
_END = re.compile(r"^\s*(end|stop|quit|exit|finish|end (the )?(interview|session|rehearsal))\s*[.!]?\s*$", re.I)
_UNKNOWN = re.compile(
    r"^\s*(?:(?:um+|er+|sorry|honestly|oh)[,.]?\s+)*(i\s*(do\s*n[o']?t|dont)\s*know|idk|no idea|not sure|"
    r"i'?m not sure|i have no idea|no clue|dunno|i can'?t remember|don'?t know|i'?m afraid i don'?t know)\b",
    re.I,
)
_FILLER = re.compile(
    r"\b(to be honest|honestly|sorry|really|i'?m afraid|at all|off the top of my head|right now)\b", re.I
)
_DEFERRAL = re.compile(
    r"^(?:but\s+)?(?:i'?d|you'?d|i would|you would|we'?d|i'?ll|you'?ll|i will|you will|i can)\s+"
    r"(?:have to |need to |want to |better |probably )?(?:ask|check with|speak to|talk to|find out from)\b"
    r"[\w' ]{0,40}$",
    re.I,
)
_ENGLISH = frozenset(
    "the a an and or of to in is are we our it for on with that this be by as at have has not do you "
    "they it's i my when if then from who what which all".split()
)


def classify_reply(text: str) -> str:
    """'empty', 'skip', 'end', 'unknown', 'not_english' or 'answer'."""
    stripped = text.strip()
    if not stripped:
        return "empty"
    if _SKIP.match(stripped):
        return "skip"
    if _END.match(stripped):
        return "end"
    if _is_unknown(stripped):
        return "unknown"
    words = re.findall(r"[^\W\d_]+", stripped.lower())
    if len(words) >= 4:
        ascii_share = sum(w.isascii() for w in words) / len(words)
        english = sum(w in _ENGLISH for w in words) / len(words)
        if ascii_share < 0.6 or english < 0.05:
            return "not_english"
    return "answer"


def _is_unknown(text: str) -> bool:
    """ "I don't know", alone or hedged ("to be honest") or passed on ("you'd have to ask
    Priya"): nothing in it an auditor could assess."""
    found = _UNKNOWN.match(text)
    if not found:
        return False
    rest = _FILLER.sub(" ", text[found.end() :])
    pieces = [p.strip() for p in re.split(r"[.,;!?]+", rest)]
    return all(not p or _DEFERRAL.match(p) for p in pieces)


@dataclass(slots=True)
class PointMatch:
    point: str
    index: int
    covered: bool
    similarity: float


class Grader:
    """Measures an answer (``signals.measure``) and decides with the fitted parameters: which
    points are covered, whether it admits nonconforming practice, and the score those give."""

    def __init__(
        self,
        embedder: Embedder,
        admissions: Admissions,
        negation: re.Pattern[str],
        roles: RoleNames,
        params: InterviewCalibration | None = None,
        unit_vectors: UnitVectorReader | None = None,
    ) -> None:
        self._embedder = embedder
        self._admissions = admissions
        self._negation = negation
        self.roles = roles
        self.params = params
        self._unit_vectors = unit_vectors

    def measure(self, question: BankQuestion, answer: str, passages: list[Passage]) -> AnswerSignals:
        return measure(
            self._embedder,
            self._admissions,
            self._negation,
            self.roles,
            question,
            answer,
            passages,
            self._unit_vectors,
        )

    def assess(
        self,
        question: BankQuestion,
        answer: str,
        passages: list[Passage],
        already_covered: set[int] | None = None,
    ) -> tuple[Assessment, list[PointMatch]]:
        if self.params is None:
            raise KnowledgeError("the interview grader is not calibrated: run `auditprep calibrate`")
        signals = self.measure(question, answer, passages)
        return decide(question, signals, self.params, already_covered), _matches(question, signals, self.params)


def _matches(question: BankQuestion, signals: AnswerSignals, params: InterviewCalibration) -> list[PointMatch]:
    covered = signals.covered(params.point, params.term_weight, params.bridge)
    return [
        PointMatch(point, i, covered[i], signals.point_similarity[i])
        for i, point in enumerate(question.expected_points)
    ]


def admission_probability(signals: AnswerSignals, params: InterviewCalibration) -> tuple[float, str]:
    """The fitted probability that the answer admits nonconforming practice: that of its most
    admitting sentence, which is returned with it."""
    probabilities = params.red_flag.probability(signals.red_flag)
    best = int(probabilities.argmax())
    return float(probabilities[best]), signals.said[best]


def admits_nonconformity(signals: AnswerSignals, params: InterviewCalibration) -> bool:
    return admission_probability(signals, params)[0] >= params.red_flag_threshold


def decide(
    question: BankQuestion,
    signals: AnswerSignals,
    params: InterviewCalibration,
    already_covered: set[int] | None = None,
) -> Assessment:
    """The assessment the fitted parameters give these measurements; the score is computed
    from exactly the points, facts and flags it shows."""
    n = len(question.expected_points)
    covered_idx = {i for i, c in enumerate(signals.covered(params.point, params.term_weight, params.bridge)) if c}
    covered_idx |= already_covered or set()
    missing = [i for i in range(n) if i not in covered_idx]
    if not covered_idx and signals.topic < params.off_topic:
        return Assessment(
            kind=AnswerKind.OFF_TOPIC,
            score=0,
            missing_points=question.expected_points,
            reason="Score 0/4: the answer does not address the question.",
            strong_answer_adds=_adds(question, missing),
        )
    red_flag = admits_nonconformity(signals, params)
    contradicted, agreeing = signals.facts.judge(params.same_subject, params.fact_margin)
    conflicts = _contradictions(contradicted)
    confirmed = [f"{c.said.kind}: {c.said.label}" for c in agreeing]
    args = (len(covered_idx), n, len(confirmed), len(conflicts), red_flag)
    score = score_of(*args, params)
    flags = [_flag_text(signals, params)] if red_flag else []
    return Assessment(
        kind=AnswerKind.ANSWER,
        score=score,
        covered_points=[question.expected_points[i] for i in sorted(covered_idx)],
        missing_points=[question.expected_points[i] for i in missing],
        contradictions=conflicts,
        red_flags=flags,
        checked_facts=confirmed,
        reason=rationale(score, *args, params),
        strong_answer_adds=_adds(question, missing),
    )


def _flag_text(signals: AnswerSignals, params: InterviewCalibration) -> str:
    return f'The answer says the process is not followed: "{admission_probability(signals, params)[1]}"'


def _contradictions(conflicts: list[Conflict]) -> list[Contradiction]:
    """One per document value, citing the document statement."""
    found: list[Contradiction] = []
    seen: set[tuple[str, str]] = set()
    for conflict in conflicts:
        key = (conflict.documented.kind, conflict.documented.value)
        if key in seen:
            continue
        seen.add(key)
        found.append(
            Contradiction(
                kind=conflict.said.kind,
                answer_says=conflict.said.label,
                document_says=conflict.documented.label,
                passage=ref(conflict.passage, conflict.documented.statement),
            )
        )
    return found


def ref(passage: Passage, quote: str) -> DocumentRef:
    return DocumentRef(
        document=passage.source, section=passage.section, page=passage.page, chunk_id=passage.id, quote=quote
    )


def _adds(question: BankQuestion, missing: list[int]) -> str:
    if not missing:
        return "Nothing essential missing; be ready to show the records."
    points = "; ".join(question.expected_points[i] for i in missing[:3])
    evidence = f" Be ready to show: {question.evidence_requests[0]}." if question.evidence_requests else ""
    return f"A strong answer would also cover: {points}.{evidence}"
