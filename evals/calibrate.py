"""``auditprep calibrate``: fit the selector, its thresholds and the routing and verdict
models on the fit parts of the labelled datasets, and write ``knowledge/calibration.json``.

Labels come from the gold items: a unit of a retrieved passage is a positive example for
a question when it states one of the item's expected facts and comes from one of its
expected sources. Unanswerable items give negatives only. The corpora are ingested into a
throw-away data directory, so the result depends only on the committed data, the
embedder and this code (fixed seeds, rounded weights): re-running it reproduces the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.answering.routing import (
    COMPARISON_FEATURES,
    QuestionSignals,
    about_us,
    comparison_features,
    intent_feature_names,
    labelled_intent,
    prototype_features,
)
from assistant.bootstrap import Assistant, build_assistant
from assistant.calibration import CALIBRATION_VERSION, Calibration, LinearModel, Thresholds, calibration_path
from assistant.config import Settings
from assistant.evidence.abstention import ABSTAIN_FEATURES, abstention_features
from assistant.evidence.compose import choose_units, in_scope
from assistant.evidence.features import FEATURES
from assistant.evidence.question import QuestionProfile
from assistant.evidence.selector import ScoredUnit, UnitVectors
from assistant.models import Intent
from assistant.workspaces import workspace_collection
from evals.dataset import Dataset, EvalItem, load_dataset
from evals.metrics import fact_present
from evals.splits import Part, select_part

Progress = Callable[[int, int, str], None]
ROUND = 5  # decimals kept: enough for the model, few enough to reproduce across runs
MAX_ANSWERABLE_ABSTENTION = 0.05  # the product target for answerable questions
ROUTING_C = 0.1  # inverse regularisation of the routing models: a few hundred labelled questions
SUPPORT_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.96, 0.05))


@dataclass(frozen=True, slots=True)
class CalibrationSet:
    """A dataset and the corpus its questions are asked against."""

    dataset: Path
    corpus: Path


def default_sets(project_root: Path, shared: Path | None) -> list[CalibrationSet]:
    sample = project_root / "knowledge" / "samples" / "kestrel" / "documents"
    sets = [
        CalibrationSet(project_root / "evals" / "datasets" / "sample_org.yaml", sample),
        CalibrationSet(project_root / "evals" / "datasets" / "standard.yaml", sample),
    ]
    if shared is not None and (shared / "devdata" / "real_dev.yaml").exists():
        sets.append(CalibrationSet(shared / "devdata" / "real_dev.yaml", shared / "devdata" / "corpus"))
    return sets


@dataclass(slots=True)
class ItemUnits:
    """One item's candidate units, their features, labels and the facts each states."""

    item: EvalItem
    dataset: str
    profile: QuestionProfile | None = None
    vector: np.ndarray | None = None
    scored: list[ScoredUnit] = field(default_factory=list)
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0))
    facts: list[set[int]] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return self.item.kind != "unanswerable"


def _label(item: EvalItem, text: str, file_name: str) -> set[int]:
    if item.kind == "unanswerable":
        return set()
    if item.expected_sources and file_name not in item.expected_sources:
        return set()
    return {n for n, fact in enumerate(item.expected_facts) if fact_present(fact, text)}


def collect(
    assistant: Assistant, dataset: Dataset, workspace: str, progress: Progress | None = None
) -> list[ItemUnits]:
    """Candidate units of every item, as the ask service would see them."""
    ask = assistant.ask
    out: list[ItemUnits] = []
    for n, item in enumerate(dataset.items):
        if progress:
            progress(n, len(dataset.items), f"{dataset.name} {item.id}")
        units, x, profile = ask.lookup_candidates(item.question, workspace)
        rows = ItemUnits(item, dataset.name, profile, assistant.embedder.embed_query(item.question))
        facts = [_label(item, u.text, u.passage.file_name) for u in units]
        rows.scored = [ScoredUnit(u, 0.0, x[i]) for i, u in enumerate(units)]
        rows.labels = np.array([1.0 if f else 0.0 for f in facts])
        rows.facts = facts
        out.append(rows)
    return out


