"""Which scored units an answer quotes: the best one, then the few that add to it."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.calibration import Thresholds
from assistant.evidence.features import FEATURES
from assistant.evidence.question import QuestionProfile
from assistant.evidence.selector import ScoredUnit
from assistant.models import Origin

ANSWER_WORDS = 120  # an answer is read in Slack and on a page: short unless a list is asked for
MAX_SUPPORT = 3


def without_repeats(scored: Sequence[ScoredUnit]) -> list[ScoredUnit]:
    """The units in rank order, each said once: a whole list takes the place of its own
    lead-in ranked above it (it says the same and more); an item of a list already kept,
    or a lead-in whose whole list is kept, is dropped."""
    kept: list[ScoredUnit] = []
    for s in scored:
        repeated = next((i for i, k in enumerate(kept) if s.unit.repeats(k.unit)), None)
        if repeated is None:
            kept.append(s)
        elif s.unit.items and kept[repeated].unit.text == s.unit.lead_in:
            kept[repeated] = s
    return kept


def choose_units(
    scored: Sequence[ScoredUnit], thresholds: Thresholds, max_words: int = ANSWER_WORDS, max_support: int = MAX_SUPPORT
) -> list[ScoredUnit]:
    """The best unit when it reaches the answer threshold, then up to ``max_support``
    further units at or above the support threshold, within ``max_words`` in all.
    Empty means: nothing here answers the question."""
    if not scored or scored[0].probability < thresholds.answer:
        return []
    scored = without_repeats(scored)
    chosen = [scored[0]]
    words = scored[0].unit.words
    for s in scored[1:]:
        if len(chosen) > max_support or s.probability < thresholds.support:
            break
        if words + s.unit.words > max_words:
            continue
        chosen.append(s)
        words += s.unit.words
    return chosen


def in_scope(
    scored: Sequence[ScoredUnit], profile: QuestionProfile | None, about_organization: bool
) -> list[ScoredUnit]:
    """The units an answer may come from: the organization's own when the question is about
    it; those of the documents the question names when any candidate comes from one."""
    out = list(scored)
    if about_organization:
        out = [s for s in out if s.unit.passage.origin is not Origin.STANDARD]
    if profile is not None and profile.scope:
        miss = FEATURES.index("scope_miss")
        named = [s for s in out if s.features[miss] == 0.0]
        if any(s.unit.passage.origin is Origin.ORGANIZATION for s in named):
            out = named
    return out
