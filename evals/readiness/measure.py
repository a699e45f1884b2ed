"""The readiness report measured against an organization's labelled gaps.

    python -m evals.readiness.measure --data-dir DATA --all --ingest
    python -m evals.readiness.measure --data-dir DATA --set gitlab
    python -m evals.readiness.measure --data-dir DATA -w kestrel --gaps knowledge/samples/kestrel/GAPS.yaml \
        --flags evals/readiness/kestrel_flags.yaml --as-of 2026-11-23

The labelled organizations and their fit/check split are in ``sets.yaml``; ``--set`` and
``--all`` measure them in workspaces named after them (``--ingest`` first ingests a set's
documents into a workspace that has none).

For each labelled gap: is it found at its clause, with which grade, and where its clause first
appears in the actions. Then: grade agreement, labelled majors in the top five actions,
well-documented clauses read as covered, and false flags among the clauses the gaps file
does not judge (labelled in a flags file: a clause an auditor would pass that the report
flags is a false flag).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import yaml

from assistant.readiness.models import ClauseStatus, Finding, ReadinessReport

TOP = 5
SETS = Path(__file__).with_name("sets.yaml")
REPO = Path(__file__).resolve().parents[2]
SPLITS = ("fit", "check")


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """One labelled organization of ``sets.yaml``: where its labels and documents are, and
    which side of the split it is on."""

    name: str
    split: str
    gaps: Path
    flags: Path | None
    documents: tuple[Path, ...]
    as_of: date | None

    def labels(self) -> dict:
        return load_labels(self.gaps)

    def flag_labels(self) -> dict | None:
        return load_labels(self.flags) if self.flags else None

    def day(self) -> date | None:
        labels = self.labels()
        return self.as_of or (date.fromisoformat(str(labels["as_of"])) if "as_of" in labels else None)


def load_sets(path: Path = SETS, root: Path = REPO) -> dict[str, LabelledSet]:
    """The labelled organizations, checked: every file they name exists, every split is fit
    or check."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, LabelledSet] = {}
    for name, spec in (data.get("sets") or {}).items():
        if spec.get("split") not in SPLITS:
            raise ValueError(f"{path.name}: set {name!r} needs split: fit or check")
        gaps = root / spec["gaps"]
        labels = load_labels(gaps)
        if spec.get("documents"):
            documents: tuple[Path, ...] = (root / spec["documents"],)
        else:
            corpus = root / labels["corpus"]
            documents = tuple(sorted(corpus.glob(labels["documents"] + "*")))
        if not documents or not all(d.exists() for d in documents):
            raise ValueError(f"{path.name}: set {name!r}: no documents found (is ../shared/devdata there?)")
        out[name] = LabelledSet(
            name=name,
            split=spec["split"],
            gaps=gaps,
            flags=root / spec["flags"] if spec.get("flags") else None,
            documents=documents,
            as_of=date.fromisoformat(str(spec["as_of"])) if spec.get("as_of") else None,
        )
    return out


@dataclass(slots=True)
class GapResult:
    id: str
    clause: str
    element: str
    label: str
    found: bool
    grade: str | None
    rank: int | None

    @property
    def agrees(self) -> bool:
        return self.grade == self.label


