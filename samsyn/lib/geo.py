"""Coordinates and point-in-area lookup, without a GIS server.

Every point is stored twice: WGS84 lon/lat for maps and GeoJSON, SWEREF 99 TM
(EPSG:3006) metres for everything metric (grids, distances, buffers). Area polygons are
GeoJSON in WGS84; a point is assigned to its area once, when it is written, with a
shapely STRtree. This module has no Django imports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
SWEREF99TM = "EPSG:3006"

# Sweden's extent with a margin, in both systems, to recognise which one a file uses
# and to reject points that cannot be Swedish.
SWEDEN_LON = (9.0, 26.0)
SWEDEN_LAT = (54.0, 70.0)


@lru_cache(maxsize=2)
def _transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_sweref(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS84 lon/lat (degrees, scalars or arrays) to SWEREF 99 TM x/y (metres)."""
    return _transformer(WGS84, SWEREF99TM).transform(lon, lat)


def to_wgs84(x: Any, y: Any) -> tuple[Any, Any]:
    """SWEREF 99 TM x/y (metres) to WGS84 lon/lat (degrees)."""
    return _transformer(SWEREF99TM, WGS84).transform(x, y)


def in_sweden(lon: float, lat: float) -> bool:
    return (
        SWEDEN_LON[0] <= lon <= SWEDEN_LON[1] and SWEDEN_LAT[0] <= lat <= SWEDEN_LAT[1]
    )


def looks_like_sweref(coords: Iterable[Sequence[float]]) -> bool:
    """True if coordinates are metres (SWEREF 99 TM) rather than degrees."""
    for c in coords:
        return abs(c[0]) > 360 or abs(c[1]) > 360
    return False


def geometry_to_wgs84(geometry: dict[str, Any]) -> dict[str, Any]:
    """Transform a GeoJSON geometry given in SWEREF 99 TM to WGS84 (6 decimals)."""
    geom = shape(geometry)
    fwd = _transformer(SWEREF99TM, WGS84)

    def project(coords: np.ndarray) -> np.ndarray:
        lon, lat = fwd.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([lon, lat]), 6)

    return shapely.geometry.mapping(shapely.transform(geom, project))


def area_km2(geometry_wgs84: dict[str, Any]) -> float:
    """Area of a WGS84 GeoJSON polygon in km², computed in SWEREF 99 TM."""
    geom = shape(geometry_wgs84)
    fwd = _transformer(WGS84, SWEREF99TM)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = fwd.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return float(shapely.transform(geom, project).area) / 1e6


def polygon_outline(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    """First exterior ring of a (Multi)Polygon, for bounding boxes and previews."""
    geom = shape(geometry)
    poly = max(geom.geoms, key=lambda g: g.area) if hasattr(geom, "geoms") else geom
    return [(float(x), float(y)) for x, y in poly.exterior.coords]


def display_outlines(
    geoms: Sequence[BaseGeometry], *, width_px: int
) -> list[list[list[tuple[int, int]]]]:
    """The outer rings of each (multi)polygon, in whole metres, simplified for a map
    ``width_px`` pixels wide showing all of them: about one pixel of detail, and
    neighbours keep their shared edges (coverage simplification, which preserves
    the topology between areas; per-area simplification where they do not tile)."""
    if not geoms:
        return []
    arr = np.array(geoms, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(arr)
    tolerance = max(maxx - minx, maxy - miny, 1.0) / max(width_px, 1)
    try:
        simple = shapely.coverage_simplify(arr, tolerance)
    except shapely.errors.GEOSException:
        simple = shapely.simplify(arr, tolerance, preserve_topology=True)
    out = []
    for geom, original in zip(simple, arr, strict=True):
        if geom is None or geom.is_empty:
            geom = original
        rings = []
        for poly in getattr(geom, "geoms", [geom]):
            coords = np.round(np.asarray(poly.exterior.coords)).astype(int)
            rings.append([(int(x), int(y)) for x, y in coords])
        out.append(rings)
    return out


def geometry_to_wkb(geometry: dict[str, Any]) -> bytes:
    """A GeoJSON geometry as WKB (what the area index is built from)."""
    return bytes(shapely.to_wkb(shape(geometry)))


@dataclass
class AreaIndex:
    """Point → area lookup over a set of polygons (WGS84), built once and reused."""

    ids: list[int]
    geometries: list[BaseGeometry]
    tree: shapely.STRtree

    @classmethod
    def build(cls, items: Iterable[tuple[int, dict[str, Any]]]) -> AreaIndex:
        ids: list[int] = []
        geoms: list[BaseGeometry] = []
        for pk, geometry in items:
            geom = shape(geometry)
            shapely.prepare(geom)
            ids.append(pk)
            geoms.append(geom)
        return cls(ids=ids, geometries=geoms, tree=shapely.STRtree(geoms))

    @classmethod
    def from_wkb(cls, items: Sequence[tuple[int, bytes | memoryview]]) -> AreaIndex:
        """The index of (id, WKB) pairs, decoded and prepared in one call each."""
        ids = [pk for pk, _blob in items]
        geoms = shapely.from_wkb([bytes(blob) for _pk, blob in items])
        shapely.prepare(geoms)
        return cls(ids=ids, geometries=list(geoms), tree=shapely.STRtree(geoms))

    def lookup(self, lon: float, lat: float) -> int | None:
        """The id of the area containing the point, or None if it is in none."""
        if not self.ids or math.isnan(lon) or math.isnan(lat):
            return None
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        # Polygons tile the municipality; on a shared edge pick the lowest index so the
        # answer does not depend on tree order.
        return self.ids[int(min(hits))]

    def lookup_many(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Vectorised lookup: an int64 array of area ids, -1 where no area contains it."""
        out = np.full(len(lon), -1, dtype=np.int64)
        if not self.ids or len(lon) == 0:
            return out
        points = shapely.points(lon, lat)
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        ids = np.asarray(self.ids, dtype=np.int64)
        # Keep the lowest geometry index per point (same rule as lookup()).
        order = np.lexsort((geom_idx, point_idx))
        point_idx, geom_idx = point_idx[order], geom_idx[order]
        first = np.ones(len(point_idx), dtype=bool)
        first[1:] = point_idx[1:] != point_idx[:-1]
        out[point_idx[first]] = ids[geom_idx[first]]
        return out
