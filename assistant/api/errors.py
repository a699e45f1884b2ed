"""Errors as JSON ``{"error": {"code", "message"}}`` with the right status; no traces."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.schemas import ErrorResponse
from assistant.errors import (
    AuditprepError,
    InvalidInput,
    KnowledgeError,
    NotFound,
    StoreUnavailable,
    UnsupportedFormat,
    WorkspaceBusy,
)

log = logging.getLogger(__name__)

_STATUS: list[tuple[type[AuditprepError], int]] = [
    (UnsupportedFormat, 415),
    (InvalidInput, 422),
    (NotFound, 404),
    (WorkspaceBusy, 409),
    (StoreUnavailable, 503),
    (KnowledgeError, 500),
]
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    503: "unavailable",
}


_DESCRIPTIONS = {
    400: "The body could not be parsed (e.g. a malformed multipart upload).",
    401: "The API key is missing, invalid or revoked.",
    403: "The API key is not valid for the workspace asked for.",
    404: "Not found (or not in the key's workspace).",
    409: "The workspace is being ingested by another request; try again shortly.",
    413: "The request body is over the size limit.",
    415: "The file type is not supported, or the content does not match the extension.",
    422: "The request is invalid: a missing, malformed or out-of-range field or parameter.",
    429: "Rate limit exceeded; wait the seconds given in Retry-After.",
    503: "A store the request needs (vector store, index or database) is unavailable.",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}},
}


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI ``responses=`` for a route: each status with the shared error body."""
    declared: dict[int | str, dict] = {}
    for status in sorted(set(statuses)):
        entry: dict = {"model": ErrorResponse, "description": _DESCRIPTIONS[status]}
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        declared[status] = entry
    return declared


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(AuditprepError)
    async def _domain(_: Request, exc: AuditprepError) -> JSONResponse:
        status = next((s for kind, s in _STATUS if isinstance(exc, kind)), 500)
        if status >= 500 and status != 503:
            log.error("internal error: %s", type(exc).__name__)
            return error_response(status, "internal_error", "internal error")
        return error_response(status, exc.code, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        return error_response(
            exc.status_code, _CODES.get(exc.status_code, "error"), detail, getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", []) if p != "body")
        message = f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
        return error_response(422, "invalid_input", message)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_down(_: Request, exc: Exception) -> JSONResponse:
        """The database went away after start (start-up checks raise StoreUnavailable)."""
        log.error("database unavailable: %s", type(exc).__name__)
        return error_response(503, "unavailable", "the database is unavailable; try again shortly")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(exc).__name__)
        return error_response(500, "internal_error", "internal error")
