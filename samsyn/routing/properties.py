"""Properties: reading an owner's land from a file, and replacing it in one go.

``read_property_file`` is the one place that reads property files, through the reader
the area import uses (samsyn.areas.reader: GeoJSON, GeoPackage and Shapefile in any
Swedish grid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.validation import explain_validity

from samsyn.areas.reader import BoundaryFileError, read_boundaries, to_wgs84_geojson
from samsyn.lib.geo import geometry_to_wgs84, in_sweden, looks_like_sweref
from samsyn.organisations.models import Collaboration, Organisation, record
from samsyn.routing.models import Property, RoutingVersion

NAME_MAX = Property._meta.get_field("name").max_length or 200
REF_MAX = Property._meta.get_field("ref").max_length or 64
KNOWN_CRS = ("EPSG:3006", "EPSG:4326")


class PropertyImportError(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class PropertyImport:
    owner: Organisation
    crs: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    replaced: int = 0  # how many of the owner's properties the import replaces

    @property
    def names(self) -> list[str]:
        return [r["name"] for r in self.rows]


def read_property_file(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    """Features (GeoJSON dicts in WGS84) and their CRS ("EPSG:4326") of a GeoJSON,
    GeoPackage or Shapefile, read by the area import's reader
    (``samsyn.areas.reader``): any Swedish grid, declared or detected, and a file whose
    grid is not accepted, undecidable or contradicted is refused with its reasons."""
    if not path.exists():
        raise PropertyImportError([_("%(file)s: no such file.") % {"file": path}])
    try:
        boundaries = read_boundaries(path)
    except BoundaryFileError as exc:
        raise PropertyImportError(exc.problems) from exc
    features: list[dict[str, Any]] = []
    problems: list[str] = []
    for feature in boundaries.features:
        if feature.problem or feature.geometry is None:
            problems.append(
                _("feature %(n)s: %(problem)s")
                % {"n": feature.number, "problem": feature.problem or _("no geometry")}
            )
            continue
        features.append(
            {
                "type": "Feature",
                "properties": feature.properties,
                "geometry": to_wgs84_geojson(feature.geometry),
            }
        )
    if problems:
        raise PropertyImportError(problems)
    return features, "EPSG:4326"


def check_properties(
    owner: Organisation,
    features: list[dict[str, Any]],
    *,
    declared_crs: str | None = None,
    name_property: str = "name",
    ref_property: str = "ref",
) -> PropertyImport:
    """Every feature checked first: a Polygon or MultiPolygon, valid (no
    self-intersection), not empty, inside Sweden. Any problem stops the import."""
    problems: list[str] = []
    result = PropertyImport(owner=owner, crs=declared_crs or "EPSG:4326")
    crs = declared_crs
    if not features:
        problems.append(_("The file has no properties."))
    for i, feature in enumerate(features, start=1):
        where = _("feature %(n)s") % {"n": i}
        if not isinstance(feature, dict):
            problems.append(_("%(where)s: not a GeoJSON Feature.") % {"where": where})
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            problems.append(
                _(
                    "%(where)s: geometry must be a Polygon or MultiPolygon, not %(kind)s."
                )
                % {"where": where, "kind": kind}
            )
            continue
        try:
            geom = shape(geometry)
        except (
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
            KeyError,
            GEOSException,
        ) as exc:
            problems.append(
                _("%(where)s: unreadable geometry (%(error)s).")
                % {"where": where, "error": exc}
            )
            continue
        if geom.is_empty:
            problems.append(_("%(where)s: empty geometry.") % {"where": where})
            continue
        if not geom.is_valid:
            problems.append(
                _("%(where)s: invalid geometry: %(reason)s.")
                % {"where": where, "reason": explain_validity(geom)}
            )
            continue
        if crs is None:
            first = shapely.get_coordinates(geom)[:1].tolist()
            crs = "EPSG:3006" if looks_like_sweref(first) else "EPSG:4326"
            result.crs = crs
        wgs = geometry_to_wgs84(geometry) if crs == "EPSG:3006" else geometry
        minx, miny, maxx, maxy = shapely.bounds(shape(wgs)).tolist()
        if not (in_sweden(minx, miny) and in_sweden(maxx, maxy)):
            problems.append(
                _(
                    "%(where)s: lies outside Sweden (bounds %(bounds)s); is the "
                    "coordinate system right?"
                )
                % {
                    "where": where,
                    "bounds": f"{minx:.3f},{miny:.3f},{maxx:.3f},{maxy:.3f}",
                }
            )
            continue
        name = str(props.get(name_property) or props.get(ref_property) or i)
        result.rows.append(
            {
                "name": name[:NAME_MAX],
                "ref": str(props.get(ref_property) or "")[:REF_MAX],
                "geometry": {"type": wgs["type"], "coordinates": wgs["coordinates"]},
                "bounds": (minx, miny, maxx, maxy),
            }
        )
    if problems:
        raise PropertyImportError(problems)
    result.replaced = Property.objects.filter(owner=owner).count()
    return result


@transaction.atomic
def replace_properties(checked: PropertyImport, *, by: Any = None) -> int:
    """The owner's properties become exactly the checked ones, in one transaction.
    Reports already routed keep their owner."""
    owner = checked.owner
    collab: Collaboration = owner.collaboration
    Property.objects.filter(owner=owner).delete()
    Property.objects.bulk_create(
        [
            Property(
                collaboration=collab,
                owner=owner,
                name=r["name"],
                ref=r["ref"],
                geometry=r["geometry"],
                min_lon=r["bounds"][0],
                min_lat=r["bounds"][1],
                max_lon=r["bounds"][2],
                max_lat=r["bounds"][3],
            )
            for r in checked.rows
        ],
        batch_size=1000,
    )
    RoutingVersion.bump(collab)
    record(
        by,
        "routing.properties_imported",
        owner,
        collaboration=collab,
        data={"owner": owner.slug, "count": len(checked.rows), "crs": checked.crs},
    )
    return len(checked.rows)
