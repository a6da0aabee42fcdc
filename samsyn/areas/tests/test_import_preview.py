"""`samsyn import_areas` as a new municipality meets it: SCB's files without options,
a preview before writing, district links that survive a re-import, and a message with
nothing written for every bad file."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Transformer

from samsyn.areas.models import Area
from samsyn.organisations.models import AuditEvent

TO_TM = Transformer.from_crs(4326, 3006, always_xy=True)
X0, Y0 = TO_TM.transform(15.2134, 59.2741)


def cell(i: int, j: int = 0, size: float = 1000) -> Any:
    """A square of a grid of 1 km cells east and north of Örebro (SWEREF 99 TM)."""
    return shapely.box(
        X0 + i * size, Y0 + j * size, X0 + (i + 1) * size, Y0 + (j + 1) * size
    )


def write_geojson(path: Path, rows: list[tuple[dict[str, Any] | None, Any]]) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": shapely.geometry.mapping(geom),
            }
            for props, geom in rows
        ],
    }
    path.write_text(json.dumps(doc), "utf-8")
    return path


def run(path: Path, *args: str, level: str = "area") -> str:
    out = StringIO()
    call_command(
        "import_areas",
        str(path),
        "--collaboration",
        "north",
        "--level",
        level,
        *args,
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def counts() -> tuple[int, int]:
    return Area.objects.count(), AuditEvent.objects.count()


def test_scb_deso_with_id_and_kommun_imports_without_options(north, tmp_path):
    path = write_geojson(
        tmp_path / "deso.geojson",
        [({"id": f"1880C10{i}0", "kommun": "1880"}, cell(i)) for i in range(3)],
    )
    out = run(path)
    assert "code 'id'" in out
    assert "named by their codes" in out
    assert "imported 3 new and 0 updated areas (EPSG:3006)" in out
    assert sorted(Area.objects.values_list("ref", "name")) == [
        ("1880C1000", "1880C1000"),
        ("1880C1010", "1880C1010"),
        ("1880C1020", "1880C1020"),
    ]


def test_scb_regso_finds_code_and_name(north, tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "regsokod": ["1880R001", "1880R002"],
            "regso": ["Centrum", "Väster"],
            "kommunkod": ["1880", "1880"],
        },
        geometry=[cell(0), cell(1)],
        crs=3006,
    )
    frame.to_file(tmp_path / "regso.gpkg")
    out = run(tmp_path / "regso.gpkg", level="district")
    assert "code 'regsokod', name 'regso'" in out
    assert sorted(Area.objects.values_list("ref", "name")) == [
        ("1880R001", "Centrum"),
        ("1880R002", "Väster"),
    ]


def test_a_dry_run_shows_the_preview_and_writes_nothing(north, tmp_path):
    path = write_geojson(
        tmp_path / "a.geojson",
        [({"code": f"A{i}", "namn": f"Område {i}"}, cell(i)) for i in range(7)],
    )
    before = counts()
    out = run(path, "--dry-run")
    assert "a.geojson (GeoJSON): 7 features." in out
    assert "assumed SWEREF 99 TM (EPSG:3006)" in out
    assert "A0  Område 0" in out and "A4  Område 4" in out and "A5" not in out
    assert "would import 7 new and 0 updated areas" in out
    assert counts() == before
    north.refresh_from_db()
    assert north.areas_version == 0


def districts(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path / "d.geojson",
        [({"code": "D1"}, shapely.box(*cell(0).bounds[:2], *cell(1).bounds[2:]))],
    )
    run(path, level="district")


def test_district_links_are_guessed_and_kept_on_reimport(north, tmp_path):
    districts(tmp_path)
    linked = write_geojson(
        tmp_path / "a.geojson",
        [({"code": f"A{i}", "stadsdel": "D1"}, cell(i)) for i in range(2)],
    )
    out = run(linked)
    assert "district 'stadsdel'" in out
    assert set(Area.objects.leaves().values_list("parent__ref", flat=True)) == {"D1"}
    plain = write_geojson(
        tmp_path / "b.geojson", [({"code": f"A{i}"}, cell(i)) for i in range(2)]
    )
    out = run(plain, "--dry-run")
    assert "Existing district links are kept" in out
    out = run(plain)
    assert "imported 0 new and 2 updated" in out
    assert set(Area.objects.leaves().values_list("parent__ref", flat=True)) == {"D1"}
    out = run(plain, "--clear-parents")
    assert "district links are removed" in out
    assert set(Area.objects.leaves().values_list("parent", flat=True)) == {None}


def test_an_explicit_property_overrides_the_guess(north, tmp_path):
    path = write_geojson(
        tmp_path / "a.geojson",
        [({"code": "X", "nr": f"N{i}", "label": f"L{i}"}, cell(i)) for i in range(2)],
    )
    run(path, "--code-property", "nr", "--name-property", "label")
    assert sorted(Area.objects.values_list("ref", "name")) == [
        ("N0", "L0"),
        ("N1", "L1"),
    ]


def test_duplicates_are_refused_and_overlaps_and_gaps_are_told(north, tmp_path):
    dup = write_geojson(
        tmp_path / "dup.geojson", [({"code": "A"}, cell(0)), ({"code": "B"}, cell(0))]
    )
    with pytest.raises(CommandError, match="'A' and 'B' have identical boundaries"):
        run(dup)
    overlapping = shapely.box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)
    ring = shapely.box(X0, Y0, X0 + 3000, Y0 + 3000).difference(cell(1, 1))
    path = write_geojson(
        tmp_path / "o.geojson",
        [({"code": "A"}, cell(5)), ({"code": "B"}, cell(5).union(cell(6)).buffer(-1))]
        + [({"code": "C"}, ring), ({"code": "D"}, overlapping)],
    )
    out = run(path, "--dry-run")
    assert "2 pairs of areas overlap (C/D 1,000,000 m²; A/B 997,002 m²)" in out
    assert "1 gaps between areas, largest 1,000,000 m²" in out
    assert not Area.objects.exists()


def test_an_unclosed_ring_is_closed_and_said(north, tmp_path):
    ring = [list(p) for p in cell(0).exterior.coords][:-1]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    path = tmp_path / "open.geojson"
    path.write_text(json.dumps(doc))
    out = run(path)
    assert "feature 1 (A): an unclosed ring was closed." in out
    stored = Area.objects.get().geometry["coordinates"][0]
    assert stored[0] == stored[-1] and len(stored) == 5


BAD_FILES = {
    "truncated GeoJSON": "not valid JSON",
    "corrupt GeoPackage geometry": "feature 2 (B): unreadable geometry",
    "null properties with --municipality": "No feature belongs to municipality 1880",
    "municipality 127": "No feature belongs to municipality 127",
    "larger than --max-mb": "MB are taken",
    "unknown grid": "does not take",
    "unknown local zone": "local SWEREF 99 zones",
}


def bad_file(name: str, tmp_path: Path) -> tuple[Path, list[str]]:
    if name == "truncated GeoJSON":
        path = write_geojson(tmp_path / "t.geojson", [({"code": "A"}, cell(0))])
        path.write_text(path.read_text()[:-40])
        return path, []
    if name == "corrupt GeoPackage geometry":
        import sqlite3

        gpd.GeoDataFrame(
            {"code": ["A", "B"]}, geometry=[cell(0), cell(1)], crs=3006
        ).to_file(tmp_path / "c.gpkg", layer="c")
        with sqlite3.connect(tmp_path / "c.gpkg") as conn:
            for (trigger,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).fetchall():
                conn.execute(f'DROP TRIGGER "{trigger}"')
            conn.execute(
                "UPDATE c SET geom = ? WHERE code = 'B'",
                (b"GP\x00\x01\xe6\x10\x00\x00\x01\x03\x00\x00\x00\xff\xff\xff",),
            )
        return tmp_path / "c.gpkg", []
    if name == "null properties with --municipality":
        path = write_geojson(tmp_path / "n.geojson", [(None, cell(0))])
        return path, ["--municipality", "1880"]
    if name == "municipality 127":
        path = write_geojson(
            tmp_path / "m.geojson", [({"id": "1880C1010", "kommun": "1880"}, cell(0))]
        )
        return path, ["--municipality", "127"]
    if name == "larger than --max-mb":
        rows = [({"code": f"A{i}", "pad": "x" * 2000}, cell(i)) for i in range(600)]
        return write_geojson(tmp_path / "big.geojson", rows), ["--max-mb", "1"]
    if name == "unknown grid":
        gpd.GeoDataFrame({"code": ["A"]}, geometry=[cell(0)], crs=3006).to_crs(
            32633
        ).to_file(tmp_path / "utm.shp")
        return tmp_path / "utm.shp", []
    # SWEREF 99 18 00 coordinates with no declaration.
    there = gpd.GeoSeries([cell(0)], crs=3006).to_crs(3011)
    return write_geojson(tmp_path / "z.geojson", [({"code": "A"}, there[0])]), []


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_every_bad_file_is_a_message_and_nothing_is_written(north, tmp_path, name):
    path, args = bad_file(name, tmp_path)
    before = counts()
    with pytest.raises(CommandError) as caught:
        run(path, *args)
    message = str(caught.value)
    assert message.startswith("Nothing was imported")
    assert BAD_FILES[name] in message
    assert "Traceback" not in message
    assert counts() == before
    north.refresh_from_db()
    assert north.areas_version == 0


def test_a_bad_file_ends_the_command_with_a_non_zero_exit(north, tmp_path, capsys):
    from django.core.management import ManagementUtility

    path, args = bad_file("municipality 127", tmp_path)
    argv = ["manage.py", "import_areas", str(path), "--collaboration", "north"]
    with pytest.raises(SystemExit) as caught:
        ManagementUtility([*argv, "--level", "area", *args]).execute()
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert "No feature belongs to municipality 127" in err
    assert "Traceback" not in err


def test_the_messages_are_swedish_for_a_swedish_reader(north, tmp_path):
    from django.utils import translation

    path, args = bad_file("truncated GeoJSON", tmp_path)
    with translation.override("sv"), pytest.raises(CommandError) as caught:
        run(path, *args)
    assert "ogiltig JSON" in str(caught.value)
    with translation.override("sv"):
        out = run(write_geojson(tmp_path / "a.geojson", [({"id": "A"}, cell(0))]))
    assert "antog SWEREF 99 TM (EPSG:3006)" in out


def test_a_file_of_another_municipality_is_refused_once_areas_exist(north, tmp_path):
    run(write_geojson(tmp_path / "a.geojson", [({"code": "A"}, cell(0))]))
    far = shapely.affinity.translate(cell(0), 150_000, 300_000)  # Gävle way
    near = shapely.affinity.translate(cell(0), 5_000, 0)
    path = write_geojson(
        tmp_path / "b.geojson", [({"code": "B"}, near), ({"code": "C"}, far)]
    )
    with pytest.raises(CommandError) as caught:
        run(path)
    assert "feature 2 (C): lies more than 20 km outside" in str(caught.value)
    assert "(B)" not in str(caught.value)
    assert list(Area.objects.values_list("ref", flat=True)) == ["A"]
