"""Reading boundary files: GeoJSON, GeoPackage and Shapefile, in any Swedish grid.

One reader for every polygon file the project takes in (areas and districts here;
organisations' property polygons use the same door). ``read_boundaries(path)`` returns
a :class:`BoundaryFile`: its features (properties and a shapely geometry in SWEREF 99
TM, EPSG:3006, after transformation), the source CRS and how it was decided. A file
that cannot be read raises :class:`BoundaryFileError` with messages for a person; a
single bad feature is kept with its ``problem`` so the caller can list every one.

Coordinate systems (docs/decisions/0016-boundary-reader.md):

* declared: GeoJSON ``crs`` member (``EPSG:3011``, ``urn:ogc:def:crs:EPSG::3011``,
  CRS84), a Shapefile's ``.prj`` (WKT) and a GeoPackage layer's ``srs_id`` with its
  definition, all read with pyproj;
* accepted: SWEREF 99 TM (3006), the twelve local SWEREF 99 zones (3007–3018), RT90
  2.5 gon V (3021), WGS84 (4326 / CRS84) and Web Mercator (3857); others are refused;
* nothing declared: detected from the coordinate ranges, and the reason is said;
* a declaration that the coordinates contradict (degrees declared as metres, or the
  transformed areas outside Sweden) stops the import.

No GDAL: GeoJSON with the standard library, GeoPackage with sqlite3 (geometry blobs are
a small header followed by WKB), Shapefile with pyshp.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry.base import BaseGeometry

# A boundary file larger than this is refused, at the command line and in the web: a
# whole country's DeSO areas (5,984 areas) as GeoJSON is about 60 MB unsimplified.
MAX_FILE_BYTES = 100 * 1024 * 1024
# More features than this is not one collaboration's areas (Sweden has 5,984 DeSO).
MAX_FEATURES = 20_000

SWEREF99TM = 3006
LOCAL_ZONES = tuple(range(3007, 3019))
RT90 = 3021
WEB_MERCATOR = 3857
WGS84 = 4326
ACCEPTED = (SWEREF99TM, *LOCAL_ZONES, RT90, WGS84, WEB_MERCATOR)

# Sweden (with a few km of margin) in SWEREF 99 TM metres. Its westernmost point
# (Koster, 10.96° E) is at x ≈ 266,000; a local-zone file read as TM lands west of it.
SWEDEN_TM = (255_000.0, 6_125_000.0, 925_000.0, 7_680_000.0)

SUFFIXES = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GeoPackage",
    ".shp": "Shapefile",
    ".dbf": "Shapefile",
}

# Code pages a Shapefile's .cpg may name, as ESRI and QGIS write them.
_CODEPAGES = {
    "UTF8": "utf-8",
    "65001": "utf-8",
    "1252": "cp1252",
    "ANSI1252": "cp1252",
    "CP1252": "cp1252",
    "WINDOWS1252": "cp1252",
    "88591": "latin-1",
    "ISO88591": "latin-1",
    "LATIN1": "latin-1",
    "885915": "iso8859-15",
    "ISO885915": "iso8859-15",
    "850": "cp850",
    "437": "cp437",
}


class BoundaryFileError(Exception):
    """The file cannot be read; nothing was written. ``problems`` are for a person."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class BoundaryFeature:
    """One feature: ``number`` is its 1-based position in the file."""

    number: int
    properties: dict[str, Any]
    geometry: BaseGeometry | None = None  # EPSG:3006, after transformation
    problem: str | None = None  # why the geometry is unusable (then it is None)
    notes: list[str] = field(default_factory=list)  # e.g. a ring that was closed
    is_feature: bool = True  # False: not a feature at all (``problem`` says why)


@dataclass
class BoundaryFile:
    name: str
    format: str  # "GeoJSON", "GeoPackage" or "Shapefile"
    features: list[BoundaryFeature]
    crs: str  # the source CRS, "EPSG:3011"
    crs_decision: str  # "declared" or "detected"
    crs_reason: str  # for a person, e.g. "declared in the file (SWEREF99 18 00)"
    layer: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. the encoding assumed

    @property
    def properties(self) -> list[str]:
        """Every property name, in order of first appearance."""
        seen: dict[str, None] = {}
        for f in self.features:
            seen.update(dict.fromkeys(f.properties))
        return list(seen)


