"""Small pure helpers shared by the benchmarks: percentiles, memory and machine load."""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Sequence
from pathlib import Path


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks, as
    ``numpy.percentile`` computes it by default; 0.0 for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0-100, got {q}")
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_ms(values: Sequence[float]) -> dict[str, float]:
    """p50/p95/max of latencies in milliseconds, rounded for a report."""
    return {
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "max_ms": round(max(values), 1) if values else 0.0,
    }


def status_kb(field: str, pid: int | str = "self") -> int:
    """A ``/proc/<pid>/status`` memory field (VmHWM, VmRSS) in kB; 0 where unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def peak_rss_mb(pid: int | str = "self") -> float:
    return round(status_kb("VmHWM", pid) / 1024, 1)


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process under it (a server's worker processes); [] once it is gone."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        tasks = Path(f"/proc/{current}/task")
        try:
            children = [int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split()]
        except OSError:
            continue
        found.append(current)
        pending.extend(children)
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far (exited ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def reset_peak_rss() -> bool:
    """Restart the process's peak-RSS counter so each phase reports its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: the figures are only as quiet as the machine."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# The targets, each checked against the figure of the same run.
ASK_RATIO_P95_MAX = 2.0  # ask p95 within 2x one query embedding plus one raw vector query
COLD_START_MAX_S = 3.0
ONNX_SPEEDUP_MIN = 2.0  # the ONNX backend's bare ingest rate over PyTorch's
API_P95_MAX_MS = 500.0


def _target(name: str, figure: float | None, ok: bool | None, load: list[float]) -> dict:
    return {"target": name, "figure": figure, "met": ok, "load_average": load}


def targets(figures: dict, load_now: list[float]) -> list[dict]:
    """Each target next to its figure and the load average it was measured under; a phase
    that did not run has no row."""
    rows: list[dict] = []
    ask = figures.get("ask") or {}
    for size, run in ask.items():
        if isinstance(run, dict) and "ratio_p95" in run:
            ratio = run["ratio_p95"]
            load = run.get("load_average_after", load_now)
            rows.append(
                _target(
                    f"ask p95 / irreducible p95 <= {ASK_RATIO_P95_MAX} @ {size} chunks",
                    ratio,
                    ratio <= ASK_RATIO_P95_MAX,
                    load,
                )
            )
    cold = ask.get("cold_start") if isinstance(ask.get("cold_start"), dict) else None
    if cold and cold.get("cold_start_s"):
        median = statistics.median(cold["cold_start_s"])
        ok = median <= COLD_START_MAX_S and not any(cold.get("exit", []))
        rows.append(
            _target(
                f"cold `auditprep ask` <= {COLD_START_MAX_S} s (median)", median, ok, cold.get("load_average", load_now)
            )
        )
    backends = (figures.get("ingest") or {}).get("backends") or {}
    if "onnx_speedup" in backends:
        load = figures["ingest"].get("load_average_after", load_now)
        rows.append(
            _target(
                f"ONNX bare ingest rate >= {ONNX_SPEEDUP_MIN}x PyTorch (wall)",
                backends["onnx_speedup"],
                backends["onnx_speedup"] >= ONNX_SPEEDUP_MIN,
                load,
            )
        )
        rows.append(
            _target(
                f"ONNX bare ingest rate >= {ONNX_SPEEDUP_MIN}x PyTorch (CPU time)",
                backends["onnx_speedup_cpu"],
                backends["onnx_speedup_cpu"] >= ONNX_SPEEDUP_MIN,
                load,
            )
        )
    api = figures.get("api") or {}
    if "p95_ms" in api:
        rows.append(
            _target(
                f"API /v1/ask p95 <= {API_P95_MAX_MS:.0f} ms ({api.get('clients')} clients)",
                api["p95_ms"],
                api["p95_ms"] <= API_P95_MAX_MS and not api.get("errors"),
                api.get("load_average_after", load_now),
            )
        )
    return rows
