"""Reading boundary files into GeoJSON features: GeoPackage, Shapefile, GeoJSON.

No GDAL: a GeoPackage is SQLite with geometry blobs (a small header, then WKB, read
with shapely); a Shapefile is read by a minimal reader of polygon records (.shp) and
their attributes (.dbf). Coordinates are returned as stored, with the CRS found in
the file (``EPSG:3006`` or ``EPSG:4326``); ``samsyn.areas.actions.import_areas``
transforms SWEREF 99 TM to WGS84 and checks every feature.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping


class BoundaryFileError(Exception):
    pass


SWEREF_NAMES = ("SWEREF99_TM", "SWEREF99 TM", "SWEREF_99_TM")


def crs_from_wkt(wkt: str) -> str | None:
    text = wkt.upper().replace('"', "")
    if any(n in text for n in SWEREF_NAMES) or "3006" in text:
        return "EPSG:3006"
    if "WGS_1984" in text or "WGS 84" in text or "WGS84" in text:
        if "PROJCS" not in text and "PROJCRS" not in text:
            return "EPSG:4326"
    return None


def _crs_from_srs_id(srs_id: int, definition: str = "") -> str | None:
    if srs_id in (3006, 4326):
        return f"EPSG:{srs_id}"
    return crs_from_wkt(definition) if definition else None


# --- GeoPackage ----------------------------------------------------------------------


def gpkg_geometry(blob: bytes) -> Any:
    """A GeoPackage geometry blob → shapely geometry (header, envelope, then WKB)."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise BoundaryFileError("not a GeoPackage geometry blob")
    flags = blob[3]
    envelope = (flags >> 1) & 0b111
    sizes = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
    if envelope not in sizes:
        raise BoundaryFileError("bad envelope indicator in geometry header")
    return shapely.from_wkb(bytes(blob[8 + sizes[envelope] :]))


def read_geopackage(
    path: Path, layer: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        layers = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"
            )
        ]
        if not layers:
            raise BoundaryFileError(f"{path.name}: no feature layers.")
        if layer is None:
            if len(layers) > 1:
                raise BoundaryFileError(
                    f"{path.name} has several layers ({', '.join(layers)}); "
                    "choose one with --layer."
                )
            layer = layers[0]
        elif layer not in layers:
            raise BoundaryFileError(
                f"No layer '{layer}'; the layers are: {', '.join(layers)}."
            )
        row = conn.execute(
            "SELECT g.column_name, g.srs_id, s.definition FROM gpkg_geometry_columns g "
            "LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id "
            "WHERE g.table_name = ?",
            (layer,),
        ).fetchone()
        if row is None:
            raise BoundaryFileError(f"Layer '{layer}' has no geometry column.")
        geom_col, srs_id, definition = row
        crs = _crs_from_srs_id(int(srs_id), definition or "")
        # The layer name comes from gpkg_contents (checked above), not from free input.
        quoted = layer.replace('"', '""')
        cursor = conn.execute(f'SELECT * FROM "{quoted}"')  # noqa: S608
        names = [d[0] for d in cursor.description]
        features = []
        for values in cursor:
            props = dict(zip(names, values, strict=True))
            blob = props.pop(geom_col)
            geometry = mapping(gpkg_geometry(blob)) if blob else None
            features.append(_feature(props, geometry))
        return features, crs
    except sqlite3.DatabaseError as exc:
        raise BoundaryFileError(f"{path.name}: not a GeoPackage ({exc}).") from exc
    finally:
        conn.close()


# --- Shapefile -----------------------------------------------------------------------


def _rings_to_geometry(rings: list[list[tuple[float, float]]]) -> dict[str, Any]:
    """Shapefile rings → Polygon/MultiPolygon: clockwise rings are outer shells."""
    polygons: list[list[list[tuple[float, float]]]] = []
    for ring in rings:
        if shapely.LinearRing(ring).is_ccw and polygons:
            polygons[-1].append(ring)  # a hole of the shell before it
        else:
            polygons.append([ring])
    if len(polygons) == 1:
        return {
            "type": "Polygon",
            "coordinates": [[list(p) for p in r] for r in polygons[0]],
        }
    return {
        "type": "MultiPolygon",
        "coordinates": [[[list(p) for p in r] for r in poly] for poly in polygons],
    }


