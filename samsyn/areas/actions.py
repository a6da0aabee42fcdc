"""Importing boundaries: a preview first, then all-or-nothing.

``plan_area_import`` reads what a boundary file (samsyn.areas.reader) would do to a
collaboration's areas without writing anything: which properties hold the code, the
name, the population and the district (guessed like a person would, or given), every
bad feature, duplicates, overlaps and gaps, and what happens to district links. The
command line's ``--dry-run`` and the web's preview page show it; ``apply_area_import``
writes it, and ``import_areas`` does both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from samsyn.areas.models import Area
from samsyn.areas.reader import (
    BoundaryFile,
    BoundaryFileError,
    read_geojson_features,
    to_wgs84_geojson,
    to_wgs84_shape,
)
from samsyn.lib.geo import to_sweref
from samsyn.lib.progress import Progress, null
from samsyn.organisations.models import Collaboration, record

REF_MAX_LENGTH = Area._meta.get_field("ref").max_length or 32
NAME_MAX_LENGTH = Area._meta.get_field("name").max_length or 200

# Property names as Swedish files write them, most specific first (compared without
# case). SCB's DeSO file has `deso`/`desokod` (or `id`) and `kommun`; RegSO has
# `regsokod` and `regso` (the name).
CODE_GUESSES = (
    "code", "kod", "desokod", "deso_kod", "deso", "regsokod", "regso_kod", "id",
    "ref", "objectid", "fid",
)  # fmt: skip
NAME_GUESSES = (
    "name", "namn", "områdesnamn", "omradesnamn", "desonamn", "regsonamn",
    "regso_namn", "benämning", "benamning", "område", "omrade", "regso",
)  # fmt: skip
POPULATION_GUESSES = (
    "population", "befolkning", "folkmängd", "folkmangd", "invånare", "invanare",
)  # fmt: skip
MUNICIPALITY_GUESSES = ("kommun", "kommunkod", "kommun_kod", "knkod", "kn")
# An overlap smaller than this (m²) is drawing noise along a shared edge.
OVERLAP_MIN_M2 = 1.0
GAP_MIN_M2 = 1_000.0
# A re-import may move or add areas, but not to another municipality: new boundaries
# must lie within this distance of the collaboration's existing areas.
EXPECTED_MARGIN_KM = 20
SAMPLE_ROWS = 5


class AreaImportError(BoundaryFileError):
    """The file cannot be imported; nothing was written."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    crs: str = "EPSG:4326"
    names: list[str] = field(default_factory=list)


@dataclass
class PlannedArea:
    ref: str
    name: str
    population: int | None
    geometry: BaseGeometry  # SWEREF 99 TM
    parent: Area | None
    exists: bool


@dataclass
class AreaImportPlan:
    """What an import would do; ``problems`` non-empty means it cannot be done."""

    source: BoundaryFile
    level: str
    code_property: str | None = None
    name_property: str | None = None
    population_property: str | None = None
    parent_property: str | None = None
    guessed: list[str] = field(default_factory=list)  # which properties were guessed
    rows: list[PlannedArea] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    overlaps: list[tuple[str, str, float]] = field(default_factory=list)  # m²
    gaps: list[tuple[float, float, float]] = field(default_factory=list)  # m², lon, lat
    parents: str = "none"  # "set", "kept", "cleared" or "none"
    skipped_other_municipalities: int = 0

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if not r.exists)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.exists)

    @property
    def sample(self) -> list[dict[str, Any]]:
        return [
            {
                "ref": r.ref,
                "name": r.name,
                "population": r.population,
                "parent": r.parent.ref if r.parent else "",
                "km2": round(r.geometry.area / 1e6, 3),
            }
            for r in self.rows[:SAMPLE_ROWS]
        ]

    @property
    def parents_text(self) -> str:
        return {
            "set": _("District links are set from the property '%(p)s'.")
            % {"p": self.parent_property},
            "kept": _(
                "Existing district links are kept (no district property given or "
                "found; use --clear-parents to remove them)."
            ),
            "cleared": _("Existing district links are removed (--clear-parents)."),
            "none": "",
        }[self.parents]

    def summary_lines(self) -> list[str]:
        """The preview as lines of text, for the command line."""
        src = self.source
        lines = [
            _("%(file)s (%(format)s): %(n)s features.")
            % {"file": src.name, "format": src.format, "n": len(src.features)},
            _("Coordinate system: %(crs)s, %(how)s.")
            % {"crs": src.crs, "how": src.crs_reason},
            _("Properties: code '%(code)s', name '%(name)s', population '%(pop)s'.")
            % {
                "code": self.code_property or "–",
                "name": self.name_property or "–",
                "pop": self.population_property or "–",
            },
        ]
        if self.guessed:
            lines.append(
                _("Guessed from the file: %(names)s.")
                % {"names": ", ".join(self.guessed)}
            )
        if self.parents_text:
            lines.append(self.parents_text)
        lines += self.notes
        for row in self.sample:
            lines.append(
                f"  {row['ref']}  {row['name']}  {row['parent']}  {row['km2']} km²"
            )
        if self.overlaps:
            lines.append(
                _("%(n)s overlapping pairs, e.g.: %(pairs)s")
                % {"n": len(self.overlaps), "pairs": self.overlap_text()}
            )
        if self.gaps:
            lines.append(
                _("%(n)s gaps between areas, largest %(m2)s m² near %(lat)s, %(lon)s.")
                % {
                    "n": len(self.gaps),
                    "m2": f"{self.gaps[0][0]:,.0f}",
                    "lat": f"{self.gaps[0][2]:.4f}",
                    "lon": f"{self.gaps[0][1]:.4f}",
                }
            )
        return lines

    def overlap_text(self, n: int = 5) -> str:
        return "; ".join(f"{a}/{b} {m2:,.0f} m²" for a, b, m2 in self.overlaps[:n])


