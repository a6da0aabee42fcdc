from datetime import date

import numpy as np
import pytest
from scipy import stats

from samsyn.analysis.stats.deviations import (
    control_charts,
    iso_week_calendar,
    iso_weeks_in_year,
    seasonal_anchors,
    weekly_deviations,
)


def _poisson(seed, n_series, n_weeks, mean):
    rng = np.random.default_rng(seed)
    return rng.poisson(mean, size=(n_series, n_weeks))


def test_it_flags_a_planted_spike():
    counts = _poisson(1, 50, 156, 5.0)
    counts[7, -1] = 30
    yr, wk = iso_week_calendar(date(2022, 1, 3), 156)
    res = weekly_deviations(counts, iso_year=yr, iso_week=wk)
    assert res.flag[7]
    assert res.status[7] == "high"
    assert res.p_value[7] < 1e-6
    assert res.observed[7] == 30
    assert res.upper[7] < 30
    assert res.baseline_kind[7] == "seasonal"
    # 3 years back x (2*3 + 1) weeks, minus the part before the first column
    assert res.baseline_weeks[7] >= 14
    assert res.flag.sum() <= 2


def test_it_gives_about_alpha_false_alarms_on_stable_poisson_series():
    rng = np.random.default_rng(42)
    mu = rng.uniform(2, 10, 20_000)
    counts = rng.poisson(mu[:, None] * np.ones(160))
    yr, wk = iso_week_calendar(date(2021, 1, 4), 160)
    res = weekly_deviations(counts, iso_year=yr, iso_week=wk, alpha=0.01)
    rate = res.flag.mean()
    # Discrete counts make the exact level a little below alpha.
    assert 0.002 < rate < 0.015
    # p-values and flags agree: flag <=> p <= alpha (all counts here exceed 3)
    assert np.array_equal(res.flag, (res.p_value <= 0.01) & (res.observed >= 3))


def test_it_reports_insufficient_history_and_never_flags_it():
    counts = np.array([[1, 0, 2, 1, 1, 40], [3, 2, 4, 3, 2, 50]])
    res = weekly_deviations(counts)
    assert list(res.status) == ["insufficient_history"] * 2
    assert not res.flag.any()
    assert np.isnan(res.upper).all()
    assert list(res.baseline_kind) == ["none", "none"]

    # Same with a long array but a series that only started 5 weeks ago.
    long = _poisson(3, 2, 60, 2.0)
    long[1, -1] = 50
    res = weekly_deviations(long, first_week=[0, 54])
    assert res.status[1] == "insufficient_history"
    assert not res.flag[1]
    assert res.status[0] != "insufficient_history"


def test_it_uses_recent_weeks_when_less_than_a_year_exists():
    counts = np.full((1, 20), 4)
    counts[0, -1] = 15
    res = weekly_deviations(counts)
    assert res.baseline_kind[0] == "recent"
    assert res.baseline_weeks[0] == 12
    assert res.expected[0] == pytest.approx(4.0)
    assert not res.negative_binomial[0]
    # Poisson(4): upper limit is the 99 % quantile
    assert res.upper[0] == stats.poisson.ppf(0.99, 4.0)
    assert res.p_value[0] == pytest.approx(stats.poisson.sf(14, 4.0))
    assert res.flag[0]


def test_it_gives_overdispersed_series_wider_limits():
    steady = [5] * 12
    bursty = [0, 10] * 6  # same mean 5, variance 27.3
    counts = np.array([steady + [9], bursty + [9]])
    res = weekly_deviations(counts, downweight_outbreaks=False)
    assert res.expected[0] == pytest.approx(5.0)
    assert res.expected[1] == pytest.approx(5.0)
    assert not res.negative_binomial[0]
    assert res.negative_binomial[1]
    var = np.var(bursty, ddof=1)
    r = 25.0 / (var - 5.0)
    assert res.nb_size[1] == pytest.approx(r)
    assert res.upper[1] > res.upper[0]
    assert res.upper[1] == stats.nbinom.ppf(0.99, r, r / (r + 5.0))
    assert res.p_value[1] > res.p_value[0]


def test_it_guards_against_alarms_on_tiny_counts():
    counts = np.zeros((3, 20), dtype=int)
    counts[0, -1] = 1
    counts[1, -1] = 2
    counts[2, -1] = 5
    res = weekly_deviations(counts)
    assert not res.flag[0] and not res.flag[1]
    assert res.flag[2]  # 5 events against an empty baseline is news


