"""Weekly count deviations for many series at once (the weekly situation picture).

A *series* is one row of a 2-D count array ``counts[series, week]`` over consecutive
ISO weeks: typically area x category, and the caller may append district or
collaboration totals as extra rows. Everything here is vectorised over series (the
only Python loops run over weeks), so 120,000 series x 156 weeks take well under a
second or two on one core.

Two complementary tools:

* :func:`weekly_deviations` assesses **one week** against a seasonal baseline in the
  spirit of Farrington et al. (1996): the same ISO week 1..b years back, +-w weeks,
  falling back to the most recent weeks when less than a year of history exists.
  The baseline is modelled as negative binomial (method of moments) when it is
  over-dispersed and Poisson otherwise; the upper limit is the (1 - alpha) quantile
  and the exceedance p-value is P(Y >= y | baseline).
* :func:`control_charts` runs standardised EWMA and CUSUM charts over the whole
  window, which catch *sustained small* shifts that a single-week limit misses.

References: Farrington, Andrews, Beale & Catchpole (1996) JRSS A 159:547-563;
Noufaily et al. (2013) Stat Med 32:1206-1222; Lucas (1985) Technometrics 27:129-144
(counted-data CUSUM); Roberts (1959) Technometrics 1:239-250 (EWMA).
See docs in ANALYTICS.md section 1.9.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

STATUS_OK = "ok"
STATUS_HIGH = "high"
STATUS_LOW = "low"
STATUS_INSUFFICIENT = "insufficient_history"

BASELINE_SEASONAL = "seasonal"
BASELINE_RECENT = "recent"
BASELINE_NONE = "none"

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


# --------------------------------------------------------------------------- calendar


def iso_weeks_in_year(year: ArrayLike) -> IntArray:
    """Number of ISO weeks (52 or 53) in each ISO year, vectorised.

    A year has 53 ISO weeks when 1 January is a Thursday, or a Wednesday in a leap
    year; equivalently ``p(y) == 4 or p(y - 1) == 3`` with
    ``p(y) = (y + y//4 - y//100 + y//400) % 7`` (the usual closed form).
    """
    y = np.asarray(year, dtype=np.int64)

    def p(v: IntArray) -> IntArray:
        return (v + v // 4 - v // 100 + v // 400) % 7

    return np.where((p(y) == 4) | (p(y - 1) == 3), 53, 52).astype(np.int64)


def iso_week_calendar(
    first_week_start: date, n_weeks: int
) -> tuple[IntArray, IntArray]:
    """(iso_year, iso_week) for ``n_weeks`` consecutive weeks starting at a date.

    ``first_week_start`` may be any day of the first week; the result describes the
    ISO week containing it and the ``n_weeks - 1`` following weeks.
    """
    monday = first_week_start - timedelta(days=first_week_start.weekday())
    years = np.empty(n_weeks, dtype=np.int64)
    weeks = np.empty(n_weeks, dtype=np.int64)
    for i in range(n_weeks):
        iso = (monday + timedelta(weeks=i)).isocalendar()
        years[i], weeks[i] = iso[0], iso[1]
    return years, weeks


def seasonal_anchors(
    iso_year: ArrayLike, iso_week: ArrayLike, index: int, years_back: int
) -> IntArray:
    """Column of "the same ISO week" 1..``years_back`` years before column ``index``.

    Inputs are per-column ISO year and week arrays of consecutive weeks. Week 53 maps
    to week 52 of a year that has only 52 weeks; week 1-52 maps to the same week
    number. Returns an int array of length ``years_back`` with -1 where the target
    week lies before the first column. A 53-week year therefore never shifts the
    comparison by a week, which a fixed lag of 52 columns would do.
    """
    yr = np.asarray(iso_year, dtype=np.int64)
    wk = np.asarray(iso_week, dtype=np.int64)
    if yr.shape != wk.shape or yr.ndim != 1:
        raise ValueError("iso_year and iso_week must be 1-D arrays of equal length")
    key = yr * 100 + wk
    if key.size > 1 and np.any(np.diff(key) <= 0):
        raise ValueError("iso_year/iso_week must describe increasing weeks")
    index = int(index) % key.size
    target_years = yr[index] - np.arange(1, years_back + 1, dtype=np.int64)
    target_weeks = np.minimum(wk[index], iso_weeks_in_year(target_years))
    target = target_years * 100 + target_weeks
    pos = np.searchsorted(key, target)
    found = (pos < key.size) & (key[np.minimum(pos, key.size - 1)] == target)
    return np.where(found, pos, -1).astype(np.int64)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class DeviationResult:
    """Assessment of one week for every series (all arrays have length n_series).

    Float fields are NaN where a value does not exist (no history, no such week).
    ``status`` holds "ok", "high", "low" or "insufficient_history"; only "high"
    is an alarm (``flag``), "low" is informational.
    """

    index: int  # assessed column
    observed: IntArray
    expected: FloatArray  # baseline mean (after outbreak down-weighting)
    variance: FloatArray  # baseline variance (ddof=1, same weights)
    upper: FloatArray  # (1 - alpha) quantile of the baseline distribution
    lower: FloatArray  # alpha quantile (0 when the distribution cannot go low)
    p_value: FloatArray  # P(Y >= observed | baseline)
    p_low: FloatArray  # P(Y <= observed | baseline)
    negative_binomial: BoolArray  # True: NB limit, False: Poisson limit
    nb_size: FloatArray  # NB size r (inf for Poisson)
    baseline_weeks: IntArray  # number of weeks the baseline used
    baseline_kind: NDArray[np.str_]  # "seasonal", "recent" or "none"
    flag: BoolArray
    status: NDArray[np.str_]
    last_week: FloatArray  # count in column index - 1 (the week before)
    mean_previous_4: FloatArray  # mean of columns index-4 .. index-1 that exist
    same_week_last_year: FloatArray  # count in the same ISO week one year back
    alpha: float


@dataclass(frozen=True)
class ControlChartResult:
    """Standardised EWMA and upper CUSUM per series (1-D arrays have n_series rows).

    ``*_last`` are the statistics in the final column; ``*_alarm_weeks`` count the
    weeks in alarm over the window; ``*_run`` is the number of consecutive alarm
    weeks ending in the final column (a "sustained" signal when >= 2).
    ``z``, ``ewma`` and ``cusum`` hold the full [series, week] history only when
    requested (``history=True``), else None: for 120,000 series the full history
    costs more memory traffic than the computation itself.
    """

    ewma_last: FloatArray
    cusum_last: FloatArray
    ewma_alarm_last: BoolArray
    cusum_alarm_last: BoolArray
    ewma_alarm_weeks: IntArray
    cusum_alarm_weeks: IntArray
    ewma_run: IntArray
    cusum_run: IntArray
    ewma_limit: float
    cusum_limit: float
    z: NDArray[np.float32] | None = None
    ewma: NDArray[np.float32] | None = None
    cusum: NDArray[np.float32] | None = None

    @property
    def alarm_last_week(self) -> BoolArray:
        """Either chart is in alarm in the final column."""
        return self.ewma_alarm_last | self.cusum_alarm_last


# --------------------------------------------------------------------------- helpers


def _moments(y: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted mean and (n/(n-1)-corrected) variance per row; n = valid weeks."""
    valid = w > 0
    n = valid.sum(axis=1).astype(np.float64)
    sw = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w * y).sum(axis=1) / sw
        dev2 = (w * (y - mean[:, None]) ** 2).sum(axis=1) / sw
        var = dev2 * n / (n - 1.0)
    var = np.where(n > 1, var, np.nan)
    return mean, var, n


