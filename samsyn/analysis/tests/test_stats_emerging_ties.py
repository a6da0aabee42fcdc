"""Emerging hot spots keep exact ties: z-scores that are equal in exact arithmetic
are equal, so Mann-Kendall does not count rounding noise as rises and falls.

The reference is computed on raw neighbourhood sums: esda's Gi* (binary weights,
``transform='B'``, star) on the space-time weights, Benjamini-Hochberg from scipy
and the textbook Mann-Kendall with the tie-corrected variance.
"""

from __future__ import annotations

import warnings

import esda
import libpysal
import numpy as np
import scipy.sparse as sp
from scipy import stats

from samsyn.analysis.stats.emerging import (
    EhsaCategory,
    classify_ehsa,
    emerging_hotspots,
    space_time_gistar,
)


def space_time_weights(steps: int, ny: int, nx: int) -> sp.csr_matrix:
    """Binary weights of bin (t, i, j): the 3 x 3 cells around (i, j), itself
    included, in step t and step t - 1 (ArcGIS's default time lag of one step)."""
    idx = np.arange(steps * ny * nx).reshape(steps, ny, nx)
    rows, cols = [], []
    for dt in (0, 1):
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                a = idx[dt:, max(0, dy) : ny + min(0, dy), max(0, dx) : nx + min(0, dx)]
                b = idx[
                    : steps - dt,
                    max(0, -dy) : ny + min(0, -dy),
                    max(0, -dx) : nx + min(0, -dx),
                ]
                rows.append(a.ravel())
                cols.append(b.ravel())
    i, j = np.concatenate(rows), np.concatenate(cols)
    n = steps * ny * nx
    return sp.csr_matrix((np.ones(i.size), (i, j)), shape=(n, n))


def esda_space_time_z(cube: np.ndarray) -> np.ndarray:
    T, ny, nx = cube.shape
    w = libpysal.weights.WSP(space_time_weights(T, ny, nx)).to_W(silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(cube.ravel(), w, transform="B", star=True, permutations=0)
    return np.asarray(g.Zs).reshape(T, ny, nx)


def mann_kendall_textbook(x: list[float]) -> tuple[int, float]:
    """(S, two-sided p) with the tie-corrected variance (Kendall 1975)."""
    T = len(x)
    s = sum((x[j] > x[i]) - (x[j] < x[i]) for i in range(T) for j in range(i + 1, T))
    var = T * (T - 1) * (2 * T + 5)
    for v in set(x):
        t = x.count(v)
        var -= t * (t - 1) * (2 * t + 5)
    var /= 18
    z = 0.0 if var == 0 else (s - np.sign(s)) / np.sqrt(var)
    return s, float(2 * stats.norm.sf(abs(z)))


def reference_classes(cube: np.ndarray, alpha: float = 0.10) -> tuple[list, list]:
    T = cube.shape[0]
    z = esda_space_time_z(cube)
    p = 2 * stats.norm.sf(np.abs(z))
    sig = stats.false_discovery_control(p.ravel(), method="bh").reshape(p.shape)
    sig = sig <= alpha
    zs = z.reshape(T, -1).T
    sg = sig.reshape(T, -1).T
    mk = [mann_kendall_textbook(row.tolist()) for row in zs]
    s = [m[0] for m in mk]
    tp = np.array([m[1] for m in mk])
    tz = np.array([float(np.sign(v)) for v in s])  # only the sign is used
    cat = classify_ehsa(sg & (zs > 0), sg & (zs < 0), tz, tp)
    return s, cat.tolist()


CENTRES = [(2, 2), (2, 7), (2, 12), (7, 2), (7, 12), (12, 2), (12, 7), (12, 12)]


def tied_cube(seed: int = 15, steps: int = 48) -> np.ndarray:
    """Poisson background and 3 x 3 hot blocks whose nine counts are shuffled every
    month. A block's total (the centre's neighbourhood sum) stays the same, or drops
    by one in some of the last months, so the centre's exact z series is mostly
    ties; only the order in which the terms are added changes from month to month.
    """
    rng = np.random.default_rng(seed)
    cube = rng.poisson(1.0, (steps, 16, 16)).astype(float)
    for k, (cy, cx) in enumerate(CENTRES):
        base = np.array([3, 4, 5, 7, 9, 10, 11, 13, 17], dtype=float) + k
        for t in range(steps):
            v = base.copy()
            v[0] -= (t * rng.integers(0, 2)) // 40
            cube[t, cy - 1 : cy + 2, cx - 1 : cx + 2] = rng.permutation(v).reshape(3, 3)
    return cube


def test_it_classes_cells_one_for_one_like_a_reference_on_raw_sums():
    cube = tied_cube()
    res = emerging_hotspots(cube)
    ref_s, ref_cat = reference_classes(cube)
    assert res.trend.s.astype(int).tolist() == ref_s
    assert res.category.ravel().tolist() == ref_cat
    # Hot in all 48 months without a significant trend; rounding noise in the
    # centred sums used to make these two "diminishing".
    for cy, cx in [(2, 2), (7, 12)]:
        assert res.gi.significant[:, cy, cx].all()
        assert res.trend.p[cy * 16 + cx] > 0.05
        assert res.category[cy, cx] == EhsaCategory.PERSISTENT_HOT


def test_it_keeps_ties_on_real_like_counts_inside_a_study_area():
    rng = np.random.default_rng(5)
    T, ny, nx = 24, 10, 11
    cube = rng.poisson(1.3, (T, ny, nx)).astype(float)
    cube[:, 4:7, 4:7] += 6
    mask = np.ones((ny, nx), dtype=bool)
    mask[0, :3] = False
    cube[:, ~mask] = 0.0
    res = space_time_gistar(cube, mask=mask)
    # Bins with the same raw neighbourhood sum and the same number of neighbours
    # have bit-for-bit the same z.
    w = space_time_weights(T, ny, nx)
    keep = np.broadcast_to(mask, cube.shape).ravel()
    w = w[keep][:, keep]
    lag = w @ cube.ravel()[keep]
    W = np.asarray(w.sum(axis=1)).ravel()
    z = res.z.ravel()[keep]
    groups: dict[tuple[float, float], set[float]] = {}
    for key, value in zip(zip(lag.tolist(), W.tolist(), strict=True), z, strict=True):
        groups.setdefault(key, set()).add(float(value))
    assert all(len(v) == 1 for v in groups.values())
