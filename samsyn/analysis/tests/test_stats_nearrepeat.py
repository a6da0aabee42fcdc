import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.analysis.stats.nearrepeat import knox_test

S_EDGES = [100.0, 200.0, 400.0]
T_EDGES = [7.0, 14.0, 30.0]


def _events(seed, n=300):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2000, n)
    y = rng.uniform(0, 2000, n)
    t = rng.uniform(0, 365, n)
    # some exact repeats (same place) and near repeats (close in space and time)
    x[:20], y[:20] = x[20:40], y[20:40]
    t[:20] = t[20:40] + rng.uniform(0, 5, 20)
    x[40:60] = x[60:80] + rng.normal(0, 30, 20)
    y[40:60] = y[60:80] + rng.normal(0, 30, 20)
    t[40:60] = t[60:80] + 7.0  # exactly on a temporal edge
    return x, y, t


def _brute_table(x, y, t, s_edges, t_edges, same_location=True):
    n = len(x)
    n_s = len(s_edges) + (1 if same_location else 0) + 1
    table = np.zeros((n_s, len(t_edges) + 1), dtype=np.int64)
    for a in range(n):
        for b in range(a + 1, n):
            d = np.hypot(x[a] - x[b], y[a] - y[b])
            dt = abs(t[a] - t[b])
            if same_location and d == 0:
                si = 0
            else:
                si = sum(1 for e in s_edges if d > e) + (1 if same_location else 0)
            ti = sum(1 for e in t_edges if dt > e)
            table[si, ti] += 1
    return table


def test_it_counts_exactly_the_brute_force_pairs_in_every_band():
    x, y, t = _events(0)
    res = knox_test(x, y, t, S_EDGES, T_EDGES, iterations=19, seed=1)
    expected = _brute_table(x, y, t, S_EDGES, T_EDGES)
    assert np.array_equal(res.observed, expected)
    assert res.observed.sum() == res.total_pairs == 300 * 299 // 2
    assert res.observed[0].sum() == 20  # the planted same-location pairs
    assert res.spatial_labels[0] == "same location"
    assert res.spatial_labels[-1] == "> 400 m"
    assert res.temporal_labels[0] == "[0, 7] days"

    no_same = knox_test(
        x, y, t, S_EDGES, T_EDGES, iterations=9, seed=1, same_location=False
    )
    assert np.array_equal(
        no_same.observed,
        _brute_table(x, y, t, S_EDGES, T_EDGES, same_location=False),
    )


def test_it_is_reproducible_with_a_seed_and_p_is_in_range():
    x, y, t = _events(2)
    a = knox_test(x, y, t, S_EDGES, T_EDGES, iterations=49, seed=7)
    b = knox_test(x, y, t, S_EDGES, T_EDGES, iterations=49, seed=7)
    assert np.array_equal(a.expected_mean, b.expected_mean)
    assert np.array_equal(a.p_value, b.p_value)
    assert np.all((a.p_value > 0) & (a.p_value <= 1))
    assert np.all(a.p_value >= 1 / 50)
    # Permutations keep the time-difference margin: the column totals are fixed.
    assert np.allclose(a.expected_mean.sum(axis=0), a.observed.sum(axis=0))


def test_it_finds_planted_near_repeats():
    x, y, t = _events(3)
    res = knox_test(x, y, t, S_EDGES, T_EDGES, iterations=99, seed=3)
    assert res.ratio[0, 0] > 3  # same place within a week
    assert res.p_value[0, 0] == pytest.approx(0.01)
    assert res.ratio[1, 0] > 1.5


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=60),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_it_keeps_counts_within_total_pairs(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 300, n).astype(float)  # integer grid -> ties, zeros
    y = rng.integers(0, 300, n).astype(float)
    t = rng.integers(0, 60, n).astype(float)
    res = knox_test(x, y, t, [50.0, 150.0], [3.0, 10.0], iterations=5, seed=seed)
    total = n * (n - 1) // 2
    assert res.observed.sum() == total
    assert np.all(res.observed >= 0)
    assert np.all(res.observed <= total)
    assert np.all(res.expected_mean >= 0)
    assert np.all(res.expected_median >= 0)
    assert np.all((res.p_value > 0) & (res.p_value <= 1))


def test_it_rejects_bad_bands():
    rng = np.random.default_rng(4)
    x, y, t = rng.uniform(0, 100, (3, 10))
    with pytest.raises(ValueError):
        knox_test(x, y, t, [200.0, 100.0], T_EDGES)
    with pytest.raises(ValueError):
        knox_test(x, y, t, S_EDGES, [0.0, 7.0])
    with pytest.raises(ValueError):
        knox_test(x, y[:5], t, S_EDGES, T_EDGES)
