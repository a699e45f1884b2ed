"""Small pure helpers shared by the benchmarks: percentiles, memory and machine load."""

from __future__ import annotations

import math
import os
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
