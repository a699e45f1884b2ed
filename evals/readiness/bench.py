"""Load run of the cached readiness endpoint: ``GET /v1/readiness`` from concurrent clients
against a real ``auditprep serve`` process, as the ask load run does for ``POST /v1/ask``;
then the same load on a trivial endpoint (``GET /v1/clauses/8.5.1``) and one client alone, so
the figure is read next to what the machine and the HTTP stack cost by themselves.

    python -m evals.readiness.bench --data-dir DATA [-w kestrel] [--clients 20] [--seconds 30]

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

from evals.bench_api import _cli, _wait_ready, free_port
from evals.bench_stats import load_average, summarize_ms


async def _drive(base: str, path: str, clients: int, seconds: float) -> tuple[list[float], dict[str, int], float]:
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
                    key = str((await client.get(path)).status_code)
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                outcomes[key] = outcomes.get(key, 0) + 1
                if key == "200":
                    latencies.append((time.perf_counter() - t) * 1000)

        await asyncio.gather(*(one() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, outcomes, elapsed


def bench_readiness(data_dir: Path, workspace: str, clients: int = 20, seconds: float = 30.0) -> dict:
    """Start the server, wait until the served report is current, then load the cached
    endpoint."""
    env = {**os.environ, "AUDITPREP_AUTH": "off", "AUDITPREP_RATE_LIMIT_PER_MINUTE": "1000000"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        _cli(data_dir, "serve", "--host", "127.0.0.1", "--port", str(port), "-w", workspace),
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
        load_before = load_average()
        latencies, outcomes, elapsed = asyncio.run(_drive(base, path, clients, seconds))
        # The same load on a trivial endpoint, and one client alone: what the machine and the
        # HTTP stack cost without the report, and what the report costs without queueing.
        trivial, _, _ = asyncio.run(_drive(base, f"/v1/clauses/8.5.1?workspace={workspace}", clients, seconds))
        alone, _, _ = asyncio.run(_drive(base, path, 1, seconds))
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
        "seconds": round(elapsed, 1),
        "first_request_ms": round(first_ms, 1),
        "requests": sum(outcomes.values()),
        "errors": sum(outcomes.values()) - ok,
        "throughput_rps": round(ok / elapsed, 2) if elapsed else 0.0,
        **summarize_ms(latencies),
        "trivial_endpoint": summarize_ms(trivial),
        "one_client": summarize_ms(alone),
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
    args = parser.parse_args()
    print(json.dumps(bench_readiness(args.data_dir, args.workspace, args.clients, args.seconds), indent=2))


if __name__ == "__main__":
    main()
