"""Fit the readiness report's likeness-alone threshold on the fit organizations of sets.yaml.

    python -m evals.readiness.fit --data-dir DATA [--ingest]

The absence check holds an element as absent when the evidence check cited a passage for it
by likeness alone (no cue word, from a document that addresses its clause) whose likeness is
under a threshold, and the documents addressing the clause never use the element's specific
vocabulary. Too low a threshold reads generic prose about a process ("change management
refers to the processes ... applied to manage changes") as evidence of each of its
requirements; too high one flags requirements a real SMS states in other words.

Each candidate is scored on the fit organizations only (``split: fit``): the labelled gaps
found, plus those graded as the auditor labelled them, plus the well-documented clauses read
as covered, less the clauses flagged that an auditor would pass. Ties go to the candidate
nearest the default. The result is written to ``knowledge/rules/readiness_fit.yaml`` with the
embedder it was fitted with; the check organizations are then measured at the fitted value,
and their figures printed beside the fit ones.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from assistant.readiness.elements import FIT_FILE, LIKENESS_ALONE
from evals.readiness.measure import LabelledSet, Measure, ingest_set, load_sets, measure, overview

GRID = tuple(round(0.60 + 0.02 * i, 2) for i in range(11))  # 0.60 ... 0.80


class _Memo:
    """The evidence check's findings per clause, computed once: they do not depend on the
    threshold, and they are most of a report's cost."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self._seen: dict[tuple[str, tuple[str, ...]], list] = {}

    def check(self, workspace: str, clause_ids: list[str]) -> list:
        key = (workspace, tuple(clause_ids))
        if key not in self._seen:
            self._seen[key] = self._inner.check(workspace, clause_ids)
        return self._seen[key]


def score(m: Measure) -> int:
    """What a candidate earns on one organization (see the module docstring)."""
    found = sum(g.found for g in m.gaps)
    agree = sum(g.agrees for g in m.gaps)
    return found + agree + m.covered_well_documented - len(m.false_flags)


def _measure_at(assistant, evidence: _Memo, labelled: LabelledSet, likeness_alone: float) -> Measure:
    from assistant.readiness.service import ReadinessService

    service = ReadinessService(
        assistant.catalogue,
        evidence,
        assistant.store,
        assistant.manifest,
        knowledge_dir=assistant.settings.knowledge_dir,
        likeness_alone=likeness_alone,
    )
    report = service.report(labelled.name, as_of=labelled.day())
    return measure(report, labelled.labels(), labelled.flag_labels())


def fit(assistant, sets: dict[str, LabelledSet], grid: tuple[float, ...] = GRID) -> tuple[float, dict]:
    """The best threshold on the fit organizations, and each candidate's score."""
    evidence = _Memo(assistant.ask.evidence)
    fit_sets = [s for s in sets.values() if s.split == "fit"]
    scores = {t: sum(score(_measure_at(assistant, evidence, s, t)) for s in fit_sets) for t in grid}
    return choose(scores), scores


def choose(scores: dict[float, int], default: float = LIKENESS_ALONE) -> float:
    """The best-scoring candidate; among equals, the one nearest the default (then the lower)."""
    if not scores:
        raise ValueError("no candidate was scored")
    best = max(scores.values())
    return min((t for t, v in scores.items() if v == best), key=lambda t: (abs(t - default), t))


def main() -> None:
    from assistant.bootstrap import build_assistant
    from assistant.config import load_settings
    from assistant.workspaces import workspace_collection

    parser = argparse.ArgumentParser(description="Fit the readiness report's thresholds on the fit organizations.")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--ingest", action="store_true", help="ingest a set's documents into an empty workspace")
    args = parser.parse_args()
    assistant = build_assistant(load_settings(data_dir=args.data_dir))
    sets = load_sets()
    for labelled in sets.values():
        if not assistant.manifest.list(workspace_collection(labelled.name)):
            if not args.ingest:
                raise SystemExit(f"workspace {labelled.name!r} has no documents: add --ingest")
            ingest_set(assistant, labelled)
    chosen, scores = fit(assistant, sets)
    for t, v in scores.items():
        print(f"likeness_alone {t:.2f}: {v}{'  <- chosen' if t == chosen else ''}")
    out = assistant.settings.knowledge_dir / FIT_FILE
    header = (
        "# Fitted by `python -m evals.readiness.fit` on the fit organizations of evals/readiness/sets.yaml;\n"
        "# re-run the command rather than edit. likeness_alone: the absence check's threshold\n"
        "# (assistant/readiness/elements.py). scores: each candidate's score on the fit organizations.\n"
    )
    body = {
        "likeness_alone": chosen,
        "embedder": assistant.embedder.name,
        "fitted_on": sorted(s.name for s in sets.values() if s.split == "fit"),
        "scores": {f"{t:.2f}": v for t, v in scores.items()},
    }
    out.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    print(f"wrote {out}")
    evidence = _Memo(assistant.ask.evidence)
    results = {n: (s.split, _measure_at(assistant, evidence, s, chosen)) for n, s in sets.items()}
    print("\n" + overview(results))


if __name__ == "__main__":
    main()