def fit_linear(x: np.ndarray, y: Sequence[str], features: Sequence[str], c: float = 1.0) -> LinearModel:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    # a feature (or embedding dimension) that never varies is left unscaled, also after rounding
    scale = np.where(np.round(scaler.scale_, ROUND) > 0, scaler.scale_, 1.0)
    z = (x - scaler.mean_) / scale
    model = LogisticRegression(C=c, max_iter=5000, random_state=0).fit(z, list(y))
    classes = [str(k) for k in model.classes_]
    coef = model.coef_ if len(classes) > 2 else model.coef_[:1]
    return LinearModel(
        features=list(features),
        mean=[round(float(v), ROUND) for v in scaler.mean_],
        scale=[round(float(v), ROUND) for v in scale],
        coef=[[round(float(v), ROUND) for v in row] for row in coef],
        intercept=[round(float(v), ROUND) for v in (model.intercept_ if len(classes) > 2 else model.intercept_[:1])],
        classes=classes,
    )


def rescore(items: list[ItemUnits], model: LinearModel) -> None:
    for rows in items:
        if not rows.scored:
            continue
        x = np.stack([s.features for s in rows.scored])
        probs = model.probability(x)
        order = np.argsort(-probs, kind="stable")
        rows.scored = [ScoredUnit(rows.scored[i].unit, float(probs[i]), rows.scored[i].features) for i in order]
        rows.facts = [rows.facts[i] for i in order]
        rows.labels = rows.labels[order]


def fit_answer_threshold(items: list[ItemUnits]) -> float:
    """The highest cut-off that abstains on at most 5% of answerable items: it abstains on
    as many unanswerable ones as that allows."""
    answerable = sorted(r.scored[0].probability if r.scored else 0.0 for r in items if r.answerable)
    if not answerable:
        return 0.5
    allowed = int(np.floor(MAX_ANSWERABLE_ABSTENTION * len(answerable)))
    # abstaining below the (allowed+1)-th lowest best score abstains on `allowed` items
    return round(float(answerable[allowed]) - 1e-6, ROUND)


def fact_recall_at(items: list[ItemUnits], thresholds: Thresholds) -> float:
    scores = []
    for rows in items:
        if not rows.answerable or not rows.item.expected_facts:
            continue
        chosen = choose_units(rows.scored, thresholds)
        index = {id(s): i for i, s in enumerate(rows.scored)}
        got: set[int] = set()
        for s in chosen:
            got |= rows.facts[index[id(s)]]
        scores.append(len(got) / len(rows.item.expected_facts))
    return float(np.mean(scores)) if scores else 0.0


def fit_support_threshold(items: list[ItemUnits], answer: float) -> float:
    best, best_value = SUPPORT_GRID[-1], -1.0
    for t in reversed(SUPPORT_GRID):  # on a tie the higher cut-off wins: a shorter answer
        value = fact_recall_at(items, Thresholds(answer=answer, support=t, evidence=t))
        if value > best_value + 1e-9:
            best, best_value = t, value
    return best


def fit_abstention(items: list[ItemUnits], vectors: UnitVectors) -> tuple[LinearModel, float]:
    """An answerable/unanswerable model over the best units, and the highest cut-off that
    keeps abstention on answerable fit items at or under 5%."""
    rows = []
    for r in items:
        scored = in_scope(r.scored, r.profile, about_us(r.item.question))
        rows.append(abstention_features(r.profile, scored, vectors, r.vector))
    x = np.stack(rows)
    y = ["1" if not r.answerable else "0" for r in items]
    model = fit_linear(x, y, ABSTAIN_FEATURES)
    p = model.probability(x)
    answerable = sorted((p[i] for i, r in enumerate(items) if r.answerable), reverse=True)
    allowed = int(np.floor(MAX_ANSWERABLE_ABSTENTION * len(answerable)))
    return model, round(float(answerable[allowed]) + 1e-6, ROUND) if answerable else 1.0


GAP_VERDICTS = ("covered", "partial", "not_covered")
CONSISTENCY_VERDICTS = ("consistent", "inconsistent")


def collect_verdicts(assistant: Assistant, dataset: Dataset, workspace: str) -> list[tuple[EvalItem, np.ndarray]]:
    """Verdict features of the gap and consistency items the ask service checks as evidence."""
    out = []
    for item in dataset.items:
        if item.expected_verdict is None:
            continue
        ctx = assistant.ask.context(item.question, workspace)
        if ctx.verdict_features is not None:
            out.append((item, ctx.verdict_features))
    return out


RoutingRow = tuple[EvalItem, Intent, QuestionSignals]


