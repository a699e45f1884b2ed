"""FastAPI dependencies: the assistant's services and the caller's principal.

Routes get everything through these, so tests can swap any of them with
``app.dependency_overrides``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from assistant.answering.service import AskService
from assistant.api.security import INVALID_KEY, KEY_INFO_STATE, MISSING_KEY, Principal, bearer_secret, check_rate
from assistant.bootstrap import Assistant
from assistant.config import Settings, validate_workspace_name
from assistant.interviews.service import InterviewService
from assistant.ratelimit import Limiter
from assistant.readiness.service import ReadinessService


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


def get_settings(request: Request) -> Settings:
    return request.app.state.assistant.settings


def get_limiter(request: Request) -> Limiter:
    return request.app.state.assistant.limiter


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_ask(assistant: AssistantDep) -> AskService:
    return assistant.ask


def get_interviews(assistant: AssistantDep) -> InterviewService:
    return assistant.interviews


def get_readiness(assistant: AssistantDep) -> ReadinessService:
    return assistant.readiness


def get_principal(
    request: Request,
    assistant: AssistantDep,
    limiter: Annotated[Limiter, Depends(get_limiter)],
    workspace: str | None = None,
) -> Principal:
    """The caller: by API key (auth on) or the named/default workspace (auth off, local only)."""
    settings = assistant.settings
    if settings.auth == "off":
        name = workspace or settings.workspace
        try:
            validate_workspace_name(name)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        check_rate(limiter, f"local:{request.client.host if request.client else '-'}")
        return Principal(name, None)
    info = getattr(request.state, KEY_INFO_STATE, None)  # checked by the gate before the body was read
    if info is None:
        secret = bearer_secret(request.headers.get("authorization", ""))
        if secret is None:
            raise HTTPException(401, MISSING_KEY, headers={"WWW-Authenticate": "Bearer"})
        info = assistant.keys.authenticate(secret)
        if info is None:
            raise HTTPException(401, INVALID_KEY, headers={"WWW-Authenticate": "Bearer"})
    if workspace is not None and workspace != info.workspace:
        raise HTTPException(403, "this API key is not valid for that workspace")
    check_rate(limiter, info.id)
    return Principal(info.workspace, info.id)


AskDep = Annotated[AskService, Depends(get_ask)]
InterviewsDep = Annotated[InterviewService, Depends(get_interviews)]
ReadinessDep = Annotated[ReadinessService, Depends(get_readiness)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
