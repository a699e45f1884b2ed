"""Terminal rendering for the CLI (rich): answers, ingest reports, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.models import Answer, DocumentRecord, FileOutcome, IngestReport

console = Console()
err = Console(stderr=True)


@contextmanager
def ingest_progress(label: str) -> Iterator:
    with Progress(
        TextColumn(f"[bold]ingest {label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None)

        def update(done: int, total: int, source: str) -> None:
            progress.update(task, completed=done, total=total, description=source[-50:])

        yield update


def print_ingest_report(report: IngestReport) -> None:
    for result in report.results:
        if result.outcome is FileOutcome.FAILED:
            err.print(f"[red]failed[/red]  {result.source}: {result.reason}", highlight=False, soft_wrap=True)
        elif result.reason:
            err.print(f"[yellow]note[/yellow]    {result.source}: {result.reason}", highlight=False, soft_wrap=True)
    counts = ", ".join(f"{report.count(o)} {o.value}" for o in FileOutcome)
    console.print(
        f"workspace {report.workspace}: {counts}; {report.chunks_written} chunks written in {report.seconds:.1f}s",
        highlight=False,
    )


def print_documents(workspace: str, records: list[DocumentRecord]) -> None:
    if not records:
        console.print(f"workspace {workspace} has no documents; run `auditprep ingest PATH -w {workspace}`")
        return
    table = Table(title=f"workspace {workspace}")
    for column in ("id", "source", "type", "version", "chunks", "status"):
        table.add_column(column)
    for r in records:
        status = r.status.value + (f" ({r.last_error})" if r.last_error else "")
        table.add_row(r.document_id, r.source, r.doc_type.value, str(r.version), str(r.chunk_count), status)
    console.print(table)


def print_answer(answer: Answer) -> None:
    if answer.verdict:
        console.print(f"[bold]Verdict:[/bold] {answer.verdict.value.replace('_', ' ')}", highlight=False)
    console.print(answer.text, highlight=False, markup=False, soft_wrap=True)
    if answer.citations:
        console.print("\n[bold]Sources[/bold]")
        for c in answer.citations:
            console.print(f"  [{c.marker}] {c.label()}", highlight=False, markup=False, soft_wrap=True)
    console.print()