def crs_label(epsg: int) -> str:
    return f"EPSG:{epsg} ({CRS.from_epsg(epsg).name})"


def accepted_crs_text() -> str:
    return _(
        "SWEREF 99 TM (EPSG:3006), the local SWEREF 99 zones (EPSG:3007–3018), RT90 "
        "2.5 gon V (EPSG:3021), WGS84 (EPSG:4326, CRS84) or Web Mercator (EPSG:3857)"
    )


@lru_cache(maxsize=32)
def _to_tm(epsg: int) -> Transformer:
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:3006", always_xy=True)


def _norm(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


@lru_cache(maxsize=1)
def _names() -> dict[str, int]:
    names = {_norm(CRS.from_epsg(e).name): e for e in ACCEPTED}
    names.update({"WGS84": WGS84, "GCSWGS1984": WGS84, "SWEREF99": 4619})
    return names


def crs_to_epsg(text: str) -> int | None:
    """The EPSG code of a CRS given as text (EPSG code, URN, WKT, PROJ), or None when
    unreadable. CRS84 is WGS84 (lon/lat order is assumed everywhere)."""
    text = text.strip()
    if not text:
        return None
    if "CRS84" in text.upper():
        return WGS84
    try:
        crs = CRS.from_user_input(text)
    except (CRSError, ValueError, TypeError):
        crs = None
    if crs is not None:
        epsg = crs.to_epsg(min_confidence=70)
        if epsg is not None:
            return int(epsg)
        for code in ACCEPTED:
            if crs.equals(CRS.from_epsg(code), ignore_axis_order=True):
                return code
        name = _norm(crs.name)
    else:
        # A .prj that pyproj cannot parse: recognise the accepted systems by name.
        found = re.search(r'(?:PROJCS|GEOGCS|PROJCRS|GEOGCRS)\["([^"]+)"', text)
        name = _norm(found.group(1)) if found else ""
    return _names().get(name, -1 if name else None)


def _check_accepted(epsg: int, where: str) -> None:
    if epsg == 4619:  # geographic SWEREF 99: the same as WGS84 to a few decimetres
        return
    if epsg not in ACCEPTED:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s declares the coordinate system %(crs)s, which Samsyn does "
                    "not take. Save the file in %(accepted)s."
                )
                % {
                    "file": where,
                    "crs": f"EPSG:{epsg}" if epsg > 0 else _("(unknown)"),
                    "accepted": accepted_crs_text(),
                }
            ]
        )


# --- reading raw features -----------------------------------------------------------


@dataclass
class _Raw:
    properties: dict[str, Any]
    geometry: BaseGeometry | None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    is_feature: bool = True


