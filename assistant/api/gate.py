"""The gate in front of ``/v1``: the API key and the body's size are checked before any of
the body is read.

FastAPI reads and parses a request's body before it resolves the route's dependencies, so
a key checked only in a dependency lets anyone make the server buffer a body of any size.
This pure ASGI middleware answers 401 for a missing or invalid key and 413 for a declared
``Content-Length`` over the limit without calling ``receive``, and cuts off a body sent
without a length (chunked) once it passes the limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import error_response
from assistant.api.security import INVALID_KEY, KEY_INFO_STATE, MISSING_KEY, bearer_secret

if TYPE_CHECKING:
    from assistant.apikeys import KeyInfo

log = logging.getLogger(__name__)

# Every JSON body the API takes is a few kilobytes (a question is at most 2,000 characters).
MAX_JSON_BYTES = 1024 * 1024
UPLOAD_PATH = "/v1/documents"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit.

    An ``HTTPException``, so FastAPI's body parsing passes it on and the API's handler
    answers with the JSON error instead of "There was an error parsing the body".
    """

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


class RequestGate:
    """Authenticate (when ``authenticate`` is given) and limit body sizes under ``/v1``.

    ``authenticate`` maps a bearer secret to its key, or None; it is None when auth is off.
    The key found is left in the request state, so the route's dependency does not look it
    up again.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Callable[[str], KeyInfo | None] | None,
        max_upload_bytes: int,
        max_json_bytes: int = MAX_JSON_BYTES,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.max_upload_bytes = max_upload_bytes
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path != "/v1" and not path.startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        if self.authenticate is not None:
            try:
                refusal = await self._check_key(scope)
            except Exception as exc:  # the key database is down: say so, as the routes do for stores
                log.error("API key check failed: %s", type(exc).__name__)
                refused = error_response(503, "unavailable", "the API key store is unavailable; try again shortly")
                await refused(scope, receive, send)
                return
            if refusal is not None:
                refused = error_response(401, "unauthorized", refusal, {"WWW-Authenticate": "Bearer"})
                await refused(scope, receive, send)
                return
        limit, message = self._limit(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await error_response(413, "too_large", message)(scope, receive, send)
            return
        await self._limited(scope, receive, send, limit, message)

    async def _check_key(self, scope: Scope) -> str | None:
        """The reason to refuse the request, or None when its key is valid."""
        assert self.authenticate is not None
        secret = bearer_secret(_header(scope, b"authorization"))
        if secret is None:
            return MISSING_KEY
        info = await run_in_threadpool(self.authenticate, secret)
        if info is None:
            return INVALID_KEY
        scope.setdefault("state", {})[KEY_INFO_STATE] = info
        return None

    def _limit(self, scope: Scope) -> tuple[int, str]:
        if scope["method"] == "POST" and scope["path"].rstrip("/") == UPLOAD_PATH:
            return self.max_upload_bytes, f"upload is over the {self.max_upload_bytes / 1e6:.1f} MB limit"
        return self.max_json_bytes, f"request body is over the {self.max_json_bytes / 1e6:.1f} MB limit"

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int, message: str) -> None:
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(message)
            return event

        async def tracked_send(event: Message) -> None:
            nonlocal started
            if event["type"] == "http.response.start":
                started = True
            await send(event)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge:
            if started:
                raise
            await error_response(413, "too_large", message)(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length").strip()
    return int(value) if value.isdigit() else None
