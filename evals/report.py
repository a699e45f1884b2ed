"""The eval report as Markdown and as a terminal table."""

from __future__ import annotations

from evals.runner import EvalReport, ItemResult

SHOWN = (
    "hit@1",
    "hit@5",
    "mrr",
    "clause_precision",
    "clause_recall",
    "source_precision",
    "source_recall",
    "invented",
    "fact_recall",
    "verdict_accuracy",
    "abstention",
    "abstention_unanswerable",
    "words",
    "latency_p50_ms",
    "latency_p95_ms",
    "fallback_rate",
    "unsupported_removed",
    "llm_ms_mean",
)


def fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if abs(value) >= 100 or float(value).is_integer() and value > 1 else f"{value:.3f}"


def comparison_rows(report: EvalReport) -> list[list[str]]:
    names = list(report.systems)
    rows = []
    ours = report.systems["ours"].overall
    for key in SHOWN:
        if all(report.systems[n].overall.get(key) is None for n in names):
            continue
        row = [key] + [fmt(report.systems[n].overall.get(key)) for n in names]
        for n in names[1:]:
            a, b = ours.get(key), report.systems[n].overall.get(key)
            row.append("–" if a is None or b is None else f"{a - b:+.3f}")
        rows.append(row)
    return rows


def header(report: EvalReport) -> list[str]:
    names = list(report.systems)
    return ["metric", *names, *[f"ours − {n}" for n in names[1:]]]


def worst_items(items: list[ItemResult], n: int = 10) -> list[ItemResult]:
    def badness(item: ItemResult) -> float:
        keys = ("hit@5", "clause_precision", "clause_recall", "fact_recall", "verdict_accuracy", "abstention")
        values = [item.metrics.get(k) for k in keys]
        present = [v for v in values if v is not None]
        return (sum(present) / len(present) if present else 1.0) - item.metrics.get("invented", 0.0)

    return sorted(items, key=badness)[:n]


def to_markdown(report: EvalReport) -> str:
    lines = [f"# Eval report: {report.dataset}", "", f"Workspace: `{report.workspace}`", ""]
    cols = header(report)
    lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(r) + " |" for r in comparison_rows(report)]
    ours = report.systems["ours"]
    lines += ["", "## Ours by kind", ""]
    kinds = list(ours.by_kind)
    keys = ("items", "hit@5", "clause_precision", "fact_recall", "verdict_accuracy", "abstention")
    lines += ["| kind | " + " | ".join(keys) + " |", "|" + "---|" * (len(keys) + 1)]
    for kind in kinds:
        lines.append(f"| {kind} | " + " | ".join(fmt(ours.by_kind[kind].get(k)) for k in keys) + " |")
    lines += ["", "## Floors", ""]
    lines += [f"- FAILED: {f}" for f in report.floor_failures] or ["- all floors met"]
    if report.unknown_keys:
        lines += ["", "Unknown keys ignored: " + ", ".join(report.unknown_keys)]
    lines += ["", "## Ten worst items (ours)", ""]
    for item in worst_items(ours.items):
        scores = ", ".join(f"{k}={fmt(v)}" for k, v in item.metrics.items() if v is not None and k != "latency_ms")
        lines += [
            f"### {item.id} ({item.kind})",
            "",
            f"**Q:** {item.question}",
            "",
            f"**A:** {item.answer}",
            "",
            f"Cited clauses: {item.cited_clauses}; sources: {item.cited_sources}",
            "",
            scores,
            "",
        ]
    return "\n".join(lines)