def _closed_rings(geometry: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A GeoJSON (multi)polygon with every ring closed; notes say which were closed.
    A ring with fewer than three distinct points cannot be closed: ValueError."""
    notes: list[str] = []
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon") or not isinstance(coords, list):
        return geometry, notes
    polygons = [coords] if kind == "Polygon" else coords

    def close(ring: Any) -> Any:
        if not isinstance(ring, list) or not ring:
            return ring
        if ring[0] != ring[-1]:
            distinct = {tuple(p) for p in ring if isinstance(p, list)}
            if len(distinct) < 3:
                raise ValueError(_("a ring with fewer than three points"))
            notes.append(_("an unclosed ring was closed"))
            return [*ring, ring[0]]
        return ring

    fixed = [[close(r) for r in p] if isinstance(p, list) else p for p in polygons]
    out = {"type": kind, "coordinates": fixed[0] if kind == "Polygon" else fixed}
    return out, notes


_SHAPE_ERRORS = (
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    RecursionError,
    ShapelyError,
    GEOSException,
)


def _geojson_geometry(geometry: Any) -> tuple[BaseGeometry | None, str | None, list]:
    if not isinstance(geometry, dict):
        return None, _("no geometry"), []
    try:
        fixed, notes = _closed_rings(geometry)
        geom = shapely.geometry.shape(fixed)
    except _SHAPE_ERRORS as exc:
        return None, _("unreadable geometry (%(error)s)") % {"error": exc}, []
    return geom, None, notes


def _read_geojson(path: Path) -> tuple[list[_Raw], int | None, list[str]]:
    try:
        # utf-8-sig: a byte-order mark (common from Windows tools) is not an error.
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError as exc:
        raise BoundaryFileError(
            [_("%(file)s: JSON nested too deeply.") % {"file": path.name}]
        ) from exc
    except UnicodeDecodeError as exc:
        raise BoundaryFileError(
            [
                _("%(file)s: not UTF-8 text (%(reason)s).")
                % {"file": path.name, "reason": exc.reason}
            ]
        ) from exc
    except json.JSONDecodeError as exc:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s: not valid JSON (line %(line)s: %(error)s). Is the file "
                    "complete? A file cut off while copying or downloading ends like "
                    "this."
                )
                % {"file": path.name, "line": exc.lineno, "error": exc.msg}
            ]
        ) from exc
    except ValueError as exc:  # e.g. an integer with more than 4300 digits
        raise BoundaryFileError(
            [
                _("%(file)s: not usable JSON (%(error)s).")
                % {"file": path.name, "error": str(exc).replace("\n", " ")}
            ]
        ) from exc
    return geojson_features(doc, path.name)


def geojson_features(doc: Any, name: str) -> tuple[list[_Raw], int | None, list[str]]:
    """Raw features and declared CRS of a parsed GeoJSON document."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise BoundaryFileError(
            [_("%(file)s: expected a GeoJSON FeatureCollection.") % {"file": name}]
        )
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryFileError(
            [_("%(file)s: the FeatureCollection has no features.") % {"file": name}]
        )
    declared = _geojson_crs(doc.get("crs"), name)
    raws = []
    for feature in features:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raws.append(_Raw({}, None, _("not a GeoJSON Feature"), is_feature=False))
            continue
        props = feature.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            raws.append(
                _Raw({}, None, _("properties must be a JSON object"), is_feature=False)
            )
            continue
        geom, problem, notes = _geojson_geometry(feature.get("geometry"))
        raws.append(_Raw(props, geom, problem, notes))
    return raws, declared, []


def _geojson_crs(member: Any, name: str) -> int | None:
    if member is None:
        return None
    text = ""
    if isinstance(member, dict):
        props = member.get("properties")
        if isinstance(props, dict):
            if isinstance(props.get("name"), str):
                text = props["name"]
            elif isinstance(props.get("code"), int | str):  # the old "EPSG" form
                text = f"EPSG:{props['code']}"
    epsg = crs_to_epsg(text) if text else None
    if epsg is None:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s: the 'crs' member cannot be read (%(crs)s). Remove it "
                    "or name an EPSG code, e.g. urn:ogc:def:crs:EPSG::3006."
                )
                % {"file": name, "crs": json.dumps(member)[:120]}
            ]
        )
    _check_accepted(epsg, name)
    return epsg


def gpkg_geometry(blob: bytes) -> BaseGeometry | None:
    """A GeoPackage geometry blob → shapely geometry (header, envelope, then WKB);
    None for an empty geometry. Raises ValueError for a blob that is not one."""
    blob = bytes(blob)
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError(_("not a GeoPackage geometry"))
    flags = blob[3]
    if flags & 0b0001_0000:
        return None  # empty geometry flag
    sizes = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
    envelope = (flags >> 1) & 0b111
    if envelope not in sizes:
        raise ValueError(_("bad envelope in the geometry header"))
    return shapely.from_wkb(blob[8 + sizes[envelope] :])


