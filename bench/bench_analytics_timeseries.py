"""Benchmarks: weekly deviations, Knox near-repeat test, area prioritisation.

``run(quick)`` returns one dict per comparison (keys in bench/README.md), plus a
``correct`` key: whether our result matched the reference on the same data (the
smoke test checks that, never timings). Best of 3, same process, synthetic data
with fixed seeds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
from scipy import stats

from samsyn.analysis.stats.deviations import (
    control_charts,
    iso_week_calendar,
    seasonal_anchors,
    weekly_deviations,
)
from samsyn.analysis.stats.nearrepeat import knox_test
from samsyn.analysis.stats.priority import prioritise


def _best(fn: Callable[[], Any], repeats: int = 3) -> tuple[float, Any]:
    best = float("inf")
    out: Any = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _row(
    benchmark: str,
    ours_s: float,
    reference: str | None,
    reference_s: float | None,
    target: str,
    ok: bool,
    correct: bool,
    note: str,
) -> dict[str, Any]:
    return {
        "benchmark": benchmark,
        "ours_s": round(ours_s, 4),
        "reference": reference,
        "reference_s": None if reference_s is None else round(reference_s, 4),
        "ratio": None if not reference_s else round(ours_s / reference_s, 5),
        "target": target,
        "ok": bool(ok),
        "correct": bool(correct),
        "note": note,
    }


# --------------------------------------------------------------------------- data


def _weekly_counts(n_series: int, n_weeks: int, seed: int) -> np.ndarray:
    """Over-dispersed seasonal weekly counts (gamma-Poisson), int32."""
    rng = np.random.default_rng(seed)
    level = rng.gamma(0.8, 2.5, n_series)
    season = 1.0 + 0.3 * np.sin(2 * np.pi * np.arange(n_weeks) / 52.18)
    lam = level[:, None] * season[None, :] * rng.gamma(4.0, 0.25, (n_series, n_weeks))
    return rng.poisson(lam).astype(np.int32)


def _reference_limits(
    counts: np.ndarray, cols: np.ndarray, t: int, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-series Python loop with scipy.stats scalar calls (no down-weighting)."""
    n = counts.shape[0]
    upper = np.empty(n)
    p = np.empty(n)
    for s in range(n):
        base = counts[s, cols].astype(float)
        m = base.mean()
        v = base.var(ddof=1)
        mu = max(m, 0.5)
        y = counts[s, t]
        if v > mu * (1 + 1e-9):
            r = mu * mu / (v - mu)
            dist = stats.nbinom(r, r / (r + mu))
        else:
            dist = stats.poisson(mu)
        upper[s] = dist.ppf(1 - alpha)
        p[s] = dist.sf(y - 1)
    return upper, p


