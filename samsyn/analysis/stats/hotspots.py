"""Getis-Ord Gi* hot/cold spots with Benjamini-Hochberg FDR.

Statistic (Ord & Getis 1995, eq. 14; ArcGIS Pro "How Hot Spot Analysis works"),
with binary weights that include the cell itself (the "star")::

    Gi*_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n S1_i - W_i^2) / (n - 1)))
    xbar = mean(x), S = sqrt(mean(x^2) - xbar^2)   (population SD, divisor n)
    W_i = sum_j w_ij, S1_i = sum_j w_ij^2           (j runs over i too)

The value is already a z-score; p-values are two-sided from the standard normal.
We use the general S1 term, so non-binary weights give the Ord-Getis variance
(esda's analytic ``Zs`` equal ours only for ``transform='B'``; see
docs ANALYTICS.md 1.1). Counts (whole numbers) are summed raw -- exact in
float64 -- and the mean term ``xbar W_i`` is subtracted afterwards, so features
with the same neighbourhood sum and the same ``W_i`` get bit-for-bit the same z
(emerging hot spots run Mann-Kendall on z series, where a tie must stay a tie).
Other values are centred first, ``sum_j w_ij (x_j - xbar)``, which is
algebraically identical and avoids cancellation when x carries a large offset.

References: Getis & Ord (1992) Geogr. Anal. 24(3):189-206; Ord & Getis (1995)
Geogr. Anal. 27(4):286-306; Benjamini & Hochberg (1995) JRSS B 57(1):289-300;
ArcGIS Pro tool reference "Hot Spot Analysis (Getis-Ord Gi*)" (Gi_Bin field,
FDR applied to the confidence bins only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "BIN_LEVELS",
    "GiStarResult",
    "benjamini_hochberg",
    "bh_threshold",
    "box_sum",
    "confidence_bins",
    "gistar_grid",
    "gistar_sparse",
    "two_sided_p",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: ArcGIS Gi_Bin confidence levels: |bin| = 3, 2, 1 <=> p (FDR-) significant at
#: 0.01, 0.05, 0.10 (99 %, 95 %, 90 % confidence).
BIN_LEVELS: tuple[float, float, float] = (0.10, 0.05, 0.01)

_SQRT1_2 = math.sqrt(0.5)


# --------------------------------------------------------------------- p-values
def two_sided_p(z: ArrayLike) -> FloatArray:
    """Two-sided standard-normal p-value ``2 * (1 - Phi(|z|))`` (NaN stays NaN).

    Uses ``erfc(|z| / sqrt 2)``, which keeps full relative precision for tiny p.
    """
    za = np.asarray(z, dtype=np.float64)
    return special.erfc(np.abs(za) * _SQRT1_2)


# -------------------------------------------------------------------------- FDR
def bh_threshold(p: ArrayLike, q: float, m: int | None = None) -> float:
    """Benjamini-Hochberg critical p-value.

    Sort the ``m`` p-values ascending, find the largest ``k`` with
    ``p_(k) <= k q / m`` and return ``p_(k)``; every p-value ``<=`` the result
    is a discovery. Returns ``-inf`` when nothing is significant (so
    ``p <= threshold`` is all False).

    ``p`` may be any subset that contains *all* p-values ``<= q`` of the full
    family when ``m`` (the full family size) is given: larger p-values can
    never be discoveries, so the ranks of the subset equal their ranks in the
    family. This is what makes FDR on 250k cells cost a sort of ~q*m values.
    NaNs are ignored (they must not be counted in ``m``).
    """
    pa = np.asarray(p, dtype=np.float64).ravel()
    if m is None:
        m = int(np.count_nonzero(~np.isnan(pa)))
    return _bh_threshold_sorted(np.sort(pa[pa <= q]), q, m)


def _bh_threshold_sorted(cand: FloatArray, q: float, m: int) -> float:
    """:func:`bh_threshold` on ascending candidates (any superset of p <= q)."""
    if m == 0 or cand.size == 0:
        return -math.inf
    k = np.arange(1, cand.size + 1, dtype=np.float64)
    ok = np.flatnonzero(cand <= k * (q / m))
    return float(cand[ok[-1]]) if ok.size else -math.inf


def benjamini_hochberg(p: ArrayLike, q: float = 0.05) -> tuple[BoolArray, FloatArray]:
    """Benjamini-Hochberg step-up procedure (Benjamini & Hochberg 1995).

    Args:
        p: p-values (any shape). NaN entries are excluded from the family and
            stay NaN / not significant.
        q: target false discovery rate.

    Returns:
        ``(significant, p_adjusted)`` of the same shape as ``p``.
        ``p_adjusted_(i) = min(1, min_{j >= i} m p_(j) / j)`` (R
        ``p.adjust(method = "BH")``), and ``significant == (p_adjusted <= q)``.
    """
    pa = np.asarray(p, dtype=np.float64)
    flat = pa.ravel()
    valid = ~np.isnan(flat)
    vals = flat[valid] if not valid.all() else flat
    m = vals.size
    adj_full = np.full(flat.shape, np.nan)
    if m:
        order = np.argsort(vals)
        ranked = vals[order] * (m / np.arange(1, m + 1, dtype=np.float64))
        # suffix minimum, computed as a reversed running minimum
        np.minimum.accumulate(ranked[::-1], out=ranked[::-1])
        np.minimum(ranked, 1.0, out=ranked)
        adj = np.empty(m)
        adj[order] = ranked
        adj_full[valid] = adj
    adj_full = adj_full.reshape(pa.shape)
    with np.errstate(invalid="ignore"):
        sig = adj_full <= q
    return sig, adj_full


def confidence_bins(
    z: ArrayLike,
    p: ArrayLike,
    fdr: bool = True,
    levels: tuple[float, float, float] = BIN_LEVELS,
    m: int | None = None,
) -> NDArray[np.int8]:
    """ArcGIS-style ``Gi_Bin`` in ``{-3, ..., 3}``.

    ``|bin|`` is the number of the levels (0.10, 0.05, 0.01) at which the cell is
    significant; the sign is the sign of z. With ``fdr=True`` significance at
    each level is Benjamini-Hochberg at that level over the whole family, as
    the ArcGIS tool's "Apply False Discovery Rate (FDR) Correction" does;
    otherwise ``p <= level``. NaN p-values get bin 0.
    """
    za = np.asarray(z, dtype=np.float64)
    pa = np.asarray(p, dtype=np.float64)
    out = np.zeros(pa.shape, dtype=np.int8)
    pmax = max(levels)
    idx = np.flatnonzero(pa <= pmax)
    if idx.size == 0:
        return out
    ps = pa.ravel()[idx]
    if m is None:
        m = int(np.count_nonzero(~np.isnan(pa)))
    mag = np.zeros(idx.size, dtype=np.int8)
    for level in levels:
        thr = bh_threshold(ps, level, m) if fdr else level
        mag += ps <= thr
    sign = np.sign(za.ravel()[idx]).astype(np.int8)
    out.ravel()[idx] = sign * mag
    return out


# ------------------------------------------------------------------------ result
@dataclass(frozen=True, eq=False)
class GiStarResult:
    """Gi* output; arrays have the input's shape (raster or vector).

    Attributes:
        z: Gi* z-score (NaN outside the study-area mask, 0 when S = 0).
        significant: BH-FDR discovery at ``q`` (or ``p <= q`` if ``fdr`` is off).
        bin: ArcGIS ``Gi_Bin`` (-3..3), FDR-corrected when ``fdr``.
        q: FDR level used for ``significant``.
        fdr: whether FDR was applied to ``significant`` and ``bin``.
        n: number of analysed features.
        mean, sd: mean and population SD of the analysed values.
        weights: description of the neighbourhood, e.g. ``"square r=1 + self"``.
        mask: study-area mask (None = all cells analysed).
        p: two-sided normal p-value per feature (NaN outside the mask, 1 when
            S = 0). Computed on first access and cached: ``significant`` and
            ``bin`` only need the p-values of the few cells with large |z|, and
            the normal tail function on every cell would otherwise be the
            largest cost of the whole pass.
        p_adjusted: BH-adjusted p-values (R ``p.adjust(..., "BH")``), also lazy:
            it needs a full sort of all p-values.
    """

    z: FloatArray
    significant: BoolArray
    bin: NDArray[np.int8]
    q: float
    fdr: bool
    n: int
    mean: float
    sd: float
    weights: str
    mask: BoolArray | None = field(default=None, repr=False)

    @cached_property
    def p(self) -> FloatArray:
        return two_sided_p(self.z)

    @cached_property
    def p_adjusted(self) -> FloatArray:
        return benjamini_hochberg(self.p, self.q)[1]


# --------------------------------------------------------------------- box sums
def _window_sum_axis(src: FloatArray, dst: FloatArray, r: int, axis: int) -> None:
    """``dst = sum of src over +-r along axis`` (zero beyond the edges).

    ``dst`` must not overlap ``src``. Writing into caller-provided buffers keeps
    the number of fresh large allocations (and their page faults) down.
    """
    n = src.shape[axis]
    if r >= 4 and n > 2 * r + 1:
        # cumulative-sum form: O(1) per cell regardless of r
        s = np.moveaxis(src, axis, -1)
        c = np.zeros((*s.shape[:-1], n + 1), dtype=np.float64)
        np.cumsum(s, axis=-1, out=c[..., 1:])
        i = np.arange(n)
        hi = np.minimum(i + r + 1, n)
        lo = np.maximum(i - r, 0)
        np.subtract(c[..., hi], c[..., lo], out=np.moveaxis(dst, axis, -1))
        return
    np.copyto(dst, src)
    d = np.moveaxis(dst, axis, 0)
    a = np.moveaxis(src, axis, 0)
    for sh in range(1, min(r, n - 1) + 1):
        d[sh:] += a[:-sh]
        d[:-sh] += a[sh:]


def box_sum(a: ArrayLike, r: int, out: FloatArray | None = None) -> FloatArray:
    """Sum of each ``(2r+1) x (2r+1)`` square neighbourhood (incl. the centre)
    over the last two axes; cells beyond the raster edge count as zero.

    Separable: one 1-D window sum per axis. For r <= 3 it is 2r shifted
    in-place additions per axis (exact sums of few terms); for larger r a
    cumulative sum (O(1) per cell, tiny rounding relative to row totals).
    ``out`` may be given (must not be ``a``); ``a`` is left unchanged.
    """
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim < 2:
        raise ValueError("box_sum needs at least 2 dimensions")
    if r < 0:
        raise ValueError("radius must be >= 0")
    res = np.empty_like(arr) if out is None else out
    if r == 0:
        np.copyto(res, arr)
        return res
    tmp = np.empty_like(arr)
    _window_sum_axis(arr, tmp, r, arr.ndim - 2)
    _window_sum_axis(tmp, res, r, arr.ndim - 1)
    return res


def _window_counts(n: int, r: int) -> FloatArray:
    """Number of in-range positions in the window of +-r around each index."""
    i = np.arange(n)
    return (np.minimum(i, r) + np.minimum(n - 1 - i, r) + 1).astype(np.float64)


# ------------------------------------------------------------------------- core
def exact_sums(values: FloatArray) -> bool:
    """True when ``values`` are whole numbers whose sums are exact in float64.

    Neighbourhood sums of such values do not depend on the order of addition,
    so equal sums are equal bit for bit.
    """
    if values.size == 0:
        return True
    with np.errstate(invalid="ignore"):
        whole = bool(np.all(np.floor(values) == values))
    return whole and float(np.abs(values).sum()) < 2.0**53


def _centre_or_raw(
    x: FloatArray, mean: float, valid: BoolArray | None, raw: bool
) -> tuple[FloatArray, float]:
    """(values to sum over neighbourhoods, population SD over the features).

    Raw counts (``raw``) are summed as they are and the mean term is taken off
    after the sums (see the module doc); other values are centred first. Values
    outside ``valid`` are zero either way: they are not features.
    """
    y = x - mean if valid is None else np.where(valid, x - mean, 0.0)
    n = y.size if valid is None else int(np.count_nonzero(valid))
    yf = y.ravel()
    sd = float(np.sqrt(np.dot(yf, yf) / n))
    if raw:
        del y, yf  # free the centred copy before making the raw one
        y = x.copy() if valid is None else np.where(valid, x, 0.0)
    return y, sd


def _z_candidates(
    z: FloatArray, pmax: float, scratch: FloatArray
) -> tuple[NDArray[np.intp], FloatArray]:
    """Flat indices and exact p-values of all features with ``p <= pmax``.

    Pre-selects in the z domain (``|z| >= z_crit``, with a small safety margin)
    so the normal tail is evaluated on the candidates only. ``scratch`` is a
    buffer of z's shape that may be overwritten.
    """
    zc = math.sqrt(2.0) * float(special.erfcinv(pmax)) * (1.0 - 1e-9)
    np.abs(z, out=scratch)
    idx = np.flatnonzero(scratch >= zc)  # NaN compares False
    ps = two_sided_p(z.ravel()[idx])
    keep = ps <= pmax
    if not keep.all():
        idx, ps = idx[keep], ps[keep]
    return idx, ps


def _finish(
    lag_c: FloatArray,
    W: FloatArray,
    S1: FloatArray | None,
    n: int,
    sd: float,
    constant: bool,
    valid: BoolArray | None,
    q: float,
    fdr: bool,
    weights: str,
    mean: float,
) -> GiStarResult:
    """Turn centred lags and weight sums into z, FDR mask and bins.

    Overwrites ``lag_c`` and ``W`` (they are scratch buffers of the caller).
    """
    shape = lag_c.shape
    if constant or n < 2:
        z = np.zeros(shape)
        if valid is not None:
            z[~valid] = np.nan
        sig = np.zeros(shape, dtype=bool)
        return GiStarResult(
            z, sig, np.zeros(shape, np.int8), q, fdr, n, mean, sd, weights, valid
        )
    # var term (n S1 - W^2)/(n-1); S1 = W for binary weights. Computed in place.
    den = W
    if S1 is None:
        np.multiply(den, n - den, out=den)
    else:
        np.multiply(den, den, out=den)
        np.subtract(n * S1, den, out=den)
    den *= (sd * sd) / (n - 1)
    with np.errstate(invalid="ignore"):
        np.sqrt(den, out=den)
    good = den > 0  # W_i == n (all features neighbours) or empty rows: undefined
    z = lag_c
    if good.all():
        np.divide(z, den, out=z)
    else:
        np.divide(z, den, out=z, where=good)
        z[~good] = 0.0
    if valid is not None:
        z[~valid] = np.nan
    levels = (*BIN_LEVELS, q)
    idx, ps = _z_candidates(z, max(levels), den)
    if fdr:
        ps_sorted = np.sort(ps)
        thr = {lv: _bh_threshold_sorted(ps_sorted, lv, n) for lv in levels}
    else:
        thr = {lv: lv for lv in levels}
    mag = np.zeros(idx.size, dtype=np.int8)
    for lv in BIN_LEVELS:
        mag += ps <= thr[lv]
    bins = np.zeros(shape, dtype=np.int8)
    bins.ravel()[idx] = np.sign(z.ravel()[idx]).astype(np.int8) * mag
    sig = np.zeros(shape, dtype=bool)
    sig.ravel()[idx] = ps <= thr[q]
    return GiStarResult(z, sig, bins, q, fdr, n, mean, sd, weights, valid)


def gistar_grid(
    values: ArrayLike,
    radius: int = 1,
    mask: ArrayLike | None = None,
    q: float = 0.05,
    fdr: bool = True,
) -> GiStarResult:
    """Gi* on a raster with a square (queen-type) neighbourhood.

    Args:
        values: ``(ny, nx)`` attribute per cell, e.g. incident counts.
        radius: neighbourhood half-width in cells; ``1`` = queen contiguity plus
            self (3 x 3), ``2`` = 5 x 5, ... Binary weights.
        mask: optional boolean ``(ny, nx)`` study area. Only cells inside are
            features: they define n, mean and SD, and outside cells are neither
            analysed (z = NaN) nor neighbours -- empty cells beyond the study
            area therefore do not dilute the mean.
        q: FDR level for ``significant``.
        fdr: apply Benjamini-Hochberg to ``significant`` and ``bin``.

    Edge cells have the correct smaller ``W_i``: neighbours beyond the raster
    (or outside the mask) do not exist. Equals ``esda.G_Local(x, w,
    transform='B', star=True)``'s ``Zs`` with queen+self lattice weights.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("values must be a 2-D raster")
    ny, nx = x.shape
    desc = f"square r={radius} + self"
    m = None if mask is None else np.asarray(mask, dtype=bool)
    if m is not None and m.shape != x.shape:
        raise ValueError("mask must have the same shape as values")
    n = x.size if m is None else int(m.sum())
    if n == 0:
        z = np.full(x.shape, np.nan)
        return _finish(z, z.copy(), None, 0, 0.0, True, m, q, fdr, desc, math.nan)
    xin = x if m is None else x[m]
    mean = float(xin.mean())
    constant = bool(xin.max() == xin.min())
    raw = exact_sums(xin)
    y, sd = _centre_or_raw(x, mean, m, raw)
    # Two scratch buffers: the window sum goes y -> tmp -> y.
    tmp = np.empty_like(y)
    _window_sum_axis(y, tmp, radius, 0)
    lag = y
    _window_sum_axis(tmp, lag, radius, 1)
    W = tmp
    if m is None:
        np.multiply.outer(_window_counts(ny, radius), _window_counts(nx, radius), out=W)
    else:
        box_sum(m.astype(np.float64), radius, out=W)
    if raw:
        lag -= mean * W
    return _finish(lag, W, None, n, sd, constant, m, q, fdr, desc, mean)