def collect_routing(assistant: Assistant, dataset: Dataset, workspace: str, corpus: Path) -> list[RoutingRow]:
    """What routing reads of every item whose kind says how it should be answered."""
    corpus_files = {p.name for p in corpus.rglob("*") if p.is_file()}
    out: list[RoutingRow] = []
    for item in dataset.items:
        intent = labelled_intent(item.kind, bool(corpus_files & set(item.expected_sources)))
        if intent is not None:
            out.append((item, intent, assistant.ask.routing_signals(item.question, workspace)))
    return out


def fit_routing(rows: list[RoutingRow]) -> tuple[dict[str, list[float]], LinearModel, LinearModel]:
    """Each intent's prototype (the normalised mean embedding of its questions), the intent
    model over prototype similarities and side features, and the comparison model over the
    evidence items (consistency against gap)."""
    prototypes: dict[str, list[float]] = {}
    for intent in sorted({str(i) for _, i, _ in rows}):
        mean = np.mean([s.vector for _, i, s in rows if str(i) == intent], axis=0)
        prototypes[intent] = [round(float(v), ROUND) for v in mean / np.linalg.norm(mean)]
    x = np.stack([prototype_features(s, prototypes) for _, _, s in rows])
    intent_model = fit_linear(x, [str(i) for _, i, _ in rows], intent_feature_names(list(prototypes)), c=ROUTING_C)
    evidence = [(item, s) for item, _, s in rows if item.kind in ("gap", "consistency")]
    comparison = fit_linear(
        np.stack([comparison_features(s) for _, s in evidence]),
        ["1" if item.kind == "consistency" else "0" for item, _ in evidence],
        list(COMPARISON_FEATURES),
        c=ROUTING_C,
    )
    return prototypes, intent_model, comparison


def fit_verdict(rows: list[tuple[EvalItem, np.ndarray]], classes: tuple[str, ...]) -> LinearModel | None:
    from assistant.evidence.verdict import VERDICT_FEATURES

    picked = [(x, i.expected_verdict) for i, x in rows if i.expected_verdict in classes]
    if len({v for _, v in picked}) < 2:
        return None
    return fit_linear(np.stack([x for x, _ in picked]), [str(v) for _, v in picked], VERDICT_FEATURES, c=0.5)


def calibrate(
    settings: Settings,
    sets: list[CalibrationSet],
    progress: Progress | None = None,
    part: Part = "fit",
    grading: list[Path] | None = None,
    work_dir: Path | None = None,
) -> tuple[Calibration, dict[str, float]]:
    """Fit everything on the ``part`` items of ``sets`` in a throw-away data directory, or
    in ``work_dir`` (a data directory that already holds the knowledge base skips its
    ingest; the result is the same)."""
    scratch = nullcontext(str(work_dir)) if work_dir else tempfile.TemporaryDirectory(prefix="auditprep-calibrate-")
    with scratch as tmp:
        work = settings.model_copy(update={"data_dir": Path(tmp)})
        assistant = build_assistant(work, calibrated=False)
        assistant.ensure_standard()
        items: list[ItemUnits] = []
        fitted_on: dict[str, int] = {}
        workspaces: dict[Path, str] = {}
        parts: list[tuple[Dataset, str]] = []
        corpora: list[Path] = []
        for cset in sets:
            dataset = select_part(load_dataset(cset.dataset), part)
            if cset.corpus not in workspaces:
                workspace = f"calibrate-{len(workspaces) + 1}"
                report = assistant.pipeline.ingest_paths([cset.corpus], workspace)
                if report.failed:
                    raise RuntimeError(f"the corpus {cset.corpus} did not ingest cleanly")
                workspaces[cset.corpus] = workspace
            items += collect(assistant, dataset, workspaces[cset.corpus], progress)
            parts.append((dataset, workspaces[cset.corpus]))
            corpora.append(cset.corpus)
            fitted_on[f"{cset.dataset.stem}:{part}"] = len(dataset.items)
        x = np.concatenate([np.stack([s.features for s in r.scored]) for r in items if r.scored])
        y = np.concatenate([r.labels for r in items if r.scored])
        selector = fit_linear(x, ["1" if v else "0" for v in y], FEATURES)
        rescore(items, selector)
        answer = fit_answer_threshold(items)
        support = fit_support_threshold(items, answer)
        abstention, abstain = fit_abstention(items, assistant.ask.selector.vectors)
        thresholds = Thresholds(answer=answer, support=support, evidence=support, abstain=abstain)
        calibration = Calibration(
            version=CALIBRATION_VERSION,
            embedder=assistant.embedder.name,
            fitted_on=fitted_on,
            selector=selector,
            thresholds=thresholds,
            abstention=abstention,
        )
        routing_rows = [
            row
            for (dataset, ws), corpus in zip(parts, corpora, strict=True)
            for row in collect_routing(assistant, dataset, ws, corpus)
        ]
        prototypes, intent, comparison = fit_routing(routing_rows)
        calibration = calibration.model_copy(
            update={"intent": intent, "intent_prototypes": prototypes, "comparison": comparison}
        )
        # verdict features read the fitted selector and the router: fit them with both in place
        assistant.ask.use_calibration(calibration)
        verdict_rows = [row for dataset, ws in parts for row in collect_verdicts(assistant, dataset, ws)]
        calibration = calibration.model_copy(
            update={
                "gap_verdict": fit_verdict(verdict_rows, GAP_VERDICTS),
                "consistency_verdict": fit_verdict(verdict_rows, CONSISTENCY_VERDICTS),
            }
        )
        from evals.calibrate_interviews import default_grading_sets, fit_interviews

        root = Path(__file__).resolve().parents[1]
        interview = fit_interviews(assistant, grading or default_grading_sets(root), progress)
        calibration = calibration.model_copy(update={"interview": interview})
        figures = {
            "units": float(len(y)),
            "positives": float(y.sum()),
            "fact_recall_fit": round(fact_recall_at(items, thresholds), 4),
        }
        for store in (assistant.store,):
            for ws in workspaces.values():
                store.drop_collection(workspace_collection(ws))
        return calibration, figures