def _clustered_events(n: int, seed: int) -> tuple[np.ndarray, ...]:
    """Events in a 20 x 20 km area over a year, clustered, with near repeats."""
    rng = np.random.default_rng(seed)
    n_parent = int(n * 0.7)
    centres = rng.uniform(0, 20_000, (max(n // 40, 1), 2))
    which = rng.integers(0, len(centres), n_parent)
    xy = centres[which] + rng.normal(0, 400, (n_parent, 2))
    t = rng.uniform(0, 365, n_parent)
    n_child = n - n_parent
    parent = rng.integers(0, n_parent, n_child)
    xy_c = xy[parent] + rng.normal(0, 80, (n_child, 2))
    t_c = t[parent] + rng.exponential(5.0, n_child)
    x = np.concatenate([xy[:, 0], xy_c[:, 0]])
    y = np.concatenate([xy[:, 1], xy_c[:, 1]])
    return x, y, np.concatenate([t, t_c])


def _naive_close_count(
    x: np.ndarray, y: np.ndarray, t: np.ndarray, s: float, d: float, chunk: int = 1000
) -> int:
    """Brute force: full distance matrix in row chunks, pairs i < j."""
    n = x.size
    total = 0
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        dx = x[a:b, None] - x[None, :]
        dy = y[a:b, None] - y[None, :]
        close = (dx * dx + dy * dy <= s * s) & (np.abs(t[a:b, None] - t[None, :]) <= d)
        upper = np.arange(a, b)[:, None] < np.arange(n)[None, :]
        total += int((close & upper).sum())
    return total


# --------------------------------------------------------------------------- run


def run(quick: bool = False) -> list[dict[str, Any]]:
    """Run the three benchmarks; ``quick`` uses ~10x smaller inputs."""
    rows: list[dict[str, Any]] = []

    # (1) weekly deviation limits + EWMA/CUSUM ------------------------------
    n_series = 12_000 if quick else 120_000
    n_weeks = 156
    sub = 100 if quick else 1_000
    counts = _weekly_counts(n_series, n_weeks, seed=11)
    yr, wk = iso_week_calendar(date(2023, 1, 2), n_weeks)
    t = n_weeks - 1

    t_dev, dev = _best(lambda: weekly_deviations(counts, t, iso_year=yr, iso_week=wk))
    t_cc, _ = _best(lambda: control_charts(counts))
    # Reference: per-series loop on a subsample, same baseline columns, no
    # down-weighting (compare against ours with down-weighting off).
    anc = seasonal_anchors(yr, wk, t, 3)
    cols = np.array(
        sorted({int(a + d) for a in anc if a >= 0 for d in range(-3, 4) if a + d < t})
    )
    t0 = time.perf_counter()
    ref_upper, ref_p = _reference_limits(counts[:sub], cols, t, 0.01)
    t_ref_sub = time.perf_counter() - t0
    t_ref = t_ref_sub * n_series / sub
    plain = weekly_deviations(
        counts[:sub], t, iso_year=yr, iso_week=wk, downweight_outbreaks=False
    )
    same = bool(
        np.array_equal(plain.upper, ref_upper) and np.allclose(plain.p_value, ref_p)
    )
    rows.append(
        _row(
            f"weekly deviation limits (NB/Poisson, seasonal baseline), "
            f"{n_series:,} series x {n_weeks} weeks",
            t_dev,
            f"per-series Python loop with scipy.stats on {sub:,} series, "
            f"extrapolated x{n_series // sub}",
            t_ref,
            "ratio <= 0.05 (>= 20x faster)",
            t_dev / t_ref <= 0.05 and same,
            same,
            f"speed-up {t_ref / t_dev:.0f}x; flagged {int(dev.flag.sum())} "
            f"({dev.flag.mean():.4f}); reference limits and p identical on the "
            f"subsample: {same}",
        )
    )
    total = t_dev + t_cc
    rows.append(
        _row(
            f"weekly picture total: deviation limits + EWMA + CUSUM, "
            f"{n_series:,} series x {n_weeks} weeks",
            total,
            None,
            None,
            "< 2 s absolute",
            total < 2.0,
            True,
            f"limits {t_dev:.3f} s + control charts {t_cc:.3f} s",
        )
    )

    # (2) Knox ----------------------------------------------------------------
    n_events = 1_200 if quick else 12_000
    iterations = 99
    x, y, tt = _clustered_events(n_events, seed=5)
    t_knox, kres = _best(
        lambda: knox_test(
            x,
            y,
            tt,
            [200.0],
            [7.0],
            iterations=iterations,
            seed=1,
            same_location=False,
        )
    )
    t0 = time.perf_counter()
    naive_obs = _naive_close_count(x, y, tt, 200.0, 7.0)
    rng = np.random.default_rng(0)
    _naive_close_count(x, y, tt[rng.permutation(n_events)], 200.0, 7.0)
    t_naive_2 = time.perf_counter() - t0
    t_naive = t_naive_2 / 2 * (iterations + 1)
    same_obs = int(kres.observed[0, 0]) == naive_obs
    rows.append(
        _row(
            f"Knox test, {n_events:,} clustered events over a year, 200 m / 7 days, "
            f"{iterations} permutations",
            t_knox,
            "naive per-permutation full recount (chunked distance matrix), "
            f"2 recounts timed, extrapolated to {iterations + 1}",
            t_naive,
            "ratio <= 0.02 (>= 50x faster)",
            t_knox / t_naive <= 0.02 and same_obs,
            same_obs,
            f"observed close pairs {int(kres.observed[0, 0])} (naive {naive_obs}); "
            f"Knox ratio {kres.ratio[0, 0]:.2f}, p {kres.p_value[0, 0]:.3f}; "
            f"{kres.n_close_pairs:,} pairs within 200 m; "
            f"speed-up {t_naive / t_knox:.0f}x",
        )
    )

    # (3) priority ------------------------------------------------------------
    n_areas = 600 if quick else 6_000
    rng = np.random.default_rng(3)
    police = rng.poisson(20, n_areas).astype(float)
    police[rng.random(n_areas) < 0.2] = np.nan
    pop = rng.integers(700, 2700, n_areas).astype(float)
    pop[rng.random(n_areas) < 0.05] = np.nan
    kw = {
        "harm": rng.gamma(2.0, 20.0, n_areas),
        "trend": rng.uniform(-1, 1, n_areas),
        "deviation_weeks": rng.poisson(1.0, n_areas).astype(float),
        "police_crimes": police,
        "population": pop,
        "active_partners": rng.integers(0, 6, n_areas).astype(float),
        "open_interventions": rng.integers(0, 4, n_areas).astype(float),
        "extra": {"lighting_owner_engaged": rng.integers(0, 2, n_areas)},
    }
    t_pri, pres = _best(lambda: prioritise(**kw))
    ranks_ok = bool(
        np.array_equal(
            np.sort(pres.rank[~np.isnan(pres.rank)]).astype(int)[:1], np.array([1])
        )
        and np.all(np.isnan(pres.scores["police_crimes"]) == np.isnan(police))
    )
    rows.append(
        _row(
            f"area prioritisation (need x ability, rank scores), {n_areas:,} areas",
            t_pri,
            None,
            None,
            "< 0.1 s absolute",
            t_pri < 0.1,
            ranks_ok,
            "trivial; missing police data kept as missing",
        )
    )
    return rows


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
