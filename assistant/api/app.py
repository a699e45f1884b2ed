"""The FastAPI application factory: ``create_app(settings)``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from assistant.api import errors
from assistant.api.deps import AssistantDep
from assistant.api.gate import RequestGate
from assistant.api.routes import build_router
from assistant.api.schemas import Health
from assistant.bootstrap import Assistant, build_assistant
from assistant.config import Settings

STATIC = Path(__file__).parent / "static"


def check_serving(settings: Settings) -> None:
    """Open the database (upgrading its schema once) before worker processes start, so a bad
    URL or an unreachable server is one error in the serving command, not in every worker."""
    assistant = build_assistant(settings)
    assistant.manifest  # noqa: B018 - connects and migrates
    assistant.engine.dispose()


def worker_app() -> FastAPI:
    """The app of one ``auditprep serve --workers N`` worker process, built from the
    environment the serving command set. Every worker loads the model and keeps its caches;
    the database, the store and the readiness report on disk are what they share."""
    from assistant.config import load_settings
    from assistant.logging_setup import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    return serving_app(settings)


def serving_app(settings: Settings) -> FastAPI:
    """The app ``auditprep serve`` runs: its default workspace's readiness report is
    computed in the background from the start, not on the first request."""
    app = create_app(settings)
    app.state.assistant.readiness.warm(settings.workspace)
    return app


def create_app(settings: Settings, assistant: Assistant | None = None) -> FastAPI:
    assistant = assistant or build_assistant(settings)
    app = FastAPI(
        title="auditprep",
        version="0.1.0",
        description="Readiness assistant for ISO/IEC 20000-1:2018 certification audits.",
    )
    app.state.assistant = assistant
    errors.install(app)
    app.add_middleware(
        RequestGate,
        authenticate=assistant.keys.authenticate if settings.auth == "on" else None,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.include_router(build_router())

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        return Health(status="ok")

    @app.get(
        "/readyz",
        response_model=Health,
        tags=["health"],
        responses={
            503: {
                "model": Health,
                "description": "The vector store, the database (or its schema), the lexical index or the embedder "
                "is not ready.",
            }
        },
    )
    def readyz(a: AssistantDep):
        from fastapi.responses import JSONResponse

        from assistant.db import current_revision, ensure_schema, head_revision
        from assistant.workspaces import STANDARD_COLLECTION

        def database() -> str | None:
            ensure_schema(a.engine)  # a node upgrades on start; after that, "behind" means another release moved it
            current, head = current_revision(a.engine), head_revision()
            return None if current == head else f"behind: schema {current or 'none'}, newest {head}"

        checks: dict[str, str] = {}
        for name, probe in (
            ("store", lambda: a.store.ping()),
            ("database", database),
            ("lexical", lambda: a.lexical.count(STANDARD_COLLECTION)),
            ("embedder", lambda: a.embedder.dimension),
        ):
            try:
                problem = probe()
                checks[name] = problem if isinstance(problem, str) else "ok"
            except Exception as exc:  # readiness reports, it never raises
                checks[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        body = Health(status="ready" if ready else "unavailable", checks=checks)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    if settings.slack_signing_secret.get_secret_value():
        from bots.slack.http import mount_slack

        mount_slack(app, assistant, settings)
    return app
