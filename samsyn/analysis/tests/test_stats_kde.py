import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.analysis.stats.grid import Grid
from samsyn.analysis.stats.kde import (
    bandwidth_arcgis,
    bandwidth_nrd_mean,
    kde_grid,
    kernel_matrix,
    quartic_kernel,
)


def direct(grid, px, py, h, w=None):
    xc, yc = grid.centres()
    w = np.ones(len(px)) if w is None else np.asarray(w)
    out = np.zeros(grid.n_cells)
    for xi, yi, wi in zip(px, py, w, strict=True):
        d = np.hypot(xc - xi, yc - yi)
        out += wi * quartic_kernel(d / h) / h**2
    return out.reshape(grid.shape) * 1e6


def test_it_equals_direct_sum_at_cell_centres():
    g = Grid(0.0, 0.0, 50.0, 20, 16)
    rng = np.random.default_rng(2)
    ix, iy = rng.integers(-3, 23, 40), rng.integers(-3, 19, 40)
    px, py = (ix + 0.5) * 50.0, (iy + 0.5) * 50.0  # at centres (some outside)
    w = rng.random(40)
    res = kde_grid(px, py, g, bandwidth=230.0, weights=w, normalise=False)
    ref = direct(g, px, py, 230.0, w)
    np.testing.assert_allclose(res.density, ref, rtol=1e-9, atol=1e-9 * ref.max())
    assert res.bandwidth_rule == "given"
    # the normalised kernel is the same surface times one constant
    k = kernel_matrix(230.0, 50.0, normalise=False)
    norm = kde_grid(px, py, g, bandwidth=230.0, weights=w).density
    scale = 1.0 / (k.sum() * 50.0 * 50.0)
    np.testing.assert_allclose(norm, ref * scale, rtol=1e-9, atol=1e-9 * ref.max())


def test_it_implements_bandwidth_rules():
    rng = np.random.default_rng(4)
    x, y = rng.normal(0, 300, 200), rng.normal(0, 500, 200)
    d = np.hypot(x - x.mean(), y - y.mean())
    sd = math.sqrt((d**2).mean())
    h = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * np.median(d)) * 200**-0.2
    assert abs(bandwidth_arcgis(x, y) - h) < 1e-6 * h

    def nrd(v):
        q75, q25 = np.percentile(v, [75, 25])
        return 4 * 1.06 * min(np.std(v, ddof=1), (q75 - q25) / 1.34) * len(v) ** -0.2

    assert abs(bandwidth_nrd_mean(x, y) - (nrd(x) + nrd(y)) / 2) < 1e-9
    g = Grid.from_points(x, y, 100.0)
    assert kde_grid(x, y, g).bandwidth_rule == "arcgis"
    assert kde_grid(x, y, g, rule="nrd").bandwidth == bandwidth_nrd_mean(x, y)


def test_it_handles_empty_input():
    g = Grid(0.0, 0.0, 100.0, 4, 3)
    res = kde_grid([], [], g, bandwidth=300.0)
    assert res.density.shape == (3, 4) and res.density.sum() == 0


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 3000), st.floats(0, 3000)), min_size=1, max_size=40
    ),
    st.floats(60.0, 600.0),
)
def test_it_integrates_to_n(pts, h):
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    g = Grid.from_points(x, y, 25.0, pad=h + 25.0)
    res = kde_grid(x, y, g, bandwidth=h)
    total = res.density.sum() * g.cell_area_km2
    assert abs(total - len(pts)) < 1e-6 * len(pts)
