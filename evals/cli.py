"""``auditprep eval``: run a dataset, print the comparison, write JSON and Markdown."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.table import Table

from assistant.bootstrap import build_assistant
from assistant.config import Settings
from assistant.render_cli import ingest_progress
from evals.dataset import load_dataset
from evals.grading import is_grading_dataset
from evals.report import comparison_rows, header, to_markdown
from evals.runner import BASELINES, EvalRunner
from evals.splits import select_part


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    if is_grading_dataset(args.dataset):
        return run_grading_eval(args, settings)
    dataset = select_part(load_dataset(args.dataset), getattr(args, "part", "all"))
    console = Console()
    if dataset.unknown_keys:
        print("note: unknown keys ignored: " + ", ".join(dataset.unknown_keys), file=sys.stderr)
    baselines = {"all": BASELINES, "none": ()}.get(args.baseline, tuple(args.baseline.split(",")))
    assistant = build_assistant(settings)
    workspace = args.workspace if getattr(args, "workspace", None) and not args.corpus else None
    if args.workspace and not args.corpus:
        workspace = settings.workspace
    with ingest_progress(f"eval {dataset.name}") as progress:
        report = EvalRunner(assistant, progress).run(
            dataset, workspace=workspace, corpus=args.corpus, generator=args.generator, baselines=baselines
        )
    table = Table(title=f"{dataset.name}: {len(dataset.items)} items")
    for column in header(report):
        table.add_column(column)
    for row in comparison_rows(report):
        table.add_row(*row)
    console.print(table)
    if args.json_out:
        args.json_out.write_text(json.dumps(report.to_dict(), indent=2, default=str), encoding="utf-8")
    if args.report:
        args.report.write_text(to_markdown(report), encoding="utf-8")
    for failure in report.floor_failures:
        console.print(f"[red]floor failed[/red]: {failure}")
    return 1 if report.floor_failures else 0


def run_grading_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Graded interview answers (evals/grading.py): agreement of the interview grader with an auditor."""
    from evals.grading import load_grading_dataset, run_grading, select_grading_part, summary_rows, throwaway_workspace
    from evals.grading import to_markdown as grading_markdown

    dataset = select_grading_part(load_grading_dataset(args.dataset), getattr(args, "part", "all"))
    console = Console()
    if dataset.unknown_keys:
        print("note: unknown keys ignored: " + ", ".join(dataset.unknown_keys), file=sys.stderr)
    assistant = build_assistant(settings)
    with ingest_progress(f"eval {dataset.name}") as progress:
        if args.workspace and not args.corpus:
            report = run_grading(assistant, dataset, settings.workspace, progress)
        else:
            with throwaway_workspace(assistant, dataset, args.corpus) as workspace:
                report = run_grading(assistant, dataset, workspace, progress)
    table = Table(title=f"{dataset.name}: {len(dataset.items)} graded answers on {report.workspace}")
    for column in ("metric", "value", "floor"):
        table.add_column(column)
    for row in summary_rows(report):
        table.add_row(*row)
    console.print(table)
    if args.json_out:
        args.json_out.write_text(json.dumps(report.to_dict(), indent=2, default=str), encoding="utf-8")
    if args.report:
        args.report.write_text(grading_markdown(report), encoding="utf-8")
    for failure in report.floor_failures:
        console.print(f"[red]floor failed[/red]: {failure}")
    return 1 if report.floor_failures else 0


def export_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.feedback import feedback_to_dataset

    assistant = build_assistant(settings)
    store = assistant.feedback
    items = store.negative(settings.workspace if args.workspace else None)
    import yaml

    args.output.write_text(yaml.safe_dump(feedback_to_dataset(items), sort_keys=False), encoding="utf-8")
    print(f"wrote {len(items)} items to {args.output}")
    return 0
