"""The ``/v1`` routes: each one translates a request into one core call."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import HTMLResponse

from assistant.api.deps import AskDep, AssistantDep, InterviewsDep, PrincipalDep, ReadinessDep
from assistant.api.schemas import AnswerRequest, AskRequest, ClauseSummary, StartInterview, UploadResponse
from assistant.api.uploads import safe_filename, sniff_type
from assistant.catalogue import Clause
from assistant.errors import NotFound
from assistant.interviews.models import InterviewState, InterviewSummary, TurnResult
from assistant.models import Answer, DocumentRecord, FileOutcome, FileResult
from assistant.readiness.models import ReadinessReport
from assistant.readiness.render import to_html
from assistant.workspaces import workspace_collection

MAX_FILES = 20


def build_router(max_upload_bytes: int) -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.post("/ask", response_model=Answer, tags=["ask"])
    def ask(body: AskRequest, ask: AskDep, principal: PrincipalDep) -> Answer:
        _same_workspace(body.workspace, principal.workspace)
        return ask.ask(body.question, principal.workspace, body.generator)

    @router.post("/documents", response_model=UploadResponse, tags=["documents"], max_body_size=max_upload_bytes)
    def upload(
        assistant: AssistantDep, principal: PrincipalDep, files: Annotated[list[UploadFile], File()]
    ) -> UploadResponse:
        if not files:
            raise HTTPException(422, "attach at least one file")
        if len(files) > MAX_FILES:
            raise HTTPException(422, f"at most {MAX_FILES} files per upload")
        folder = assistant.settings.data_dir / "uploads" / principal.workspace
        folder.mkdir(parents=True, exist_ok=True)
        results: list[FileResult] = []
        accepted: list[Path] = []
        for upload in files:
            try:
                name = safe_filename(upload.filename)
            except ValueError as exc:
                results.append(
                    FileResult(source=str(upload.filename)[:120], outcome=FileOutcome.FAILED, reason=str(exc))
                )
                continue
            with tempfile.NamedTemporaryFile(dir=folder, delete=False, prefix=".upload-") as tmp:
                shutil.copyfileobj(upload.file, tmp, 1024 * 1024)
            tmp_path = Path(tmp.name)
            problem = sniff_type(tmp_path, name)
            if problem:
                tmp_path.unlink(missing_ok=True)
                if len(files) == 1:
                    raise HTTPException(415, problem)
                results.append(FileResult(source=name, outcome=FileOutcome.FAILED, reason=problem))
                continue
            target = folder / name
            tmp_path.replace(target)
            accepted.append(target)
        if accepted:
            report = assistant.pipeline.ingest_paths(accepted, principal.workspace, prune=False)
            results += report.results
        return UploadResponse(workspace=principal.workspace, results=results)

    @router.get("/documents", response_model=list[DocumentRecord], tags=["documents"])
    def list_documents(assistant: AssistantDep, principal: PrincipalDep) -> list[DocumentRecord]:
        return assistant.manifest.list(workspace_collection(principal.workspace))

    @router.delete("/documents/{doc_id}", response_model=DocumentRecord, tags=["documents"])
    def delete_document(doc_id: str, assistant: AssistantDep, principal: PrincipalDep) -> DocumentRecord:
        return assistant.pipeline.remove_document(principal.workspace, doc_id[:64])

    @router.post("/interviews", response_model=InterviewState, tags=["interviews"])
    def start_interview(body: StartInterview, interviews: InterviewsDep, principal: PrincipalDep) -> InterviewState:
        _same_workspace(body.workspace, principal.workspace)
        return interviews.start(principal.workspace, body.target, body.length, body.seed)

    @router.post("/interviews/{session_id}/answers", response_model=TurnResult, tags=["interviews"])
    def answer(session_id: str, body: AnswerRequest, interviews: InterviewsDep, principal: PrincipalDep) -> TurnResult:
        _own_session(interviews, session_id, principal.workspace)
        return interviews.answer(session_id, body.answer, body.turn)

    @router.get("/interviews/{session_id}", response_model=InterviewState, tags=["interviews"])
    def get_interview(session_id: str, interviews: InterviewsDep, principal: PrincipalDep) -> InterviewState:
        _own_session(interviews, session_id, principal.workspace)
        return interviews.get(session_id)

    @router.post("/interviews/{session_id}/end", response_model=InterviewSummary, tags=["interviews"])
    def end_interview(session_id: str, interviews: InterviewsDep, principal: PrincipalDep) -> InterviewSummary:
        _own_session(interviews, session_id, principal.workspace)
        return interviews.end(session_id)

    @router.get("/clauses", response_model=list[ClauseSummary], tags=["clauses"])
    def clauses(assistant: AssistantDep, principal: PrincipalDep) -> list[ClauseSummary]:
        return [ClauseSummary(id=c.id, title=c.title, group=c.group, parent=c.parent) for c in assistant.catalogue]

    @router.get("/clauses/{clause_id}", response_model=Clause, tags=["clauses"])
    def clause(clause_id: str, assistant: AssistantDep, principal: PrincipalDep) -> Clause:
        if clause_id not in assistant.catalogue:
            raise HTTPException(404, f"clause {clause_id[:20]!r} does not exist in ISO/IEC 20000-1:2018")
        return assistant.catalogue.get(clause_id)

    @router.get(
        "/readiness",
        response_model=ReadinessReport,
        tags=["readiness"],
        responses={200: {"content": {"text/html": {}}}},
    )
    def readiness(
        readiness: ReadinessDep, principal: PrincipalDep, format: Annotated[Literal["json", "html"], Query()] = "json"
    ):
        report = readiness.report(principal.workspace)
        if format == "html":
            return HTMLResponse(to_html(report))
        return report

    return router


def _same_workspace(requested: str | None, allowed: str) -> None:
    if requested is not None and requested != allowed:
        raise HTTPException(403, "this API key is not valid for that workspace")


def _own_session(interviews, session_id: str, workspace: str) -> None:
    """Another workspace's session is reported as not found: its existence is not disclosed."""
    try:
        session = interviews.get(session_id[:64]).session
    except NotFound:
        raise HTTPException(404, "no such interview session") from None
    if session.workspace != workspace:
        raise HTTPException(404, "no such interview session")