def _row_sums(w: sp.csr_matrix) -> FloatArray:
    return np.asarray(w @ np.ones(w.shape[1]), dtype=np.float64).ravel()


def gistar_sparse(
    values: ArrayLike,
    weights: sp.csr_matrix | sp.csr_array,
    q: float = 0.05,
    fdr: bool = True,
    add_self: bool = True,
) -> GiStarResult:
    """Gi* for arbitrary features (areas, polygons) with sparse weights.

    Args:
        values: ``(n,)`` attribute per feature.
        weights: ``(n, n)`` CSR weights, row i = neighbours of feature i. Binary
            weights are the recommended choice; other weights use the general
            S1 term.
        add_self: set ``w_ii = 1`` (Gi*, the star). If False the matrix is used
            as given (it must then contain the self weights itself).
        q, fdr: as for :func:`gistar_grid`.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    n = x.size
    w = sp.csr_matrix(weights)
    if w.shape != (n, n):
        raise ValueError("weights must be n x n")
    if add_self:
        d = w.diagonal()
        if not np.all(d == 1.0):
            w = sp.csr_matrix(w + sp.diags(1.0 - d, format="csr"))
    W = _row_sums(w)
    if np.all(w.data == 1.0):
        S1 = None  # binary: S1 = W
    else:
        sq = w.copy()
        sq.data = sq.data * sq.data
        S1 = _row_sums(sq)
    desc = "sparse + self" if add_self else "sparse"
    if n == 0:
        return _finish(x.copy(), W, S1, 0, 0.0, True, None, q, fdr, desc, math.nan)
    mean = float(x.mean())
    raw = exact_sums(x) and S1 is None
    y, sd = _centre_or_raw(x, mean, None, raw)
    constant = bool(x.max() == x.min())
    lag = np.asarray(w @ y, dtype=np.float64)
    if raw:
        lag -= mean * W
    return _finish(lag, W, S1, n, sd, constant, None, q, fdr, desc, mean)
