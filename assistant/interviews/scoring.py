"""The 0-4 interview score, calibrated against how certification auditors grade answers.

Auditors reward three things: the answer covers what they listen for, it is specific (who,
what record, how long), and it matches the organization's own procedures. Bank points are
written abstractly ("the change is authorised by the defined change authority") while staff
talk concretely ("minor ones I approve myself as Change Manager"), so point similarity alone
under-scores strong answers; detail and agreement with the documents carry the rest.
A red flag reveals the process is not followed (0); a contradiction caps the answer at 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SIM_FLOOR = 0.30
SIM_FULL = 0.65
DETAILED_WORDS = 80
SUPPORT_FLOOR = 0.45
SUPPORT_FULL = 0.80
WEIGHTS = (0.45, 0.35, 0.20)
CUTS = (0.36, 0.405, 0.63)


@dataclass(frozen=True, slots=True)
class Signals:
    """What the score is computed from; each similarity is a cosine in [-1, 1]."""

    point_similarities: Sequence[float]
    words: int
    document_support: float
    contradictions: int = 0
    red_flags: int = 0


def _ramp(value: float, low: float, high: float) -> float:
    return min(1.0, max(0.0, (value - low) / (high - low)))


def substance(signals: Signals) -> float:
    """0-1: coverage of the points, detail, and closeness to the documents, weighted."""
    sims = signals.point_similarities
    coverage = sum(_ramp(s, SIM_FLOOR, SIM_FULL) for s in sims) / len(sims) if sims else 0.0
    detail = min(1.0, signals.words / DETAILED_WORDS)
    support = _ramp(signals.document_support, SUPPORT_FLOOR, SUPPORT_FULL)
    return WEIGHTS[0] * coverage + WEIGHTS[1] * detail + WEIGHTS[2] * support


def score(signals: Signals) -> int:
    """An on-topic answer scores at least 1; flags then cap it as an auditor would."""
    value = substance(signals)
    base = 1 + sum(value >= cut for cut in CUTS)
    if signals.red_flags:
        return 0
    if signals.contradictions:
        return min(2, max(1, base - 1))
    return base