def test_it_maps_iso_53_week_years():
    assert list(iso_weeks_in_year([2015, 2019, 2020, 2021, 2026])) == [
        53,
        52,
        53,
        52,
        53,
    ]
    yr, wk = iso_week_calendar(date(2019, 1, 1), 160)
    assert (yr[0], wk[0]) == (2019, 1)
    i53 = int(np.flatnonzero((yr == 2020) & (wk == 53))[0])
    # 2020-W53 -> 2019-W52 (2019 has 52 weeks)
    a = seasonal_anchors(yr, wk, i53, 1)
    assert (yr[a[0]], wk[a[0]]) == (2019, 52)
    # 2021-W10 -> 2020-W10, which is 53 columns back, not 52
    i = int(np.flatnonzero((yr == 2021) & (wk == 10))[0])
    a = seasonal_anchors(yr, wk, i, 2)
    assert (yr[a[0]], wk[a[0]]) == (2020, 10)
    assert (yr[a[1]], wk[a[1]]) == (2019, 10)
    assert i - a[0] == 53
    # Before the data starts: -1
    assert seasonal_anchors(yr, wk, 5, 1)[0] == -1

    counts = np.arange(160)[None, :] * np.ones((2, 1), dtype=int)
    res = weekly_deviations(counts, i, iso_year=yr, iso_week=wk)
    assert res.same_week_last_year[0] == i - 53
    # Without a calendar the fixed 52-week lag is used (documented drift).
    res52 = weekly_deviations(counts, i)
    assert res52.same_week_last_year[0] == i - 52


def test_it_reports_plain_comparisons():
    counts = np.zeros((2, 70), dtype=int)
    counts[0, -5:] = [1, 2, 3, 6, 9]  # weeks t-4..t
    counts[0, 69 - 52] = 11
    res = weekly_deviations(counts)
    assert res.observed[0] == 9
    assert res.last_week[0] == 6
    assert res.mean_previous_4[0] == pytest.approx((1 + 2 + 3 + 6) / 4)
    assert res.same_week_last_year[0] == 11
    # A series that started 2 weeks ago: mean over the weeks that exist, no
    # last-year value.
    res = weekly_deviations(counts, first_week=[0, 67])
    assert res.mean_previous_4[1] == 0.0
    assert np.isnan(res.same_week_last_year[1])


def test_it_downweights_a_past_outbreak_in_the_baseline():
    counts = np.full((1, 30), 3)
    counts[0, 20] = 40  # one past outbreak inside the recent window
    counts[0, -1] = 12
    with_dw = weekly_deviations(counts, downweight_outbreaks=True)
    without = weekly_deviations(counts, downweight_outbreaks=False)
    assert with_dw.expected[0] < without.expected[0]
    assert with_dw.upper[0] < without.upper[0]
    assert with_dw.flag[0] and not without.flag[0]


def test_it_detects_a_sustained_small_shift_with_control_charts():
    rng = np.random.default_rng(5)
    counts = rng.poisson(10.0, size=(400, 120))
    shifted = counts.copy()
    shifted[:200, 100:] = rng.poisson(15.0, size=(200, 20))  # +1.6 sd for 20 weeks
    res = control_charts(shifted, history=True)
    detected = res.cusum_alarm_weeks[:200] > 0
    assert detected.mean() > 0.9
    assert (res.ewma_alarm_weeks[:200] > 0).mean() > 0.9
    # The alarms are sustained: consecutive alarm weeks in the shifted series.
    assert res.ewma is not None
    alarm = res.ewma[:200] > res.ewma_limit
    assert (alarm[:, 1:] & alarm[:, :-1]).any(axis=1).mean() > 0.75
    # Stable series rarely alarm.
    stable = res.cusum_alarm_weeks[200:].sum() / (200 * 120)
    assert stable < 0.02
    # History and summaries agree.
    assert res.ewma is not None and res.cusum is not None
    assert np.allclose(res.ewma[:, -1], res.ewma_last, atol=1e-4)
    assert np.array_equal(
        (res.cusum > res.cusum_limit).sum(axis=1), res.cusum_alarm_weeks
    )
    lite = control_charts(shifted)
    assert lite.ewma is None
    assert np.allclose(lite.cusum_last, res.cusum_last)


def test_it_keeps_control_charts_quiet_before_history_exists():
    counts = np.zeros((2, 30), dtype=int)
    counts[:, 25:] = 20
    res = control_charts(counts, first_week=[0, 24], history=True)
    assert res.cusum_alarm_weeks[0] > 0
    assert res.cusum_alarm_weeks[1] == 0
    assert res.ewma is not None
    assert np.all(res.ewma[1] == 0)


def test_it_rejects_bad_input():
    with pytest.raises(ValueError):
        weekly_deviations(np.array([1, 2, 3]))
    with pytest.raises(ValueError):
        weekly_deviations(np.array([[1, -2, 3]]))
    with pytest.raises(IndexError):
        weekly_deviations(np.zeros((1, 5), dtype=int), 5)