@dataclass(slots=True)
class Measure:
    gaps: list[GapResult]
    well_documented: dict[str, str]
    unjudged: int = 0
    flagged_unjudged: list[str] = field(default_factory=list)
    false_flags: list[str] = field(default_factory=list)
    unlabelled_flags: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(g.found for g in self.gaps) / len(self.gaps)

    @property
    def grade_agreement(self) -> float:
        return sum(g.agrees for g in self.gaps) / len(self.gaps)

    @property
    def majors(self) -> list[GapResult]:
        return [g for g in self.gaps if g.label == "major"]

    @property
    def majors_in_top(self) -> int:
        return sum(1 for g in self.majors if g.rank is not None and g.rank <= TOP)

    @property
    def covered_well_documented(self) -> int:
        return sum(1 for s in self.well_documented.values() if s == ClauseStatus.COVERED.value)

    @property
    def false_flag_rate(self) -> float:
        """False flags among the unjudged clauses the report flags."""
        return len(self.false_flags) / len(self.flagged_unjudged) if self.flagged_unjudged else 0.0

    @property
    def false_flag_share(self) -> float:
        """False flags among all the clauses the gaps file does not judge."""
        return len(self.false_flags) / self.unjudged if self.unjudged else 0.0

    def summary(self) -> dict:
        return {
            "gaps": len(self.gaps),
            "recall": round(self.recall, 3),
            "grade_agreement": round(self.grade_agreement, 3),
            "majors": len(self.majors),
            "majors_in_top5": self.majors_in_top,
            "well_documented_covered": f"{self.covered_well_documented}/{len(self.well_documented)}",
            "flagged_unjudged": len(self.flagged_unjudged),
            "false_flags": self.false_flags,
            "false_flag_rate": round(self.false_flag_rate, 3),
            "unjudged": self.unjudged,
            "false_flag_share_of_unjudged": round(self.false_flag_share, 3),
            "unlabelled_flags": self.unlabelled_flags,
        }


