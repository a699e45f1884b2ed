"""Each Slack request is acted on once, on whichever node receives it first.

Slack retries an event it thinks was not acknowledged (``X-Slack-Retry-Num``) and a signed
request can be replayed within the five minutes its timestamp stays valid. Every event id
and every command or button trigger id is recorded in the database; a second arrival of
the same id is acknowledged and dropped. The insert is the check, so two nodes racing on
one id cannot both win.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from assistant.db import ensure_schema
from assistant.schema import slack_seen_requests

seen = slack_seen_requests

# Slack retries for about an hour at most; a replayed signature is stale after five minutes.
KEEP = timedelta(hours=2)
PRUNE_EVERY = 500


def request_key(body: dict) -> str | None:
    """The id that names one delivery of ``body``; None for requests that carry none."""
    kind = body.get("type")
    if kind == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}"[:200]
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"[:200]
    if kind in ("block_actions", "view_submission", "shortcut", "message_action") and body.get("trigger_id"):
        return f"{kind}:{body['trigger_id']}"[:200]
    return None


class SeenRequests:
    """The set of request ids already acted on, in the shared database."""

    def __init__(self, engine: Engine, keep: timedelta = KEEP) -> None:
        self._engine = engine
        self._keep = keep
        self._inserts = 0
        self._lock = threading.Lock()
        ensure_schema(engine)

    def first_time(self, key: str) -> bool:
        """Record ``key``; False if some node recorded it before."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(seen).values(key=key, seen_at=datetime.now(UTC)))
        except IntegrityError:
            return False
        with self._lock:
            self._inserts += 1
            prune = self._inserts % PRUNE_EVERY == 0
        if prune:
            self.prune()
        return True

    def prune(self) -> int:
        """Forget ids older than the retry window."""
        with self._engine.begin() as conn:
            return conn.execute(delete(seen).where(seen.c.seen_at < datetime.now(UTC) - self._keep)).rowcount