def _read_geopackage(
    path: Path, layer: str | None
) -> tuple[list[_Raw], int | None, list[str], str]:
    try:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise BoundaryFileError(
                    [
                        _("%(file)s: not a GeoPackage (SQLite) file.")
                        % {"file": path.name}
                    ]
                )
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except OSError as exc:
        raise BoundaryFileError(
            [
                _("%(file)s cannot be read (%(error)s).")
                % {"file": path.name, "error": exc.strerror}
            ]
        ) from exc
    try:
        layers = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'"
            )
        ]
        if not layers:
            raise BoundaryFileError(
                [_("%(file)s: no feature layers.") % {"file": path.name}]
            )
        if layer is None:
            if len(layers) > 1:
                raise BoundaryFileError(
                    [
                        _(
                            "%(file)s has several layers (%(layers)s); choose one "
                            "with --layer."
                        )
                        % {"file": path.name, "layers": ", ".join(layers)}
                    ]
                )
            layer = layers[0]
        elif layer not in layers:
            raise BoundaryFileError(
                [
                    _("No layer '%(layer)s'; the layers are: %(layers)s.")
                    % {"layer": layer, "layers": ", ".join(layers)}
                ]
            )
        row = conn.execute(
            "SELECT g.column_name, g.srs_id, s.organization, "
            "s.organization_coordsys_id, s.definition FROM gpkg_geometry_columns g "
            "LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id "
            "WHERE g.table_name = ?",
            (layer,),
        ).fetchone()
        if row is None:
            raise BoundaryFileError(
                [_("Layer '%(layer)s' has no geometry column.") % {"layer": layer}]
            )
        geom_col, srs_id, org, org_id, definition = row
        declared = _gpkg_crs(srs_id, org, org_id, definition, path.name)
        # The layer name comes from gpkg_contents (checked above), not from free input.
        quoted = layer.replace('"', '""')
        # The integer primary key (fid) is the file's row number, not a property.
        keys = {r[1] for r in conn.execute(f'PRAGMA table_info("{quoted}")') if r[5]}
        cursor = conn.execute(f'SELECT * FROM "{quoted}"')  # noqa: S608
        names = [d[0] for d in cursor.description]
        raws = []
        for values in cursor:
            props = dict(zip(names, values, strict=True))
            blob = props.pop(geom_col, None)
            props = {
                k: v
                for k, v in props.items()
                if k not in keys and not isinstance(v, bytes)
            }
            if blob is None:
                raws.append(_Raw(props, None, _("no geometry")))
                continue
            try:
                geom = gpkg_geometry(blob)
            except (ValueError, TypeError, ShapelyError, GEOSException) as exc:
                raws.append(
                    _Raw(
                        props,
                        None,
                        _("unreadable geometry (%(error)s)") % {"error": exc},
                    )
                )
                continue
            raws.append(_Raw(props, geom, None if geom else _("empty geometry")))
        return raws, declared, [], layer
    except sqlite3.DatabaseError as exc:
        raise BoundaryFileError(
            [
                _("%(file)s: not a GeoPackage (%(error)s).")
                % {"file": path.name, "error": exc}
            ]
        ) from exc
    finally:
        conn.close()


def _gpkg_crs(
    srs_id: Any, org: Any, org_id: Any, definition: Any, name: str
) -> int | None:
    if srs_id in (None, 0, -1):  # undefined geographic / Cartesian
        return None
    epsg: int | None = None
    if str(org or "").upper() == "EPSG" and isinstance(org_id, int):
        epsg = org_id
    elif isinstance(definition, str) and definition.strip() not in ("", "undefined"):
        epsg = crs_to_epsg(definition)
    if epsg is None:
        return None
    _check_accepted(epsg, name)
    return epsg


def _codepage(cpg: Path) -> str | None:
    text = cpg.read_bytes()[:64].decode("ascii", "replace").strip()
    encoding = _CODEPAGES.get(_norm(text))
    if encoding is None:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s names the character set '%(cpg)s', which Samsyn does not "
                    "know. Save the Shapefile as UTF-8 (in QGIS: Export → Save "
                    "Features As, encoding UTF-8), or write UTF-8 in the .cpg file if "
                    "the names are UTF-8."
                )
                % {"file": cpg.name, "cpg": text[:40]}
            ]
        )
    return encoding


