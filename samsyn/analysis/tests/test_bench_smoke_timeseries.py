"""Smoke test of the time-series benchmark: structure and correctness, never timings."""

import bench.bench_analytics_timeseries as bench

KEYS = {
    "benchmark",
    "ours_s",
    "reference",
    "reference_s",
    "ratio",
    "target",
    "ok",
    "note",
}


def test_it_runs_the_quick_benchmark_and_agrees_with_the_references():
    rows = bench.run(quick=True)
    assert len(rows) == 4
    for row in rows:
        assert KEYS <= set(row)
        assert isinstance(row["benchmark"], str) and row["benchmark"]
        assert row["ours_s"] > 0
        assert isinstance(row["ok"], bool)
        assert row["correct"] is True, row
        if row["reference_s"] is not None:
            assert row["ratio"] is not None
