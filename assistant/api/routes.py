"""The ``/v1`` routes: each one translates a request into one core call."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from assistant.api.deps import AskDep, AssistantDep, InterviewsDep, PrincipalDep, ReadinessDep
from assistant.api.errors import error_responses
from assistant.api.schemas import (
    AnswerRequest,
    AskRequest,
    ClauseSummary,
    StartInterview,
    UploadResponse,
    WorkspaceInfo,
)
from assistant.catalogue import Clause
from assistant.errors import NotFound
from assistant.interviews.models import InterviewState, InterviewSummary, TurnResult
from assistant.models import Answer, DocumentRecord, DocumentStatus, Origin, Passage
from assistant.readiness.models import ServedReadiness
from assistant.readiness.render import to_html
from assistant.retrieval import to_passage
from assistant.workspaces import STANDARD_COLLECTION, workspace_collection
from ingest.intake import IncomingFile

# Every /v1 route can refuse the key (401), the workspace asked for (403), a parameter (422),
# the caller's pace (429), and fail when the store or database is down (503).
_ANY = (401, 403, 422, 429, 503)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1")

    @router.post("/ask", response_model=Answer, tags=["ask"], responses=error_responses(*_ANY, 413))
    def ask(body: AskRequest, ask: AskDep, principal: PrincipalDep) -> Answer:
        _same_workspace(body.workspace, principal.workspace)
        return ask.ask(body.question, principal.workspace, body.generator)

    @router.post(
        "/documents",
        response_model=UploadResponse,
        tags=["documents"],
        responses=error_responses(*_ANY, 400, 409, 413, 415),
    )
    def upload(
        assistant: AssistantDep, principal: PrincipalDep, files: Annotated[list[UploadFile], File()]
    ) -> UploadResponse:
        """Ingest files; a file that is refused or fails to ingest is not kept."""
        incoming = [IncomingFile(upload.filename, upload.file) for upload in files]
        report = assistant.intake.receive(principal.workspace, incoming)
        assistant.readiness.changed(principal.workspace)
        return UploadResponse(workspace=principal.workspace, results=report.results)

    @router.get("/workspace", response_model=WorkspaceInfo, tags=["documents"], responses=error_responses(*_ANY))
    def workspace(assistant: AssistantDep, principal: PrincipalDep) -> WorkspaceInfo:
        """The caller's workspace and how many documents it holds."""
        records = assistant.manifest.list(workspace_collection(principal.workspace))
        failed = sum(1 for r in records if r.status is DocumentStatus.FAILED)
        return WorkspaceInfo(workspace=principal.workspace, documents=len(records), failed=failed)

    @router.get("/documents", response_model=list[DocumentRecord], tags=["documents"], responses=error_responses(*_ANY))
    def list_documents(assistant: AssistantDep, principal: PrincipalDep) -> list[DocumentRecord]:
        """The workspace's documents. One that never ingested has status ``failed`` and the reason in
        ``last_error``; an indexed one whose newer upload failed stays ``indexed``, with ``last_error`` set."""
        return assistant.manifest.list(workspace_collection(principal.workspace))

    @router.delete(
        "/documents/{doc_id}",
        response_model=DocumentRecord,
        tags=["documents"],
        responses=error_responses(*_ANY, 404, 409),
    )
    def delete_document(doc_id: str, assistant: AssistantDep, principal: PrincipalDep) -> DocumentRecord:
        record = assistant.intake.remove(principal.workspace, doc_id[:64])
        assistant.readiness.changed(principal.workspace)
        return record

    @router.post(
        "/interviews", response_model=InterviewState, tags=["interviews"], responses=error_responses(*_ANY, 413)
    )
    def start_interview(body: StartInterview, interviews: InterviewsDep, principal: PrincipalDep) -> InterviewState:
        _same_workspace(body.workspace, principal.workspace)
        return interviews.start(principal.workspace, body.target, body.length, body.seed)

    @router.post(
        "/interviews/{session_id}/answers",
        response_model=TurnResult,
        tags=["interviews"],
        responses=error_responses(*_ANY, 404, 413),
    )
    def answer(session_id: str, body: AnswerRequest, interviews: InterviewsDep, principal: PrincipalDep) -> TurnResult:
        _own_session(interviews, session_id, principal.workspace)
        return interviews.answer(session_id, body.answer, body.turn)

    @router.get(
        "/interviews/{session_id}",
        response_model=InterviewState,
        tags=["interviews"],
        responses=error_responses(*_ANY, 404),
    )
    def get_interview(session_id: str, interviews: InterviewsDep, principal: PrincipalDep) -> InterviewState:
        _own_session(interviews, session_id, principal.workspace)
        return interviews.get(session_id)

    @router.post(
        "/interviews/{session_id}/end",
        response_model=InterviewSummary,
        tags=["interviews"],
        responses=error_responses(*_ANY, 404),
    )
    def end_interview(session_id: str, interviews: InterviewsDep, principal: PrincipalDep) -> InterviewSummary:
        _own_session(interviews, session_id, principal.workspace)
        return interviews.end(session_id)

    @router.get("/passages/{chunk_id}", response_model=Passage, tags=["ask"], responses=error_responses(*_ANY, 404))
    def passage(chunk_id: str, assistant: AssistantDep, principal: PrincipalDep) -> Passage:
        """A passage an answer cited, in full: links to a source (the web page's, Slack's) open it.
        Only the key's workspace and the standard's knowledge are searched."""
        for collection, origin in (
            (workspace_collection(principal.workspace), Origin.ORGANIZATION),
            (STANDARD_COLLECTION, Origin.STANDARD),
        ):
            found = assistant.store.get(collection, [chunk_id[:200]])
            if found:
                return to_passage(found[0], 0.0, origin)
        raise HTTPException(404, "no such passage in this workspace")

    @router.get("/clauses", response_model=list[ClauseSummary], tags=["clauses"], responses=error_responses(*_ANY))
    def clauses(assistant: AssistantDep, principal: PrincipalDep) -> list[ClauseSummary]:
        return [ClauseSummary(id=c.id, title=c.title, group=c.group, parent=c.parent) for c in assistant.catalogue]

    @router.get("/clauses/{clause_id}", response_model=Clause, tags=["clauses"], responses=error_responses(*_ANY, 404))
    def clause(clause_id: str, assistant: AssistantDep, principal: PrincipalDep) -> Clause:
        if clause_id not in assistant.catalogue:
            raise HTTPException(404, f"clause {clause_id[:20]!r} does not exist in ISO/IEC 20000-1:2018")
        return assistant.catalogue.get(clause_id)

    @router.get(
        "/readiness",
        response_model=ServedReadiness,
        tags=["readiness"],
        responses={200: {"content": {"text/html": {}}}, **error_responses(*_ANY)},
    )
    def readiness(
        request: Request,
        readiness: ReadinessDep,
        principal: PrincipalDep,
        format: Annotated[Literal["json", "html"], Query()] = "json",
    ) -> Response:
        """The latest stored report: its age in seconds is the ``Age`` header, and ``served``
        says whether it is current; a change of the workspace is recomputed in the background.
        A client that sends the ``ETag`` it holds as ``If-None-Match`` gets 304 while the
        report and its state are unchanged (the ``Age`` header still says how old it is)."""
        served = readiness.cached(principal.workspace)
        headers = {"Age": str(int(served.age.age_seconds)), "Cache-Control": "private, no-cache"}
        if format == "html":
            headers["ETag"] = served.html_tag(to_html)
            if _holds(request.headers.get("if-none-match"), headers["ETag"]):
                return Response(status_code=304, headers=headers)
            return HTMLResponse(served.html(to_html), headers=headers)
        headers["Vary"] = "Accept-Encoding"
        headers["ETag"] = served.json_tag()
        if _holds(request.headers.get("if-none-match"), headers["ETag"]):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):  # compressed once per report
            headers["Content-Encoding"] = "gzip"
        return Response(served.json("Content-Encoding" in headers), media_type="application/json", headers=headers)

    return router


def _holds(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (weak comparison, RFC 9110 13.1.2).
    A malformed or oversized header matches nothing, so the client gets the whole report."""
    if not if_none_match or len(if_none_match) > 2048:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == opaque for t in if_none_match.split(","))


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
