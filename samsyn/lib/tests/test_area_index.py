"""AreaIndex: point → area lookup, one point at a time and vectorised."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.lib.geo import AreaIndex, area_km2, in_sweden, to_sweref, to_wgs84


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


# A 3×2 grid of touching squares, ids out of order, and one overlapping square.
CELLS = [
    (
        30 + i,
        box(
            15.0 + 0.1 * (i % 3),
            59.0 + 0.1 * (i // 3),
            15.1 + 0.1 * (i % 3),
            59.1 + 0.1 * (i // 3),
        ),
    )
    for i in range(6)
] + [(7, box(15.05, 59.05, 15.15, 59.15))]
INDEX = AreaIndex.build(CELLS)


def test_it_finds_the_area_containing_a_point():
    assert INDEX.lookup(15.25, 59.15) == 35
    assert INDEX.lookup(15.02, 59.02) == 30
    assert INDEX.lookup(16.0, 59.0) is None
    assert INDEX.lookup(math.nan, 59.0) is None


def test_it_picks_the_first_area_on_a_shared_edge():
    assert INDEX.lookup(15.1, 59.02) == 30  # edge of cells 30 and 31
    assert INDEX.lookup(15.1, 59.1) == 30  # corner of four cells


def test_it_answers_nothing_without_areas():
    empty = AreaIndex.build([])
    assert empty.lookup(15.0, 59.0) is None
    assert empty.lookup_many(np.array([15.0]), np.array([59.0])).tolist() == [-1]


coord = st.tuples(
    st.floats(14.95, 15.35, allow_nan=False),
    st.floats(58.95, 59.25, allow_nan=False),
)
# Include points exactly on edges and corners, where tie-breaking matters.
grid_coord = st.tuples(
    st.integers(150, 153).map(lambda v: v / 10),
    st.integers(590, 592).map(lambda v: v / 10),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(coord, grid_coord), min_size=1, max_size=40))
def test_it_gives_the_same_answer_one_by_one_and_vectorised(points):
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    many = INDEX.lookup_many(lon, lat).tolist()
    one = [INDEX.lookup(x, y) for x, y in points]
    assert many == [-1 if v is None else v for v in one]


def test_it_converts_between_wgs84_and_sweref_99_tm():
    x, y = to_sweref(15.2134, 59.2741)  # Stortorget, Örebro
    assert 511_500 < x < 513_000 and 6_570_000 < y < 6_572_000
    lon, lat = to_wgs84(x, y)
    assert abs(lon - 15.2134) < 1e-9 and abs(lat - 59.2741) < 1e-9
    assert in_sweden(15.2, 59.3) and not in_sweden(2.35, 48.85)
    one_km = 1 / 111.32  # about 1 km of latitude
    assert 0.5 < area_km2(box(15.2, 59.27, 15.2 + 2 * one_km, 59.27 + one_km)) < 1.5