def load_labels(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def gap_finding(report: ReadinessReport, gap: dict) -> Finding | None:
    """The report's finding for a gap, graded as the report grades it: the worst of the
    findings its clause holds on its element or on the document the gap is seen in first (a
    stale record, a register, the checklist; any, when the gap is an absence)."""
    by_id = {c.clause_id: c for c in report.clauses}
    primary = (gap.get("where") or [None])[0]
    held = by_id[gap["clause"]].findings if gap["clause"] in by_id else []
    matching = [
        f
        for f in held
        if f.element_id == gap["element"]
        or (f.element_id is None and (primary is None or not f.documents or primary in f.documents))
    ]
    return matching[0] if matching else None  # findings are held majors first


def measure(report: ReadinessReport, labels: dict, flags: dict | None = None) -> Measure:
    results = []
    for gap in labels["gaps"]:
        finding = gap_finding(report, gap)
        rank = next((i for i, a in enumerate(report.actions, 1) if gap["clause"] in a.clause_ids), None)
        results.append(
            GapResult(
                gap["id"],
                gap["clause"],
                gap["element"],
                gap["auditor_grade"],
                finding is not None,
                finding.grade.value if finding else None,
                rank,
            )
        )
    by_id = {c.clause_id: c for c in report.clauses}
    well = {c: by_id[c].status.value for c in labels.get("well_documented", [])}
    judged = {g["clause"] for g in labels["gaps"]} | set(well) | set(labels.get("absent", []))
    flagged = sorted(
        (c.clause_id for c in report.clauses if c.clause_id not in judged and c.status is not ClauseStatus.COVERED),
        key=lambda c: [int(p) for p in c.split(".")],
    )
    sound = set((flags or {}).get("sound", []))
    gaps = set((flags or {}).get("gaps", []))
    return Measure(
        results,
        well,
        unjudged=sum(1 for c in report.clauses if c.clause_id not in judged),
        flagged_unjudged=flagged,
        false_flags=[c for c in flagged if c in sound],
        unlabelled_flags=[c for c in flagged if c not in sound | gaps],
    )


def measure_set(assistant, labelled: LabelledSet, workspace: str | None = None) -> Measure:
    """Measure one labelled organization in its workspace (already ingested)."""
    report = assistant.readiness.report(workspace or labelled.name, as_of=labelled.day())
    return measure(report, labelled.labels(), labelled.flag_labels())


def ingest_set(assistant, labelled: LabelledSet, workspace: str | None = None) -> None:
    """Ingest a labelled organization's documents into its workspace."""
    done = assistant.pipeline.ingest_paths(list(labelled.documents), workspace or labelled.name)
    if done.failed:
        raise SystemExit(f"{labelled.name}: {done.failed} document(s) failed to ingest")


def overview(results: dict[str, tuple[str, Measure]]) -> str:
    """One row per measure, one column per organization (fit or check), Markdown."""
    names = list(results)
    head = "| measure | " + " | ".join(f"{n} ({results[n][0]})" for n in names) + " |"
    rows = [head, "|---|" + "---|" * len(names)]

    def row(label: str, cell) -> None:
        rows.append(f"| {label} | " + " | ".join(cell(results[n][1]) for n in names) + " |")

    row("gaps found at the right clause", lambda m: f"{m.recall:.2f} ({sum(g.found for g in m.gaps)}/{len(m.gaps)})")
    row("grade agreement", lambda m: f"{m.grade_agreement:.2f} ({sum(g.agrees for g in m.gaps)}/{len(m.gaps)})")
    row("labelled majors in the top 5 actions", lambda m: f"{m.majors_in_top} of {len(m.majors)}")
    row("well-documented clauses covered", lambda m: f"{m.covered_well_documented} of {len(m.well_documented)}")
    row(
        "false flags among unjudged clauses",
        lambda m: f"{len(m.false_flags)} of {m.unjudged} ({m.false_flag_share:.0%})",
    )
    return "\n".join(rows)


def table(result: Measure) -> str:
    """The per-gap table, Markdown."""
    lines = ["| gap | clause | label | found | grade | rank in actions |", "|---|---|---|---|---|---|"]
    for g in result.gaps:
        lines.append(
            f"| {g.id} | {g.clause} | {g.label} | {'yes' if g.found else 'no'} | {g.grade or '—'} "
            f"| {g.rank if g.rank is not None else '—'} |"
        )
    return "\n".join(lines)


def main() -> None:
    from assistant.bootstrap import build_assistant
    from assistant.config import load_settings

    parser = argparse.ArgumentParser(description="Measure a readiness report against labelled gaps.")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--set", action="append", dest="sets", help="a labelled organization of sets.yaml")
    parser.add_argument("--all", action="store_true", help="every labelled organization of sets.yaml")
    parser.add_argument("--ingest", action="store_true", help="ingest a set's documents into an empty workspace")
    parser.add_argument("-w", "--workspace")
    parser.add_argument("--gaps", type=Path)
    parser.add_argument("--flags", type=Path)
    parser.add_argument("--as-of", type=date.fromisoformat)
    args = parser.parse_args()
    if args.sets or args.all:
        _measure_sets(args)
        return
    if not args.workspace or not args.gaps:
        parser.error("give --set NAME or --all, or -w WORKSPACE with --gaps FILE")
    assistant = build_assistant(load_settings(data_dir=args.data_dir))
    labels = load_labels(args.gaps)
    as_of = args.as_of or (date.fromisoformat(str(labels["as_of"])) if "as_of" in labels else None)
    report = assistant.readiness.report(args.workspace, as_of=as_of)
    result = measure(report, labels, load_labels(args.flags) if args.flags else None)
    print(table(result))
    print(json.dumps(result.summary(), indent=2))
    print(json.dumps([asdict(g) for g in result.gaps if not g.found or not g.agrees], indent=1))


def _measure_sets(args: argparse.Namespace) -> None:
    from assistant.bootstrap import build_assistant
    from assistant.config import load_settings
    from assistant.workspaces import workspace_collection

    sets = load_sets()
    names = list(sets) if args.all else args.sets
    unknown = [n for n in names if n not in sets]
    if unknown:
        raise SystemExit(f"no such set {unknown}; sets.yaml has {sorted(sets)}")
    assistant = build_assistant(load_settings(data_dir=args.data_dir))
    results: dict[str, tuple[str, Measure]] = {}
    for name in names:
        labelled = sets[name]
        if not assistant.manifest.list(workspace_collection(name)):
            if not args.ingest:
                raise SystemExit(f"workspace {name!r} has no documents: add --ingest")
            ingest_set(assistant, labelled)
        result = measure_set(assistant, labelled)
        results[name] = (labelled.split, result)
        print(f"## {name} ({labelled.split})\n\n{table(result)}\n")
        print(json.dumps(result.summary(), indent=2))
    print("\n" + overview(results))


if __name__ == "__main__":
    main()
