"""HTTP mode: the Bolt app mounted on the API app at ``/slack/events``.

The route checks a request before Bolt sees it: the body's size, the signature headers'
shape, the signature itself, then the payload's shape. A malformed request gets 400, a
wrong signature 401, and nothing about it is logged but a short, escaped reason.

Bolt's dispatch is synchronous; it runs on a thread pool kept for acknowledgements, never
on the event loop (so ``/healthz`` stays fast) and never on the pool that answers
questions (so acks never wait for answers).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

from assistant.bootstrap import Assistant
from assistant.config import Settings
from bots.slack.app import create_slack_app
from bots.slack.logs import bounded

log = logging.getLogger(__name__)

# Slack's largest payloads (a block action carrying its message) are tens of kilobytes.
MAX_BODY_BYTES = 1024 * 1024
MAX_CLOCK_SKEW_S = 5 * 60
ACK_THREADS = 16


class Rejected(Exception):
    """A request refused before Bolt sees it."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def mount_slack(app: FastAPI, assistant: Assistant, settings: Settings, client=None) -> App:
    bolt = create_slack_app(assistant, settings, client)
    secret = settings.slack_signing_secret.get_secret_value()
    acks = ThreadPoolExecutor(max_workers=ACK_THREADS, thread_name_prefix="slack-ack")
    app.state.slack = bolt

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        try:
            body = await read_body(request)
            check_signature(request.headers, body, secret, time.time())
            text = check_payload(request.headers.get("content-type", ""), body)
        except Rejected as exc:
            client_host = request.client.host if request.client else "-"
            log.warning("rejected Slack request from %s: %s", bounded(client_host, 64), exc.reason)
            return JSONResponse({"error": exc.reason}, status_code=exc.status)
        bolt_request = BoltRequest(body=text, query=request.query_params, headers=request.headers)
        response = await asyncio.get_running_loop().run_in_executor(acks, bolt.dispatch, bolt_request)
        return to_starlette_response(response)

    flow = bolt.oauth_flow
    if flow is not None:

        @app.get(flow.install_path, include_in_schema=False)
        async def slack_install(request: Request) -> Response:
            """The "Add to Slack" page, which starts the install with a fresh state."""
            bolt_request = to_bolt_request(request, b"")
            response = await asyncio.get_running_loop().run_in_executor(acks, flow.handle_installation, bolt_request)
            return to_starlette_response(response)

        @app.get(flow.redirect_uri_path, include_in_schema=False)
        async def slack_oauth_redirect(request: Request) -> Response:
            """Slack sends the installer back here; the installation is stored in the database."""
            bolt_request = to_bolt_request(request, b"")
            response = await asyncio.get_running_loop().run_in_executor(acks, flow.handle_callback, bolt_request)
            return to_starlette_response(response)

    return bolt


async def read_body(request: Request) -> bytes:
    """The body, refused as soon as it is known to pass the limit."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Rejected(400, "malformed Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise Rejected(413, "body too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Rejected(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def check_signature(headers, body: bytes, secret: str, now: float) -> None:
    """Slack's v0 signature over the raw body; nothing of the body is parsed here."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp or not signature:
        raise Rejected(400, "missing Slack signature headers")
    if not timestamp.isdigit() or len(timestamp) > 12 or not signature.startswith("v0="):
        raise Rejected(400, "malformed Slack signature headers")
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_S:
        raise Rejected(401, "stale timestamp")
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise Rejected(401, "invalid signature")


def check_payload(content_type: str, body: bytes) -> str:
    """The body as text, if it has one of the shapes Slack sends; 400 otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "body is not UTF-8") from None
    if "application/json" in content_type:
        try:
            data = json.loads(text)
        except ValueError:
            raise Rejected(400, "body is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            raise Rejected(400, "JSON body without a type")
        return text
    if "application/x-www-form-urlencoded" in content_type:
        try:
            form = urllib.parse.parse_qs(text, strict_parsing=True, max_num_fields=100)
        except ValueError:
            raise Rejected(400, "malformed form body") from None
        if "payload" in form:
            try:
                payload = json.loads(form["payload"][0])
            except ValueError:
                raise Rejected(400, "payload is not JSON") from None
            if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
                raise Rejected(400, "payload without a type")
            return text
        if "command" in form or "ssl_check" in form:
            return text
        raise Rejected(400, "form body is neither a command nor an interaction")
    raise Rejected(400, "unsupported content type")
