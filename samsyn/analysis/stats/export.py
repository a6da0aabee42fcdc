"""GeoJSON (RFC 7946) FeatureCollections for grid results.

Each exported cell becomes a Polygon with a counter-clockwise exterior ring
(RFC 7946 section 3.1.6) in WGS84 lon/lat, rounded to 6 decimals (~0.1 m). The
caller supplies the projection ``to_wgs84(x, y) -> (lon, lat)`` (e.g. a
``pyproj.Transformer.from_crs(3006, 4326, always_xy=True).transform``), so this
module stays free of pyproj. Cells are projected corner by corner, so the
polygons are the exact images of the SWEREF 99 TM squares at their corners.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samsyn.analysis.stats.grid import Grid

__all__ = ["ToWgs84", "grid_feature_collection"]

ToWgs84 = Callable[[NDArray[np.float64], NDArray[np.float64]], tuple[Any, Any]]


def _py(v: Any) -> Any:
    """numpy scalar -> JSON-safe Python value (NaN/inf -> None)."""
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating | float):
        f = float(v)
        return f if np.isfinite(f) else None
    if isinstance(v, np.str_):
        return str(v)
    return v


def grid_feature_collection(
    grid: Grid,
    to_wgs84: ToWgs84,
    properties: Mapping[str, ArrayLike],
    include: ArrayLike | None = None,
    precision: int = 6,
) -> dict[str, Any]:
    """Build a FeatureCollection with one Polygon per selected cell.

    Args:
        grid: the grid the property rasters live on.
        to_wgs84: vectorised transformer from grid metres to (lon, lat) degrees.
        properties: name -> ``(ny, nx)`` (or flat ``n_cells``) array, e.g.
            ``{"count": counts, "z": res.z, "p": res.p, "bin": res.bin}`` or
            ``{"density": kde.density}`` or ``{"class": codes}``. Values are
            converted to plain JSON types; NaN becomes ``null``.
        include: boolean mask of cells to export (default: every cell whose
            ``count`` is non-zero or ``bin`` is non-zero, when those properties
            exist, else all cells). Export "non-empty or significant" cells with
            ``(count > 0) | (bin != 0)``.
        precision: decimals for coordinates (6 = ~0.1 m).

    Feature ``id`` is the flat cell index; ``properties["cell"]`` repeats it.
    """
    n = grid.n_cells
    flat_props = {k: np.asarray(v).reshape(-1) for k, v in properties.items()}
    for k, v in flat_props.items():
        if v.size != n:
            raise ValueError(f"property {k!r} has {v.size} values, grid has {n}")
    if include is None:
        sel = np.zeros(n, dtype=bool)
        keyed = False
        if "count" in flat_props:
            sel |= flat_props["count"] != 0
            keyed = True
        if "bin" in flat_props:
            sel |= flat_props["bin"] != 0
            keyed = True
        if not keyed:
            sel[:] = True
    else:
        sel = np.asarray(include, dtype=bool).reshape(-1)
    cells = np.flatnonzero(sel)
    x0, y0, x1, y1 = grid.corners(cells)
    # CCW ring in x/y (east, north): SW -> SE -> NE -> NW -> SW. The projection
    # to lon/lat keeps orientation (both axes increase east/north).
    xs = np.stack([x0, x1, x1, x0, x0], axis=1)
    ys = np.stack([y0, y0, y1, y1, y0], axis=1)
    lon, lat = to_wgs84(xs.ravel(), ys.ravel())
    lon = np.round(np.asarray(lon, dtype=np.float64), precision).reshape(xs.shape)
    lat = np.round(np.asarray(lat, dtype=np.float64), precision).reshape(xs.shape)
    lon_l = lon.tolist()
    lat_l = lat.tolist()
    prop_lists = {k: v[cells].tolist() for k, v in flat_props.items()}
    features = []
    for j, c in enumerate(cells.tolist()):
        props: dict[str, Any] = {"cell": c}
        for k, vals in prop_lists.items():
            props[k] = _py(vals[j])
        ring = [[lo, la] for lo, la in zip(lon_l[j], lat_l[j], strict=True)]
        features.append(
            {
                "type": "Feature",
                "id": c,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}
