import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.analysis.stats.emerging import (
    EhsaCategory as E,
)
from samsyn.analysis.stats.emerging import (
    SfhotspotCategory as F,
)
from samsyn.analysis.stats.emerging import (
    classify_ehsa,
    classify_sfhotspot,
    cube_to_stack,
    emerging_hotspots,
    mann_kendall,
    sfhotspot_hotspots,
    space_time_gistar,
)


def mk_reference(x):
    T = len(x)
    s = 0
    for i in range(T):
        for j in range(i + 1, T):
            s += (x[j] > x[i]) - (x[j] < x[i])
    var = T * (T - 1) * (2 * T + 5)
    for v in set(x):
        t = list(x).count(v)
        var -= t * (t - 1) * (2 * t + 5)
    var /= 18
    z = 0.0 if var == 0 else (s - np.sign(s)) / np.sqrt(var)
    return s, var, z


def test_it_matches_direct_mann_kendall_with_ties():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, (50, 13)).astype(float)  # many ties
    x[0] = 2.0  # all tied
    x[1] = np.arange(13)  # strictly increasing
    res = mann_kendall(x, max_chunk_bytes=2000)  # forces several chunks
    for i in range(50):
        s, var, z = mk_reference(x[i].tolist())
        assert res.s[i] == s and abs(res.var_s[i] - var) < 1e-9
        assert abs(res.z[i] - z) < 1e-12
    assert res.tau[1] == 1.0 and res.p[0] == 1.0


def test_it_matches_direct_space_time_gistar():
    rng = np.random.default_rng(1)
    T, ny, nx = 4, 3, 5
    cube = rng.poisson(2.0, (T, ny, nx)).astype(float)
    res = space_time_gistar(cube, radius=1, time_lag=1)
    n = cube.size
    idx = list(itertools.product(range(T), range(ny), range(nx)))
    w = np.zeros((n, n))
    for a, (t, i, j) in enumerate(idx):
        for b, (s, k, m) in enumerate(idx):
            if t - 1 <= s <= t and abs(i - k) <= 1 and abs(j - m) <= 1:
                w[a, b] = 1.0
    x = cube.ravel()
    W = w.sum(1)
    xb, sd = x.mean(), x.std()
    z = (w @ x - xb * W) / (sd * np.sqrt((n * W - W**2) / (n - 1)))
    np.testing.assert_allclose(res.z.ravel(), z, atol=1e-10)


def test_it_matches_direct_space_time_gistar_inside_a_study_area():
    # Cells outside the study area are not features: they neither count towards
    # the mean and SD nor act as neighbours (as in gistar_grid's mask).
    rng = np.random.default_rng(2)
    T, ny, nx = 4, 4, 5
    cube = rng.poisson(2.0, (T, ny, nx)).astype(float)
    mask = np.ones((ny, nx), dtype=bool)
    mask[0, :2] = False
    mask[3, 4] = False
    cube[:, ~mask] = 0.0
    res = space_time_gistar(cube, radius=1, time_lag=1, mask=mask)
    idx = [
        (t, i, j)
        for t, i, j in itertools.product(range(T), range(ny), range(nx))
        if mask[i, j]
    ]
    n = len(idx)
    w = np.zeros((n, n))
    for a, (t, i, j) in enumerate(idx):
        for b, (s, k, m) in enumerate(idx):
            if t - 1 <= s <= t and abs(i - k) <= 1 and abs(j - m) <= 1:
                w[a, b] = 1.0
    x = np.array([cube[t, i, j] for t, i, j in idx])
    W = w.sum(1)
    xb, sd = x.mean(), x.std()
    z = (w @ x - xb * W) / (sd * np.sqrt((n * W - W**2) / (n - 1)))
    got = np.array([res.z[t, i, j] for t, i, j in idx])
    np.testing.assert_allclose(got, z, atol=1e-10)
    assert np.isnan(res.z[:, ~mask]).all()


def test_it_gives_no_ehsa_class_outside_the_study_area():
    rng = np.random.default_rng(3)
    cube = rng.poisson(1.0, (12, 6, 6)).astype(float)
    mask = np.zeros((6, 6), dtype=bool)
    mask[1:5, 1:5] = True
    cube[:, ~mask] = 0.0
    res = emerging_hotspots(cube, mask=mask)
    assert (res.category[~mask] == E.NO_PATTERN).all()


H, C, N = True, "C", False


def case(steps):
    hot = np.array([s is True for s in steps])
    cold = np.array([s == "C" for s in steps])
    return hot, cold


