import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.analysis.stats.grid import Grid


def test_it_snaps_origin_to_cell_multiple():
    g = Grid.from_points([601_010.0, 601_990.0], [6_500_260.0, 6_500_700.0], 250.0)
    assert (g.x0, g.y0, g.nx, g.ny) == (601_000.0, 6_500_250.0, 4, 2)


def test_it_handles_empty_input():
    g = Grid.from_points([], [], 100.0)
    assert g.n_cells == 0
    assert g.counts([], []).shape == (0, 0)
    g2 = Grid(0.0, 0.0, 100.0, 3, 2)
    assert g2.counts([], []).sum() == 0
    assert g2.cube([], [], [], 4, [], 2).shape == (6, 4, 2)


def test_it_puts_edge_points_in_the_right_cells():
    g = Grid(0.0, 0.0, 100.0, 2, 2)
    x = [0.0, 100.0, 200.0, 99.999, 200.0, -0.001, 250.0, np.nan]
    y = [0.0, 100.0, 200.0, 0.0, 50.0, 0.0, 0.0, 0.0]
    assert g.flat_index(x, y).tolist() == [0, 3, 3, 0, 1, -1, -1, -1]
    assert g.counts(x, y).tolist() == [[2.0, 1.0], [0.0, 2.0]]


def test_it_builds_cell_step_category_cube():
    g = Grid(0.0, 0.0, 10.0, 3, 2)
    x = np.array([5.0, 5.0, 25.0, 15.0, 15.0])
    y = np.array([5.0, 5.0, 15.0, 5.0, 5.0])
    t = np.array([0, 1, 2, 2, 7])  # 7 is out of range -> dropped
    k = np.array([1, 1, 0, 1, 0])
    c = g.cube(x, y, t, 3, k, 2)
    assert c.shape == (6, 3, 2)
    assert c.sum() == 4
    assert c[0, 0, 1] == 1 and c[0, 1, 1] == 1 and c[5, 2, 0] == 1 and c[1, 2, 1] == 1
    w = g.cube(x, y, t, 3, k, 2, weights=[2, 2, 2, 2, 2])
    assert w.dtype == np.float64 and w.sum() == 8


def test_it_gives_centres_and_corners():
    g = Grid(1000.0, 2000.0, 100.0, 3, 2)
    xc, yc = g.centres([0, 5])
    assert xc.tolist() == [1050.0, 1250.0] and yc.tolist() == [2050.0, 2150.0]
    x0, y0, x1, y1 = g.corners([4])
    assert (x0[0], y0[0], x1[0], y1[0]) == (1100.0, 2100.0, 1200.0, 2200.0)


coords = st.lists(
    st.tuples(
        st.floats(-1e3, 1e3, allow_nan=False), st.floats(-1e3, 1e3, allow_nan=False)
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(coords, st.sampled_from([7.5, 100.0, 250.0]))
def test_it_conserves_count_when_binning(pts, cell):
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    g = Grid.from_points(x, y, cell)
    assert g.counts(x, y).sum() == len(pts)
    flat = g.flat_index(x, y)
    assert (flat >= 0).all()
    xc, yc = g.centres(flat)
    assert (np.abs(xc - x) <= cell / 2 + 1e-9).all()
    assert (np.abs(yc - y) <= cell / 2 + 1e-9).all()