def _read_shapefile(path: Path) -> tuple[list[_Raw], int | None, list[str]]:
    import shapefile  # pyshp

    shp, dbf = path.with_suffix(".shp"), path.with_suffix(".dbf")
    prj, cpg = path.with_suffix(".prj"), path.with_suffix(".cpg")
    if not shp.exists() or not dbf.exists():
        raise BoundaryFileError(
            [_("%(file)s: both .shp and .dbf are needed.") % {"file": path.stem}]
        )
    notes: list[str] = []
    encoding = _codepage(cpg) if cpg.exists() else None
    declared = None
    if prj.exists():
        text = prj.read_bytes()[:20_000].decode("utf-8", "replace")
        declared = crs_to_epsg(text)
        if declared is not None:
            _check_accepted(declared, prj.name)
    tries = [encoding] if encoding else ["utf-8", "cp1252"]
    last: Exception | None = None
    for enc in tries:
        try:
            with shapefile.Reader(
                shp=shp.open("rb"), dbf=dbf.open("rb"), encoding=enc
            ) as sf:
                if sf.shapeType not in (0, 5, 15, 25):
                    raise BoundaryFileError(
                        [
                            _("%(file)s holds %(kind)s shapes; areas need polygons.")
                            % {"file": shp.name, "kind": sf.shapeTypeName}
                        ]
                    )
                raws = [_shape_record(r) for r in sf.iterShapeRecords()]
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except shapefile.ShapefileException as exc:
            if "decode" not in str(exc):
                raise BoundaryFileError(
                    [
                        _("%(file)s: not a readable Shapefile (%(error)s).")
                        % {"file": shp.name, "error": exc}
                    ]
                ) from exc
            last = exc
            continue
        except BoundaryFileError:
            raise
        except (struct.error, ValueError, OSError, IndexError) as exc:
            raise BoundaryFileError(
                [
                    _("%(file)s: not a readable Shapefile (%(error)s).")
                    % {"file": shp.name, "error": exc}
                ]
            ) from exc
        if enc == "cp1252" and encoding is None:
            notes.append(
                _(
                    "The Shapefile has no .cpg file and its names are not UTF-8; "
                    "they were read as Windows-1252."
                )
            )
        return raws, declared, notes
    raise BoundaryFileError(
        [
            _(
                "%(file)s: the names are not in the character set %(enc)s (%(error)s). "
                "Correct the .cpg file or save the Shapefile as UTF-8."
            )
            % {"file": dbf.name, "enc": tries[-1], "error": last}
        ]
    )


def _shape_record(record: Any) -> _Raw:
    props = {
        k: v for k, v in record.record.as_dict().items() if not isinstance(v, bytes)
    }
    shape = record.shape
    if shape.shapeType == 0:
        return _Raw(props, None, _("no geometry"))
    if shape.shapeType not in (5, 15, 25):
        return _Raw(props, None, _("not a polygon"))
    try:
        geom = shapely.geometry.shape(shape.__geo_interface__)
    except _SHAPE_ERRORS as exc:
        return _Raw(props, None, _("unreadable geometry (%(error)s)") % {"error": exc})
    return _Raw(props, geom)


# --- coordinate systems -------------------------------------------------------------


def _boxes(geoms: list[BaseGeometry]) -> np.ndarray:
    """The finite bounds (minx, miny, maxx, maxy) of each non-empty geometry."""
    arr = np.array(
        [g.bounds for g in geoms if g is not None and not g.is_empty], dtype=float
    ).reshape(-1, 4)
    return arr[np.isfinite(arr).all(axis=1)]


def _degrees(boxes: np.ndarray) -> np.ndarray:
    return (np.abs(boxes[:, [0, 2]]) <= 180).all(axis=1) & (
        np.abs(boxes[:, [1, 3]]) <= 90
    ).all(axis=1)


def _tm_boxes(epsg: int, boxes: np.ndarray) -> np.ndarray:
    """Each box's corners and centre transformed to SWEREF 99 TM, as a box again."""
    xs = np.column_stack(
        [boxes[:, 0], boxes[:, 2], boxes[:, 0], boxes[:, 2], boxes[:, [0, 2]].mean(1)]
    )
    ys = np.column_stack(
        [boxes[:, 1], boxes[:, 1], boxes[:, 3], boxes[:, 3], boxes[:, [1, 3]].mean(1)]
    )
    with np.errstate(all="ignore"):
        x, y = _to_tm(epsg).transform(xs.ravel(), ys.ravel())
    x = np.asarray(x).reshape(xs.shape)
    y = np.asarray(y).reshape(ys.shape)
    return np.column_stack([x.min(1), y.min(1), x.max(1), y.max(1)])


