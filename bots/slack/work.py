"""Where the bot's slow work runs: a worker pool of its own, apart from the path that
acknowledges Slack's requests.

Bolt's own executor runs acknowledgements and lazy listeners on the same five threads, so
a few slow answers made every later ack miss Slack's 3 seconds. Here a listener only
acknowledges and hands the work to this pool; the pool also counts each person's pending
work, so the bot can say "still working on your earlier question" instead of queueing in
silence; the assistant's shared rate limiter caps how often one person may ask.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger(__name__)


class WorkPool:
    """A fixed pool of worker threads with per-user pending counts."""

    def __init__(self, workers: int, name: str = "slack-work") -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1; got {workers}")
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._workers = workers
        self._lock = threading.Lock()
        self._pending: dict[str, int] = {}
        self._total = 0

    def submit(self, user: str, job: Callable[[], object]) -> int:
        """Queue ``job`` for ``user``; returns how many of that user's jobs were already pending."""
        with self._lock:
            earlier = self._pending.get(user, 0)
            self._pending[user] = earlier + 1
            self._total += 1
        future = self._executor.submit(job)
        future.add_done_callback(lambda f: self._done(user, f))
        return earlier

    def pending(self, user: str | None = None) -> int:
        """Jobs queued or running, for one user or for everyone."""
        with self._lock:
            return self._total if user is None else self._pending.get(user, 0)

    def busy(self) -> bool:
        """True when a new job would wait for a free worker."""
        with self._lock:
            return self._total >= self._workers

    def _done(self, user: str, future: Future) -> None:
        with self._lock:
            left = self._pending.get(user, 1) - 1
            if left:
                self._pending[user] = left
            else:
                self._pending.pop(user, None)
            self._total -= 1
        error = future.exception()
        if error is not None:
            log.error("Slack work failed: %s", type(error).__name__, exc_info=error)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
