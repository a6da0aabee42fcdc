import json

import numpy as np

from samsyn.analysis.stats.export import grid_feature_collection
from samsyn.analysis.stats.grid import Grid


def fake_wgs84(x, y):
    return 11.0 + x / 1e5, 58.0 + y / 1e5


def signed_area(ring):
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)
    )


def test_it_exports_non_empty_or_significant_cells():
    g = Grid(600_000.0, 6_500_000.0, 250.0, 3, 2)
    counts = np.array([[0, 2, 0], [0, 0, 1]])
    bins = np.array([[1, 0, 0], [0, 0, 0]], dtype=np.int8)
    z = np.array([[1.7, 2.0, np.nan], [0, 0, 0.1]])
    fc = grid_feature_collection(g, fake_wgs84, {"count": counts, "z": z, "bin": bins})
    json.dumps(fc, allow_nan=False)
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == [0, 1, 5]
    f0 = fc["features"][0]
    assert f0["properties"] == {"cell": 0, "count": 0, "z": 1.7, "bin": 1}
    ring = f0["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert signed_area(ring) > 0  # counter-clockwise
    assert ring[0] == [17.0, 123.0] and ring[2] == [17.0025, 123.0025]


def test_it_rounds_to_six_decimals_and_nulls_nan():
    g = Grid(0.0, 0.0, 1.0, 1, 1)

    def tr(x, y):
        return x / 3.0, y / 7.0

    fc = grid_feature_collection(g, tr, {"density": np.array([np.nan])})
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert ring[2] == [0.333333, 0.142857]
    assert fc["features"][0]["properties"]["density"] is None
