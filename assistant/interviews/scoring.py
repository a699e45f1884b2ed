"""The 0-4 interview score, computed only from what the assessment shows.

The score is a function of the covered points, the facts the documents confirm and the two
flags, with cut-offs fitted on graded answers (``InterviewCalibration``). Because nothing
else enters it, the points shown, the flags and the score cannot disagree, and the one-line
rationale can say exactly why the score is what it is.
"""

from __future__ import annotations

from assistant.calibration import InterviewCalibration

MAX_CONFIRMED = 2  # facts beyond two add nothing: the score rewards coverage first


def value_of(covered: int, total: int, confirmed: int, params: InterviewCalibration) -> float:
    """The covered share plus a fitted bonus per confirmed fact."""
    share = covered / total if total else 0.0
    return share + params.fact_weight * min(confirmed, MAX_CONFIRMED)


def score_of(
    covered: int, total: int, confirmed: int, contradictions: int, red_flag: bool, params: InterviewCalibration
) -> int:
    """1-4 for an on-topic answer, capped by a contradiction or an admitted nonconformity."""
    value = value_of(covered, total, confirmed, params)
    base = 1 + sum(value >= cut for cut in params.cuts)
    if red_flag:
        return min(base, params.red_flag_cap)
    if contradictions:
        return min(base, params.contradiction_cap)
    return base


def rationale(
    score: int,
    covered: int,
    total: int,
    confirmed: int,
    contradictions: int,
    red_flag: bool,
    params: InterviewCalibration,
) -> str:
    """One line: what the score rests on, and the cap that applied if one did."""
    parts = [f"Score {score}/4: covers {covered} of {total} points an auditor listens for"]
    if confirmed:
        parts.append(f"{min(confirmed, MAX_CONFIRMED)} stated fact(s) match the documents")
    if red_flag:
        parts.append(f"capped at {params.red_flag_cap}: the answer says the process is not followed")
    elif contradictions:
        parts.append(f"capped at {params.contradiction_cap}: {contradictions} fact(s) contradict the documents")
    return "; ".join(parts) + "."