def _in_sweden(tm: np.ndarray, limit: tuple[float, ...] = SWEDEN_TM) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(tm).all(axis=1)
            & (tm[:, 0] >= limit[0]) & (tm[:, 1] >= limit[1])
            & (tm[:, 2] <= limit[2]) & (tm[:, 3] <= limit[3])
        )  # fmt: skip


def _inside_sweden(box: tuple[float, ...]) -> bool:
    return bool(_in_sweden(np.array([box], dtype=float))[0])


def _fits(epsg: int, boxes: np.ndarray) -> bool:
    """Most features land in Sweden with this CRS (the others are then reported one
    by one as outside Sweden)."""
    return bool(_in_sweden(_tm_boxes(epsg, boxes)).mean() >= 0.5)


def _total(boxes: np.ndarray) -> tuple[float, float, float, float]:
    return (
        float(boxes[:, 0].min()),
        float(boxes[:, 1].min()),
        float(boxes[:, 2].max()),
        float(boxes[:, 3].max()),
    )


def _fmt(boxes: np.ndarray) -> str:
    b = _total(boxes)
    digits = 4 if max(abs(v) for v in b) <= 180 else 0
    return ", ".join(f"{v:.{digits}f}" for v in b)


def detect_crs(boxes: np.ndarray, name: str) -> tuple[int, str]:
    """The CRS of features with these bounds when the file declares none, and why;
    BoundaryFileError when they fit none, or several, of the accepted systems."""
    bounds = {"bounds": _fmt(boxes)}
    if _degrees(boxes).mean() >= 0.5:
        if _fits(WGS84, boxes):
            return WGS84, _(
                "assumed WGS84 longitude/latitude because the coordinates are degrees "
                "inside Sweden (%(bounds)s)"
            ) % bounds
        if _fits(WGS84, boxes[:, [1, 0, 3, 2]]):
            raise BoundaryFileError(
                [
                    _(
                        "%(file)s: the coordinates look like latitude/longitude in the "
                        "wrong order (%(bounds)s). GeoJSON needs longitude first; "
                        "save the file again with x = longitude."
                    )
                    % {"file": name, **bounds}
                ]
            )
        raise BoundaryFileError(
            [
                _(
                    "%(file)s: the coordinates are degrees outside Sweden (%(bounds)s); "
                    "is this the right file?"
                )
                % {"file": name, **bounds}
            ]
        )
    fits = [e for e in (SWEREF99TM, RT90, WEB_MERCATOR) if _fits(e, boxes)]
    if len(fits) == 1:
        reasons = {
            SWEREF99TM: _(
                "assumed SWEREF 99 TM (EPSG:3006) because the coordinates are metres "
                "in SWEREF 99 TM's range for Sweden (%(bounds)s)"
            ),
            RT90: _(
                "assumed RT90 2.5 gon V (EPSG:3021) because the eastings are around "
                "1,200,000–1,900,000 m (%(bounds)s)"
            ),
            WEB_MERCATOR: _(
                "assumed Web Mercator (EPSG:3857) because the coordinates are metres "
                "that only Web Mercator puts in Sweden (%(bounds)s)"
            ),
        }
        return fits[0], reasons[fits[0]] % bounds
    if len(fits) > 1:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s: the coordinates (%(bounds)s) could be %(crs)s; the file "
                    "does not say which. Give it with --crs or save the file with its "
                    "coordinate system."
                )
                % {
                    "file": name,
                    **bounds,
                    "crs": _(" or ").join(f"EPSG:{e}" for e in fits),
                }
            ]
        )
    if any(_fits(e, boxes) for e in LOCAL_ZONES):
        raise BoundaryFileError(
            [
                _(
                    "%(file)s: the coordinates look like one of the local SWEREF 99 "
                    "zones (eastings around 150,000 m: %(bounds)s), but the file does "
                    "not say which. Give it with --crs (e.g. --crs EPSG:3011 for "
                    "SWEREF 99 18 00, Stockholm) or save the file with its coordinate "
                    "system."
                )
                % {"file": name, **bounds}
            ]
        )
    raise BoundaryFileError(
        [
            _(
                "%(file)s: the coordinates (%(bounds)s) are in none of the coordinate "
                "systems Samsyn takes, or not in Sweden: %(accepted)s."
            )
            % {"file": name, **bounds, "accepted": accepted_crs_text()}
        ]
    )


