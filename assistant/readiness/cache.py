"""The readiness report served from cache.

A report costs seconds to compute (tens of seconds on a busy machine), so the API and the
bot never compute one on a request: they read the latest stored report, say how old it is,
and a change of the workspace schedules one recomputation in the background. Changes are
noticed wherever they come from (an upload, a delete, ``auditprep ingest`` in another
process) by watching what the report depends on; changes that arrive while a recomputation
runs are folded into a single follow-up run, so a burst of uploads costs at most two
computations, not one per file.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assistant.readiness.models import ReadinessReport, ReportAge, ServedState

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Held:
    """A report kept in memory with what it was computed from, serialized (and compressed)
    once per state it is served in: the cached endpoint only copies bytes."""

    fingerprint: dict
    report: ReadinessReport
    body: bytes = b""
    page: str = ""
    page_tag: str = ""
    served: dict[tuple[bool, bool], tuple[bytes, bytes, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.body:
            self.body = self.report.model_dump_json().encode("utf-8")

    def bodies(self, current: bool, refreshing: bool) -> tuple[bytes, bytes, str]:
        """The report as JSON with a leading ``served`` member, plain and gzipped, and its
        entity tag. The stored body is spliced, not serialized again; the age in seconds
        travels in the ``Age`` header, so these bytes change only when the report's state
        does, and a client holding them can revalidate instead of downloading them again."""
        key = (current, refreshing)
        if key not in self.served:
            state = ServedState(generated_at=self.report.generated_at, current=current, refreshing=refreshing)
            plain = b'{"served":' + state.model_dump_json().encode("utf-8") + b"," + self.body[1:]
            self.served[key] = (plain, gzip.compress(plain, compresslevel=6, mtime=0), entity_tag(plain))
        return self.served[key]


def entity_tag(content: bytes) -> str:
    """A weak entity tag of a representation: weak, because the plain and the gzipped bytes
    are the same report and revalidate each other."""
    return 'W/"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


@dataclass(slots=True)
class ServedReport:
    """The latest stored report and its age, as the API and the bot serve it."""

    held: Held
    current: bool
    refreshing: bool
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def report(self) -> ReadinessReport:
        return self.held.report

    @property
    def age(self) -> ReportAge:
        generated = self.held.report.generated_at
        return ReportAge(
            generated_at=generated,
            age_seconds=round(max(0.0, (self.now - generated).total_seconds()), 1),
            current=self.current,
            refreshing=self.refreshing,
        )

    def json(self, compressed: bool = False) -> bytes:
        """The report as JSON, led by whether it is current (gzip-encoded when asked)."""
        plain, packed, _ = self.held.bodies(self.current, self.refreshing)
        return packed if compressed else plain

    def json_tag(self) -> str:
        """The entity tag of :meth:`json`'s bytes: it changes with the report and its state."""
        return self.held.bodies(self.current, self.refreshing)[2]

    def html(self, render: Callable[[ReadinessReport], str]) -> str:
        """The report page, rendered once per report."""
        if not self.held.page:
            page = render(self.held.report)
            self.held.page_tag = entity_tag(page.encode("utf-8"))
            self.held.page = page
        return self.held.page

    def html_tag(self, render: Callable[[ReadinessReport], str]) -> str:
        """The entity tag of :meth:`html`'s page."""
        self.html(render)
        return self.held.page_tag


class Refresher:
    """At most one background recomputation per workspace, plus one follow-up when changes
    arrive during it."""

    def __init__(self, compute: Callable[[str], object]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._running: dict[str, threading.Thread] = {}
        self._again: set[str] = set()

    def schedule(self, workspace: str) -> threading.Thread:
        """Start a recomputation, or fold this change into the one under way."""
        with self._lock:
            running = self._running.get(workspace)
            if running is not None:
                self._again.add(workspace)
                return running
            thread = threading.Thread(target=self._run, args=(workspace,), name=f"readiness-{workspace}", daemon=True)
            self._running[workspace] = thread
        thread.start()
        return thread

    def running(self, workspace: str) -> bool:
        with self._lock:
            return workspace in self._running

    def _run(self, workspace: str) -> None:
        while True:
            started = time.perf_counter()
            try:
                self._compute(workspace)
                log.info("readiness report for %s ready in %.1f s", workspace, time.perf_counter() - started)
            except Exception:  # the previous report stays served; the next change retries
                log.exception("readiness recomputation failed for workspace %s", workspace)
            with self._lock:
                if workspace in self._again:
                    self._again.discard(workspace)
                    continue
                del self._running[workspace]
                return


class Watcher:
    """Looks every ``interval_s`` at what the served workspaces' reports depend on, and
    schedules a recomputation for each one that changed. Started by the first read."""

    def __init__(
        self,
        stale: Callable[[str], bool],
        refresher: Refresher,
        interval_s: float,
    ) -> None:
        self._stale = stale
        self._refresher = refresher
        self._interval_s = interval_s
        self._workspaces: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def watch(self, workspace: str) -> None:
        with self._lock:
            self._workspaces.add(workspace)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="readiness-watch", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            time.sleep(self._interval_s)
            with self._lock:
                workspaces = sorted(self._workspaces)
            for workspace in workspaces:
                try:
                    if not self._refresher.running(workspace) and self._stale(workspace):
                        self._refresher.schedule(workspace)
                except Exception:  # a store hiccup must not end the watch
                    log.exception("readiness watch failed for workspace %s", workspace)
