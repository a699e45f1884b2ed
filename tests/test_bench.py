"""The benchmarks' pure helpers (the benchmarks themselves are never run as tests)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from evals.bench_stats import (
    cpu_seconds,
    load_average,
    peak_rss_mb,
    percentile,
    process_tree,
    summarize_ms,
    targets,
)


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


def test_a_servers_worker_processes_and_their_cpu_time_are_counted():
    """The API load run sums CPU time over the server and its workers."""
    import os
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; sum(range(3_000_000)); time.sleep(30)"])
    try:
        tree = process_tree(os.getpid())
        assert tree[0] == os.getpid() and child.pid in tree
        deadline = time.monotonic() + 20
        while cpu_seconds([child.pid]) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cpu_seconds([child.pid]) > 0
        assert cpu_seconds(tree) >= cpu_seconds([os.getpid()]) + cpu_seconds([child.pid]) - 0.05
    finally:
        child.kill()
        child.wait()
    assert child.pid not in process_tree(os.getpid())
    assert process_tree(2**22 + 12345) == [] and cpu_seconds([2**22 + 12345]) == 0.0


def test_targets_sit_next_to_their_figures_and_load():
    figures = {
        "ask": {
            "note": "synthetic",
            "10000": {"ratio_p95": 1.8, "load_average_after": [1.0, 1.0, 1.0]},
            "100000": {"ratio_p95": 2.4, "load_average_after": [2.0, 2.0, 2.0]},
            "cold_start": {"cold_start_s": [4.1, 2.5, 2.9], "exit": [0, 0, 0], "load_average": [0.5, 0.5, 0.5]},
        },
        "ingest": {
            "backends": {"onnx_speedup": 2.6, "onnx_speedup_cpu": 1.9},
            "load_average_after": [3.0, 3.0, 3.0],
        },
        "api": {"p95_ms": 480.0, "errors": 2, "clients": 20, "load_average_after": [4.0, 4.0, 4.0]},
    }
    rows = {r["target"].split(" <=")[0].split(" >=")[0]: r for r in targets(figures, [9.0, 9.0, 9.0])}
    by_figure = [(r["figure"], r["met"], r["load_average"]) for r in targets(figures, [9.0, 9.0, 9.0])]
    assert (1.8, True, [1.0, 1.0, 1.0]) in by_figure
    assert (2.4, False, [2.0, 2.0, 2.0]) in by_figure
    assert (2.9, True, [0.5, 0.5, 0.5]) in by_figure  # the median run, not the first (cold disk)
    assert (2.6, True, [3.0, 3.0, 3.0]) in by_figure and (1.9, False, [3.0, 3.0, 3.0]) in by_figure
    assert rows["API /v1/ask p95"]["met"] is False  # under the latency target, but requests failed


def test_targets_of_phases_that_did_not_run_are_absent():
    assert targets({"ingest": {"backends": {"note": "no export"}}}, [1.0]) == []


def test_the_cold_start_figure_is_the_median_of_an_even_number_of_runs():
    figures = {"ask": {"cold_start": {"cold_start_s": [28.0, 2.0], "exit": [0, 0], "load_average": [1.0]}}}
    (row,) = targets(figures, [1.0])
    assert row["figure"] == 15.0 and row["met"] is False
