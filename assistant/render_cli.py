"""Terminal rendering for the CLI (rich): answers, ingest reports, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

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
        for warning in result.warnings:  # Text: quoted document text is never markup
            err.print(Text.assemble(("warning", "yellow"), f" {result.source}: {warning}"), soft_wrap=True)
    counts = ", ".join(f"{report.count(o)} {o.value}" for o in FileOutcome)
    console.print(
        f"workspace {report.workspace}: {counts}; {report.chunks_written} chunks written in {report.seconds:.1f}s",
        highlight=False,
    )


_DOCUMENT_COLUMNS = ("id", "source", "type", "version", "chunks", "status")


def print_documents(workspace: str, records: list[DocumentRecord]) -> None:
    """A table in a terminal; tab-separated lines, nothing cut, when piped or redirected."""
    if not records:
        console.print(f"workspace {workspace} has no documents; run `auditprep ingest PATH -w {workspace}`")
        return
    rows = [
        (
            r.document_id,
            r.source,
            r.doc_type.value,
            str(r.version),
            str(r.chunk_count),
            r.status.value + (f" ({r.last_error})" if r.last_error else ""),
        )
        for r in records
    ]
    if not _is_tty(console.file):
        for row in (_DOCUMENT_COLUMNS, *rows):
            print("\t".join(_tsv_field(value) for value in row))
        return
    table = Table(title=f"workspace {workspace}")
    for column in _DOCUMENT_COLUMNS:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(value) for value in row))  # Text: a "[draft]" in a name is not markup
    console.print(table)


def _is_tty(stream) -> bool:
    """Whether output goes to a terminal (not rich's ``is_terminal``, which FORCE_COLOR turns on)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _tsv_field(value: str) -> str:
    return value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def print_answer(answer: Answer) -> None:
    if answer.verdict:
        console.print(f"[bold]Verdict:[/bold] {answer.verdict.value.replace('_', ' ')}", highlight=False)
    console.print(answer.text, highlight=False, markup=False, soft_wrap=True)
    if answer.citations:
        console.print("\n[bold]Sources[/bold]")
        for c in answer.citations:
            console.print(f"  [{c.marker}] {c.label()}", highlight=False, markup=False, soft_wrap=True)
    console.print()
