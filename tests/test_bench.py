"""The benchmarks' pure helpers (the benchmarks themselves are never run as tests)."""

from __future__ import annotations

import numpy as np
import pytest

from evals.bench_stats import load_average, peak_rss_mb, percentile, summarize_ms


@pytest.mark.parametrize("q", [0, 5, 25, 50, 90, 95, 99, 100])
def test_percentile_matches_numpy_linear_interpolation(q: float):
    values = [12.0, 3.5, 7.25, 100.0, 41.0, 41.0, 0.5, 19.0, 8.0, 64.0, 2.0]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_edges():
    assert percentile([], 95) == 0.0
    assert percentile([4.0], 95) == 4.0
    assert percentile([1.0, 2.0], 50) == 1.5
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_of_latencies():
    summary = summarize_ms([float(x) for x in range(1, 101)])
    assert summary == {"p50_ms": 50.5, "p95_ms": 95.0, "max_ms": 100.0}
    assert summarize_ms([]) == {"p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0}


def test_memory_and_load_readings_are_numbers():
    assert peak_rss_mb() > 0
    assert peak_rss_mb(pid=2**22 + 12345) == 0.0  # no such process: no figure, no error
    assert len(load_average()) in (0, 3)
