"""A local fake of the Slack Web API (and its Socket Mode websocket) that records calls."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSlack:
    """Answers Web API methods like Slack does and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self._ts = 1_700_000_000.000100
        self._lock = threading.Lock()
        self.ws_url = "ws://127.0.0.1:1/link"
        self.admins: set[str] = set()  # users.info reports these users as workspace admins
        self.install_team = "T9"  # the team an OAuth install (oauth.v2.access) grants
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                for key in ("blocks", "attachments"):
                    if isinstance(params.get(key), str):
                        try:
                            params[key] = json.loads(params[key])
                        except ValueError:
                            pass
                method = self.path.strip("/").split("/")[-1]
                if self.headers.get("Authorization"):
                    params["_token"] = self.headers["Authorization"].removeprefix("Bearer ")
                body = fake.respond(method, params)
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"{self._ts:.6f}"

    def respond(self, method: str, params: dict) -> dict:
        with self._lock:
            self.calls.append((method, params))
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://t.slack.com/",
                "team": "T",
                "user": "auditprep",
                "team_id": "T1",
                "user_id": "UBOT",
                "bot_id": "BBOT",
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or self.next_ts()
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": ts,
                "message": {"text": params.get("text"), "ts": ts},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "oauth.v2.access":
            team = self.install_team
            return {
                "ok": params.get("code") == "good-code",
                "error": None if params.get("code") == "good-code" else "invalid_code",
                "app_id": "A1",
                "authed_user": {"id": "UINSTALLER"},
                "scope": "chat:write,commands",
                "token_type": "bot",
                "access_token": f"xoxb-{team}",
                "bot_user_id": "UBOT",
                "team": {"id": team, "name": "Installed team"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        if method == "users.info":
            user = params.get("user")
            return {"ok": True, "user": {"id": user, "is_admin": user in self.admins, "is_owner": False}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        return {"ok": True}

    def named(self, method: str) -> list[dict]:
        with self._lock:
            return [p for m, p in self.calls if m == method]

    def wait_for(self, predicate, timeout: float = 60.0) -> list:
        """Poll until ``predicate(self)`` returns something truthy (lazy listeners are threads)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate(self)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"timed out; calls so far: {[m for m, _ in self.calls]}")


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def blocks_text(params: dict) -> str:
    """Every text in a message's blocks, joined (what a user would read)."""
    out = [params.get("text") or ""]

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(params.get("blocks") or [])
    return "\n".join(out)


class SignedSlack:
    """Sends signed Slack requests (events, commands, button clicks) to ``/slack/events``
    through any httpx-style client: FastAPI's TestClient or ``httpx.Client`` on a server."""

    def __init__(self, http, fake: FakeSlack, secret: str, team: str = "T1") -> None:
        self.http, self.fake, self.secret, self.team = http, fake, secret, team

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None):
        signed = {"Content-Type": content_type, **sign(self.secret, body), **(headers or {})}
        return self.http.post("/slack/events", content=body, headers=signed)

    def event(self, event: dict, event_id: str | None = None, headers: dict[str, str] | None = None, **envelope):
        body = json.dumps(
            {
                "token": "t",
                "team_id": envelope.get("team", self.team),
                "api_app_id": "A1",
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{time.time_ns()}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": self.team, "user_id": "UBOT", "is_bot": True}],
            }
        )
        return self.post(body, "application/json", headers)

    def command(self, command: str, text: str = "", user: str = "U1", channel: str = "C1", trigger: str | None = None):
        form = {
            "token": "t",
            "team_id": self.team,
            "channel_id": channel,
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": self.fake.url + "response",
            "trigger_id": trigger or f"trig{time.time_ns()}",
            "api_app_id": "A1",
        }
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def action(
        self,
        action_id: str,
        value: str,
        user: str = "U1",
        ts: str = "1.0",
        thread_ts: str | None = None,
        blocks: list | None = None,
        channel: str = "C1",
        trigger: str | None = None,
    ):
        message = {"ts": ts, **({"thread_ts": thread_ts} if thread_ts else {}), "blocks": blocks or []}
        payload = {
            "type": "block_actions",
            "team": {"id": self.team},
            "user": {"id": user},
            "api_app_id": "A1",
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel},
            "message": message,
            "trigger_id": trigger or f"trig{time.time_ns()}",
            "response_url": self.fake.url + "response",
            "actions": [{"action_id": action_id, "value": value, "type": "button", "block_id": "b", "action_ts": "1"}],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")


def mention(text: str, ts: str = "1700000001.000100", user: str = "U1", channel: str = "C1", **extra) -> dict:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


def message(text: str, ts: str, user: str = "U1", channel: str = "C1", channel_type: str = "channel", **extra) -> dict:
    return {
        "type": "message",
        "channel_type": channel_type,
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


class ScriptedAsk:
    """A stand-in for the answer service: records each question, answers with the given
    citations, and holds every answer until ``release`` is set (to keep answers in flight)."""

    def __init__(self, citations: list | None = None, hold: bool = False, error: Exception | None = None) -> None:
        self.citations = list(citations or [])
        self.error = error
        self.questions: list[tuple[str, str | None]] = []
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self.running = 0
        self._lock = threading.Lock()

    def ask(self, question: str, workspace: str | None = None, generator: str | None = None):
        from assistant.models import Answer, Intent

        with self._lock:
            self.questions.append((question, workspace))
            self.running += 1
        try:
            self.release.wait(120)
        finally:
            with self._lock:
                self.running -= 1
        if self.error is not None:
            raise self.error
        return Answer(
            question=question,
            workspace=workspace or "default",
            intent=Intent.GENERAL,
            text=f"Scripted answer [1] to: {question}",
            citations=list(self.citations),
        )


def assistant_with_ask(settings, embedder, ask):
    """The real composition root with its answer service swapped for ``ask``."""
    from assistant.bootstrap import Assistant

    class WithAsk(Assistant):
        @property
        def ask(self):  # type: ignore[override]
            return ask

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return WithAsk(settings, embedder)


SECRET = "test-signing-secret"


def slack_client(data_dir, fake: FakeSlack, ask, embedder=None, **overrides) -> SignedSlack:
    """The API app with the Slack bot on ``data_dir``, answering through ``ask``, behind a
    TestClient that sends signed requests."""
    from fastapi.testclient import TestClient

    from assistant.api.app import create_app
    from tests.conftest import make_settings

    options = {
        "slack_bot_token": "xoxb-test",
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.url,
        "slack_workspaces": {"T1": "acme"},
        **overrides,
    }
    config = make_settings(data_dir, **options)
    return SignedSlack(TestClient(create_app(config, assistant_with_ask(config, embedder, ask))), fake, SECRET)


def answers(fake: FakeSlack, at_least: int = 1) -> list[dict]:
    """The answers posted so far (status messages replaced by an answer), once there are enough."""
    found = [u for u in fake.named("chat.update") if "Scripted answer" in (u.get("text") or "")]
    found += [p for p in fake.named("chat.postEphemeral") if "Scripted answer" in (p.get("text") or "")]
    return found if len(found) >= at_least else []