def _find(keys: Sequence[str], guesses: Sequence[str]) -> list[str]:
    """The keys matching the guesses, in the guesses' order (case-insensitive)."""
    lower: dict[str, str] = {}
    for k in keys:
        lower.setdefault(str(k).lower(), k)
    return [lower[g] for g in guesses if g in lower]


def _text(value: Any) -> str | None:
    """A usable code or name as text, or None when it is not one (a list, a NUL)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return None if "\x00" in text else text


def _guess_code(plan: AreaImportPlan, features: list[Any]) -> None:
    keys = plan.source.properties
    candidates = _find(keys, CODE_GUESSES)
    for key in candidates:
        values = [_text(f.properties.get(key)) for f in features]
        if all(values) and len(set(values)) == len(values):
            plan.code_property = key
            break
    else:
        plan.code_property = candidates[0] if candidates else None
    if plan.code_property:
        plan.guessed.append(_("code '%(p)s'") % {"p": plan.code_property})


def _guess_name(plan: AreaImportPlan) -> None:
    keys = [k for k in plan.source.properties if k != plan.code_property]
    found = _find(keys, NAME_GUESSES)
    if found:
        plan.name_property = found[0]
        plan.guessed.append(_("name '%(p)s'") % {"p": found[0]})
    else:
        plan.notes.append(
            _("The file has no name property: the areas are named by their codes.")
        )


def _guess_parent(
    plan: AreaImportPlan, features: list[Any], districts: dict[str, Area]
) -> None:
    """A property whose every value is the code of one of the collaboration's
    districts is the district link."""
    if not districts:
        return
    taken = {plan.code_property, plan.name_property, plan.population_property}
    for key in plan.source.properties:
        if key in taken:
            continue
        values = [_text(f.properties.get(key)) for f in features]
        if values and all(v in districts for v in values):
            plan.parent_property = key
            plan.guessed.append(_("district '%(p)s'") % {"p": key})
            return


def _filter_municipality(
    plan: AreaImportPlan, features: list[Any], municipality: str
) -> list[Any]:
    found = _find(plan.source.properties, MUNICIPALITY_GUESSES)
    if found:
        key = found[0]
        kept = [f for f in features if _text(f.properties.get(key)) == municipality]
        present = sorted({_text(f.properties.get(key)) or "" for f in features})
    else:
        key = None
        # DeSO and RegSO codes begin with the municipality code (1880C1010).
        codes = _find(plan.source.properties, CODE_GUESSES)
        kept = [
            f
            for f in features
            if any(
                (_text(f.properties.get(c)) or "").startswith(municipality)
                for c in codes
            )
        ]
        present = []
    if not kept:
        raise AreaImportError(
            [
                _(
                    "No feature belongs to municipality %(code)s (property %(key)s; "
                    "the file has %(present)s). Nothing was imported."
                )
                % {
                    "code": municipality,
                    "key": key or _("none found, codes compared"),
                    "present": ", ".join(present[:12]) or _("no municipality codes"),
                }
            ]
        )
    plan.skipped_other_municipalities = len(features) - len(kept)
    if plan.skipped_other_municipalities:
        plan.notes.append(
            _("%(n)s features of other municipalities than %(code)s are left out.")
            % {"n": plan.skipped_other_municipalities, "code": municipality}
        )
    return kept


def plan_area_import(
    collaboration: Collaboration,
    source: BoundaryFile,
    *,
    level: str,
    code_property: str | None = None,
    name_property: str | None = None,
    population_property: str | None = None,
    parent_property: str | None = None,
    clear_parents: bool = False,
    municipality: str | None = None,
    progress: Progress | None = None,
) -> AreaImportPlan:
    """What importing ``source`` as ``level`` areas would do; writes nothing.

    Properties not given are guessed from the file (see CODE_GUESSES …). Raises
    AreaImportError only when nothing can be planned (a bad level, no feature of the
    municipality); a plan with ``problems`` lists every bad feature.
    """
    if level not in Area.Level.values:
        raise AreaImportError(
            [
                _("level must be one of %(levels)s.")
                % {"levels": ", ".join(Area.Level.values)}
            ]
        )
    plan = AreaImportPlan(source=source, level=level, notes=list(source.notes))
    features = list(source.features)
    if municipality:
        features = _filter_municipality(plan, features, municipality)
    plan.code_property = code_property
    if code_property is None:
        _guess_code(plan, features)
    plan.name_property = name_property
    if name_property is None:
        _guess_name(plan)
    plan.population_property = population_property
    if population_property is None:
        found = _find(source.properties, POPULATION_GUESSES)
        plan.population_property = found[0] if found else None
        if found:
            plan.guessed.append(_("population '%(p)s'") % {"p": found[0]})
    districts: dict[str, Area] = {}
    if level == Area.Level.AREA:
        districts = {
            a.ref: a for a in Area.objects.in_collaboration(collaboration).districts()
        }
    plan.parent_property = parent_property
    if parent_property is None and not clear_parents and level == Area.Level.AREA:
        _guess_parent(plan, features, districts)
    existing = set(
        Area.objects.filter(collaboration=collaboration, level=level).values_list(
            "ref", flat=True
        )
    )
    if plan.parent_property:
        plan.parents = "set"
    elif clear_parents:
        plan.parents = "cleared"
    elif level == Area.Level.AREA and existing:
        plan.parents = "kept"
    if plan.code_property is None:
        plan.problems.append(
            _(
                "No property holds a code (looked for %(guesses)s; the file has "
                "%(keys)s). Choose one with --code-property."
            )
            % {
                "guesses": ", ".join(CODE_GUESSES),
                "keys": ", ".join(source.properties) or _("no properties"),
            }
        )
        return plan
    progress = progress or null()
    progress.stage(gettext_noop("Checking features"), total=len(features))
    seen: set[str] = set()
    expected = _expected_bounds(collaboration)
    for feature in features:
        progress.advance()
        row = _check_feature(plan, feature, seen, districts, existing)
        if row is not None and expected is not None:
            if not shapely.box(*expected).contains(row.geometry):
                plan.problems.append(
                    _(
                        "feature %(n)s (%(code)s): lies more than %(km)s km outside "
                        "the collaboration's existing areas; is this your "
                        "municipality's file (or use --municipality)?"
                    )
                    % {"n": feature.number, "code": row.ref, "km": EXPECTED_MARGIN_KM}
                )
                continue
        if row is not None:
            plan.rows.append(row)
    if not plan.problems:
        _check_layout(plan)
    return plan


def _expected_bounds(
    collaboration: Collaboration,
) -> tuple[float, float, float, float] | None:
    """Where the collaboration's areas may lie (SWEREF 99 TM): the extent of the
    areas it already has, with a margin; None for a collaboration without areas."""
    box = Area.objects.filter(collaboration=collaboration).aggregate(
        a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat")
    )
    if box["a"] is None:
        return None
    x, y = to_sweref(
        [box["a"], box["c"], box["a"], box["c"]],
        [box["b"], box["b"], box["d"], box["d"]],
    )
    margin = EXPECTED_MARGIN_KM * 1000
    return (min(x) - margin, min(y) - margin, max(x) + margin, max(y) + margin)


def _check_feature(
    plan: AreaImportPlan,
    feature: Any,
    seen: set[str],
    districts: dict[str, Area],
    existing: set[str],
) -> PlannedArea | None:
    if not feature.is_feature:
        plan.problems.append(
            _("feature %(n)s: %(problem)s.")
            % {"n": feature.number, "problem": feature.problem}
        )
        return None
    props = feature.properties
    raw_ref = props.get(plan.code_property) if plan.code_property else None
    ref = _text(raw_ref)
    where = _("feature %(n)s (%(code)s)") % {
        "n": feature.number,
        "code": (ref or "")[:REF_MAX_LENGTH] or _("no code"),
    }
    problems: list[str] = []
    name = _text(props.get(plan.name_property)) if plan.name_property else ""
    if ref is None or name is None:
        problems.append(
            _("'%(code)s' and '%(name)s' must be text without NUL characters.")
            % {"code": plan.code_property, "name": plan.name_property}
        )
    elif not ref:
        problems.append(
            _("property '%(code)s' is missing.") % {"code": plan.code_property}
        )
    elif len(ref) > REF_MAX_LENGTH:
        problems.append(
            _("code longer than %(max)s characters.") % {"max": REF_MAX_LENGTH}
        )
    elif ref in seen:
        problems.append(_("code '%(code)s' appears twice.") % {"code": ref})
    if ref:
        seen.add(ref)
    name = name or ref or ""
    if len(name) > NAME_MAX_LENGTH:
        problems.append(
            _("name longer than %(max)s characters.") % {"max": NAME_MAX_LENGTH}
        )
    geom = feature.geometry
    if feature.problem:
        problems.append(feature.problem + ".")
    elif geom is None or geom.geom_type not in ("Polygon", "MultiPolygon"):
        problems.append(
            _("geometry must be a Polygon or MultiPolygon, not %(kind)s.")
            % {"kind": geom.geom_type if geom is not None else None}
        )
    elif not geom.is_valid:
        problems.append(
            _("invalid geometry: %(reason)s.") % {"reason": explain_validity(geom)}
        )
    population = (
        props.get(plan.population_property) if plan.population_property else None
    )
    if isinstance(population, str) and population.strip().isdigit():
        population = int(population)
    if not isinstance(population, int | float) or isinstance(population, bool):
        population = None
    elif not 0 <= population < 2**31:
        problems.append(
            _("population %(population)s is not a count.") % {"population": population}
        )
    parent = None
    if plan.parent_property:
        pref = _text(props.get(plan.parent_property)) or ""
        parent = districts.get(pref)
        if parent is None:
            problems.append(
                _("no district with code '%(code)s' (import districts first).")
                % {"code": pref}
            )
    for note in feature.notes:
        plan.notes.append(f"{where}: {note}.")
    if problems:
        plan.problems += [f"{where}: {p}" for p in problems]
        return None
    assert geom is not None and ref  # noqa: S101 (checked above)
    return PlannedArea(
        ref=ref,
        name=name,
        population=int(population) if population is not None else None,
        geometry=geom,
        parent=parent,
        exists=ref in existing,
    )


def _check_layout(plan: AreaImportPlan) -> None:
    """Duplicates (a problem), overlaps and gaps (told, not refused)."""
    rows = plan.rows
    if len(rows) < 2:
        return
    geoms = np.array([r.geometry for r in rows], dtype=object)
    normal = [shapely.normalize(g).wkb for g in geoms]
    first: dict[bytes, str] = {}
    for row, key in zip(rows, normal, strict=True):
        if key in first:
            plan.problems.append(
                _("'%(a)s' and '%(b)s' have identical boundaries.")
                % {"a": first[key], "b": row.ref}
            )
        else:
            first[key] = row.ref
    if plan.problems:
        return
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left):
        inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
        left, right = left[inner], right[inner]
        areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        big = areas >= OVERLAP_MIN_M2
        order = np.argsort(-areas[big])
        pairs = list(
            zip(left[big][order], right[big][order], areas[big][order], strict=True)
        )
        plan.overlaps = [(rows[a].ref, rows[b].ref, float(m2)) for a, b, m2 in pairs]
        if plan.overlaps:
            plan.notes.append(
                _(
                    "%(n)s pairs of areas overlap (%(pairs)s). A point in an overlap "
                    "is counted in one area only."
                )
                % {"n": len(plan.overlaps), "pairs": plan.overlap_text(3)}
            )
    union = shapely.union_all(geoms)
    holes = []
    for poly in getattr(union, "geoms", [union]):
        for ring in getattr(poly, "interiors", []):
            hole = shapely.Polygon(ring)
            if hole.area >= GAP_MIN_M2:
                holes.append(hole)
    holes.sort(key=lambda h: -h.area)
    for hole in holes:
        p = hole.representative_point()
        lonlat = to_wgs84_geojson(p)["coordinates"]
        plan.gaps.append((float(hole.area), float(lonlat[0]), float(lonlat[1])))


def apply_area_import(
    collaboration: Collaboration,
    plan: AreaImportPlan,
    *,
    by: Any = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Write a plan without problems: every area or none."""
    if plan.problems:
        raise AreaImportError(plan.problems)
    result = ImportResult(crs=plan.source.crs)
    progress = progress or null()
    prepared = []
    for r in plan.rows:
        wgs = to_wgs84_shape(r.geometry)
        prepared.append((r, wgs, shapely.geometry.mapping(wgs)))
    now = timezone.now()
    fields = ["name", "population", "geometry", "geometry_wkb", "min_lon", "min_lat"]
    fields += ["max_lon", "max_lat", "area_km2", "active", "updated"]
    if plan.parents in ("set", "cleared"):
        fields.append("parent")
    with transaction.atomic():
        existing = {
            a.ref: a
            for a in Area.objects.filter(collaboration=collaboration, level=plan.level)
        }
        progress.stage(gettext_noop("Writing areas"), total=len(prepared))
        new: list[Area] = []
        changed: list[Area] = []
        # In bulk (1,287 areas in a second, not twenty): the WKB and the update
        # time are set here, as Area.save() would.
        for r, wgs, geojson in prepared:
            progress.advance()
            minx, miny, maxx, maxy = wgs.bounds
            area = existing.get(r.ref) or Area(
                collaboration=collaboration, level=plan.level, ref=r.ref
            )
            values: dict[str, Any] = {
                "name": r.name,
                "population": r.population,
                "geometry": geojson,
                "geometry_wkb": bytes(shapely.to_wkb(wgs)),
                "min_lon": minx,
                "min_lat": miny,
                "max_lon": maxx,
                "max_lat": maxy,
                "area_km2": round(r.geometry.area / 1e6, 4),
                "active": True,
                "updated": now,
            }
            if area.pk is None or plan.parents in ("set", "cleared"):
                values["parent"] = r.parent
            for k, v in values.items():
                setattr(area, k, v)
            (new if area.pk is None else changed).append(area)
            result.names.append(r.name)
        Area.objects.bulk_create(new, batch_size=200)
        Area.objects.bulk_update(changed, fields, batch_size=200)
        result.created, result.updated = len(new), len(changed)
        Collaboration.objects.filter(pk=collaboration.pk).update(
            areas_version=F("areas_version") + 1
        )
        collaboration.refresh_from_db(fields=["areas_version"])
        record(
            by,
            "areas.imported",
            collaboration,
            data={
                "level": plan.level,
                "created": result.created,
                "updated": result.updated,
                "crs": plan.source.crs,
                "parents": plan.parents,
            },
        )
    return result