def _check_declared(epsg: int, boxes: np.ndarray, name: str) -> None:
    """Stop when the declared CRS and the coordinates disagree."""
    geographic = epsg == WGS84
    degrees = _degrees(boxes).mean() >= 0.5
    values = {"file": name, "crs": crs_label(epsg), "bounds": _fmt(boxes)}
    if not geographic and degrees:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s declares %(crs)s (metres) but the coordinates are "
                    "degrees (%(bounds)s), probably WGS84 longitude/latitude. Correct "
                    "the declaration, or give --crs EPSG:4326."
                )
                % values
            ]
        )
    if geographic and not degrees:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s declares longitude/latitude (%(crs)s) but the coordinates "
                    "are metres (%(bounds)s). Correct the declaration, or give the "
                    "right one with --crs."
                )
                % values
            ]
        )
    if not _fits(epsg, boxes):
        tm = _tm_boxes(epsg, boxes)
        lon, lat = _to_wgs84_box(_total(tm))
        raise BoundaryFileError(
            [
                _(
                    "%(file)s declares %(crs)s, but with it the areas would lie at "
                    "longitude %(lon)s, latitude %(lat)s: outside Sweden. The "
                    "declaration and the coordinates disagree; check the coordinate "
                    "system the file was saved in."
                )
                % {**values, "lon": lon, "lat": lat}
            ]
        )


def _to_wgs84_box(box: tuple[float, ...]) -> tuple[str, str]:
    back = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
    if not all(math.isfinite(v) for v in box):
        return "?", "?"
    lon, lat = back.transform([box[0], box[2]], [box[1], box[3]])
    return f"{lon[0]:.2f}–{lon[1]:.2f}", f"{lat[0]:.2f}–{lat[1]:.2f}"


def _transform(geom: BaseGeometry, epsg: int) -> BaseGeometry:
    if epsg == SWEREF99TM:
        return geom
    fwd = _to_tm(epsg)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = fwd.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, project)


# --- the public entry points --------------------------------------------------------


def _check_size(path: Path, max_bytes: int) -> None:
    try:
        size = sum(
            p.stat().st_size
            for p in [path, path.with_suffix(".dbf")]
            if p.exists() and p.suffix.lower() in (path.suffix.lower(), ".dbf")
        )
    except OSError as exc:
        raise BoundaryFileError(
            [
                _("%(file)s cannot be read (%(error)s).")
                % {"file": path.name, "error": exc.strerror}
            ]
        ) from exc
    if size > max_bytes:
        raise BoundaryFileError([too_large_message(path.name, size, max_bytes)])


def too_large_message(name: str, size: int, max_bytes: int) -> str:
    return _(
        "%(file)s is %(size)s MB; boundary files up to %(max)s MB are taken. Keep only "
        "your municipality's areas (e.g. --municipality 1880, or filter in QGIS) or "
        "simplify the outlines (QGIS: Vector → Geometry Tools → Simplify, 1–5 m) and "
        "try again."
    ) % {
        "file": name,
        "size": f"{size / 1_048_576:.0f}",
        "max": f"{max_bytes / 1_048_576:.0f}",
    }


def read_boundaries(
    path: Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> BoundaryFile:
    """Read a GeoJSON (.geojson/.json), GeoPackage (.gpkg) or Shapefile (.shp) file.

    ``layer`` picks a GeoPackage layer; ``crs`` (e.g. "EPSG:3011") overrides what the
    file declares. Every geometry is returned in SWEREF 99 TM. Raises
    BoundaryFileError for a file that cannot be read, is larger than ``max_bytes``,
    or whose coordinate system is not accepted, undecidable or contradicted.
    """
    path = Path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s: give a GeoPackage (.gpkg), Shapefile (.shp) or GeoJSON "
                    "(.geojson) file."
                )
                % {"file": path.name}
            ]
        )
    if not path.exists():
        raise BoundaryFileError([_("%(file)s: no such file.") % {"file": path}])
    _check_size(path, max_bytes)
    used_layer = None
    if kind == "GeoJSON":
        raws, declared, notes = _read_geojson(path)
    elif kind == "GeoPackage":
        raws, declared, notes, used_layer = _read_geopackage(path, layer)
    else:
        raws, declared, notes = _read_shapefile(path)
    result = resolve(raws, declared, path.name, kind, crs=crs)
    result.layer = used_layer
    result.notes = notes + result.notes
    return result


