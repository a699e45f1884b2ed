"""The terminal rehearsal: one question at a time, the assessment after each answer, the
summary at the end."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from assistant.bootstrap import build_assistant
from assistant.config import Settings
from assistant.errors import InvalidInput
from assistant.interviews.models import Assessment, InterviewSummary, Turn, TurnKind

console = Console()


def run_interview(args: argparse.Namespace, settings: Settings) -> int:
    assistant = build_assistant(settings)
    service = assistant.interviews
    if args.list:
        sessions = service.list(settings.workspace)
        if not sessions:
            console.print('no interview sessions yet; start one with `auditprep interview --role "service desk agent"`')
        for s in sessions:
            console.print(
                f"{s.id}  {s.status.value:<6}  {s.target_kind.value}: {s.target}  "
                f"({s.length} questions, {s.updated_at:%Y-%m-%d %H:%M})",
                highlight=False,
            )
        return 0
    if args.resume:
        state = service.get(args.resume)
        if state.current is None:
            print_summary(state.summary or service.end(args.resume))
            return 0
    else:
        target = args.target or args.process or args.role
        if not target:
            print(
                "error: choose --target CLAUSE, --process NAME or --role ROLE (or --resume ID / --list)",
                file=sys.stderr,
            )
            return 2
        state = service.start(settings.workspace, target, args.questions, args.seed)
        console.print(
            f"[bold]Mock audit[/bold] — {state.session.target_kind.value}: {state.session.target}, "
            f"{state.session.length} questions. Session {state.session.id}. "
            "Type 'skip' to skip, 'end' to finish.",
            highlight=False,
        )
    current: Turn | None = state.current
    while current is not None:
        print_turn(current)
        try:
            text = input("> ")
        except EOFError:
            console.print(f"\npaused; resume with `auditprep interview --resume {state.session.id}`")
            return 0
        try:
            result = service.answer(state.session.id, text)
        except InvalidInput as exc:
            console.print(f"[yellow]{exc}[/yellow]")
            continue
        if result.message and result.next is current:
            console.print(f"[yellow]{result.message}[/yellow]")
            continue
        print_assessment(result.assessment)
        if result.summary is not None:
            print_summary(result.summary)
            return 0
        current = result.next
    return 0


def print_turn(turn: Turn) -> None:
    label = "Follow-up" if turn.kind is TurnKind.FOLLOW_UP else f"Question ({', '.join(turn.clauses)})"
    console.print(f"\n[bold cyan]Auditor[/bold cyan] · {label}\n{turn.prompt}", highlight=False)


def print_assessment(a: Assessment) -> None:
    score = "–" if a.score is None else f"{a.score}/4"
    console.print(f"[bold]Score {score}[/bold] — {a.reason}", highlight=False)
    for point in a.covered_points:
        console.print(f"  [green]✓[/green] {point}", highlight=False)
    for point in a.missing_points:
        console.print(f"  [red]✗[/red] {point}", highlight=False)
    for c in a.contradictions:
        console.print(
            f"  [red]≠[/red] {c.kind}: you said {c.answer_says}; {c.passage.document} says "
            f"{c.document_says}: “{c.passage.quote}”",
            highlight=False,
        )
    for flag in a.red_flags:
        console.print(f"  [red]⚑[/red] red flag: {flag}", highlight=False)
    if a.strong_answer_adds and (a.score or 0) < 4:
        console.print(f"  {a.strong_answer_adds}", highlight=False)


def print_summary(summary: InterviewSummary) -> None:
    console.print("\n[bold]Summary[/bold]")
    for q in summary.questions:
        score = "skipped" if q.skipped else ("–" if q.score is None else f"{q.score}/4")
        console.print(f"  {score:>7}  {q.question}", highlight=False)
    if summary.average_score is not None:
        console.print(f"  average {summary.average_score}/4")
    grade = summary.grade.value if summary.grade is not None else "no findings"
    console.print(f"\n[bold]Grade[/bold]: {grade} (the most serious finding an auditor would likely raise)")
    console.print("\n[bold]Findings[/bold]")
    for f in summary.findings:
        console.print(f"  [{f.grade.value}] ({', '.join(f.clause_ids)}) {f.statement}", highlight=False, markup=False)
        if f.rationale:
            console.print(f"      why: {f.rationale}", highlight=False, markup=False)
        if f.answer_excerpt:
            console.print(f"      you said: “{f.answer_excerpt}”", highlight=False, markup=False)
        for p in f.passages:
            console.print(f"      {p.document}: “{p.quote}”", highlight=False, markup=False)
    if summary.prepare:
        console.print("\n[bold]Prepare before the real audit[/bold]")
        for item in summary.prepare:
            console.print(f"  - {item}", highlight=False)
