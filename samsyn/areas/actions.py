"""Importing boundaries: all-or-nothing, with a clear message for each bad feature."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.validation import explain_validity

from samsyn.areas.models import Area
from samsyn.lib.geo import area_km2, geometry_to_wgs84, in_sweden, looks_like_sweref
from samsyn.lib.progress import Progress, null
from samsyn.organisations.models import Collaboration, record

REF_MAX_LENGTH = Area._meta.get_field("ref").max_length or 32
NAME_MAX_LENGTH = Area._meta.get_field("name").max_length or 200


class AreaImportError(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    crs: str = "EPSG:4326"
    names: list[str] = field(default_factory=list)


def _iter_coords(geometry: dict[str, Any]) -> list[list[float]]:
    coords = geometry.get("coordinates") or []
    out: list[list[float]] = []

    def walk(c: Any) -> None:
        if not isinstance(c, list):
            return
        if c and isinstance(c[0], (int, float)):
            out.append(c)
        else:
            for part in c:
                walk(part)
                if len(out) > 3:
                    return

    walk(coords)
    return out


def _is_text(value: Any) -> bool:
    """A usable code or name: absent, a string or a number; never a NUL character
    (PostgreSQL cannot store one in text)."""
    if value is None:
        return True
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    return "\x00" not in str(value)


def _declared_crs(doc: dict[str, Any]) -> str | None:
    name = ((doc.get("crs") or {}).get("properties") or {}).get("name", "")
    if "3006" in name:
        return "EPSG:3006"
    if "4326" in name or "CRS84" in name:
        return "EPSG:4326"
    return None


def read_features(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    try:
        # utf-8-sig: a byte-order mark (common from Windows tools) is not an error.
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError as exc:
        raise AreaImportError(
            [_("%(file)s: JSON nested too deeply.") % {"file": path}]
        ) from exc
    except UnicodeDecodeError as exc:
        raise AreaImportError(
            [
                _("%(file)s: not UTF-8 text (%(reason)s).")
                % {"file": path, "reason": exc.reason}
            ]
        ) from exc
    except json.JSONDecodeError as exc:
        raise AreaImportError(
            [
                _("%(file)s: not valid JSON (line %(line)s: %(error)s).")
                % {"file": path, "line": exc.lineno, "error": exc.msg}
            ]
        ) from exc
    except ValueError as exc:  # e.g. an integer with more than 4300 digits
        raise AreaImportError(
            [
                _("%(file)s: not usable JSON (%(error)s).")
                % {"file": path, "error": str(exc).replace("\n", " ")}
            ]
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise AreaImportError(
            [_("%(file)s: expected a GeoJSON FeatureCollection.") % {"file": path}]
        )
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise AreaImportError(
            [_("%(file)s: the FeatureCollection has no features.") % {"file": path}]
        )
    return features, _declared_crs(doc)


def import_areas(
    collaboration: Collaboration,
    features: list[dict[str, Any]],
    *,
    level: str,
    declared_crs: str | None = None,
    code_property: str = "code",
    name_property: str = "name",
    population_property: str = "population",
    parent_property: str | None = None,
    dry_run: bool = False,
    by: Any = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Create or update areas from GeoJSON features (WGS84 or SWEREF 99 TM).

    Every feature is checked first: a Polygon or MultiPolygon, valid geometry, a code,
    inside Sweden. Any problem stops the whole import and lists every bad feature.
    Existing areas with the same (level, code) get the new boundary; their reports
    keep their assignment.
    """
    if level not in Area.Level.values:
        raise AreaImportError(
            [
                _("level must be one of %(levels)s.")
                % {"levels": ", ".join(Area.Level.values)}
            ]
        )
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    crs = declared_crs
    seen: set[str] = set()
    parents: dict[str, Area] = {}
    if parent_property:
        parents = {
            a.ref: a for a in Area.objects.in_collaboration(collaboration).districts()
        }
    progress = progress or null()
    progress.stage(gettext_noop("Checking features"), total=len(features))
    for i, feature in enumerate(features, start=1):
        progress.advance()
        where = _("feature %(n)s") % {"n": i}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(_("%(where)s: not a GeoJSON Feature.") % {"where": where})
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            problems.append(
                _("%(where)s: properties must be a JSON object.") % {"where": where}
            )
            continue
        raw_ref, raw_name = props.get(code_property), props.get(name_property)
        ref = str(raw_ref or "").strip()
        where = _("feature %(n)s (%(code)s)") % {
            "n": i,
            "code": ref[:REF_MAX_LENGTH] or _("no code"),
        }
        geometry = feature.get("geometry")
        if not _is_text(raw_ref) or not _is_text(raw_name):
            problems.append(
                _(
                    "%(where)s: '%(code)s' and '%(name)s' must be text without NUL "
                    "characters."
                )
                % {"where": where, "code": code_property, "name": name_property}
            )
            continue
        if not ref:
            problems.append(
                _("%(where)s: property '%(code)s' is missing.")
                % {"where": where, "code": code_property}
            )
        elif len(ref) > REF_MAX_LENGTH:
            problems.append(
                _("%(where)s: code longer than %(max)s characters.")
                % {"where": where, "max": REF_MAX_LENGTH}
            )
        elif ref in seen:
            problems.append(
                _("%(where)s: code '%(code)s' appears twice.")
                % {"where": where, "code": ref}
            )
        seen.add(ref)
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            kind = geometry.get("type") if isinstance(geometry, dict) else None
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
            RecursionError,
            GEOSException,  # e.g. a ring that is not closed because of NaN
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
        feature_crs = crs or (
            "EPSG:3006" if looks_like_sweref(_iter_coords(geometry)) else "EPSG:4326"
        )
        if crs is None:
            crs = feature_crs
        wgs = geometry_to_wgs84(geometry) if feature_crs == "EPSG:3006" else geometry
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
        parent = None
        if parent_property:
            pref = str(props.get(parent_property) or "")
            parent = parents.get(pref)
            if parent is None:
                problems.append(
                    _(
                        "%(where)s: no district with code '%(code)s' (import "
                        "districts first)."
                    )
                    % {"where": where, "code": pref}
                )
        name = str(props.get(name_property) or ref)
        if len(name) > NAME_MAX_LENGTH:
            problems.append(
                _("%(where)s: name longer than %(max)s characters.")
                % {"where": where, "max": NAME_MAX_LENGTH}
            )
        population = props.get(population_property)
        if isinstance(population, (int, float)) and not 0 <= population < 2**31:
            problems.append(
                _("%(where)s: population %(population)s is not a count.")
                % {"where": where, "population": population}
            )
            continue
        rows.append(
            {
                "ref": ref,
                "name": name,
                "population": int(population)
                if isinstance(population, (int, float))
                else None,
                "geometry": {"type": wgs["type"], "coordinates": wgs["coordinates"]},
                "bounds": (minx, miny, maxx, maxy),
                "parent": parent,
            }
        )
    if problems:
        raise AreaImportError(problems)
    result = ImportResult(crs=crs or "EPSG:4326")
    if dry_run:
        result.created = len(rows)
        result.names = [r["name"] for r in rows]
        return result
    with transaction.atomic():
        existing = {
            a.ref: a
            for a in Area.objects.filter(collaboration=collaboration, level=level)
        }
        progress.stage(gettext_noop("Writing areas"), total=len(rows))
        for r in rows:
            progress.advance()
            minx, miny, maxx, maxy = r["bounds"]
            values = {
                "name": r["name"],
                "population": r["population"],
                "geometry": r["geometry"],
                "min_lon": minx,
                "min_lat": miny,
                "max_lon": maxx,
                "max_lat": maxy,
                "area_km2": round(area_km2(r["geometry"]), 4),
                "parent": r["parent"],
                "active": True,
            }
            area = existing.get(r["ref"])
            if area is None:
                Area.objects.create(
                    collaboration=collaboration, level=level, ref=r["ref"], **values
                )
                result.created += 1
            else:
                for k, v in values.items():
                    setattr(area, k, v)
                area.save()
                result.updated += 1
            result.names.append(r["name"])
        Collaboration.objects.filter(pk=collaboration.pk).update(
            areas_version=F("areas_version") + 1
        )
        collaboration.refresh_from_db(fields=["areas_version"])
        record(
            by,
            "areas.imported",
            collaboration,
            data={"level": level, "created": result.created, "updated": result.updated},
        )
    return result