def _baseline_moments(
    y: FloatArray, mask: BoolArray, downweight: bool, threshold: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    w = mask.astype(np.float64)
    mean, var, n = _moments(y, w)
    if downweight:
        # One robustifying step in the spirit of Farrington (1996): past weeks whose
        # residual exceeds `threshold` get weight (threshold / r)^2, so a past
        # outbreak does not inflate the baseline. Farrington uses Anscombe residuals
        # of a GLM; we use leave-one-out (externally studentised) residuals of the
        # window mean, r_j = (y_j - m_(-j)) / sqrt(max(v_(-j), m_(-j))), so that the
        # outbreak cannot hide by inflating the variance it is judged against.
        s1 = (w * y).sum(axis=1)[:, None]
        s2 = (w * y * y).sum(axis=1)[:, None]
        n1 = n[:, None] - 1.0
        with np.errstate(invalid="ignore", divide="ignore"):
            m_loo = (s1 - y) / n1
            v_loo = (s2 - y * y - n1 * m_loo * m_loo) / (n1 - 1.0)
            scale = np.sqrt(np.fmax(np.fmax(v_loo, m_loo), 0.25))
            r = (y - m_loo) / scale
            big = mask & (n1 >= 2.0) & (r > threshold)
            if np.any(big):
                w = np.where(big, (threshold / r) ** 2, 1.0) * mask
                mean, var, _ = _moments(y, w)
    return mean, var, n


def _nb_or_poisson(
    mean: FloatArray, var: FloatArray, min_expected: float
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Return (mu, size r, is_nb); size is inf where Poisson is used."""
    mu = np.fmax(np.nan_to_num(mean, nan=0.0), min_expected)
    v = np.nan_to_num(var, nan=0.0)
    is_nb = v > mu * (1.0 + 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(is_nb, mu * mu / (v - mu), np.inf)
    return mu, size, is_nb


def _apply_dist(
    fn_nb: str, fn_pois: str, q: FloatArray, mu: FloatArray, size: FloatArray
) -> FloatArray:
    """Evaluate a scipy distribution method elementwise on the NB and Poisson parts."""
    out = np.empty(mu.shape, dtype=np.float64)
    nb = np.isfinite(size)
    if np.any(nb):
        r = size[nb]
        out[nb] = getattr(stats.nbinom, fn_nb)(q[nb], r, r / (r + mu[nb]))
    if np.any(~nb):
        out[~nb] = getattr(stats.poisson, fn_pois)(q[~nb], mu[~nb])
    return out


def _quantile(q: float, mu: FloatArray, size: FloatArray) -> FloatArray:
    """Smallest k with F(k) >= q, elementwise (same definition as scipy's ppf).

    Starts from a Cornish-Fisher (skewness-corrected normal) guess and walks to the
    exact quantile with vectorised CDF evaluations on the elements still moving.
    Several times faster than ``nbinom.ppf`` because the CDF is cheap and the
    guess is almost always within one or two steps.
    """
    nb = np.isfinite(size)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(nb, mu + mu * mu / size, mu)
        sd = np.sqrt(var)
        skew = np.where(nb, (2.0 * var - mu) / (var * sd), 1.0 / sd)
    z = float(stats.norm.ppf(q))
    guess = mu + sd * (z + (z * z - 1.0) * skew / 6.0)
    k = np.floor(np.nan_to_num(guess, nan=0.0, posinf=0.0)).clip(min=0.0)
    full_q = np.full(mu.shape, q)
    f = _apply_dist("cdf", "cdf", k, mu, size)
    # Walk up where F(k) < q (those end at the answer: F(k - 1) < q).
    up = f < q
    started_low = up.copy()
    while np.any(up):
        idx = np.flatnonzero(up)
        k[idx] += 1.0
        f_up = _apply_dist("cdf", "cdf", k[idx], mu[idx], size[idx])
        up[idx] = f_up < full_q[idx]
    # Walk down while F(k - 1) >= q.
    down = (k > 0) & ~started_low
    while np.any(down):
        idx = np.flatnonzero(down)
        f_dn = _apply_dist("cdf", "cdf", k[idx] - 1.0, mu[idx], size[idx])
        move = f_dn >= q
        k[idx[move]] -= 1.0
        down[idx] = move & (k[idx] > 0)
    return k


def _blocked_moments(
    counts: NDArray[np.integer],
    cols: IntArray,
    first_week: IntArray | None,
    downweight: bool,
    threshold: float,
    block: int = 8192,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Baseline moments over ``cols`` per series, in cache-sized blocks of series."""
    n = counts.shape[0]
    mean = np.full(n, np.nan)
    var = np.full(n, np.nan)
    cnt = np.zeros(n)
    if cols.size == 0:
        return mean, var, cnt
    for b0 in range(0, n, block):
        sl = slice(b0, min(n, b0 + block))
        fw = None if first_week is None else first_week[sl]
        y, m = _column_gather(counts[sl], cols, fw)
        mean[sl], var[sl], cnt[sl] = _baseline_moments(y, m, downweight, threshold)
    return mean, var, cnt


def _column_gather(
    counts: IntArray, cols: IntArray, first_week: IntArray | None
) -> tuple[FloatArray, BoolArray]:
    y = counts[:, cols].astype(np.float64)
    if first_week is None:
        mask = np.ones(y.shape, dtype=bool)
    else:
        mask = cols[None, :] >= first_week[:, None]
    return y, mask


# --------------------------------------------------------------------------- main API


def weekly_deviations(
    counts: ArrayLike,
    index: int = -1,
    *,
    iso_year: ArrayLike | None = None,
    iso_week: ArrayLike | None = None,
    anchors: Sequence[int] | None = None,
    first_week: ArrayLike | None = None,
    years_back: int = 3,
    half_window: int = 3,
    recent_weeks: int = 12,
    min_seasonal_weeks: int = 7,
    min_recent_weeks: int = 8,
    alpha: float = 0.01,
    min_count: int = 3,
    min_expected: float = 0.5,
    downweight_outbreaks: bool = True,
    outbreak_threshold: float = 2.58,
) -> DeviationResult:
    """Assess week ``index`` of every series against its baseline.

    Parameters
    ----------
    counts:
        Non-negative integer counts, shape (n_series, n_weeks), columns are
        consecutive ISO weeks (oldest first).
    index:
        Column to assess (negative values count from the end; default the last).
    iso_year, iso_week:
        Per-column ISO calendar (see :func:`iso_week_calendar`). When given, "the same
        week k years back" is found by calendar (:func:`seasonal_anchors`), which
        handles 53-week years. Without them and without ``anchors`` a fixed lag of
        52 columns per year is used (drifts by one week after a 53-week year).
    anchors:
        Explicit columns of the same week 1, 2, ... years back (-1 = none);
        overrides the calendar.
    first_week:
        Optional per-series first column with data (an area that joined EST later);
        earlier columns are ignored, not treated as zero.
    years_back, half_window:
        Farrington's b and w: weeks ``anchor_k - w .. anchor_k + w`` for k = 1..b
        (only columns before ``index``). Whatever history exists is used.
    recent_weeks, min_seasonal_weeks, min_recent_weeks:
        The seasonal baseline is used when it has at least ``min_seasonal_weeks``
        valid weeks (one full year gives 2w + 1 = 7); otherwise the last
        ``recent_weeks`` weeks are used if at least ``min_recent_weeks`` exist;
        otherwise the series is "insufficient_history" and is never flagged.
    alpha:
        One-sided level: upper limit = (1 - alpha) quantile; flag when
        P(Y >= y) <= alpha (equivalent to y > upper for discrete Y).
    min_count:
        Farrington-style guard: never flag fewer than this many events.
    min_expected:
        Floor on the baseline mean used for the limit, so an all-zero baseline does
        not turn a single event into an alarm (with the defaults at least 4 events
        are needed against an empty baseline).
    downweight_outbreaks, outbreak_threshold:
        Down-weight past baseline weeks whose leave-one-out standardised residual
        exceeds the threshold (default 2.58, as Farrington), weight
        (threshold / r)^2, one step.

    Calibration: on Poisson data the false-alarm rate is a little below alpha
    (discreteness); on strongly over-dispersed data with short baselines the
    plug-in NB limit is somewhat anti-conservative (about 2 % at alpha = 1 % for
    var = mu + mu^2/2 with a 21-week baseline), because the dispersion estimate is
    noisy; the min_count guard limits this on small counts.

    Distribution: method of moments on the baseline; negative binomial with size
    r = mu^2 / (var - mu) when var > mu, else Poisson. No trend term is fitted.
    """
    c = np.asarray(counts)
    if c.ndim != 2:
        raise ValueError("counts must be 2-D [series, week]")
    if c.size and c.min() < 0:
        raise ValueError("counts must be non-negative")
    n_series, n_weeks = c.shape
    if not -n_weeks <= index < n_weeks:
        raise IndexError("index outside the week range")
    t = int(index) % n_weeks
    fw = None if first_week is None else np.asarray(first_week, dtype=np.int64)

    # Same week in earlier years.
    if anchors is not None:
        anc = np.asarray(anchors, dtype=np.int64)[:years_back]
    elif iso_year is not None and iso_week is not None:
        anc = seasonal_anchors(iso_year, iso_week, t, years_back)
    else:
        anc = t - 52 * np.arange(1, years_back + 1, dtype=np.int64)
        anc = np.where(anc >= 0, anc, -1)
    seasonal_cols = sorted(
        {
            int(a + d)
            for a in anc
            if a >= 0
            for d in range(-half_window, half_window + 1)
            if 0 <= a + d < t
        }
    )
    s_cols = np.asarray(seasonal_cols, dtype=np.int64)
    r_cols = np.arange(max(0, t - recent_weeks), t, dtype=np.int64)

    mean_s, var_s, n_s = _blocked_moments(
        c, s_cols, fw, downweight_outbreaks, outbreak_threshold
    )
    # The recent-weeks fallback is only needed where the seasonal one is too short.
    need_recent = np.flatnonzero(n_s < min_seasonal_weeks)
    mean_r = np.full(n_series, np.nan)
    var_r = np.full(n_series, np.nan)
    n_r = np.zeros(n_series)
    if need_recent.size:
        m_, v_, n_ = _blocked_moments(
            c[need_recent],
            r_cols,
            None if fw is None else fw[need_recent],
            downweight_outbreaks,
            outbreak_threshold,
        )
        mean_r[need_recent], var_r[need_recent], n_r[need_recent] = m_, v_, n_
    use_s = n_s >= min_seasonal_weeks
    use_r = ~use_s & (n_r >= min_recent_weeks)
    ok = use_s | use_r

    mean = np.where(use_s, mean_s, np.where(use_r, mean_r, np.nan))
    var = np.where(use_s, var_s, np.where(use_r, var_r, np.nan))
    n_used = np.where(use_s, n_s, np.where(use_r, n_r, 0)).astype(np.int64)
    kind = np.where(
        use_s, BASELINE_SEASONAL, np.where(use_r, BASELINE_RECENT, BASELINE_NONE)
    )

    observed = c[:, t].astype(np.int64)
    if fw is not None:
        ok &= t >= fw
    mu, size, is_nb = _nb_or_poisson(mean, var, min_expected)
    y = observed.astype(np.float64)

    upper = np.full(n_series, np.nan)
    lower = np.full(n_series, np.nan)
    p_value = np.full(n_series, np.nan)
    p_low = np.full(n_series, np.nan)
    if np.any(ok):
        mu_ok, size_ok, y_ok = mu[ok], size[ok], y[ok]
        upper[ok] = _quantile(1.0 - alpha, mu_ok, size_ok)
        p_value[ok] = _apply_dist("sf", "sf", y_ok - 1.0, mu_ok, size_ok)
        p_low[ok] = _apply_dist("cdf", "cdf", y_ok, mu_ok, size_ok)
        # The lower limit only exists where P(Y = 0) < alpha; elsewhere it is 0.
        p0 = _apply_dist("cdf", "cdf", np.zeros(mu_ok.shape), mu_ok, size_ok)
        low_possible = p0 < alpha
        lo = np.zeros(mu_ok.shape)
        if np.any(low_possible):
            lo[low_possible] = _quantile(
                alpha, mu_ok[low_possible], size_ok[low_possible]
            )
        lower[ok] = lo

    flag = ok & (p_value <= alpha) & (observed >= min_count)
    is_low = ok & ~flag & (p_low < alpha)
    status = np.where(
        ~ok,
        STATUS_INSUFFICIENT,
        np.where(flag, STATUS_HIGH, np.where(is_low, STATUS_LOW, STATUS_OK)),
    )

    # Plain comparisons.
    def col_or_nan(col: int) -> FloatArray:
        if col < 0:
            return np.full(n_series, np.nan)
        v = c[:, col].astype(np.float64)
        if fw is not None:
            v = np.where(col >= fw, v, np.nan)
        return v

    last_week = col_or_nan(t - 1)
    p4 = np.arange(max(0, t - 4), t, dtype=np.int64)
    y4, m4 = _column_gather(c, p4, fw)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean4 = (y4 * m4).sum(axis=1) / m4.sum(axis=1)
    same_last_year = col_or_nan(int(anc[0]) if anc.size else -1)

    nan_if_bad = np.where(ok, 1.0, np.nan)
    return DeviationResult(
        index=t,
        observed=observed,
        expected=mean * nan_if_bad,
        variance=var * nan_if_bad,
        upper=upper,
        lower=lower,
        p_value=p_value,
        p_low=p_low,
        negative_binomial=is_nb & ok,
        nb_size=np.where(ok, size, np.nan),
        baseline_weeks=np.where(ok, n_used, 0),
        baseline_kind=np.where(ok, kind, BASELINE_NONE),
        flag=flag,
        status=status,
        last_week=last_week,
        mean_previous_4=mean4,
        same_week_last_year=same_last_year,
        alpha=alpha,
    )


def control_charts(
    counts: ArrayLike,
    *,
    first_week: ArrayLike | None = None,
    reference_weeks: int = 26,
    guard_weeks: int = 2,
    min_reference_weeks: int = 8,
    lam: float = 0.2,
    ewma_L: float = 3.0,
    cusum_k: float = 0.5,
    cusum_h: float = 5.0,
    min_sd: float = 1.0,
    history: bool = False,
) -> ControlChartResult:
    """Standardised EWMA and upper CUSUM for every series over the whole window.

    For week t the reference mean m_t and variance v_t come from the valid weeks in
    ``[t - guard_weeks - reference_weeks, t - guard_weeks)`` (a trailing window; the
    guard band keeps the first weeks of a shift out of its own reference).
    ``z_t = (y_t - m_t) / sd_t`` with ``sd_t = sqrt(max(v_t, m_t, min_sd^2))``: at
    least Poisson spread, and a floor of ``min_sd`` so that sparse series do not
    alarm on single events.

    * EWMA (Roberts 1959): e_t = lam z_t + (1 - lam) e_{t-1}; alarm when
      e_t > L sqrt(lam / (2 - lam)) (asymptotic limit; one-sided, increases only).
    * CUSUM (Page 1954, standardised form): C_t = max(0, C_{t-1} + z_t - k);
      alarm when C_t > h (k in sd units, h in sd units).

    Both stay at 0 (no alarm) until a series has ``min_reference_weeks`` reference
    weeks. Loops over weeks inside blocks of series; every operation is vectorised
    over the series of a block (blocks keep the working set in cache).
    """
    c = np.asarray(counts)
    if c.ndim != 2:
        raise ValueError("counts must be 2-D [series, week]")
    n_series, n_weeks = c.shape
    fw_all = None if first_week is None else np.asarray(first_week, dtype=np.int64)
    need = max(min_reference_weeks, 2)
    floor = min_sd * min_sd
    ewma_limit = float(ewma_L * np.sqrt(lam / (2.0 - lam)))

    res = {
        name: np.zeros(n_series, dtype=dt)
        for name, dt in [
            ("ewma_last", np.float64),
            ("cusum_last", np.float64),
            ("ewma_alarm_weeks", np.int64),
            ("cusum_alarm_weeks", np.int64),
            ("ewma_run", np.int64),
            ("cusum_run", np.int64),
        ]
    }
    hist = (
        {k: np.zeros((n_series, n_weeks), np.float32) for k in ("z", "ewma", "cusum")}
        if history
        else None
    )

    block = 8192  # 64 kB vectors: stay in cache and below malloc's mmap threshold
    for b0 in range(0, n_series, block):
        sl = slice(b0, min(n_series, b0 + block))
        y = np.ascontiguousarray(c[sl].T, dtype=np.float64)  # [week, series]
        nb = y.shape[1]
        fw = None if fw_all is None else fw_all[sl]
        if fw is not None:
            y[np.arange(n_weeks)[:, None] < fw[None, :]] = 0.0
        s1 = np.zeros(nb)
        s2 = np.zeros(nb)
        e = np.zeros(nb)
        cs = np.zeros(nb)
        e_weeks = np.zeros(nb, np.int64)
        c_weeks = np.zeros(nb, np.int64)
        e_run = np.zeros(nb, np.int64)
        c_run = np.zeros(nb, np.int64)
        hz = he = hc = None
        if hist is not None:
            hz, he, hc = (np.zeros((n_weeks, nb), np.float32) for _ in range(3))
        for t in range(n_weeks):
            hi = t - guard_weeks  # reference window end (exclusive)
            if hi - 1 >= 0:
                s1 += y[hi - 1]
                s2 += y[hi - 1] ** 2
            if hi - 1 - reference_weeks >= 0:
                s1 -= y[hi - 1 - reference_weeks]
                s2 -= y[hi - 1 - reference_weeks] ** 2
            lo = max(0, hi - reference_weeks)
            if fw is None:
                n_scalar = max(hi - lo, 0)
                if n_scalar < need:
                    continue
                n: FloatArray | float = float(n_scalar)
                ready = None
            else:
                n = np.clip(hi - np.maximum(fw, lo), 0, None).astype(np.float64)
                ready = n >= need
                if not ready.any():
                    continue
            with np.errstate(invalid="ignore", divide="ignore"):
                m = s1 / n
                v = (s2 - n * m * m) / (n - 1.0)
                sd = np.sqrt(np.fmax(np.fmax(v, m), floor))
                z = (y[t] - m) / sd
            if ready is not None:
                z[~ready] = 0.0
            e *= 1.0 - lam
            e += lam * z
            cs += z - cusum_k
            np.maximum(cs, 0.0, out=cs)
            ea = e > ewma_limit
            ca = cs > cusum_h
            e_weeks += ea
            c_weeks += ca
            e_run = (e_run + 1) * ea
            c_run = (c_run + 1) * ca
            if hz is not None and he is not None and hc is not None:
                hz[t], he[t], hc[t] = z, e, cs
        res["ewma_last"][sl] = e
        res["cusum_last"][sl] = cs
        res["ewma_alarm_weeks"][sl] = e_weeks
        res["cusum_alarm_weeks"][sl] = c_weeks
        res["ewma_run"][sl] = e_run
        res["cusum_run"][sl] = c_run
        if hist is not None and hz is not None and he is not None and hc is not None:
            hist["z"][sl] = hz.T
            hist["ewma"][sl] = he.T
            hist["cusum"][sl] = hc.T

    return ControlChartResult(
        ewma_last=res["ewma_last"],
        cusum_last=res["cusum_last"],
        ewma_alarm_last=res["ewma_last"] > ewma_limit,
        cusum_alarm_last=res["cusum_last"] > cusum_h,
        ewma_alarm_weeks=res["ewma_alarm_weeks"],
        cusum_alarm_weeks=res["cusum_alarm_weeks"],
        ewma_run=res["ewma_run"],
        cusum_run=res["cusum_run"],
        ewma_limit=ewma_limit,
        cusum_limit=float(cusum_h),
        z=None if hist is None else hist["z"],
        ewma=None if hist is None else hist["ewma"],
        cusum=None if hist is None else hist["cusum"],
    )
