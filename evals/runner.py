"""The eval runner: every system answers every item; metrics per item, then per kind and
overall; floors checked; a JSON and Markdown report."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.bootstrap import Assistant
from assistant.errors import InvalidInput
from assistant.workspaces import STANDARD_COLLECTION, workspace_collection
from evals import metrics as m
from evals.dataset import Dataset, EvalItem
from evals.systems import DenseOnlySystem, NaiveSystem, OurSystem, Response, System

Progress = Callable[[int, int, str], None]

FLOORS = {
    "hit@5": 0.90,
    "clause_precision": 0.95,
    "verdict_accuracy": 0.80,
    "abstention_unanswerable": 0.90,
}
BASELINES = ("naive", "dense-only")


@dataclass(slots=True)
class ItemResult:
    id: str
    kind: str
    question: str
    answer: str
    cited_clauses: list[str]
    cited_sources: list[str]
    abstained: bool
    verdict: str | None
    latency_ms: float
    words: int
    metrics: dict[str, float | None]
    details: dict = field(default_factory=dict)


@dataclass(slots=True)
class SystemReport:
    name: str
    overall: dict[str, float | None]
    by_kind: dict[str, dict[str, float | None]]
    items: list[ItemResult]


@dataclass(slots=True)
class EvalReport:
    dataset: str
    workspace: str
    systems: dict[str, SystemReport]
    floor_failures: list[str]
    unknown_keys: list[str]

    def to_dict(self) -> dict:
        return asdict(self)


def score_item(item: EvalItem, r: Response, known_clauses: set[str], known_docs: set[str]) -> dict[str, float | None]:
    unanswerable = item.kind == "unanswerable"
    answerable = not unanswerable
    return {
        **{
            f"hit@{k}": m.hit_at_k(r.ranked_sources, item.expected_sources, k) if answerable else None
            for k in (1, 3, 5, 10)
        },
        "mrr": m.reciprocal_rank(r.ranked_sources, item.expected_sources) if answerable else None,
        "clause_precision": m.clause_precision(r.cited_clauses, item.expected_clauses),
        "clause_recall": m.clause_recall(r.cited_clauses, item.expected_clauses),
        "source_precision": m.source_precision(r.cited_sources, item.expected_sources),
        "source_recall": m.source_recall(r.cited_sources, item.expected_sources),
        "invented": float(m.invented_citations(r.cited_clauses, r.cited_sources, known_clauses, known_docs)),
        "fact_recall": m.fact_recall(item.expected_facts, r.text) if answerable else None,
        "verdict_accuracy": m.verdict_correct(r.verdict, item.expected_verdict),
        "abstention": m.abstention_correct(r.abstained, unanswerable),
        "abstention_unanswerable": m.abstention_correct(r.abstained, True) if unanswerable else None,
        "words": float(len(r.text.split())),
        "latency_ms": r.latency_ms,
    }


def aggregate(items: list[ItemResult]) -> dict[str, float | None]:
    if not items:
        return {}
    keys = items[0].metrics.keys()
    out: dict[str, float | None] = {}
    for key in keys:
        values = [i.metrics[key] for i in items]
        if key == "invented":
            out[key] = sum(v or 0.0 for v in values)
        elif key == "latency_ms":
            lat = [v for v in values if v is not None]
            out["latency_p50_ms"] = m.percentile(lat, 50)
            out["latency_p95_ms"] = m.percentile(lat, 95)
        else:
            out[key] = m.mean(values)
    out["items"] = float(len(items))
    return out


def generator_counters(items: list[ItemResult]) -> dict[str, float | None]:
    """How often a model-backed generator fell back, and how many unsupported sentences it
    wrote; None for systems that never call a model."""
    called = [i for i in items if i.details.get("generator_called")]
    if not called:
        return {"fallback_rate": None, "unsupported_removed": None, "llm_ms_mean": None}
    fallbacks = sum(1 for i in called if i.details.get("fallback"))
    removed = sum(float(i.details.get("unsupported_removed") or 0) for i in called)
    llm_ms = [float(i.details["llm_ms"]) for i in called if i.details.get("llm_ms") is not None]
    return {
        "fallback_rate": fallbacks / len(called),
        "unsupported_removed": removed,
        "llm_ms_mean": m.mean(llm_ms) if llm_ms else None,
    }


def check_floors(ours: SystemReport, naive: SystemReport | None) -> list[str]:
    failures = []
    for key, floor in FLOORS.items():
        value = ours.overall.get(key)
        if value is not None and value < floor:
            failures.append(f"{key} = {value:.3f} is below the floor {floor}")
    if (ours.overall.get("invented") or 0) > 0:
        failures.append(f"invented citations = {ours.overall['invented']:.0f} (must be 0)")
    if naive is not None:
        a, b = ours.overall.get("fact_recall"), naive.overall.get("fact_recall")
        if a is not None and b is not None and a <= b:
            failures.append(f"fact recall {a:.3f} is not above the naive baseline {b:.3f}")
    return failures


class EvalRunner:
    """Runs a dataset against our system and the chosen baselines, on one workspace."""

    def __init__(self, assistant: Assistant, progress: Progress | None = None) -> None:
        self._assistant = assistant
        self._progress = progress

    def run(
        self,
        dataset: Dataset,
        *,
        workspace: str | None = None,
        corpus: Path | None = None,
        generator: str | None = None,
        baselines: tuple[str, ...] = BASELINES,
    ) -> EvalReport:
        for name in baselines:
            if name not in BASELINES:
                raise InvalidInput(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)} or none")
        a = self._assistant
        a.ensure_standard()
        corpus = corpus or dataset.corpus
        throwaway = workspace is None
        workspace = workspace or _throwaway_name(dataset.name)
        if not throwaway and not a.manifest.committed_versions(workspace_collection(workspace)):
            raise InvalidInput(
                f"workspace {workspace!r} holds no documents: ingest them first "
                f"(auditprep ingest DIR --workspace {workspace}) or leave out --workspace to use the dataset's corpus"
            )
        if throwaway and corpus is not None:
            report = a.pipeline.ingest_paths([corpus], workspace)
            if report.failed:
                bad = [f"{r.source}: {r.reason}" for r in report.results if r.reason]
                raise InvalidInput("the eval corpus did not ingest cleanly: " + "; ".join(bad[:5]))
        try:
            known_clauses = set(a.catalogue.ids)
            known_docs = {r.source.rsplit("/", 1)[-1] for r in a.manifest.list(workspace_collection(workspace))}
            known_docs |= {r.source.rsplit("/", 1)[-1] for r in a.manifest.list(STANDARD_COLLECTION)}
            systems: dict[str, SystemReport] = {}
            ours = OurSystem(a, generator)
            systems["ours"] = self._run_system(ours, dataset, workspace, known_clauses, known_docs)
            if ours.name != "extractive":
                # a model-backed generator is always shown next to the offline default it must beat
                extractive = OurSystem(a, "extractive", name="extractive")
                systems["extractive"] = self._run_system(extractive, dataset, workspace, known_clauses, known_docs)
            mean_words = systems["ours"].overall.get("words") or 80.0
            if "dense-only" in baselines:
                systems["dense-only"] = self._run_system(
                    DenseOnlySystem(a), dataset, workspace, known_clauses, known_docs
                )
            if "naive" in baselines:
                files = _corpus_files(corpus) + sorted((a.settings.knowledge_dir / "guidance").glob("*.md"))
                naive = NaiveSystem(a, files, int(mean_words))
                systems["naive"] = self._run_system(naive, dataset, workspace, known_clauses, known_docs)
        finally:
            if throwaway and corpus is not None:
                a.pipeline.drop_workspace(workspace)
        failures = check_floors(systems["ours"], systems.get("naive"))
        return EvalReport(dataset.name, workspace, systems, failures, dataset.unknown_keys)

    def _run_system(
        self, system: System, dataset: Dataset, workspace: str, known_clauses: set[str], known_docs: set[str]
    ) -> SystemReport:
        results: list[ItemResult] = []
        for index, item in enumerate(dataset.items):
            if self._progress:
                self._progress(index, len(dataset.items), f"{system.name} {item.id}")
            response = system.respond(item.question, workspace)
            scores = score_item(item, response, known_clauses, known_docs)
            results.append(
                ItemResult(
                    id=item.id,
                    kind=item.kind,
                    question=item.question,
                    answer=response.text,
                    cited_clauses=response.cited_clauses,
                    cited_sources=response.cited_sources,
                    abstained=response.abstained,
                    verdict=response.verdict,
                    latency_ms=round(response.latency_ms, 1),
                    words=len(response.text.split()),
                    metrics=scores,
                    details=response.details,
                )
            )
        if self._progress:
            self._progress(len(dataset.items), len(dataset.items), system.name)
        kinds = sorted({r.kind for r in results})
        overall = aggregate(results)
        overall.update(generator_counters(results))
        return SystemReport(
            name=system.name,
            overall=overall,
            by_kind={k: aggregate([r for r in results if r.kind == k]) for k in kinds},
            items=results,
        )


def _throwaway_name(dataset_name: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", dataset_name).strip("-").lower()[:40] or "dataset"
    return f"eval-{slug}"


def _corpus_files(corpus: Path | None) -> list[Path]:
    if corpus is None:
        return []
    if corpus.is_file():
        return [corpus]
    return sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("."))
