"""Load run of the cached readiness endpoint: ``GET /v1/readiness`` from concurrent clients
against a real ``auditprep serve`` process, as the ask load run does for ``POST /v1/ask``;
then the same load on a trivial endpoint (``GET /v1/clauses/8.5.1``) and one client alone, so
the figure is read next to what the machine and the HTTP stack cost by themselves; and the
same load from clients that revalidate the report they hold (``If-None-Match`` → 304), as the
web page and any polling client do.

    python -m evals.readiness.bench --data-dir DATA [-w kestrel] [--clients 20] [--seconds 30] [--workers 0]

DATA must hold the standard and the workspace already ingested (``auditprep ingest``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import time
from pathlib import Path

import httpx

from evals.bench_api import _cli, _serves, _wait_ready, free_port
from evals.bench_stats import cpu_seconds, load_average, process_tree, summarize_ms


async def _drive(
    base: str, path: str, clients: int, seconds: float, headers: dict[str, str] | None = None, ok: str = "200"
) -> tuple[list[float], dict[str, int], float]:
    """Each client sends its next request as soon as the last returns; latencies of ``ok``
    answers."""
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        started = time.perf_counter()
        stop = started + seconds

        async def one() -> None:
            while time.perf_counter() < stop:
                t = time.perf_counter()
                try:
                    key = str((await client.get(path, headers=headers)).status_code)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                outcomes[key] = outcomes.get(key, 0) + 1
                if key == ok:
                    latencies.append((time.perf_counter() - t) * 1000)

        await asyncio.gather(*(one() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, outcomes, elapsed


def bench_readiness(data_dir: Path, workspace: str, clients: int = 20, seconds: float = 30.0, workers: int = 0) -> dict:
    """Start the server (``workers`` worker processes, 0 = ``serve``'s default of one per
    core), wait until the served report is current, then load the cached endpoint."""
    env = {**os.environ, "AUDITPREP_AUTH": "off", "AUDITPREP_RATE_LIMIT_PER_MINUTE": "1000000"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        _cli(data_dir, "serve", "--host", "127.0.0.1", "--port", str(port), "-w", workspace, "--workers", str(workers)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    path = f"/v1/readiness?workspace={workspace}"
    try:
        _wait_ready(base, server)
        t = time.perf_counter()
        first = httpx.get(base + path, timeout=600)
        first.raise_for_status()
        first_ms = (time.perf_counter() - t) * 1000
        deadline = time.monotonic() + 600
        while not first.json()["served"]["current"] or first.json()["served"]["refreshing"]:
            if time.monotonic() > deadline:  # measure the cache, not a recomputation beside it
                raise RuntimeError("the report did not become current in time")
            time.sleep(1)
            first = httpx.get(base + path, timeout=600)
        serving = [pid for pid in process_tree(server.pid) if pid == server.pid or _serves(pid)]
        load_before = load_average()
        cpu_before, client_before = cpu_seconds(serving), time.process_time()
        latencies, outcomes, elapsed = asyncio.run(_drive(base, path, clients, seconds))
        cpu_used, client_used = cpu_seconds(serving) - cpu_before, time.process_time() - client_before
        # The same load on a trivial endpoint, and one client alone: what the machine and the
        # HTTP stack cost without the report, and what the report costs without queueing.
        trivial, _, _ = asyncio.run(_drive(base, f"/v1/clauses/8.5.1?workspace={workspace}", clients, seconds))
        alone, _, _ = asyncio.run(_drive(base, path, 1, seconds))
        held = {"If-None-Match": first.headers.get("etag", "")}
        revalidated, checked, checked_s = asyncio.run(_drive(base, path, clients, seconds, held, ok="304"))
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
        "seconds": round(elapsed, 1),
        "first_request_ms": round(first_ms, 1),
        "requests": sum(outcomes.values()),
        "errors": sum(outcomes.values()) - ok,
        "throughput_rps": round(ok / elapsed, 2) if elapsed else 0.0,
        **summarize_ms(latencies),
        # the clients share the cores with the server: what each side spends per request
        "server_cpu_ms_per_request": round(cpu_used * 1000 / ok, 1) if ok else 0.0,
        "client_cpu_ms_per_request": round(client_used * 1000 / ok, 1) if ok else 0.0,
        "trivial_endpoint": summarize_ms(trivial),
        "one_client": summarize_ms(alone),
        "revalidating_clients": {
            **summarize_ms(revalidated),
            "not_modified": len(revalidated),
            "other_answers": sum(checked.values()) - len(revalidated),
            "throughput_rps": round(len(revalidated) / checked_s, 2) if checked_s else 0.0,
        },
        "response_bytes": len(first.content),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("-w", "--workspace", default="kestrel")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=0, help="server worker processes (default: one per CPU core)")
    args = parser.parse_args()
    result = bench_readiness(args.data_dir, args.workspace, args.clients, args.seconds, args.workers)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