def read_shp_geometries(data: bytes) -> list[dict[str, Any] | None]:
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise BoundaryFileError("not a shapefile (.shp)")
    shape_type = struct.unpack("<i", data[32:36])[0]
    if shape_type not in (0, 5, 15, 25):
        raise BoundaryFileError(
            f"shape type {shape_type} is not a polygon type; areas need polygons."
        )
    out: list[dict[str, Any] | None] = []
    pos = 100
    while pos + 8 <= len(data):
        length = struct.unpack(">i", data[pos + 4 : pos + 8])[0] * 2
        rec = data[pos + 8 : pos + 8 + length]
        pos += 8 + length
        kind = struct.unpack("<i", rec[:4])[0]
        if kind == 0:
            out.append(None)
            continue
        if kind not in (5, 15, 25):
            raise BoundaryFileError(f"record of shape type {kind} is not a polygon.")
        nparts, npoints = struct.unpack("<ii", rec[36:44])
        parts = list(struct.unpack(f"<{nparts}i", rec[44 : 44 + 4 * nparts]))
        start = 44 + 4 * nparts
        coords = struct.unpack(f"<{2 * npoints}d", rec[start : start + 16 * npoints])
        points = list(zip(coords[0::2], coords[1::2], strict=True))
        bounds = parts + [npoints]
        rings = [points[bounds[i] : bounds[i + 1]] for i in range(nparts)]
        out.append(_rings_to_geometry(rings))
    return out


def read_dbf(data: bytes, encoding: str = "utf-8") -> list[dict[str, Any]]:
    nrecords, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\x00")[0].decode("ascii", "replace")
        ftype = chr(data[pos + 11])
        size, decimals = data[pos + 16], data[pos + 17]
        fields.append((name, ftype, size, decimals))
        pos += 32
    rows = []
    for i in range(nrecords):
        start = header_len + i * record_len
        rec = data[start : start + record_len]
        if rec[:1] == b"*":
            continue  # deleted
        offset = 1
        row: dict[str, Any] = {}
        for name, ftype, size, decimals in fields:
            raw = rec[offset : offset + size]
            offset += size
            row[name] = _dbf_value(raw, ftype, decimals, encoding)
        rows.append(row)
    return rows


def _dbf_value(raw: bytes, ftype: str, decimals: int, encoding: str) -> Any:
    try:
        text = raw.decode(encoding).strip()
    except UnicodeDecodeError:
        text = raw.decode("latin-1").strip()
    if ftype in ("N", "F"):
        if not text or set(text) <= {"*"}:
            return None
        try:
            return int(text) if decimals == 0 and "." not in text else float(text)
        except ValueError:
            return None
    if ftype == "L":
        return text.upper() in ("Y", "T") if text not in ("", "?") else None
    return text


def read_shapefile(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    shp = path.with_suffix(".shp")
    dbf = path.with_suffix(".dbf")
    prj = path.with_suffix(".prj")
    cpg = path.with_suffix(".cpg")
    if not shp.exists() or not dbf.exists():
        raise BoundaryFileError(f"{path.stem}: both .shp and .dbf are needed.")
    encoding = cpg.read_text().strip() if cpg.exists() else "utf-8"
    geometries = read_shp_geometries(shp.read_bytes())
    rows = read_dbf(dbf.read_bytes(), encoding=encoding)
    if len(rows) != len(geometries):
        raise BoundaryFileError(
            f"{shp.name} has {len(geometries)} shapes but {dbf.name} {len(rows)} rows."
        )
    crs = crs_from_wkt(prj.read_text(errors="replace")) if prj.exists() else None
    return [_feature(r, g) for r, g in zip(rows, geometries, strict=True)], crs


def _feature(props: dict[str, Any], geometry: Any) -> dict[str, Any]:
    clean = {k: v for k, v in props.items() if not isinstance(v, bytes)}
    return {"type": "Feature", "properties": clean, "geometry": geometry}


def read_boundaries(
    path: Path, layer: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Features and CRS of a .gpkg, .shp or .geojson/.json file."""
    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        return read_geopackage(path, layer)
    if suffix in (".shp", ".dbf"):
        return read_shapefile(path)
    if suffix in (".geojson", ".json"):
        from samsyn.areas.actions import read_features

        return read_features(path)
    raise BoundaryFileError(
        f"{path.name}: give a GeoPackage (.gpkg), Shapefile (.shp) or GeoJSON file."
    )


# SCB's DeSO and RegSO files name their columns like this (2018 and 2025 editions).
SCB_PRESETS: dict[str, dict[str, str]] = {
    "deso": {"code": "deso", "name": "deso", "population": "befolkning"},
    "regso": {"code": "regsokod", "name": "regso", "population": "befolkning"},
}
