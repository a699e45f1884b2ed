"""The deterministic grader: expected points covered (similarity plus word overlap),
contradictions with the organization's documents, red flags, and a 0-4 score."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.interviews.bank import BankQuestion
from assistant.interviews.consistency import find_conflicts
from assistant.interviews.facts import statements
from assistant.interviews.models import AnswerKind, Assessment, Contradiction, DocumentRef
from assistant.interviews.scoring import Signals
from assistant.interviews.scoring import score as calibrated_score
from assistant.models import Passage
from assistant.ports import Embedder
from assistant.text import content_terms, sentences

POINT_COVERED = 0.58
POINT_WITH_TERMS = 0.42
TERM_SHARE = 0.5
RED_FLAG_SIM = 0.68
SAME_SUBJECT = 0.45
OFF_TOPIC = 0.12

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
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def points(self, question: BankQuestion, answer: str) -> list[PointMatch]:
        pieces = sentences(answer) or [answer.strip()]
        if len(pieces) > 1:
            pieces.append(answer.strip())
        vectors = self._embedder.embed_documents(pieces + question.expected_points)
        answer_vecs, point_vecs = vectors[: len(pieces)], vectors[len(pieces) :]
        sims = point_vecs @ answer_vecs.T
        answer_terms = set(content_terms(answer))
        matches: list[PointMatch] = []
        for i, point in enumerate(question.expected_points):
            best = float(sims[i].max()) if sims.size else 0.0
            terms = set(content_terms(point))
            share = len(terms & answer_terms) / len(terms) if terms else 0.0
            covered = best >= POINT_COVERED or (best >= POINT_WITH_TERMS and share >= TERM_SHARE)
            matches.append(PointMatch(point, i, covered, round(best, 3)))
        return matches

    def red_flags(self, question: BankQuestion, answer: str) -> list[str]:
        if not question.red_flags:
            return []
        pieces = sentences(answer) or [answer.strip()]
        vecs = self._embedder.embed_documents(pieces + question.red_flags)
        sims = vecs[len(pieces) :] @ vecs[: len(pieces)].T
        answer_terms = set(content_terms(answer))
        hits = []
        for i, flag in enumerate(question.red_flags):
            terms = set(content_terms(flag))
            share = len(terms & answer_terms) / len(terms) if terms else 0.0
            if float(sims[i].max()) >= RED_FLAG_SIM or (share >= 0.75 and len(terms) >= 2):
                hits.append(flag)
        return hits

    def contradictions(self, answer: str, passages: list[Passage]) -> list[Contradiction]:
        """Answer facts a procedure states differently about the same subject, one per
        document value, citing the document statement."""
        found: list[Contradiction] = []
        seen: set[tuple[str, str]] = set()
        for conflict in find_conflicts(self._embedder, answer, passages):
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

    def document_support(self, answer: str, passages: list[Passage]) -> float:
        """How closely the answer's best sentence matches a statement in the documents."""
        pieces = sentences(answer) or [answer.strip()]
        documented = [s for p in passages for s in statements(p.text)]
        if not documented:
            return 0.0
        vectors = self._embedder.embed_documents(pieces + documented)
        return float((vectors[: len(pieces)] @ vectors[len(pieces) :].T).max())

    def on_topic(self, question: BankQuestion, answer: str) -> bool:
        vecs = self._embedder.embed_documents([question.question + " " + " ".join(question.expected_points), answer])
        return float(vecs[0] @ vecs[1]) >= OFF_TOPIC

    def assess(
        self,
        question: BankQuestion,
        answer: str,
        passages: list[Passage],
        already_covered: set[int] | None = None,
    ) -> tuple[Assessment, list[PointMatch]]:
        matches = self.points(question, answer)
        covered_idx = {m.index for m in matches if m.covered} | (already_covered or set())
        if not covered_idx and not self.on_topic(question, answer):
            return (
                Assessment(
                    kind=AnswerKind.OFF_TOPIC,
                    score=0,
                    missing_points=question.expected_points,
                    reason="The answer does not address the question.",
                    strong_answer_adds=_adds(question, list(range(len(question.expected_points)))),
                ),
                matches,
            )
        flags = self.red_flags(question, answer)
        found = self.contradictions(answer, passages)
        n = len(question.expected_points)
        similarities = [1.0 if m.index in covered_idx and not m.covered else m.similarity for m in matches]
        signals = Signals(
            similarities, len(answer.split()), self.document_support(answer, passages), len(found), len(flags)
        )
        score = calibrated_score(signals)
        missing = [i for i in range(n) if i not in covered_idx]
        reason = _reason(score, len(covered_idx), n, found, flags)
        assessment = Assessment(
            kind=AnswerKind.ANSWER,
            score=score,
            covered_points=[question.expected_points[i] for i in sorted(covered_idx)],
            missing_points=[question.expected_points[i] for i in missing],
            contradictions=found,
            red_flags=flags,
            reason=reason,
            strong_answer_adds=_adds(question, missing),
        )
        return assessment, matches


def ref(passage: Passage, quote: str) -> DocumentRef:
    return DocumentRef(
        document=passage.source, section=passage.section, page=passage.page, chunk_id=passage.id, quote=quote
    )


def _reason(score: int, covered: int, total: int, found: list, flags: list[str]) -> str:
    parts = [f"Covered {covered} of {total} points an auditor listens for"]
    if found:
        parts.append(f"{len(found)} statement(s) contradict your documented procedure")
    if flags:
        parts.append("the answer signals a possible nonconformity")
    return "; ".join(parts) + f" (score {score}/4)."


def _adds(question: BankQuestion, missing: list[int]) -> str:
    if not missing:
        return "Nothing essential missing; be ready to show the records."
    points = "; ".join(question.expected_points[i] for i in missing[:3])
    evidence = f" Be ready to show: {question.evidence_requests[0]}." if question.evidence_requests else ""
    return f"A strong answer would also cover: {points}.{evidence}"
