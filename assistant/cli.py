"""The ``auditprep`` command line. Heavy libraries load only inside the commands that
need them, so ``auditprep --help`` answers at once."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _global_options() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name (``auditprep ask --data-dir X``).

    They default to SUPPRESS, so a command that is not given one leaves the value given
    before the command name in place instead of overwriting it with None.
    """
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="data folder (default: $AUDITPREP_DATA_DIR or ./data)",
    )
    return options


def _parser() -> argparse.ArgumentParser:
    common = _global_options()
    parser = argparse.ArgumentParser(
        prog="auditprep",
        description="Prepare for an ISO/IEC 20000-1:2018 certification audit: ingest your SMS "
        "documents, ask readiness questions with cited answers, rehearse auditor interviews.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "ingest", parents=[common], help="ingest SMS documents (or the standard's knowledge) into a workspace"
    )
    p.add_argument("paths", nargs="*", type=Path, help="files or folders to ingest")
    p.add_argument("--workspace", "-w", help="workspace name (default: $AUDITPREP_WORKSPACE or 'default')")
    p.add_argument("--no-prune", action="store_true", help="keep documents whose files have gone")
    p.add_argument("--standard", action="store_true", help="(re)ingest the standard's knowledge base")
    p.add_argument("--doc-type", help="force a document type (policy, procedure, plan, record, …)")
    p.set_defaults(run=_ingest)

    p = sub.add_parser("documents", parents=[common], help="list or remove ingested documents")
    dsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    d = dsub.add_parser("list", parents=[common], help="list a workspace's documents")
    d.add_argument("--workspace", "-w")
    d.add_argument("--json", action="store_true", help="print JSON")
    d.set_defaults(run=_documents_list)
    d = dsub.add_parser(
        "add", parents=[common], help="upload files into a workspace, as the API does: checked, ingested and kept"
    )
    d.add_argument("files", nargs="+", type=Path, help="files to upload (the originals are kept in the database)")
    d.add_argument("--workspace", "-w")
    d.set_defaults(run=_documents_add)
    d = dsub.add_parser("remove", parents=[common], help="remove one document from a workspace")
    d.add_argument("doc_id")
    d.add_argument("--workspace", "-w")
    d.set_defaults(run=_documents_remove)

    p = sub.add_parser("ask", parents=[common], help="ask a readiness question (interactive when no question is given)")
    p.add_argument("question", nargs="?", help="the question; omit for an interactive prompt")
    p.add_argument("--workspace", "-w")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")
    p.add_argument("--generator", help="extractive (default) or llm")
    p.set_defaults(run=_ask)

    p = sub.add_parser("clauses", parents=[common], help="list the clauses, or show one in our own words")
    p.add_argument("clause_id", nargs="?")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_clauses)
    p = sub.add_parser("interview", parents=[common], help="rehearse a mock auditor interview in the terminal")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--target", help="a clause id, e.g. 8.5.1")
    target.add_argument("--process", help='a process, e.g. "change management"')
    target.add_argument("--role", help='a role, e.g. "service desk agent"')
    target.add_argument("--resume", metavar="ID", help="resume an unfinished session")
    target.add_argument("--list", action="store_true", help="list recent sessions")
    p.add_argument("--questions", "-n", type=int, default=5, help="number of questions (default 5)")
    p.add_argument("--seed", type=int, help="seed for a repeatable plan")
    p.add_argument("--workspace", "-w")
    p.set_defaults(run=_interview)

    p = sub.add_parser("readiness", parents=[common], help="write the readiness report (Markdown, JSON or HTML)")
    p.add_argument("--workspace", "-w")
    p.add_argument("--format", choices=["md", "json", "html"], default="md")
    p.add_argument("-o", "--output", type=Path, help="write to a file instead of the terminal")
    p.add_argument("--as-of", help="judge record freshness as of this date (YYYY-MM-DD; default today)")
    p.set_defaults(run=_readiness)

    p = sub.add_parser("keys", parents=[common], help="create, list or revoke API keys (scoped to a workspace)")
    ksub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    k = ksub.add_parser("create", parents=[common], help="create a key; it is printed once")
    k.add_argument("--workspace", "-w", required=True)
    k.add_argument("--label")
    k.set_defaults(run=_keys_create)
    k = ksub.add_parser("list", parents=[common], help="list keys (never the secrets)")
    k.add_argument("--workspace", "-w")
    k.set_defaults(run=_keys_list)
    k = ksub.add_parser("revoke", parents=[common], help="revoke a key by id")
    k.add_argument("key_id")
    k.set_defaults(run=_keys_revoke)

    p = sub.add_parser("db", parents=[common], help="upgrade the database schema, or show its revision")
    dbsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    b = dbsub.add_parser("upgrade", parents=[common], help="migrate the database to the newest schema")
    b.set_defaults(run=_db_upgrade)
    b = dbsub.add_parser("current", parents=[common], help="show the database's schema revision")
    b.set_defaults(run=_db_current)

    p = sub.add_parser("serve", parents=[common], help="serve the HTTP API and web page")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workspace", "-w")
    p.add_argument(
        "--workers",
        type=_worker_count,
        help="worker processes, each loading the model once (default AUDITPREP_WORKERS, 0 = one per CPU core)",
    )
    p.set_defaults(run=_serve)

    p = sub.add_parser("slack", parents=[common], help="run the Slack bot in Socket Mode")
    p.set_defaults(run=_slack)

    p = sub.add_parser("slack-settings", parents=[common], help="show or change the Slack bot's per-channel settings")
    ssub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = ssub.add_parser("list", parents=[common], help="list the stored settings of every team and channel")
    s.add_argument("--team", help="only this Slack team id")
    s.set_defaults(run=_slack_settings_list)
    s = ssub.add_parser("set", parents=[common], help="change a channel's settings (or a team's default)")
    s.add_argument("--team", required=True, help="Slack team id (T…)")
    s.add_argument("--channel", default="*", help="Slack channel id (C…); default: the team's default for all channels")
    s.add_argument("--workspace", "-w", help="auditprep workspace the channel asks about")
    for option, what in (
        ("tagged-only", "answer channel messages only when the bot is mentioned"),
        ("ephemeral", "answers only the asker sees, with a Share in channel button"),
        ("enabled", "the bot works in the channel"),
        ("rehearsals", "/mock-audit is allowed"),
    ):
        s.add_argument(f"--{option}", choices=["on", "off"], help=what)
    s.set_defaults(run=_slack_settings_set)

    p = sub.add_parser("eval", parents=[common], help="score answers on a gold dataset against baselines")
    esub = p.add_subparsers(dest="action", metavar="ACTION")
    p.add_argument("--dataset", type=Path, help="dataset YAML (see evals/datasets/)")
    p.add_argument("--corpus", type=Path, help="documents to ingest into a throw-away workspace")
    p.add_argument("--workspace", "-w", help="evaluate on an existing workspace instead")
    p.add_argument("--generator", help="extractive (default) or llm")
    p.add_argument("--baseline", default="all", help="naive, dense-only, all (default) or none")
    p.add_argument("--json", type=Path, dest="json_out", help="write per-item results as JSON")
    p.add_argument("--report", type=Path, help="write a Markdown report")
    p.add_argument(
        "--part", choices=["all", "fit", "check"], default="all", help="only the fit or the held-out check part"
    )
    p.set_defaults(run=_eval)
    e = esub.add_parser("export-feedback", parents=[common], help="write thumbs-down feedback as eval items")
    e.add_argument("-o", "--output", type=Path, required=True)
    e.add_argument("--workspace", "-w")
    e.set_defaults(run=_export_feedback)

    p = sub.add_parser("calibrate", parents=[common], help="fit the answer selector and thresholds on labelled data")
    p.add_argument("--shared", type=Path, help="folder holding devdata/real_dev.yaml (default: ../shared)")
    p.add_argument("--output", type=Path, help="write here instead of knowledge/calibration.json")
    p.add_argument("--resplit", action="store_true", help="assign new dataset items to the fit or check part")
    p.add_argument(
        "--interviews-only",
        action="store_true",
        help="refit only the interview grader's section (the graded interview answers); keep the rest",
    )
    p.set_defaults(run=_calibrate)

    p = sub.add_parser("bench", parents=[common], help="measure ingest and ask speed and memory")
    p.add_argument("what", nargs="?", default="all", choices=["ingest", "ask", "api", "all"])
    p.add_argument("--json", type=Path, dest="json_out", help="write the figures as JSON")
    p.add_argument("--sizes", default="1000,10000,100000", help="ask benchmark corpus sizes (chunks)")
    p.add_argument("--ingest-chunks", type=int, default=2000, help="ingest benchmark corpus size")
    p.add_argument("--clients", type=int, default=20, help="concurrent clients of the API load run")
    p.add_argument("--seconds", type=float, default=30.0, help="duration of the API load run")
    p.add_argument(
        "--api-workers", type=_worker_count, default=0, help="server worker processes (default: one per CPU core)"
    )
    p.set_defaults(run=_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    from assistant.errors import (
        AuditprepError,
        ConfigurationError,
        InvalidInput,
        NotFound,
        StoreUnavailable,
        WorkspaceBusy,
    )
    from assistant.logging_setup import configure_logging

    try:
        settings = _settings(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level)
    run: Callable[[argparse.Namespace, object], int] = args.run
    try:
        return run(args, settings)
    except (InvalidInput, NotFound, ConfigurationError, StoreUnavailable) as exc:
        # a database or Chroma URL that is wrong or unreachable is the operator's to fix
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WorkspaceBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except AuditprepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _settings(args: argparse.Namespace):
    from pydantic import ValidationError

    from assistant.config import load_settings

    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    if getattr(args, "workspace", None):
        overrides["workspace"] = args.workspace
    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


def _assistant(settings):
    from assistant.bootstrap import build_assistant

    return build_assistant(settings)


# -- ingest ---------------------------------------------------------------------------
def _ingest(args: argparse.Namespace, settings) -> int:
    from assistant.models import DocType
    from assistant.render_cli import ingest_progress, print_ingest_report

    if not args.paths and not args.standard:
        print("error: give files or folders to ingest, or --standard", file=sys.stderr)
        return EXIT_USAGE
    doc_type = None
    if args.doc_type:
        try:
            doc_type = DocType(args.doc_type)
        except ValueError:
            choices = ", ".join(t.value for t in DocType)
            print(
                f"error: unknown --doc-type {args.doc_type!r}; choose from {choices}",
                file=sys.stderr,
            )
            return EXIT_USAGE
    assistant = _assistant(settings)
    failed = False
    if args.standard:
        with ingest_progress("standard") as progress:
            report = assistant.pipeline.ingest_standard(progress=progress)
        print_ingest_report(report)
        failed |= report.failed
    if args.paths:
        with ingest_progress(settings.workspace) as progress:
            report = assistant.pipeline.ingest_paths(
                list(args.paths),
                settings.workspace,
                prune=not args.no_prune,
                doc_type=doc_type,
                progress=progress,
            )
        print_ingest_report(report)
        failed |= report.failed
    return EXIT_FAILED if failed else EXIT_OK


def _documents_list(args: argparse.Namespace, settings) -> int:
    from assistant.bootstrap import build_assistant
    from assistant.render_cli import print_documents
    from assistant.workspaces import workspace_collection

    assistant = build_assistant(settings)
    records = assistant.manifest.list(workspace_collection(settings.workspace))
    if args.json:
        print(json.dumps([r.model_dump(mode="json") for r in records], indent=2))
    else:
        print_documents(settings.workspace, records)
    return EXIT_OK


def _documents_add(args: argparse.Namespace, settings) -> int:
    from contextlib import ExitStack

    from assistant.render_cli import print_ingest_report
    from ingest.intake import IncomingFile

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"error: not a file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    with ExitStack() as stack:
        incoming = [IncomingFile(f.name, stack.enter_context(f.open("rb"))) for f in args.files]
        report = _assistant(settings).intake.receive(settings.workspace, incoming)
    print_ingest_report(report)
    return EXIT_FAILED if report.failed else EXIT_OK


def _documents_remove(args: argparse.Namespace, settings) -> int:
    record = _assistant(settings).intake.remove(settings.workspace, args.doc_id)
    print(f"removed {record.source} ({record.document_id}) from workspace {settings.workspace}")
    return EXIT_OK


# -- ask ------------------------------------------------------------------------------
def _ask(args: argparse.Namespace, settings) -> int:
    from assistant.errors import InvalidInput
    from assistant.render_cli import print_answer

    assistant = _assistant(settings)
    if args.question is not None:
        answer = assistant.ask.ask(args.question, settings.workspace, args.generator)
        if args.json:
            print(answer.model_dump_json(indent=2))
        else:
            print_answer(answer)
        return EXIT_OK
    _enable_history(settings.data_dir / ".ask_history")
    print(f"auditprep: ask about your readiness (workspace {settings.workspace}). Ctrl-D to quit.")
    while True:
        try:
            question = input("? ")
        except EOFError:
            print()
            return EXIT_OK
        if not question.strip():
            continue
        try:
            answer = assistant.ask.ask(question, settings.workspace, args.generator)
        except InvalidInput as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        if args.json:
            print(answer.model_dump_json(indent=2))
        else:
            print_answer(answer)


def _enable_history(path: Path) -> None:
    try:
        import atexit
        import readline

        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            readline.read_history_file(path)
        atexit.register(readline.write_history_file, path)
    except (ImportError, OSError):
        return


# -- database --------------------------------------------------------------------------
def _db_upgrade(args: argparse.Namespace, settings) -> int:
    from assistant.db import create_db_engine, current_revision, shown, upgrade

    engine = create_db_engine(settings.resolved_database_url)
    before = current_revision(engine)
    after = upgrade(engine)
    where = shown(engine.url)
    print(f"{where}: at revision {after}" if before == after else f"{where}: upgraded {before or 'none'} -> {after}")
    return EXIT_OK


def _db_current(args: argparse.Namespace, settings) -> int:
    from assistant.db import create_db_engine, current_revision, head_revision, shown

    engine = create_db_engine(settings.resolved_database_url)
    current = current_revision(engine)
    state = "up to date" if current == head_revision() else f"behind (newest is {head_revision()})"
    print(f"{shown(engine.url)}: revision {current or 'none'}, {state}")
    return EXIT_OK


# -- keys, serve, slack -----------------------------------------------------------------
def _keys_create(args: argparse.Namespace, settings) -> int:
    from assistant.apikeys import KeyStore
    from assistant.db import create_db_engine

    secret, info = KeyStore(create_db_engine(settings.resolved_database_url)).create(args.workspace, args.label)
    print(f"API key {info.id} for workspace {info.workspace} (shown once, store it safely):\n{secret}")
    return EXIT_OK


def _keys_list(args: argparse.Namespace, settings) -> int:
    from assistant.apikeys import KeyStore
    from assistant.db import create_db_engine

    for info in KeyStore(create_db_engine(settings.resolved_database_url)).list(args.workspace):
        state = "revoked" if info.revoked else "active"
        print(f"{info.id}  {info.workspace}  {state}  {info.label or ''}  {info.created_at:%Y-%m-%d}")
    return EXIT_OK


def _keys_revoke(args: argparse.Namespace, settings) -> int:
    from assistant.apikeys import KeyStore
    from assistant.db import create_db_engine

    KeyStore(create_db_engine(settings.resolved_database_url)).revoke(args.key_id)
    print(f"revoked {args.key_id}")
    return EXIT_OK


def _worker_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 <= count <= 64:
        raise argparse.ArgumentTypeError("use 0 (one per CPU core) to 64")
    return count


def serve_workers(requested: int) -> int:
    """Worker processes to serve with: ``requested``, or one per CPU core for 0. Answering is
    CPU-bound Python under one GIL, so one process uses about one core however many
    requests it has in flight."""
    import os

    if requested:
        return requested
    if hasattr(os, "sched_getaffinity"):  # the cores this process may run on, not the machine's
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _serve(args: argparse.Namespace, settings) -> int:
    import os

    import uvicorn

    if settings.auth == "off" and args.host not in ("127.0.0.1", "localhost", "::1"):
        print("error: AUDITPREP_AUTH=off is only allowed on 127.0.0.1", file=sys.stderr)
        return EXIT_USAGE
    workers = serve_workers(settings.workers if args.workers is None else args.workers)
    if workers == 1:
        from assistant.api.app import serving_app

        app = serving_app(settings)
        _serving(args, settings, workers)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
        return EXIT_OK
    from assistant.api.app import check_serving

    check_serving(settings)  # a bad database URL is one error line here, not a crash in every worker
    # Each worker builds its own app from the environment: pass it what the command line changed.
    os.environ["AUDITPREP_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["AUDITPREP_WORKSPACE"] = settings.workspace
    _serving(args, settings, workers)
    uvicorn.run(
        "assistant.api.app:worker_app",
        factory=True,
        workers=workers,
        host=args.host,
        port=args.port,
        log_level="warning",
    )
    return EXIT_OK


def _serving(args: argparse.Namespace, settings, workers: int) -> None:
    processes = "1 process" if workers == 1 else f"{workers} worker processes"
    print(f"auditprep serving on http://{args.host}:{args.port}  (docs at /docs; {processes})", flush=True)
    if settings.auth == "on":
        print("API keys: auditprep keys create --workspace NAME", flush=True)


def _slack(args: argparse.Namespace, settings) -> int:
    from bots.slack.socket_mode import run_socket_mode

    return run_socket_mode(settings)


def _slack_settings_list(args: argparse.Namespace, settings) -> int:
    store = _assistant(settings).channel_settings
    for team, channel, current in store.rows(args.team):
        print(f"{team}  {channel}  {current.describe()}")
    return EXIT_OK


def _slack_settings_set(args: argparse.Namespace, settings) -> int:
    from assistant.channel_settings import parse_changes

    given = {
        "workspace": args.workspace,
        **{o: getattr(args, o.replace("-", "_")) for o in ("tagged-only", "ephemeral", "enabled", "rehearsals")},
    }
    changes = parse_changes(" ".join(f"{k}={v}" for k, v in given.items() if v is not None))
    if not changes:
        print(
            "error: give at least one of --workspace, --tagged-only, --ephemeral, --enabled, --rehearsals",
            file=sys.stderr,
        )
        return EXIT_USAGE
    updated = _assistant(settings).channel_settings.update(args.team, args.channel, changes, "cli")
    print(f"{args.team}  {args.channel}  {updated.describe()}")
    return EXIT_OK


# -- interview and readiness -----------------------------------------------------------
def _interview(args: argparse.Namespace, settings) -> int:
    from assistant.interview_cli import run_interview

    return run_interview(args, settings)


def _readiness(args: argparse.Namespace, settings) -> int:
    from datetime import date

    from assistant.readiness.render import to_html, to_markdown
    from assistant.render_cli import ingest_progress

    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            print(f"error: --as-of must be a date like 2026-11-23, got {args.as_of!r}", file=sys.stderr)
            return EXIT_USAGE
    assistant = _assistant(settings)
    with ingest_progress(f"readiness {settings.workspace}") as progress:
        report = assistant.readiness.report(settings.workspace, as_of=as_of, progress=progress)
    if args.format == "json":
        text = report.model_dump_json(indent=2)
    elif args.format == "html":
        text = to_html(report)
    else:
        text = to_markdown(report)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({report.overall_status}; {report.seconds:.1f}s)")
    else:
        print(text)
    return EXIT_OK


# -- eval and bench --------------------------------------------------------------------
def _eval(args: argparse.Namespace, settings) -> int:
    from evals.cli import run_eval

    if args.dataset is None:
        print("error: --dataset is required (e.g. evals/datasets/sample_org.yaml)", file=sys.stderr)
        return EXIT_USAGE
    return run_eval(args, settings)


def _calibrate(args: argparse.Namespace, settings) -> int:
    from evals.calibrate import run_calibrate

    return run_calibrate(args, settings)


def _export_feedback(args: argparse.Namespace, settings) -> int:
    from evals.cli import export_feedback

    return export_feedback(args, settings)


def _bench(args: argparse.Namespace, settings) -> int:
    from evals.bench import run_bench

    return run_bench(args, settings)


# -- clauses --------------------------------------------------------------------------
def _clauses(args: argparse.Namespace, settings) -> int:
    from assistant.catalogue import Catalogue

    catalogue = Catalogue.load(settings.knowledge_dir)
    if args.clause_id:
        clause = catalogue.get(args.clause_id)
        if args.json:
            print(clause.model_dump_json(indent=2))
            return EXIT_OK
        print(f"{clause.id} {clause.title}\n\n{clause.intent.strip()}\n")
        for element in clause.elements:
            print(f"  [{element.id}] {element.statement}")
        if clause.related:
            print("\nRelated: " + ", ".join(f"{r} {catalogue.get(r).title}" for r in clause.related))
        return EXIT_OK
    if args.json:
        print(json.dumps([{"id": c.id, "title": c.title, "group": c.group} for c in catalogue], indent=2))
        return EXIT_OK
    for clause in catalogue:
        print(f"{'  ' * clause.depth}{clause.id} {clause.title}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
