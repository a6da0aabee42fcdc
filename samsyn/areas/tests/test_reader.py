"""The boundary reader: every accepted grid, declared or detected, in the three
formats (files written by the GIS libraries of the development set-up), and the
messages for grids it cannot take or cannot decide."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer

from samsyn.areas.reader import (
    ACCEPTED,
    LOCAL_ZONES,
    BoundaryFileError,
    read_boundaries,
)

# Örebro, Stortorget.
OREBRO = (15.2134, 59.2741)


def tm(lon: float, lat: float) -> tuple[float, float]:
    return Transformer.from_crs(4326, 3006, always_xy=True).transform(lon, lat)


def square_in(epsg: int, lon: float = OREBRO[0], lat: float = OREBRO[1]) -> Any:
    """A 1 km square centred on (lon, lat), drawn in the grid ``epsg``."""
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    d = 0.005 if epsg == 4326 else 500
    return shapely.box(x - d, y - d, x + d, y + d)


def geojson(path: Path, geoms: list[Any], crs: str | None = None, **props: Any) -> Path:
    doc: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": f"A{i}", **props},
                "geometry": shapely.geometry.mapping(g),
            }
            for i, g in enumerate(geoms)
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), "utf-8")
    return path


@pytest.mark.parametrize("epsg", ACCEPTED)
def test_it_reads_every_accepted_grid_declared_in_geojson(tmp_path, epsg):
    path = geojson(
        tmp_path / "a.geojson", [square_in(epsg)], f"urn:ogc:def:crs:EPSG::{epsg}"
    )
    result = read_boundaries(path)
    assert result.crs == f"EPSG:{epsg}"
    assert result.crs_decision == "declared"
    centre = result.features[0].geometry.centroid
    x, y = tm(*OREBRO)
    # A square drawn in another grid is not exactly square in SWEREF 99 TM.
    assert centre.x == pytest.approx(x, abs=15)
    assert centre.y == pytest.approx(y, abs=15)


@pytest.mark.parametrize("epsg", [3006, 3011, 3014, 3021, 3857, 4326])
@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
def test_it_reads_the_grid_geopandas_declares(tmp_path, epsg, suffix):
    frame = gpd.GeoDataFrame(
        {"deso": ["1880C1010"], "kommun": ["1880"]},
        geometry=[square_in(epsg)],
        crs=epsg,
    )
    path = tmp_path / f"deso{suffix}"
    frame.to_file(path)
    result = read_boundaries(path)
    assert result.crs == f"EPSG:{epsg}", result.crs_reason
    assert result.crs_decision == "declared"
    x, y = tm(*OREBRO)
    centre = result.features[0].geometry.centroid
    assert (centre.x, centre.y) == pytest.approx((x, y), abs=15)
    assert result.features[0].properties == {"deso": "1880C1010", "kommun": "1880"}


def test_it_round_trips_a_point_through_each_grid():
    """The reader transforms with pyproj: a point taken to each grid and read back
    lands where pyproj puts it directly, to the centimetre."""
    from samsyn.areas.reader import _transform

    x, y = tm(*OREBRO)
    for epsg in ACCEPTED:
        there = Transformer.from_crs(4326, epsg, always_xy=True).transform(*OREBRO)
        back = _transform(shapely.Point(there), epsg)
        assert (back.x, back.y) == pytest.approx((x, y), abs=0.01), epsg


@pytest.mark.parametrize(
    ("epsg", "said"),
    [
        (3006, "assumed SWEREF 99 TM (EPSG:3006)"),
        (3021, "assumed RT90 2.5 gon V (EPSG:3021)"),
        (4326, "assumed WGS84"),
    ],
)
def test_it_detects_an_undeclared_grid_and_says_so(tmp_path, epsg, said):
    result = read_boundaries(geojson(tmp_path / "a.geojson", [square_in(epsg)]))
    assert result.crs == f"EPSG:{epsg}"
    assert result.crs_decision == "detected"
    assert said in result.crs_reason


def test_it_detects_web_mercator_in_the_north(tmp_path):
    # In the south Web Mercator and RT90 numbers overlap; Kiruna's do not.
    kiruna = square_in(3857, 20.22, 67.85)
    result = read_boundaries(geojson(tmp_path / "a.geojson", [kiruna]))
    assert result.crs == "EPSG:3857"
    assert "Web Mercator" in result.crs_reason


def test_it_asks_when_the_numbers_fit_two_grids(tmp_path):
    malmo = square_in(3857, 13.0, 55.6)
    with pytest.raises(BoundaryFileError, match="EPSG:3021 or EPSG:3857.*--crs"):
        read_boundaries(geojson(tmp_path / "a.geojson", [malmo]))
    result = read_boundaries(geojson(tmp_path / "a.geojson", [malmo]), crs="EPSG:3857")
    assert result.crs == "EPSG:3857" and "given as" in result.crs_reason


# Each local zone is used near its central meridian (Göteborg 12 00 … Haparanda 23 15).
ZONE_PLACES = {
    3007: (12.3, 57.7), 3008: (13.6, 59.4), 3009: (15.2, 59.27), 3010: (16.5, 59.6),
    3011: (18.07, 59.33), 3012: (14.3, 63.2), 3013: (15.8, 61.0), 3014: (17.3, 62.4),
    3015: (18.9, 63.8), 3016: (20.3, 64.8), 3017: (22.1, 65.6), 3018: (23.5, 66.0),
}  # fmt: skip


@pytest.mark.parametrize("epsg", LOCAL_ZONES)
def test_it_does_not_guess_which_local_zone(tmp_path, epsg):
    path = geojson(tmp_path / "a.geojson", [square_in(epsg, *ZONE_PLACES[epsg])])
    with pytest.raises(BoundaryFileError, match="local SWEREF 99 zones.*--crs"):
        read_boundaries(path)


def test_it_stops_when_3011_is_declared_but_the_values_are_degrees(tmp_path):
    path = geojson(
        tmp_path / "a.geojson", [square_in(4326)], "urn:ogc:def:crs:EPSG::3011"
    )
    with pytest.raises(BoundaryFileError, match="declares EPSG:3011.*degrees"):
        read_boundaries(path)


def test_it_stops_when_the_declared_grid_puts_the_areas_outside_sweden(tmp_path):
    # The case that once landed in Norway: SWEREF 99 18 00 values read as TM.
    path = geojson(tmp_path / "a.geojson", [square_in(3011, 18.07, 59.33)], "EPSG:3006")
    with pytest.raises(BoundaryFileError) as caught:
        read_boundaries(path)
    message = caught.value.problems[0]
    assert "declares EPSG:3006" in message and "outside Sweden" in message


def test_it_stops_when_wgs84_is_declared_but_the_values_are_metres(tmp_path):
    path = geojson(tmp_path / "a.geojson", [square_in(3006)], "EPSG:4326")
    with pytest.raises(BoundaryFileError, match="longitude/latitude.*metres"):
        read_boundaries(path)


def test_it_refuses_a_grid_it_does_not_take(tmp_path):
    path = geojson(tmp_path / "a.geojson", [square_in(32633)], "EPSG:32633")
    with pytest.raises(BoundaryFileError, match="EPSG:32633.*SWEREF 99 TM"):
        read_boundaries(path)
    frame = gpd.GeoDataFrame({"id": ["x"]}, geometry=[square_in(32633)], crs=32633)
    frame.to_file(tmp_path / "utm.gpkg")
    with pytest.raises(BoundaryFileError, match="EPSG:32633"):
        read_boundaries(tmp_path / "utm.gpkg")


def test_it_says_when_latitude_and_longitude_are_swapped(tmp_path):
    swapped = shapely.transform(square_in(4326), lambda c: c[:, ::-1])
    with pytest.raises(BoundaryFileError, match="wrong order"):
        read_boundaries(geojson(tmp_path / "a.geojson", [swapped]))


def test_it_reads_crs84_and_the_old_epsg_form(tmp_path):
    a = geojson(
        tmp_path / "a.geojson",
        [square_in(4326)],
        "urn:ogc:def:crs:OGC:1.3:CRS84",
    )
    assert read_boundaries(a).crs == "EPSG:4326"
    doc = json.loads(a.read_text())
    doc["crs"] = {"type": "EPSG", "properties": {"code": 3006}}
    doc["features"][0]["geometry"] = shapely.geometry.mapping(square_in(3006))
    a.write_text(json.dumps(doc))
    assert read_boundaries(a).crs == "EPSG:3006"


def test_a_feature_far_away_is_a_problem_of_its_own(tmp_path):
    geoms = [square_in(4326), square_in(4326, 15.3, 59.3), square_in(4326, 2.35, 48.85)]
    result = read_boundaries(geojson(tmp_path / "a.geojson", geoms))
    assert [f.problem is None for f in result.features] == [True, True, False]
    assert "outside Sweden" in (result.features[2].problem or "")


def test_it_closes_an_open_ring_and_says_so(tmp_path):
    x, y = tm(*OREBRO)
    ring = [[x, y], [x + 100, y], [x + 100, y + 100], [x, y + 100]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            },
            {
                "type": "Feature",
                "properties": {"code": "B"},
                "geometry": {"type": "Polygon", "coordinates": [ring[:2]]},
            },
        ],
    }
    path = tmp_path / "a.geojson"
    path.write_text(json.dumps(doc))
    result = read_boundaries(path)
    first, second = result.features
    assert first.geometry.area == pytest.approx(10_000)
    assert first.notes == ["an unclosed ring was closed"]
    assert second.geometry is None
    assert "fewer than three points" in (second.problem or "")


def test_it_refuses_files_larger_than_the_maximum(tmp_path):
    path = geojson(tmp_path / "a.geojson", [square_in(4326)])
    with pytest.raises(BoundaryFileError, match="MB are taken.*simplify"):
        read_boundaries(path, max_bytes=100)


def test_it_reads_a_shapefile_whose_cpg_says_ansi_1252(tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["V"], "namn": ["Västra Örebro"]},
        geometry=[square_in(3006)],
        crs=3006,
    )
    path = tmp_path / "stadsdelar.shp"
    frame.to_file(path, encoding="cp1252")
    path.with_suffix(".cpg").write_text("ANSI 1252")
    result = read_boundaries(path)
    assert result.features[0].properties["namn"] == "Västra Örebro"


def test_it_reads_cp1252_names_without_a_cpg_and_says_so(tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["V"], "namn": ["Västra"]}, geometry=[square_in(3006)], crs=3006
    )
    path = tmp_path / "stadsdelar.shp"
    frame.to_file(path, encoding="cp1252")
    path.with_suffix(".cpg").unlink()
    result = read_boundaries(path)
    assert result.features[0].properties["namn"] == "Västra"
    assert "Windows-1252" in result.notes[0]


def test_it_names_a_code_page_it_does_not_know(tmp_path):
    frame = gpd.GeoDataFrame({"code": ["V"]}, geometry=[square_in(3006)], crs=3006)
    path = tmp_path / "s.shp"
    frame.to_file(path)
    path.with_suffix(".cpg").write_text("EBCDIC 037")
    with pytest.raises(BoundaryFileError, match="EBCDIC 037.*UTF-8"):
        read_boundaries(path)


def test_a_corrupt_geopackage_geometry_is_a_problem_of_that_feature(tmp_path):
    import sqlite3

    frame = gpd.GeoDataFrame(
        {"code": ["A", "B"]},
        geometry=[square_in(3006), square_in(3006, 15.25, 59.3)],
        crs=3006,
    )
    path = tmp_path / "deso.gpkg"
    frame.to_file(path, layer="deso")
    with sqlite3.connect(path) as conn:
        for (trigger,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{trigger}"')
        conn.execute(
            "UPDATE deso SET geom = ? WHERE code = 'B'",
            (b"GP\x00\x01\xe6\x10\x00\x00" + b"\x01\x03\x00\x00\x00\xff\xff",),
        )
    result = read_boundaries(path)
    assert result.features[0].problem is None
    assert "unreadable geometry" in (result.features[1].problem or "")
