import bench.bench_analytics_hotspots as b

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


def test_it_runs_the_quick_benchmark_and_results_agree():
    rows = b.run(quick=True)
    assert len(rows) == 5
    for row in rows:
        assert set(row) == KEYS
        assert row["ours_s"] > 0
    notes = " ".join(r["note"] for r in rows)
    assert notes.count("equal=True") == 3
    assert "MK equals loop: True" in notes
