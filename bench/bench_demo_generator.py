"""Benchmark: the demo-data generator against drawing uniform points in a bounding box.

The reference is the least work that produces the same number of coordinates
(numpy uniform draws in the kommun's SWEREF 99 TM bounding box), so the ratio shows
the generator's overhead for rhythms, polygons, planted truths and attributes.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from samsyn.demo.generator import generate, load_deso

DESO_PATH = Path(__file__).resolve().parents[1] / "data" / "orebro-deso.geojson"
END = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


def _best(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(quick: bool = False) -> list[dict]:
    """Time ``generate`` for 1,000,000 reports (quick: 100,000)."""
    n = 100_000 if quick else 1_000_000
    repeats = 2 if quick else 3
    deso = load_deso(DESO_PATH)
    x0 = min(a.geom_sweref.bounds[0] for a in deso)
    y0 = min(a.geom_sweref.bounds[1] for a in deso)
    x1 = max(a.geom_sweref.bounds[2] for a in deso)
    y1 = max(a.geom_sweref.bounds[3] for a in deso)
    result: dict = {}

    def ours() -> None:
        result["data"] = generate(deso, seed=2026, n_reports=n, end=END)

    def reference() -> None:
        rng = np.random.default_rng(2026)
        rng.uniform(x0, x1, n)
        rng.uniform(y0, y1, n)

    ours_s = _best(ours, repeats)
    ref_s = _best(reference, repeats)
    n_out = len(result["data"].reports)
    return [
        {
            "benchmark": f"demo generator, {n:,} reports",
            "ours_s": round(ours_s, 4),
            "reference": "numpy uniform x/y in the kommun bounding box",
            "reference_s": round(ref_s, 4),
            "ratio": round(ours_s / ref_s, 1),
            "target": "1M reports < 30 s",
            "ok": bool(ours_s < (3.0 if quick else 30.0)),
            "note": f"{n_out:,} reports generated; quick target scaled to 3 s",
        }
    ]


if __name__ == "__main__":
    for row in run(quick=True):
        print(row)
