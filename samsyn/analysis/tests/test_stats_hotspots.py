import warnings

import esda
import libpysal
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.analysis.stats.hotspots import (
    benjamini_hochberg,
    bh_threshold,
    box_sum,
    confidence_bins,
    gistar_grid,
    gistar_sparse,
    two_sided_p,
)


def queen_csr(ny, nx, r=1, mask=None):
    idx = np.arange(ny * nx).reshape(ny, nx)
    rows, cols = [], []
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            a = idx[max(0, dy) : ny + min(0, dy), max(0, dx) : nx + min(0, dx)]
            b = idx[max(0, -dy) : ny + min(0, -dy), max(0, -dx) : nx + min(0, -dx)]
            rows.append(a.ravel())
            cols.append(b.ravel())
    i, j = np.concatenate(rows), np.concatenate(cols)
    w = sp.csr_matrix((np.ones(i.size), (i, j)), shape=(ny * nx, ny * nx))
    if mask is not None:
        keep = np.flatnonzero(np.asarray(mask).ravel())
        w = w[keep][:, keep]
    return sp.csr_matrix(w)


def esda_zs(y, w_csr):
    # self weights are already on the diagonal (star), binary transform
    w = libpysal.weights.WSP(w_csr).to_W(silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(y, w, transform="B", star=True, permutations=0)
    return np.asarray(g.Zs)


@pytest.mark.parametrize("shape,r", [((12, 15), 1), ((9, 11), 2), ((14, 13), 5)])
def test_it_matches_esda_on_raster_and_csr(shape, r):
    rng = np.random.default_rng(7)
    x = rng.poisson(1.5, shape).astype(float)
    w = queen_csr(*shape, r)
    ref = esda_zs(x.ravel(), w)
    res = gistar_grid(x, radius=r)
    np.testing.assert_allclose(res.z.ravel(), ref, rtol=0, atol=1e-9)
    # edge and corner cells are included in the comparison above; check one
    assert abs(res.z[0, 0] - ref[0]) < 1e-9
    res2 = gistar_sparse(x.ravel(), w, add_self=False)
    np.testing.assert_allclose(res2.z, ref, atol=1e-9)
    res3 = gistar_sparse(x.ravel(), w - sp.eye(w.shape[0]))
    np.testing.assert_allclose(res3.z, ref, atol=1e-9)


def test_it_restricts_to_study_area_mask():
    rng = np.random.default_rng(3)
    x = rng.poisson(2.0, (10, 12)).astype(float)
    mask = np.ones_like(x, dtype=bool)
    mask[:3, :4] = False
    mask[7:, 9:] = False
    x[~mask] = 0.0
    res = gistar_grid(x, 1, mask=mask)
    ref = esda_zs(x[mask], queen_csr(10, 12, 1, mask))
    np.testing.assert_allclose(res.z[mask], ref, atol=1e-9)
    assert np.isnan(res.z[~mask]).all() and np.isnan(res.p[~mask]).all()
    assert res.n == mask.sum()


def test_it_handles_constant_input_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = gistar_grid(np.full((5, 6), 3.0))
        assert (res.z == 0).all() and (res.p == 1).all() and (res.bin == 0).all()
        res2 = gistar_sparse(np.zeros(4), queen_csr(2, 2))
        assert (res2.z == 0).all() and (res2.p == 1).all()


def test_it_computes_general_s1_for_weighted_matrix():
    rng = np.random.default_rng(5)
    x = rng.random(30)
    w = sp.random(30, 30, density=0.2, random_state=1, format="csr")
    w = sp.csr_matrix(w + sp.eye(30))
    res = gistar_sparse(x, w, add_self=False)
    n = 30
    wd = w.toarray()
    W, S1 = wd.sum(1), (wd**2).sum(1)
    xb, s = x.mean(), np.sqrt((x**2).mean() - x.mean() ** 2)
    z = (wd @ x - xb * W) / (s * np.sqrt((n * S1 - W**2) / (n - 1)))
    np.testing.assert_allclose(res.z, z, atol=1e-10)


def test_it_box_sums_like_direct_loop():
    rng = np.random.default_rng(1)
    a = rng.random((7, 9))
    for r in (0, 1, 2, 5):
        ref = np.zeros_like(a)
        for i in range(7):
            for j in range(9):
                ref[i, j] = a[
                    max(0, i - r) : i + r + 1, max(0, j - r) : j + r + 1
                ].sum()
        np.testing.assert_allclose(box_sum(a, r), ref, atol=1e-12)


def bh_reference(p, q):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    k_max = 0
    for k in range(1, m + 1):
        if p[order[k - 1]] <= k * q / m:
            k_max = k
    sig = [False] * m
    for k in range(k_max):
        sig[order[k]] = True
    adj = [0.0] * m
    running = 1.0
    for k in range(m, 0, -1):
        running = min(running, p[order[k - 1]] * m / k)
        adj[order[k - 1]] = min(running, 1.0)
    return sig, adj


pvals = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=80)


@settings(max_examples=80, deadline=None)
@given(pvals, st.sampled_from([0.01, 0.05, 0.1, 0.25]))
def test_it_matches_reference_bh(p, q):
    sig_ref, adj_ref = bh_reference(p, q)
    sig, adj = benjamini_hochberg(np.array(p), q)
    np.testing.assert_allclose(adj, adj_ref, rtol=1e-12)
    thr = bh_threshold(np.array(p), q)
    assert ((np.array(p) <= thr) == np.array(sig_ref)).all()
    assert (sig == np.array(sig_ref)).all()


@settings(max_examples=60, deadline=None)
@given(pvals, st.floats(0.001, 0.5), st.floats(0.001, 0.5))
def test_it_bh_mask_is_monotone_in_q(p, q1, q2):
    lo, hi = sorted((q1, q2))
    pa = np.array(p)
    assert ((pa <= bh_threshold(pa, lo)) <= (pa <= bh_threshold(pa, hi))).all()


def test_it_bins_like_arcgis_with_and_without_fdr():
    z = np.array([3.0, -2.2, 1.7, 0.5, -2.7])
    p = two_sided_p(z)
    assert confidence_bins(z, p, fdr=False).tolist() == [3, -2, 1, 0, -3]
    binned = confidence_bins(z, p, fdr=True)
    expected = []
    for zi, pi in zip(z, p, strict=True):
        mag = sum(pi <= bh_threshold(p, lv) for lv in (0.1, 0.05, 0.01))
        expected.append(int(np.sign(zi)) * mag)
    assert binned.tolist() == expected


def test_it_reports_fdr_significance_and_adjusted_p():
    rng = np.random.default_rng(11)
    x = rng.poisson(1.0, (30, 30)).astype(float)
    x[10:14, 10:14] += 8
    res = gistar_grid(x, q=0.05)
    sig_ref, adj_ref = bh_reference(res.p.ravel().tolist(), 0.05)
    assert (res.significant.ravel() == np.array(sig_ref)).all()
    np.testing.assert_allclose(res.p_adjusted.ravel(), adj_ref, rtol=1e-12)
    assert res.bin[11, 11] == 3


rasters = st.integers(0, 2**32 - 1).map(
    lambda s: np.random.default_rng(s).poisson(2.0, (8, 9)).astype(float)
)


@settings(max_examples=40, deadline=None)
@given(rasters, st.floats(-1000, 1000), st.floats(0.01, 100))
def test_it_is_invariant_to_shift_and_scale(x, c, a):
    base = gistar_grid(x).z
    np.testing.assert_allclose(gistar_grid(x + c).z, base, atol=1e-6)
    np.testing.assert_allclose(gistar_grid(x * a).z, base, atol=1e-6)
