"""Fuzzing the three boundary readers: whatever the bytes, the reader returns features
(each bad one with its problem) or raises BoundaryFileError with a message; nothing
else escapes. Valid files are written by geopandas/pyogrio, then damaged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samsyn.areas.reader import BoundaryFileError, read_boundaries

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SQUARES = [shapely.box(520_000 + i * 900, 6_570_000, 520_800 + i * 900, 6_570_800) for i in range(3)]  # fmt: skip


def read_or_message(path: Path) -> Any:
    try:
        result = read_boundaries(path)
    except BoundaryFileError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        return None
    for f in result.features:
        assert f.geometry is not None or f.problem
    return result


@pytest.fixture(scope="module")
def originals(tmp_path_factory: Any) -> Path:
    folder = tmp_path_factory.mktemp("originals")
    frame = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "namn": ["Å", "Ä", "Ö"]}, geometry=SQUARES, crs=3006
    )
    frame.to_file(folder / "a.gpkg", layer="a")
    frame.to_file(folder / "a.shp")
    frame.to_file(folder / "a.geojson", driver="GeoJSON")
    return folder


def damaged(src: Path, dst: Path, flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(src.read_bytes())
    for pos, value in flips:
        data[pos % len(data)] = value
    dst.write_bytes(bytes(data[: max(0, len(data) - cut)]))


flips = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8
)


@FUZZ
@given(flips=flips, cut=st.integers(0, 50))
def test_damaged_geopackages_give_messages(originals, tmp_path, flips, cut):
    damaged(originals / "a.gpkg", tmp_path / "a.gpkg", flips, cut)
    read_or_message(tmp_path / "a.gpkg")


@FUZZ
@given(
    part=st.sampled_from([".shp", ".dbf", ".shx", ".prj", ".cpg"]),
    flips=flips,
    cut=st.integers(0, 120),
)
def test_damaged_shapefiles_give_messages(originals, tmp_path, part, flips, cut):
    for suffix in (".shp", ".dbf", ".shx", ".prj", ".cpg"):
        shutil.copy(originals / f"a{suffix}", tmp_path / f"a{suffix}")
    damaged(originals / f"a{part}", tmp_path / f"a{part}", flips, cut)
    read_or_message(tmp_path / "a.shp")


@FUZZ
@given(flips=flips, cut=st.integers(0, 200))
def test_damaged_geojson_gives_messages(originals, tmp_path, flips, cut):
    damaged(originals / "a.geojson", tmp_path / "a.geojson", flips, cut)
    read_or_message(tmp_path / "a.geojson")


@FUZZ
@given(blob=st.binary(max_size=200))
def test_any_geopackage_geometry_blob_is_read_or_refused(originals, tmp_path, blob):
    import sqlite3

    shutil.copy(originals / "a.gpkg", tmp_path / "a.gpkg")
    with sqlite3.connect(tmp_path / "a.gpkg") as conn:
        for (trigger,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{trigger}"')
        conn.execute("UPDATE a SET geom = ? WHERE code = 'B'", (b"GP" + blob,))
    result = read_or_message(tmp_path / "a.gpkg")
    if result is not None:
        assert result.features[0].geometry is not None


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)


@FUZZ
@given(
    crs=st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "type": st.just("name"),
                "properties": st.fixed_dictionaries(
                    {
                        "name": st.one_of(
                            st.text(max_size=40),
                            st.integers(0, 40_000).map(lambda n: f"EPSG:{n}"),
                            st.sampled_from(
                                ["urn:ogc:def:crs:EPSG::3011", "CRS84", "PROJCS[", ""]
                            ),
                        )
                    }
                ),
            }
        ),
    ),
    scale=st.sampled_from([1, 1e-5, 2, 1000]),
)
def test_any_crs_member_is_read_or_refused(tmp_path, crs, scale):
    doc = {
        "type": "FeatureCollection",
        "crs": crs,
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A"},
                "geometry": shapely.geometry.mapping(
                    shapely.affinity.scale(SQUARES[0], scale, scale, origin=(0, 0))
                ),
            }
        ],
    }
    path = tmp_path / "a.geojson"
    path.write_text(json.dumps(doc))
    read_or_message(path)
