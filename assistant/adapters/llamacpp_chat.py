"""llama.cpp in this process (xllamacpp) behind the core's ``ChatModel`` port.

For machines without a model server: a GGUF file is loaded once, on first use, into
llama.cpp's own server engine and called directly, with no HTTP hop. Replies are
grammar-constrained to a JSON object because the ``llm`` generator asks for JSON.
The engine also opens an HTTP listener on a random loopback port; it is locked with a
random API key that is never shown, so nothing else can use the loaded model.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from assistant.adapters.langchain_chat import response_format
from assistant.config import Settings
from assistant.errors import AuditprepError, ConfigurationError, GeneratorError

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 4096


class LlamaCppChatModel:
    """A GGUF model run in-process; one request at a time, others queue."""

    def __init__(
        self,
        settings: Settings,
        model_path: Path | None = None,
        context_size: int = DEFAULT_CONTEXT,
        threads: int | None = None,
        json_mode: bool = True,
    ) -> None:
        self._settings = settings
        self._path = model_path or settings.llm_model_path
        self._context_size = context_size
        self._threads = threads
        self._json_mode = json_mode
        self._server: Any | None = None
        self._load_error: AuditprepError | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        label = self._settings.llm_model or (self._path.stem if self._path else "unset")
        return f"llamacpp:{label}"

    def _load(self) -> Any:
        """Load the model once; a failed load is remembered so later calls fail fast."""
        with self._lock:
            if self._server is not None:
                return self._server
            if self._load_error is not None:
                raise self._load_error
            try:
                self._server = self._start()
            except AuditprepError as exc:
                self._load_error = exc
                raise
            return self._server

    def _start(self) -> Any:
        path = self._path
        if path is None:
            raise ConfigurationError("set AUDITPREP_LLM_MODEL_PATH to a GGUF file to use the llamacpp provider")
        if not Path(path).is_file():
            raise ConfigurationError(f"no GGUF model file at {path}")
        try:
            import xllamacpp
        except ImportError:
            raise ConfigurationError("the llamacpp provider needs the xllamacpp package") from None
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = self._context_size
        params.n_predict = self._settings.llm_max_tokens
        params.n_parallel = 1
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # any free port: the listener is a side effect of the engine, not used here
        params.api_keys = [secrets.token_urlsafe(32)]
        params.verbosity = -1
        if self._threads:
            params.cpuparams.n_threads = self._threads
            params.cpuparams_batch.n_threads = self._threads
        started = time.perf_counter()
        try:
            server = xllamacpp.Server(params)
        except Exception as exc:  # llama.cpp reports only "failed to init"
            raise GeneratorError(f"{self.name} could not load {Path(path).name}: {type(exc).__name__}") from None
        log.info("loaded %s in %.1fs", Path(path).name, time.perf_counter() - started)
        return server

    def complete(self, system: str, user: str) -> str:
        """Stream on a worker thread so the caller gets a reply or a timeout on time (the
        one-time model load is not counted against the timeout)."""
        server = self._load()
        timeout = self._settings.llm_timeout_s
        request: dict[str, Any] = {
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "max_tokens": self._settings.llm_max_tokens,
            "temperature": self._settings.llm_temperature,
            "stream": True,
        }
        if self._json_mode:
            request["response_format"] = response_format(True, self._settings.llm_max_tokens)
        parts: list[str] = []
        problems: list[str] = []
        stop = threading.Event()

        def on_chunk(chunk: dict) -> bool:
            """Collect text; returning True makes llama.cpp cancel the request."""
            error = chunk.get("error")
            if error is not None or "choices" not in chunk:
                detail = (error.get("type") or error.get("code")) if isinstance(error, dict) else chunk.get("type")
                problems.append(str(detail or "malformed chunk"))
                return True
            for choice in chunk["choices"]:
                content = (choice.get("delta") or {}).get("content")
                if content:
                    parts.append(content)
            return stop.is_set()

        def run() -> None:
            try:
                server.handle_chat_completions(request, on_chunk)
            except Exception as exc:  # malformed request, engine failure
                problems.append(type(exc).__name__)

        # Not a daemon: a thread killed inside llama.cpp at interpreter exit aborts the process.
        worker = threading.Thread(target=run, name="llamacpp-complete")
        worker.start()
        try:
            worker.join(timeout)
        finally:
            if worker.is_alive():
                stop.set()  # the engine cancels the request at its next token
        if worker.is_alive():
            raise GeneratorError(f"{self.name} timed out after {timeout:g}s")
        if problems:
            raise GeneratorError(f"{self.name} failed: {problems[0]}")
        return "".join(parts)