def import_areas(
    collaboration: Collaboration,
    source: BoundaryFile | list[Any],
    *,
    level: str,
    declared_crs: str | None = None,
    code_property: str | None = None,
    name_property: str | None = None,
    population_property: str | None = None,
    parent_property: str | None = None,
    clear_parents: bool = False,
    municipality: str | None = None,
    dry_run: bool = False,
    by: Any = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Plan and (unless ``dry_run``) write an import; AreaImportError lists every
    problem and nothing is written. ``source`` may be GeoJSON features in memory."""
    if not isinstance(source, BoundaryFile):
        if not isinstance(source, list) or not source:
            raise AreaImportError([_("No features to import.")])
        try:
            source = read_geojson_features(source, declared_crs=declared_crs)
        except BoundaryFileError as exc:
            raise AreaImportError(exc.problems) from exc
    plan = plan_area_import(
        collaboration,
        source,
        level=level,
        code_property=code_property,
        name_property=name_property,
        population_property=population_property,
        parent_property=parent_property,
        clear_parents=clear_parents,
        municipality=municipality,
        progress=progress,
    )
    if plan.problems:
        raise AreaImportError(plan.problems)
    if dry_run:
        return ImportResult(
            created=plan.created,
            updated=plan.updated,
            crs=source.crs,
            names=[r.name for r in plan.rows],
        )
    return apply_area_import(collaboration, plan, by=by, progress=progress)