def write_calibration(calibration: Calibration, knowledge_dir: Path) -> Path:
    path = calibration_path(knowledge_dir)
    path.write_text(calibration.to_json(), encoding="utf-8")
    return path


def run_calibrate(args, settings: Settings) -> int:
    """The ``auditprep calibrate`` command: fit on the fit parts and write the file."""
    from assistant.render_cli import ingest_progress
    from evals.splits import write_split

    root = Path(__file__).resolve().parents[1]
    shared = args.shared or root.parent / "shared"
    sets = default_sets(root, shared)
    if args.resplit:
        for cset in sets:
            print(f"wrote {write_split(load_dataset(cset.dataset))}")
    if getattr(args, "interviews_only", False):
        calibration, figures = _refit_interviews(settings, root)
    else:
        with ingest_progress("calibrate") as progress:
            calibration, figures = calibrate(settings, sets, progress, work_dir=getattr(args, "work_dir", None))
    if args.output:
        args.output.write_text(calibration.to_json(), encoding="utf-8")
        path = args.output
    else:
        path = write_calibration(calibration, settings.knowledge_dir)
    print(f"wrote {path}: " + ", ".join(f"{k} {v:g}" for k, v in figures.items()))
    return 0


def _refit_interviews(settings: Settings, root: Path) -> tuple[Calibration, dict[str, float]]:
    """Refit only the interview grader's section of the committed file (the rest does not
    depend on it), in a throw-away data directory."""
    from assistant.calibration import load_calibration
    from assistant.render_cli import ingest_progress
    from evals.calibrate_interviews import default_grading_sets, fit_interviews

    committed = load_calibration(settings.knowledge_dir)
    with tempfile.TemporaryDirectory(prefix="auditprep-calibrate-") as tmp:
        assistant = build_assistant(settings.model_copy(update={"data_dir": Path(tmp)}), calibrated=False)
        with ingest_progress("calibrate interviews") as progress:
            interview = fit_interviews(assistant, default_grading_sets(root), progress)
    figures = {f"interview {k}": float(v) for k, v in interview.fitted_on.items()}
    return committed.model_copy(update={"interview": interview}), figures


def main(argv: list[str] | None = None) -> int:
    """``python -m evals.calibrate``: the same as ``auditprep calibrate``."""
    import argparse

    from assistant.config import load_settings

    parser = argparse.ArgumentParser(prog="python -m evals.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--resplit", action="store_true")
    parser.add_argument("--interviews-only", action="store_true")
    parser.add_argument(
        "--work-dir", type=Path, help="data directory for the corpora (one holding the knowledge base skips its ingest)"
    )
    return run_calibrate(parser.parse_args(argv), load_settings())


if __name__ == "__main__":
    raise SystemExit(main())
