"""Request and response bodies of the API (domain models are reused where they fit)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.models import FileResult


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable code, e.g. unauthorized, too_large, rate_limited.")
    message: str = Field(description="What went wrong and, where it helps, what to do.")


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000, description="The readiness question.")
    workspace: str | None = Field(None, description="Workspace (must match the API key's).")
    generator: str | None = Field(None, description="extractive (default) or llm")


class UploadResponse(BaseModel):
    workspace: str
    results: list[FileResult]


class WorkspaceInfo(BaseModel):
    """The workspace a key (or, with auth off, the server) gives access to, so a client can show
    which organization it is asking about."""

    workspace: str
    documents: int = Field(description="Documents in the workspace, failed ones included.")
    failed: int = Field(description="Documents that never ingested (status failed).")


class StartInterview(BaseModel):
    target: str = Field(min_length=1, max_length=200, description="Clause id, process or role.")
    length: int = Field(5, ge=1, le=20)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    workspace: str | None = None


class AnswerRequest(BaseModel):
    answer: str = Field(max_length=4000)
    turn: int | None = Field(None, ge=0, le=1000, description="The turn being answered (makes retries idempotent).")


class ClauseSummary(BaseModel):
    id: str
    title: str
    group: str
    parent: str | None


class Health(BaseModel):
    status: str
    checks: dict[str, str] = Field(default_factory=dict)
