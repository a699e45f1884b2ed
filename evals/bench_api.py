"""HTTP load run: ``POST /v1/ask`` under concurrent clients, from a process other than the
server's, over loopback.

The server is the real ``auditprep serve`` (uvicorn) on a free port with the standard and
the sample organization ingested; this process only drives requests and reads the server's
peak RSS from ``/proc``. Auth is off (loopback only) and the per-client rate limit is lifted,
since every request comes from the same address and a 429 would measure the limiter.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from assistant.config import Settings
from evals.bench_stats import cpu_seconds, load_average, peak_rss_mb, process_tree, status_kb, summarize_ms

WORKSPACE = "kestrel"
QUESTIONS = [
    "Who approves emergency changes?",
    "Do we have evidence for change management?",
    "How often is the continuity plan tested?",
    "What are the SLA targets for Harbour Logistics?",
    "Who owns the capacity plan?",
    "What does clause 8.6.3 require?",
    "Is our major incident priority consistent across documents?",
    "How long is the certificate valid?",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(data_dir: Path, *args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("auditprep")), "--data-dir", str(data_dir), *args]


def _wait_ready(base: str, proc: subprocess.Popen, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready in time")


async def _drive(base: str, clients: int, seconds: float) -> tuple[list[float], dict[str, int], float]:
    """``clients`` loops posting questions back to back until ``seconds`` have passed."""
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        started = time.perf_counter()
        stop = started + seconds

        async def one(seed: int) -> None:
            rng = random.Random(seed)
            while time.perf_counter() < stop:
                body = {"question": rng.choice(QUESTIONS), "workspace": WORKSPACE}
                t = time.perf_counter()
                try:
                    response = await client.post("/v1/ask", json=body)
                    key = str(response.status_code)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                outcomes[key] = outcomes.get(key, 0) + 1
                if key == "200":
                    latencies.append((time.perf_counter() - t) * 1000)

        await asyncio.gather(*(one(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, outcomes, elapsed


def bench_api(settings: Settings, clients: int = 20, seconds: float = 30.0, workers: int = 0) -> dict:
    """Start the server in its own process (``workers`` worker processes, 0 = ``serve``'s
    default of one per core), load it from this one, stop it by its PID. The server's CPU
    time per answered request is the figure a busy shared machine disturbs least."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {
            **os.environ,
            "AUDITPREP_KNOWLEDGE_DIR": str(settings.knowledge_dir),
            "AUDITPREP_AUTH": "off",
            "AUDITPREP_RATE_LIMIT_PER_MINUTE": "1000000",
        }
        sample = settings.knowledge_dir / "samples" / "kestrel" / "documents"
        subprocess.run(_cli(data, "ingest", "--standard"), env=env, check=True, capture_output=True)
        subprocess.run(_cli(data, "ingest", str(sample), "-w", WORKSPACE), env=env, check=True, capture_output=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            _cli(data, "serve", "--host", "127.0.0.1", "--port", str(port), "-w", WORKSPACE, "--workers", str(workers)),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_ready(base, server)
            for q in QUESTIONS:  # warm: the first ask loads models and fills caches
                httpx.post(f"{base}/v1/ask", json={"question": q, "workspace": WORKSPACE}, timeout=300)
            processes = process_tree(server.pid)
            serving = [pid for pid in processes if pid == server.pid or _serves(pid)]
            rss_warm = _rss_mb(serving)
            load_before = load_average()
            cpu_before = cpu_seconds(serving)
            latencies, outcomes, elapsed = asyncio.run(_drive(base, clients, seconds))
            cpu_used = cpu_seconds(serving) - cpu_before
            server_peak = round(sum(peak_rss_mb(pid) for pid in serving), 1)
            rss_after = _rss_mb(serving)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    ok = len(latencies)
    return {
        "clients": clients,
        "worker_processes": max(1, len(serving) - 1),
        "server_cpu_ms_per_request": round(cpu_used * 1000 / ok, 1) if ok else 0.0,
        "server_cores_busy": round(cpu_used / elapsed, 2) if elapsed else 0.0,
        "seconds": round(elapsed, 1),
        "requests": sum(outcomes.values()),
        "ok": ok,
        "errors": sum(outcomes.values()) - ok,
        "outcomes": outcomes,
        "throughput_rps": round(ok / elapsed, 2) if elapsed else 0.0,
        **summarize_ms(latencies),
        "server_rss_warm_mb": rss_warm,
        "server_rss_after_mb": rss_after,
        "server_peak_rss_mb": server_peak,
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def _serves(pid: int) -> bool:
    """A worker, not multiprocessing's resource tracker."""
    try:
        return b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _rss_mb(pids: list[int]) -> float:
    """Resident memory of the serving processes together (each worker holds its own model)."""
    return round(sum(status_kb("VmRSS", pid) for pid in pids) / 1024, 1)
