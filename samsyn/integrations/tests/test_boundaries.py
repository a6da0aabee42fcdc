from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import Polygon

from samsyn.areas.models import Area
from samsyn.lib.geo import to_sweref


def sweref_square(lon: float, lat: float, d: float = 0.01) -> Polygon:
    corners = [(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d)]
    xs, ys = to_sweref([c[0] for c in corners], [c[1] for c in corners])
    return Polygon(list(zip(xs, ys, strict=True)))


def write_gpkg(path: Path, rows: list[tuple[str, str, Polygon]]) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY,
          organization TEXT, organization_coordsys_id INTEGER, definition TEXT,
          description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT,
          identifier TEXT, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,
          geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER);
        CREATE TABLE deso (fid INTEGER PRIMARY KEY, geom BLOB, deso TEXT,
          kommun TEXT);
        """
    )
    conn.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('SWEREF99 TM', 3006, 'EPSG', 3006, "
        "'PROJCS[\"SWEREF99 TM\"]', '')"
    )
    conn.execute("INSERT INTO gpkg_contents VALUES ('deso', 'features', 'deso', 3006)")
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES ('deso', 'geom', 'MULTIPOLYGON', "
        "3006, 0, 0)"
    )
    for code, kommun, poly in rows:
        minx, miny, maxx, maxy = poly.bounds
        # Header: magic, version 0, flags (little-endian, envelope 1 = xy), srs id.
        header = b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", 3006)
        envelope = struct.pack("<4d", minx, maxx, miny, maxy)
        blob = header + envelope + shapely.to_wkb(poly)
        conn.execute(
            "INSERT INTO deso (geom, deso, kommun) VALUES (?, ?, ?)",
            (blob, code, kommun),
        )
    conn.commit()
    conn.close()


def write_shapefile(base: Path, rows: list[tuple[str, str, Polygon]]) -> None:
    records = []
    for _code, _name, poly in rows:
        ring = list(poly.exterior.coords)
        if shapely.LinearRing(ring).is_ccw:
            ring = ring[::-1]  # shapefile shells are clockwise
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        content = struct.pack(
            "<i4dii", 5, min(xs), min(ys), max(xs), max(ys), 1, len(ring)
        )
        content += struct.pack("<i", 0)
        for x, y in ring:
            content += struct.pack("<2d", x, y)
        records.append(content)
    body = b""
    for i, content in enumerate(records, start=1):
        body += struct.pack(">2i", i, len(content) // 2) + content
    header = struct.pack(">7i", 9994, 0, 0, 0, 0, 0, (100 + len(body)) // 2)
    header += struct.pack("<2i4d4d", 1000, 5, 0, 0, 0, 0, 0, 0, 0, 0)
    base.with_suffix(".shp").write_bytes(header + body)
    # dBase III: two character fields.
    fields = [(b"CODE", 10), (b"NAME", 30)]
    record_len = 1 + sum(size for _n, size in fields)
    header_len = 32 + 32 * len(fields) + 1
    dbf = struct.pack("<B3BIHH20x", 3, 126, 1, 1, len(rows), header_len, record_len)
    for name, size in fields:
        dbf += (
            name.ljust(11, b"\x00")
            + b"C"
            + b"\x00" * 4
            + bytes([size, 0])
            + b"\x00" * 14
        )
    dbf += b"\x0d"
    for code, name, _poly in rows:
        dbf += b" " + code.encode().ljust(10) + name.encode("utf-8").ljust(30)
    dbf += b"\x1a"
    base.with_suffix(".dbf").write_bytes(dbf)
    base.with_suffix(".prj").write_text('PROJCS["SWEREF99_TM",GEOGCS["GCS_SWEREF99"]]')
    base.with_suffix(".cpg").write_text("UTF-8")


def test_it_imports_scb_deso_from_a_geopackage(north, tmp_path):
    path = tmp_path / "deso.gpkg"
    write_gpkg(
        path,
        [
            ("1880C1010", "1880", sweref_square(15.19, 59.26)),
            ("1880C1020", "1880", sweref_square(15.21, 59.26)),
            ("0180C1010", "0180", sweref_square(18.0, 59.3)),
        ],
    )
    call_command(
        "import_boundaries",
        str(path),
        collaboration="north",
        level="area",
        scb="deso",
        municipality="1880",
    )
    areas = Area.objects.filter(collaboration=north).order_by("ref")
    assert [a.ref for a in areas] == ["1880C1010", "1880C1020"]
    lon, lat = (
        areas[0].geometry["coordinates"][0][0][0]
        if areas[0].geometry["type"] == "MultiPolygon"
        else areas[0].geometry["coordinates"][0][0]
    )
    assert lon == pytest.approx(15.19, abs=1e-4)
    assert lat == pytest.approx(59.26, abs=1e-4)


def test_it_imports_a_shapefile(north, tmp_path):
    base = tmp_path / "stadsdelar"
    write_shapefile(
        base,
        [
            ("V", "Väster", sweref_square(15.19, 59.26)),
            ("O", "Öster", sweref_square(15.21, 59.26)),
        ],
    )
    call_command(
        "import_boundaries",
        str(base.with_suffix(".shp")),
        collaboration="north",
        level="district",
        code_property="CODE",
        name_property="NAME",
    )
    names = sorted(
        Area.objects.filter(collaboration=north).values_list("name", flat=True)
    )
    assert names == ["Väster", "Öster"]


def test_it_imports_nothing_when_one_feature_is_bad(north, tmp_path):
    path = tmp_path / "bad.gpkg"
    write_gpkg(
        path,
        [
            ("1880C1010", "1880", sweref_square(15.19, 59.26)),
            ("", "1880", sweref_square(15.21, 59.26)),
        ],
    )
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_boundaries",
            str(path),
            collaboration="north",
            level="area",
            scb="deso",
        )
    assert not Area.objects.filter(collaboration=north).exists()


def test_it_names_unknown_layers_and_formats(north, tmp_path):
    path = tmp_path / "deso.gpkg"
    write_gpkg(path, [("1880C1010", "1880", sweref_square(15.19, 59.26))])
    with pytest.raises(CommandError, match="the layers are: deso"):
        call_command(
            "import_boundaries",
            str(path),
            collaboration="north",
            level="area",
            layer="x",
        )
    other = tmp_path / "areas.kml"
    other.write_text("<kml/>")
    with pytest.raises(CommandError, match="GeoPackage"):
        call_command(
            "import_boundaries", str(other), collaboration="north", level="area"
        )