def read_geojson_features(
    features: list[Any], *, declared_crs: str | None = None, name: str = "GeoJSON"
) -> BoundaryFile:
    """The same as read_boundaries for GeoJSON features already in memory."""
    raws, declared, _notes = geojson_features(
        {"type": "FeatureCollection", "features": features}, name
    )
    return resolve(raws, declared, name, "GeoJSON", crs=declared_crs)


def resolve(
    raws: list[_Raw], declared: int | None, name: str, kind: str, *, crs: str | None
) -> BoundaryFile:
    """Decide the CRS of raw features, transform them to SWEREF 99 TM and mark the
    features that are outside Sweden."""
    if len(raws) > MAX_FEATURES:
        raise BoundaryFileError(
            [
                _(
                    "%(file)s has %(n)s features; at most %(max)s are taken. Keep only "
                    "your municipality's areas and try again."
                )
                % {"file": name, "n": f"{len(raws):,}", "max": f"{MAX_FEATURES:,}"}
            ]
        )
    decision = "declared"
    if crs:
        epsg = crs_to_epsg(crs)
        if epsg is None:
            raise BoundaryFileError(
                [_("--crs %(crs)s is not a coordinate system.") % {"crs": crs}]
            )
        _check_accepted(epsg, "--crs")
        declared = epsg
        reason = _("given as %(crs)s") % {"crs": crs_label(epsg)}
    elif declared is not None:
        reason = _("declared in the file: %(crs)s") % {"crs": crs_label(declared)}
    boxes = _boxes([r.geometry for r in raws if r.problem is None and r.geometry])
    if declared == 4619:  # geographic SWEREF 99: WGS84 to a few decimetres
        declared = WGS84
    if len(boxes) == 0:
        epsg = declared or SWEREF99TM
        reason = reason if declared else _("no usable geometry")
    elif declared is None:
        epsg, reason = detect_crs(boxes, name)
        decision = "detected"
    else:
        epsg = declared
        _check_declared(epsg, boxes, name)
    features = []
    for i, raw in enumerate(raws, start=1):
        feature = BoundaryFeature(
            i, raw.properties, None, raw.problem, raw.notes, raw.is_feature
        )
        if raw.geometry is not None and raw.problem is None:
            try:
                geom = _transform(raw.geometry, epsg)
            except _SHAPE_ERRORS as exc:
                feature.problem = _("unreadable geometry (%(error)s)") % {"error": exc}
            else:
                box = geom.bounds
                if geom.is_empty:
                    feature.problem = _("empty geometry")
                elif not _inside_sweden(box):
                    lon, lat = _to_wgs84_box(box)
                    feature.problem = _(
                        "lies outside Sweden (longitude %(lon)s, latitude %(lat)s); "
                        "is the coordinate system right?"
                    ) % {"lon": lon, "lat": lat}
                else:
                    feature.geometry = geom
        features.append(feature)
    return BoundaryFile(
        name=name,
        format=kind,
        features=features,
        crs=f"EPSG:{epsg}",
        crs_decision=decision,
        crs_reason=reason,
    )


def to_wgs84_shape(geom: BaseGeometry) -> BaseGeometry:
    """A SWEREF 99 TM geometry in WGS84, rounded to 6 decimals (~0.1 m)."""
    back = _from_tm()

    def project(coords: np.ndarray) -> np.ndarray:
        lon, lat = back.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([lon, lat]), 6)

    return shapely.transform(geom, project)


def to_wgs84_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """A SWEREF 99 TM geometry as a GeoJSON geometry in WGS84 (6 decimals, ~0.1 m)."""
    return shapely.geometry.mapping(to_wgs84_shape(geom))


@lru_cache(maxsize=1)
def _from_tm() -> Transformer:
    return Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