EHSA_CASES = [
    ([N] * 9 + [H], 0.0, 1.0, E.NEW_HOT),
    ([N] * 7 + [H] * 3, 0.0, 1.0, E.CONSECUTIVE_HOT),
    ([H] * 10, 3.0, 0.001, E.INTENSIFYING_HOT),
    ([H] * 4 + [N] + [H] * 5, 0.1, 0.9, E.PERSISTENT_HOT),
    ([H] * 10, -3.0, 0.001, E.DIMINISHING_HOT),
    ([H, N, H, N, N, H, N, N, H, H], 0.0, 1.0, E.SPORADIC_HOT),
    ([C, N, H, N, N, H, N, N, N, H], 0.0, 1.0, E.OSCILLATING_HOT),
    ([H] * 9 + [N], 0.0, 1.0, E.HISTORICAL_HOT),
    ([N] * 9 + [C], 0.0, 1.0, E.NEW_COLD),
    ([N] * 6 + [C] * 4, 0.0, 1.0, E.CONSECUTIVE_COLD),
    ([C] * 10, -3.0, 0.001, E.INTENSIFYING_COLD),
    ([C] * 10, 0.0, 0.9, E.PERSISTENT_COLD),
    ([C] * 10, 3.0, 0.001, E.DIMINISHING_COLD),
    ([C, C, N, C, N, N, N, N, N, C], 0.0, 1.0, E.SPORADIC_COLD),
    ([H, N, C, N, N, N, N, N, C, C], 0.0, 1.0, E.OSCILLATING_COLD),
    ([C] * 9 + [N], 0.0, 1.0, E.HISTORICAL_COLD),
    ([N, H, N, N, N, C, N, N, N, N], 0.0, 1.0, E.NO_PATTERN),
]


@pytest.mark.parametrize("steps,tz,tp,expected", EHSA_CASES)
def test_it_classifies_each_ehsa_category(steps, tz, tp, expected):
    hot, cold = case(steps)
    got = classify_ehsa(hot[None], cold[None], [tz], [tp])
    assert got.tolist() == [expected]
    assert E(int(got[0])).code == expected.name.lower()


def test_it_covers_all_17_ehsa_categories():
    assert {c[3] for c in EHSA_CASES} == set(E)


def test_it_classifies_ehsa_vectorised_like_one_by_one():
    hots, colds = zip(*(case(c[0]) for c in EHSA_CASES), strict=True)
    got = classify_ehsa(
        np.array(hots),
        np.array(colds),
        [c[1] for c in EHSA_CASES],
        [c[2] for c in EHSA_CASES],
    )
    assert got.tolist() == [int(c[3]) for c in EHSA_CASES]


SF_CASES = [
    ([H] * 9 + [N], F.PERSISTENT_HOT),
    ([N] * 8 + [H, H], F.EMERGING_HOT),
    ([H, H] + [N] * 8, F.FORMER_HOT),
    ([N, N, H, N, N, N, N, N, H, N], F.INTERMITTENT_HOT),
    ([C] * 8 + [N, N], F.PERSISTENT_COLD),
    ([N] * 8 + [N, C], F.EMERGING_COLD),
    ([N, C] + [N] * 8, F.FORMER_COLD),
    ([N, N, C, N, N, N, N, N, C, N], F.INTERMITTENT_COLD),
    ([H, N, N, N, N, N, N, N, C, N], F.MIXED),
    ([N] * 10, F.NO_PATTERN),
]


@pytest.mark.parametrize("steps,expected", SF_CASES)
def test_it_classifies_sfhotspot_categories(steps, expected):
    hot, cold = case(steps)
    assert classify_sfhotspot(hot[None], cold[None]).tolist() == [expected]


def test_it_runs_the_pipelines_on_a_cube():
    rng = np.random.default_rng(3)
    T, ny, nx = 12, 15, 16
    cube = rng.poisson(0.5, (T, ny, nx)).astype(float)
    cube[:, 3:6, 3:6] += 6  # persistent hot
    cube[10:, 10:13, 10:13] += 10  # hot in the last two steps only
    res = emerging_hotspots(cube)
    assert res.category.shape == (ny, nx)
    assert res.category[4, 4] in (E.PERSISTENT_HOT, E.INTENSIFYING_HOT)
    assert res.category[11, 11] in (E.CONSECUTIVE_HOT, E.NEW_HOT)
    sf = sfhotspot_hotspots(cube)
    assert sf[4, 4] == F.PERSISTENT_HOT
    assert sf[11, 11] == F.EMERGING_HOT
    stack = cube_to_stack(cube.reshape(T, -1).T, ny, nx)
    np.testing.assert_array_equal(stack, cube)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31), st.floats(-50, 50), st.floats(0.1, 10))
def test_it_space_time_gistar_is_shift_and_scale_invariant(seed, c, a):
    cube = np.random.default_rng(seed).poisson(1.0, (5, 4, 6)).astype(float)
    base = space_time_gistar(cube).z
    np.testing.assert_allclose(space_time_gistar(cube * a + c).z, base, atol=1e-6)
