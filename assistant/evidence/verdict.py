"""Verdict features: what the element check found, how strongly the best units answer the
question, and whether those units speak of practice or only of plans, permissions or
absence. A fitted model (one for gap questions, one for consistency questions) turns them
into a verdict; no cut-off here is typed by hand."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from assistant.evidence.rules import StatementCues
from assistant.evidence.selector import ScoredUnit
from assistant.models import ElementFinding, ElementStatus, Origin, Verdict

VERDICT_FEATURES: tuple[str, ...] = (
    "evidenced_share",
    "weak_share",
    "missing_share",
    "log_elements",
    "top_probability",
    "units_supported",
    "future_share",
    "hedge_share",
    "negation_share",
    "disagreements",
    "check_partial",
    "check_not_covered",
    "compared_consistent",
)
TOP_UNITS = 5


def verdict_features(
    findings: Sequence[ElementFinding],
    scored: Sequence[ScoredUnit],
    cues: StatementCues,
    support: float,
    disagreements: int,
    checked: Verdict | None = None,
    compared: Verdict | None = None,
) -> np.ndarray:
    """``checked``: the element check's own verdict (readiness weighs stale records, deferred
    plans and registers that no unit shows), one input among the others. ``compared``: for a
    question that compares statements, what the comparison of the documents it names found
    (two documents agree unless they state different values)."""
    n = len(findings)
    org = [s for s in scored if s.unit.passage.origin is Origin.ORGANIZATION][:TOP_UNITS]
    texts = [s.unit.text for s in org]

    def share(pattern) -> float:
        return sum(1 for t in texts if pattern.search(t)) / len(texts) if texts else 0.0

    return np.array(
        [
            sum(f.status is ElementStatus.EVIDENCED for f in findings) / n if n else 0.0,
            sum(f.status is ElementStatus.WEAK for f in findings) / n if n else 0.0,
            sum(f.status is ElementStatus.NOT_FOUND for f in findings) / n if n else 1.0,
            math.log1p(n),
            org[0].probability if org else 0.0,
            float(sum(1 for s in org if s.probability >= support)),
            share(cues.future),
            share(cues.hedge),
            share(cues.negation),
            float(min(disagreements, 3)),
            1.0 if checked in (Verdict.PARTIAL, Verdict.INCONSISTENT) else 0.0,
            1.0 if checked is Verdict.NOT_COVERED else 0.0,
            1.0 if compared is Verdict.CONSISTENT else 0.0,
        ]
    )
