"""Emerging / persistent hot spots on a space-time cube.

Pipeline after ArcGIS Pro "How Emerging Hot Spot Analysis works" (EHSA):

1. Space-time Gi* per bin (location x time step). Neighbours of bin (i, t) are
   the cells in the square spatial neighbourhood of i (radius r, incl. i) in
   step t and in the previous ``time_lag`` steps (default 1); binary weights;
   mean and SD are global over the whole cube (n = cells x steps). Steps before
   the first one do not exist, so early bins have a smaller ``W_i``. Counts are
   summed raw and the mean term subtracted afterwards, so bins whose sums are
   equal in exact arithmetic get equal z-scores and stay ties in step 3.
2. Benjamini-Hochberg FDR over all bins of the cube.
3. Mann-Kendall trend test per location on the series of Gi* z-scores (and,
   reported separately, on the raw counts).
4. Classification into 8 hot + 8 cold categories (ANALYTICS.md 1.4), or the
   simpler sfhotspot classes (Ashby, R ``sfhotspot::hotspot_classify``).

References: Ord & Getis (1995); Mann (1945) Econometrica 13:245-259; Kendall
(1975) Rank Correlation Methods (tie-corrected variance); ArcGIS Pro
"Emerging Hot Spot Analysis"; R sfdep ``emerging_hotspot_analysis`` (cross
check only); R sfhotspot ``hotspot_classify`` / ``hotspot_classify_params``.

Cube layout: ``(T, ny, nx)`` rasters (step first). :func:`cube_to_stack`
converts the ``(n_cells, T)`` slice of :meth:`Grid.cube`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samsyn.analysis.stats.hotspots import (
    GiStarResult,
    _centre_or_raw,
    _finish,
    _window_counts,
    _window_sum_axis,
    box_sum,
    exact_sums,
    gistar_grid,
    two_sided_p,
)

__all__ = [
    "EhsaCategory",
    "EhsaResult",
    "MannKendallResult",
    "SfhotspotCategory",
    "classify_ehsa",
    "classify_sfhotspot",
    "cube_to_stack",
    "emerging_hotspots",
    "mann_kendall",
    "sfhotspot_hotspots",
    "space_time_gistar",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class EhsaCategory(IntEnum):
    """EHSA pattern; store the int (int8), show ``code`` translated."""

    NO_PATTERN = 0
    NEW_HOT = 1
    CONSECUTIVE_HOT = 2
    INTENSIFYING_HOT = 3
    PERSISTENT_HOT = 4
    DIMINISHING_HOT = 5
    SPORADIC_HOT = 6
    OSCILLATING_HOT = 7
    HISTORICAL_HOT = 8
    NEW_COLD = -1
    CONSECUTIVE_COLD = -2
    INTENSIFYING_COLD = -3
    PERSISTENT_COLD = -4
    DIMINISHING_COLD = -5
    SPORADIC_COLD = -6
    OSCILLATING_COLD = -7
    HISTORICAL_COLD = -8

    @property
    def code(self) -> str:
        """Stable string code, e.g. ``"new_hot"``, ``"no_pattern"``."""
        return self.name.lower()


class SfhotspotCategory(IntEnum):
    """sfhotspot-style class; ``code`` e.g. ``"persistent_cold"``."""

    NO_PATTERN = 0
    PERSISTENT_HOT = 1
    EMERGING_HOT = 2
    FORMER_HOT = 3
    INTERMITTENT_HOT = 4
    PERSISTENT_COLD = -1
    EMERGING_COLD = -2
    FORMER_COLD = -3
    INTERMITTENT_COLD = -4
    MIXED = 9

    @property
    def code(self) -> str:
        return self.name.lower()


def cube_to_stack(cube_cells_steps: ArrayLike, ny: int, nx: int) -> FloatArray:
    """``(n_cells, T)`` (flat cell index ``iy * nx + ix``) -> ``(T, ny, nx)``."""
    a = np.asarray(cube_cells_steps, dtype=np.float64)
    return np.ascontiguousarray(a.T).reshape(a.shape[1], ny, nx)


# --------------------------------------------------------------- space-time Gi*
def space_time_gistar(
    cube: ArrayLike,
    radius: int = 1,
    time_lag: int = 1,
    alpha: float = 0.10,
    fdr: bool = True,
    mask: ArrayLike | None = None,
) -> GiStarResult:
    """Space-time Gi* on a ``(T, ny, nx)`` cube of counts.

    Args:
        cube: values per (step, row, column).
        radius: spatial square neighbourhood half-width in cells (1 = 3 x 3).
        time_lag: number of previous steps whose same neighbourhood is included
            (ArcGIS "Neighborhood Time Step", default 1).
        alpha: level for ``significant`` (BH over the whole cube when ``fdr``).
            EHSA counts a bin as a hot/cold spot at 90 % confidence.
        fdr: apply Benjamini-Hochberg over all bins.
        mask: optional boolean ``(ny, nx)`` study area. Cells outside are not
            features: they add nothing to the mean, SD or any neighbourhood and
            get z = NaN. Without it, empty countryside in the bounding box lowers
            the mean and makes every busy cell look hot.

    Returns:
        :class:`GiStarResult` with arrays of shape ``(T, ny, nx)``.
    """
    x = np.asarray(cube, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError("cube must be (T, ny, nx)")
    T, ny, nx = x.shape
    m = None if mask is None else np.asarray(mask, dtype=bool)
    if m is not None and m.shape != (ny, nx):
        raise ValueError("mask must have the shape (ny, nx) of one time step")
    valid = None if m is None else np.broadcast_to(m, x.shape)
    n = x.size if m is None else int(m.sum()) * T
    desc = f"square r={radius} + self, time lag {time_lag}"
    if n == 0:
        z = np.zeros(x.shape)
        return _finish(z, z.copy(), None, 0, 0.0, True, valid, alpha, fdr, desc, 0.0)
    xin = x if m is None else x[:, m]
    mean = float(xin.mean())
    constant = bool(xin.max() == xin.min())
    # Counts are summed raw and the mean term taken off afterwards, so bins with
    # the same neighbourhood sum and weight get the same z bit for bit and
    # Mann-Kendall sees their ties (hotspots module doc).
    raw = exact_sums(xin)
    y, sd = _centre_or_raw(x, mean, valid, raw)
    tmp = np.empty_like(y)
    _window_sum_axis(y, tmp, radius, 1)
    _window_sum_axis(tmp, y, radius, 2)  # y now holds the spatial lag
    # backward window over time: lag_t = sum_{s=t-L}^{t} spatial_s
    np.copyto(tmp, y)
    for s in range(1, min(time_lag, T - 1) + 1):
        tmp[s:] += y[:-s]
    steps = (np.minimum(np.arange(T), time_lag) + 1).astype(np.float64)
    W = y  # reuse buffer
    if m is None:
        space_w = np.multiply.outer(
            _window_counts(ny, radius), _window_counts(nx, radius)
        )
    else:
        space_w = box_sum(m.astype(np.float64), radius)
    np.multiply.outer(steps, space_w, out=W)
    if raw:
        tmp -= mean * W
    return _finish(tmp, W, None, n, sd, constant, valid, alpha, fdr, desc, mean)


# ---------------------------------------------------------------- Mann-Kendall
@dataclass(frozen=True, eq=False)
class MannKendallResult:
    """Mann-Kendall per series. ``s`` = S statistic, ``var_s`` tie-corrected
    Var(S), ``z`` with continuity correction, ``p`` two-sided, ``tau`` =
    S / (T(T-1)/2) (Kendall's tau-a)."""

    s: FloatArray
    var_s: FloatArray
    z: FloatArray
    p: FloatArray
    tau: FloatArray


def mann_kendall(
    series: ArrayLike, max_chunk_bytes: int = 64 * 2**20
) -> MannKendallResult:
    """Vectorised Mann-Kendall trend test over many series.

    Args:
        series: ``(n_series, T)`` finite values, time along axis 1.
        max_chunk_bytes: rows are processed in chunks so the ``rows x T``
            float64 temporaries stay below this size.

    ``S = sum_{i<j} sign(x_j - x_i)``;
    ``Var(S) = [T(T-1)(2T+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18`` (t_g = size of
    tie group g); ``Z = (S - sign(S)) / sqrt(Var(S))`` (0 if Var = 0);
    ``p = 2(1 - Phi(|Z|))``. Cost O(n T^2 / 2) sign operations.
    """
    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    n, T = x.shape
    S = np.zeros(n)
    tie = np.zeros(n)
    # Work time-major on column blocks: every pairwise step is then a
    # contiguous (rows x block) subtract/sign/reduce that stays in cache.
    cols = max(1, min(n, 4096, int(max_chunk_bytes // (8 * max(T, 1) * 3))))
    # np.sign is slow; two comparisons into a reused bool buffer and small-int
    # column sums are ~4x faster and exact.
    buf = np.empty((max(T - 1, 1), cols), dtype=np.bool_)
    for a in range(0, n, cols):
        blk = np.ascontiguousarray(x[a : a + cols].T)  # (T, m)
        m = blk.shape[1]
        acc = np.zeros(m, dtype=np.int64)
        for i in range(T - 1):
            d = buf[: T - 1 - i, :m]
            np.greater(blk[i + 1 :], blk[i], out=d)
            acc += np.add.reduce(d, axis=0, dtype=np.int32)
            np.less(blk[i + 1 :], blk[i], out=d)
            acc -= np.add.reduce(d, axis=0, dtype=np.int32)
        S[a : a + m] = acc
        if T > 1:
            xs = np.sort(blk, axis=0).T  # (m, T), sorted along time
            start = np.ones((m, T), dtype=bool)
            start[:, 1:] = xs[:, 1:] != xs[:, :-1]
            if start.all():
                continue  # no ties in this block
            flat_start = np.flatnonzero(start.ravel())
            sizes = np.diff(np.append(flat_start, m * T)).astype(np.float64)
            term = sizes * (sizes - 1.0) * (2.0 * sizes + 5.0)
            tie[a : a + m] = np.bincount(flat_start // T, weights=term, minlength=m)
    var = (T * (T - 1) * (2 * T + 5) - tie) / 18.0
    z = np.zeros(n)
    good = var > 0
    np.divide(S - np.sign(S), np.sqrt(np.where(good, var, 1.0)), out=z, where=good)
    pairs = T * (T - 1) / 2.0
    tau = S / pairs if pairs > 0 else np.zeros(n)
    return MannKendallResult(S, var, z, two_sided_p(z), tau)


# -------------------------------------------------------------- classification
def _trailing_run(H: BoolArray) -> NDArray[np.int64]:
    rev = H[:, ::-1]
    first_false = np.argmin(rev, axis=1)
    return np.where(rev.all(axis=1), H.shape[1], first_false).astype(np.int64)


def _classify_side(
    H: BoolArray,
    C: BoolArray,
    up: BoolArray,
    down: BoolArray,
    need: int,
) -> NDArray[np.int8]:
    """Hot-side categories 1..8 (0 = none) for locations whose final step is in
    H; ``up``/``down`` = significant trend towards/away from this side."""
    final = H[:, -1]
    cnt = H.sum(axis=1)
    big = cnt >= need
    run = _trailing_run(H)
    new = final & (cnt == 1)
    consecutive = final & ~big & (run >= 2) & (cnt == run)
    cold_ever = C.any(axis=1)
    conds = [
        new,
        consecutive,
        final & big & up,
        final & big & ~up & ~down,
        final & big & down,
        final & ~big & ~cold_ever,
        final & ~big & cold_ever,
        ~final & big,
    ]
    return np.select(conds, list(range(1, 9)), 0).astype(np.int8)


def classify_ehsa(
    hot: ArrayLike,
    cold: ArrayLike,
    trend_z: ArrayLike,
    trend_p: ArrayLike,
    threshold: float = 0.9,
    trend_alpha: float = 0.05,
) -> NDArray[np.int8]:
    """ArcGIS EHSA categories (:class:`EhsaCategory` values) per location.

    Args:
        hot, cold: ``(n, T)`` booleans, significant hot / cold bin per step
            (FDR-significant space-time Gi* at 90 % in the ArcGIS tool).
        trend_z, trend_p: Mann-Kendall Z and p of each location's Gi* z series.
        threshold: share of steps for "most of the time" (Esri: 90 %); a
            location needs ``ceil(threshold * T)`` significant steps.
        trend_alpha: level for a significant trend (Esri does not state it;
            we use 0.05).

    Rules (hot; cold mirror them with hot/cold swapped and the trend sign
    reversed -- an intensifying cold spot has a significantly *decreasing* z):

    * new: hot in the final step only.
    * consecutive: one uninterrupted run of >= 2 hot steps ending in the final
      step, never hot before it, fewer than ``threshold`` of steps hot.
    * intensifying / persistent / diminishing: hot in >= ``threshold`` of
      steps and in the final step, with a significant increase / no significant
      trend / a significant decrease.
    * sporadic: hot in the final step, on-and-off history (not new, not
      consecutive), < threshold hot, never a significant cold spot.
    * oscillating: as sporadic, but cold in some earlier step.
    * historical: not hot in the final step, hot in >= threshold of steps.

    Choices where Esri's text is ambiguous:

    * Precedence follows Esri's order (new, consecutive, intensifying,
      persistent, diminishing, sporadic, oscillating, historical): a location
      hot only in the final step is "new" even if it was cold before.
    * The final step decides the side: final hot -> hot categories, final
      cold -> cold categories (so 9 hot steps then a cold one = oscillating
      cold, not historical hot); historical needs a final step that is neither.
    * Persistent requires a hot final step (Esri's text does not say so, but
      "not hot in the final step and >= 90 %" is its definition of historical).
    * With T = 1 a hot bin is "new".
    """
    H = np.asarray(hot, dtype=bool)
    C = np.asarray(cold, dtype=bool)
    if H.ndim == 1:
        H, C = H[None, :], C[None, :]
    n, T = H.shape
    if T == 0:
        return np.zeros(n, dtype=np.int8)
    tz = np.asarray(trend_z, dtype=np.float64).ravel()
    tp = np.asarray(trend_p, dtype=np.float64).ravel()
    sig = tp <= trend_alpha
    need = max(1, math.ceil(threshold * T - 1e-9))
    hot_cat = _classify_side(H, C, sig & (tz > 0), sig & (tz < 0), need)
    cold_cat = _classify_side(C, H, sig & (tz < 0), sig & (tz > 0), need)
    out = np.where(
        H[:, -1],
        hot_cat,
        np.where(C[:, -1], -cold_cat, np.where(hot_cat != 0, hot_cat, -cold_cat)),
    )
    return out.astype(np.int8)


def classify_sfhotspot(
    hot: ArrayLike,
    cold: ArrayLike,
    hotspot_prop: float = 0.1,
    persistent_prop: float = 0.8,
    recent_prop: float = 0.2,
) -> NDArray[np.int8]:
    """sfhotspot-style classes (:class:`SfhotspotCategory` values).

    Per side (hot shown), with ``prop`` = share of all steps significant,
    ``recent`` = share of the last ``floor(recent_prop * T)`` steps (at least
    1, leaving at least one older step) and ``older`` = share of the others:

    * persistent: ``prop >= persistent_prop``
    * emerging: ``older < hotspot_prop`` and ``recent >= recent_prop``
    * former: ``older >= hotspot_prop`` and ``recent < hotspot_prop``
    * intermittent: ``prop >= hotspot_prop``
    * else no pattern; first match wins. A location with a hot and a cold class
      is "mixed".

    Defaults are sfhotspot's ``hotspot_classify_params()``. Deviation: the
    recent window is exactly ``floor(recent_prop * T)`` steps (sfhotspot's code
    takes one extra column into the recent sum).
    """
    H = np.asarray(hot, dtype=bool)
    C = np.asarray(cold, dtype=bool)
    if H.ndim == 1:
        H, C = H[None, :], C[None, :]
    n, T = H.shape
    if T < 2:
        raise ValueError("need at least 2 time steps (one recent, one older)")
    k = max(1, math.floor(recent_prop * T + 1e-9))
    k = min(k, T - 1)

    def side(M: BoolArray) -> NDArray[np.int8]:
        prop = M.sum(axis=1) / T
        recent = M[:, T - k :].sum(axis=1) / k
        older = M[:, : T - k].sum(axis=1) / (T - k)
        conds = [
            prop >= persistent_prop,
            (older < hotspot_prop) & (recent >= recent_prop),
            (older >= hotspot_prop) & (recent < hotspot_prop),
            prop >= hotspot_prop,
        ]
        return np.select(conds, [1, 2, 3, 4], 0).astype(np.int8)

    h, c = side(H), side(C)
    out = np.where(
        (h != 0) & (c != 0), SfhotspotCategory.MIXED, np.where(h != 0, h, -c)
    )
    return out.astype(np.int8)


# -------------------------------------------------------------------- pipelines
@dataclass(frozen=True, eq=False)
class EhsaResult:
    """Emerging hot spot analysis.

    Attributes:
        category: ``(ny, nx)`` int8 :class:`EhsaCategory` values.
        gi: space-time Gi* of the cube (``(T, ny, nx)``).
        trend: Mann-Kendall on each cell's Gi* z series (flat cells).
        count_trend: Mann-Kendall on each cell's raw counts (flat cells).
        threshold, trend_alpha: classification parameters used.
    """

    category: NDArray[np.int8]
    gi: GiStarResult
    trend: MannKendallResult
    count_trend: MannKendallResult
    threshold: float
    trend_alpha: float


def emerging_hotspots(
    cube: ArrayLike,
    radius: int = 1,
    time_lag: int = 1,
    alpha: float = 0.10,
    fdr: bool = True,
    threshold: float = 0.9,
    trend_alpha: float = 0.05,
    mask: ArrayLike | None = None,
) -> EhsaResult:
    """Full EHSA pass on a ``(T, ny, nx)`` count cube (see module doc).

    A bin is a significant hot (cold) spot when it is BH-FDR significant at
    ``alpha`` (default 0.10 = the 90 % Gi_Bin level) with z > 0 (< 0).
    """
    x = np.asarray(cube, dtype=np.float64)
    gi = space_time_gistar(x, radius, time_lag, alpha, fdr, mask=mask)
    T = x.shape[0]
    zs = gi.z.reshape(T, -1).T  # (cells, T); NaN outside the study area
    sig = gi.significant.reshape(T, -1).T
    hot = sig & (zs > 0)
    cold = sig & (zs < 0)
    trend = mann_kendall(np.nan_to_num(zs, nan=0.0))
    count_trend = mann_kendall(x.reshape(T, -1).T)
    cat = classify_ehsa(hot, cold, trend.z, trend.p, threshold, trend_alpha)
    return EhsaResult(
        cat.reshape(x.shape[1:]), gi, trend, count_trend, threshold, trend_alpha
    )


def sfhotspot_hotspots(
    cube: ArrayLike,
    radius: int = 1,
    critical_p: float = 0.05,
    fdr: bool = True,
    hotspot_prop: float = 0.1,
    persistent_prop: float = 0.8,
    recent_prop: float = 0.2,
) -> NDArray[np.int8]:
    """sfhotspot-style classification of a ``(T, ny, nx)`` cube.

    Each step gets its own spatial Gi* (neighbours = adjacent cells + self, as
    sfhotspot's default ``nb_dist = cell_size * sqrt(2)``); a cell is a hot
    (cold) spot in a step when significant at ``critical_p`` (BH over that
    step's cells when ``fdr``; sfhotspot leaves the adjustment method to the
    user) with z > 0 (< 0). Returns ``(ny, nx)`` :class:`SfhotspotCategory`.
    """
    x = np.asarray(cube, dtype=np.float64)
    T, ny, nx = x.shape
    hot = np.zeros((ny * nx, T), dtype=bool)
    cold = np.zeros((ny * nx, T), dtype=bool)
    for t in range(T):
        r = gistar_grid(x[t], radius, q=critical_p, fdr=fdr)
        s = r.significant.ravel()
        zt = r.z.ravel()
        hot[:, t] = s & (zt > 0)
        cold[:, t] = s & (zt < 0)
    out = classify_sfhotspot(hot, cold, hotspot_prop, persistent_prop, recent_prop)
    return out.reshape(ny, nx)
