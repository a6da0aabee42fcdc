"""Compute the frozen figures of a situation picture (everything page and PDF show).

`compute_figures` returns (figures, trace): `figures` is the JSON the page renders,
`trace` maps each figure's trace key to the report codes behind it (split into
`codes` and `restricted`), so every number links to its reports.

Restricted reports count in every number, but their codes, points and places are
marked so that `merge_restricted` can strip them for roles without VIEW_RESTRICTED
(the rule is written in samsyn/pictures/models.py).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from shapely.geometry import shape

from samsyn.analysis import engine
from samsyn.areas.models import Area, Place
from samsyn.lib.geo import to_sweref
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration
from samsyn.pictures.periods import Period
from samsyn.police.models import PoliceEvent
from samsyn.reports.models import Category, Report

SCHEMA = 1
SERIES = {"week": 8, "month": 8, "quarter": 5, "tertial": 5, "year": 4}
MAX_POINTS = 2000
HOTSPOT_CELL_M = 250.0
COLOURS = ("green", "yellow", "orange", "red")
COLOUR_RULE = (
    "Red: two or more categories flagged high in the area, or one flagged at three "
    "times its expected count or more. Orange: one category flagged high. Yellow: "
    "nothing flagged, but at least 5 reports and at least 1.5 times the mean of the "
    "4 previous periods. Green: everything else. Flags come from the seasonal "
    "baseline of the weekly deviations (the period's last week)."
)
# EHSA class codes from samsyn.analysis.stats.emerging.EhsaCategory.code.
EMERGING_CLASSES = {
    "new_hot",
    "consecutive_hot",
    "intensifying_hot",
    "persistent_hot",
    "oscillating_hot",
    "sporadic_hot",
}


def _midnight(d: Any) -> datetime:
    return engine.local_midnight(d)


def _pct(a: float, b: float | None) -> int | None:
    if not b:
        return None
    return round(100 * (a - b) / b)


class _Trace:
    def __init__(self) -> None:
        self.data: dict[str, dict[str, list[str]]] = {}

    def add(self, key: str, rows: list[tuple[Any, ...]]) -> str:
        self.data[key] = {
            "codes": [str(r[0]) for r in rows if not r[5]],
            "restricted": [str(r[0]) for r in rows if r[5]],
        }
        return key


def _scope_areas(collab: Collaboration, scope: Area | None) -> tuple[list[Area], bool]:
    """The areas to show (leaf areas of the scope) and whether they are leaves."""
    qs = Area.objects.in_collaboration(collab).order_by("name")
    all_areas = list(qs)
    leaves = [a for a in all_areas if a.level == Area.Level.AREA]
    if scope is None:
        return (leaves, True) if leaves else (all_areas, False)
    if scope.level == Area.Level.DISTRICT:
        children = [a for a in leaves if a.parent_id == scope.pk]
        return (children, True) if children else ([scope], False)
    return [scope], True


def _rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Outer rings of a (multi)polygon in SWEREF 99 TM metres, simplified to ~10 m."""
    geom = shape(geometry)
    polys = list(getattr(geom, "geoms", [geom]))
    out = []
    for poly in polys:
        lon, lat = poly.exterior.coords.xy
        x, y = to_sweref(list(lon), list(lat))
        from shapely.geometry import LineString

        line = LineString(list(zip(x, y, strict=True))).simplify(10)
        out.append([(round(px), round(py)) for px, py in line.coords])
    return out


def compute_figures(
    collab: Collaboration, period: Period, scope: Area | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    trace = _Trace()
    n_series = SERIES[period.kind]
    series_periods = [period]
    for _ in range(n_series - 1):
        series_periods.insert(0, series_periods[0].previous())
    last_year = period.shifted_years(1)
    areas, leaves = _scope_areas(collab, scope)
    area_ids = {a.pk for a in areas}
    # Reports of areas within the scope (a district's own id too, for districts).
    scope_ids = set(area_ids) | ({scope.pk} if scope else set())

    cols = ("code", "category_id", "area_id", "place_id", "occurred_at", "restricted")
    cols_xy = (*cols, "x", "y")
    base = Report.objects.filter(collaboration=collab)
    if scope is not None:
        base = base.filter(area_id__in=scope_ids)
    window = list(
        base.filter(
            occurred_at__gte=_midnight(series_periods[0].start),
            occurred_at__lt=_midnight(period.end),
        )
        .order_by()
        .values_list(*cols_xy)
    )
    ly_rows = list(
        base.filter(
            occurred_at__gte=_midnight(last_year.start),
            occurred_at__lt=_midnight(last_year.end),
        )
        .order_by()
        .values_list(*cols)
    )
    bounds = [_midnight(p.start) for p in series_periods] + [_midnight(period.end)]
    by_period: list[list[tuple[Any, ...]]] = [[] for _ in series_periods]
    for r in window:
        i = bisect.bisect_right(bounds, r[4]) - 1
        if 0 <= i < len(series_periods):
            by_period[i].append(r)
    this_rows, prev_rows = by_period[-1], by_period[-2] if n_series > 1 else []
    prev4 = [r for rows in by_period[-5:-1] for r in rows]
    n_prev4 = min(4, n_series - 1)

    categories = {
        c.pk: c
        for c in Category.objects.filter(collaboration=collab).order_by(
            "sort_order", "code"
        )
    }

    def cat_name(c: Category) -> str:
        return c.name_sv or c.name_en or c.code

    # ------------------------------------------------------------ category table
    table = []
    for cid, cat in categories.items():
        series = [sum(1 for r in rows if r[1] == cid) for rows in by_period]
        this = [r for r in this_rows if r[1] == cid]
        prev = [r for r in prev_rows if r[1] == cid]
        p4 = [r for r in prev4 if r[1] == cid]
        ly = [r for r in ly_rows if r[1] == cid]
        if not (any(series) or ly):
            continue
        mean4 = round(len(p4) / n_prev4, 1) if n_prev4 else None
        k = f"cat:{cat.code}"
        table.append(
            {
                "code": cat.code,
                "name": cat_name(cat),
                "name_en": cat.name_en,
                "this": len(this),
                "last": len(prev),
                "mean4": mean4,
                "last_year": len(ly),
                "change_pct": _pct(len(this), mean4),
                "series": series,
                "trace": {
                    "this": trace.add(f"{k}:this", this),
                    "last": trace.add(f"{k}:last", prev),
                    "mean4": trace.add(f"{k}:mean4", p4),
                    "last_year": trace.add(f"{k}:last_year", ly),
                },
            }
        )
    table.sort(key=lambda row: (-row["this"], -row["last"], row["name"]))

    # --------------------------------------------------------------- deviations
    last_week_start = period.end - timedelta(days=7)
    iy, iw, _ = last_week_start.isocalendar()
    weekly = engine.weekly(collab, iy, iw)
    area_by_ref = {a.ref: a for a in Area.objects.in_collaboration(collab)}
    code_by_cat = {c.code: c for c in categories.values()}

    def in_scope(row: dict[str, Any]) -> bool:
        if scope is None:
            return True
        if scope.level == Area.Level.DISTRICT:
            return row["area"] == scope.ref or row.get("district") == scope.ref
        return row["level"] == "area" and row["area"] == scope.ref

    week_bounds = (_midnight(last_week_start), _midnight(period.end))
    week_rows = [r for r in window if week_bounds[0] <= r[4] < week_bounds[1]]
    deviations = []
    flags_by_area: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in weekly["rows"]:
        if row["status"] != "high" or not in_scope(row):
            continue
        cat = code_by_cat.get(row["category"])
        area = area_by_ref.get(row["area"]) if row["level"] != "collaboration" else None
        if area is not None and area.level == Area.Level.DISTRICT:
            ids = {a.pk for a in area_by_ref.values() if a.parent_id == area.pk}
            ids.add(area.pk)
        elif area is not None:
            ids = {area.pk}
        else:
            ids = None
        rows = [
            r
            for r in week_rows
            if (cat is None or r[1] == cat.pk) and (ids is None or r[2] in ids)
        ]
        expected = row["expected"] or 0
        ratio = round(row["observed"] / expected, 1) if expected else None
        item = {
            "level": row["level"],
            "area": row["area_name"],
            "area_code": str(area.code) if area else None,
            "category": cat_name(cat) if cat else row["category_name"],
            "observed": row["observed"],
            "expected": row["expected"],
            "upper": row["upper"],
            "p": row["p"],
            "ratio": ratio,
            "baseline": row["baseline"],
            "last_week": row["last_week"],
            "mean_4_weeks": row["mean_4_weeks"],
            "same_week_last_year": row["same_week_last_year"],
            "reason": (
                f"{row['observed']} reports against an expected {row['expected']} "
                f"(normal range up to {row['upper']}, p = {row['p']}); "
                f"baseline: {row['baseline']}."
            ),
            "trace": trace.add(f"dev:{len(deviations)}", rows),
        }
        deviations.append(item)
        if area is not None and row["level"] == "area":
            flags_by_area[area.pk].append(item)

    # -------------------------------------------------------------- area status
    area_status = []
    for a in areas:
        this_a = [r for r in this_rows if r[2] == a.pk]
        p4_a = sum(1 for r in prev4 if r[2] == a.pk)
        mean4 = round(p4_a / n_prev4, 1) if n_prev4 else None
        flags = flags_by_area.get(a.pk, [])
        if len(flags) >= 2 or any((f["ratio"] or 0) >= 3 for f in flags):
            colour = "red"
        elif flags:
            colour = "orange"
        elif len(this_a) >= 5 and mean4 is not None and len(this_a) >= 1.5 * mean4:
            colour = "yellow"
        else:
            colour = "green"
        reason = (
            "; ".join(f"{f['category']} flagged" for f in flags)
            if flags
            else f"{len(this_a)} reports, 4-period mean {mean4}"
        )
        area_status.append(
            {
                "code": str(a.code),
                "name": a.name,
                "level": a.level,
                "this": len(this_a),
                "mean4": mean4,
                "flags": len(flags),
                "suggested": colour,
                "reason": reason,
                "trace": trace.add(f"area:{a.code}", this_a),
            }
        )

    # -------------------------------------------------------------- coverage
    # Zero reports from an area means "calm" only if someone checked in there; where
    # check-ins are in use and no one did, the area is "not covered", never green.
    from samsyn.coverage.models import Coverage
    from samsyn.coverage.summary import coverage_for_week

    coverage = None
    if Coverage.objects.filter(organisation__collaboration=collab).exists():
        coverage = coverage_for_week(collab, iy, iw)
        state_by_code = {a["code"]: a["state"] for a in coverage["areas"]}
        for row in area_status:
            row["coverage"] = state_by_code.get(row["code"])
            if row["coverage"] == "not_covered" and row["suggested"] == "green":
                row["suggested"] = "grey"
                row["reason"] = "No reports and no check-in: not covered, not calm."

    # ---------------------------------------------------------------- hotspots
    hot_since = period.start if period.kind != "week" else period.end - timedelta(28)
    hot = engine.hotspots(
        collab, _midnight(hot_since), _midnight(period.end), HOTSPOT_CELL_M
    )
    cells = []
    for f in hot["geojson"]["features"]:
        p = f["properties"]
        if (p.get("bin") or 0) < 2:
            continue
        lon, lat = zip(*f["geometry"]["coordinates"][0], strict=True)
        xs, ys = to_sweref(list(lon), list(lat))
        cells.append(
            {
                "x0": round(min(xs)),
                "y0": round(min(ys)),
                "x1": round(max(xs)),
                "y1": round(max(ys)),
                "count": int(p.get("count") or 0),
                "bin": int(p["bin"]),
            }
        )
    if scope is not None:
        # Only cells with reports of this scope.
        hot_rows = [r for r in window if r[4] >= _midnight(hot_since)]
        cells = [
            c
            for c in cells
            if any(
                c["x0"] <= r[6] < c["x1"] and c["y0"] <= r[7] < c["y1"]
                for r in hot_rows
            )
        ]
    cells.sort(key=lambda c: -c["count"])

    # --------------------------------------------------------------- top places
    place_counts = Counter(r[3] for r in this_rows if r[3])
    places = Place.objects.in_collaboration(collab).in_bulk(list(place_counts))
    top_places: list[dict[str, Any]] = []
    for pid, n in place_counts.most_common(8):
        rows = [r for r in this_rows if r[3] == pid]
        pl = places.get(pid)
        top_places.append(
            {
                "kind": "place",
                "name": pl.name if pl else "?",
                "count": n,
                "restricted_count": sum(1 for r in rows if r[5]),
                "trace": trace.add(f"place:{pid}", rows),
            }
        )
    area_names = {a.pk: a.name for a in area_by_ref.values()}
    hot_window = [r for r in window if r[4] >= _midnight(hot_since)]
    for i, c in enumerate(cells[:5]):
        rows = [
            r
            for r in hot_window
            if c["x0"] <= r[6] < c["x1"] and c["y0"] <= r[7] < c["y1"]
        ]
        if not rows:
            continue
        where = Counter(area_names.get(r[2], "") for r in rows).most_common(1)
        top_places.append(
            {
                "kind": "cell",
                "name": (where[0][0] if where and where[0][0] else "")
                + f" ({HOTSPOT_CELL_M:.0f} m cell, E {c['x0']} N {c['y0']})",
                "count": len(rows),
                "restricted_count": sum(1 for r in rows if r[5]),
                "hotspot_bin": c["bin"],
                "since": hot_since.isoformat(),
                "trace": trace.add(f"cell:{i}", rows),
            }
        )

    # --------------------------------------------------------------- open issues
    issues_qs = (
        Report.objects.filter(
            collaboration=collab, occurred_at__lt=_midnight(period.end)
        )
        .open_issues()
        .select_related("category", "owner", "area")
        .order_by("occurred_at", "pk")
    )
    if scope is not None:
        issues_qs = issues_qs.filter(area_id__in=scope_ids)
    n_issues = issues_qs.count()
    open_issues = [
        {
            "code": str(r.code),
            "category": cat_name(r.category),
            "status": r.status,
            "owner": r.owner.name if r.owner_id else None,
            "area": r.area.name if r.area_id else None,
            "occurred": r.occurred_at.date().isoformat(),
            "days_open": (period.end - timezone.localtime(r.occurred_at).date()).days,
            "restricted": r.restricted,
        }
        for r in issues_qs[:40]
    ]

    # -------------------------------------------------------------------- police
    ev = PoliceEvent.objects.in_collaboration(collab).filter(
        occurred_at__gte=_midnight(period.start), occurred_at__lt=_midnight(period.end)
    )
    muni = list(
        ev.countable().municipality_level().order_by("-occurred_at")
        .values("name", "type", "occurred_at", "place_name", "precision", "url")
    )  # fmt: skip
    county = list(
        ev.countable().county_context().order_by("-occurred_at")
        .values("name", "type", "occurred_at", "location_name", "url")[:20]
    )  # fmt: skip
    for e in muni + county:
        e["occurred_at"] = timezone.localtime(e["occurred_at"]).strftime(
            "%Y-%m-%d %H:%M"
        )
    police = {
        "municipality_count": len(muni),
        "by_type": Counter(e["type"] for e in muni).most_common(),
        "municipality_events": muni[:30],
        "county_events": county,
        "note": (
            "Police events are known at municipality or county level only; they are "
            "counted at that level and never drawn as points."
        ),
    }

    # ---------------------------------------------------------------------- map
    pts = [r for r in this_rows if r[6] is not None]
    step = max(1, -(-len(pts) // MAX_POINTS))
    cat_index = {cid: i for i, cid in enumerate(categories)}
    map_fig = {
        "areas": [
            {"code": str(a.code), "name": a.name, "rings": _rings(a.geometry)}
            for a in areas
        ],
        "points": [
            [round(r[6]), round(r[7]), cat_index.get(r[1], 0), 1 if r[5] else 0]
            for r in pts[::step]
        ],
        "points_total": len(pts),
        "cells": cells[:200],
        "cell_m": HOTSPOT_CELL_M,
    }

    # ------------------------------------------------------------------ summary
    n_this, n_last = len(this_rows), len(prev_rows)
    mean4_all = round(len(prev4) / n_prev4, 1) if n_prev4 else None
    headlines = []
    if mean4_all is not None:
        change = _pct(n_this, mean4_all)
        headlines.append(
            {
                "text": f"{n_this} reports this period against a mean of {mean4_all} "
                f"over the 4 previous periods"
                + (f" ({change:+d} %)." if change is not None else "."),
                "trace": "all:this",
            }
        )
    for d in deviations[:3]:
        headlines.append(
            {
                "text": f"{d['category']} in {d['area']}: {d['observed']} reports, "
                f"expected {d['expected']} — above the normal range.",
                "trace": d["trace"],
            }
        )
    rising = [
        r
        for r in table
        if r["mean4"] is not None and r["this"] >= 5 and r["this"] >= 1.5 * r["mean4"]
    ]
    for r in rising[:2]:
        headlines.append(
            {
                "text": f"{r['name']}: {r['this']} reports against a mean of "
                f"{r['mean4']}.",
                "trace": r["trace"]["this"],
            }
        )
    if top_places:
        tp = max(top_places, key=lambda p: p["count"])
        headlines.append(
            {
                "text": f"Most reports at {tp['name']}: {tp['count']}.",
                "trace": tp["trace"],
            }
        )
    old_issues = sum(1 for i in open_issues if i["days_open"] > 30)
    if old_issues:
        headlines.append(
            {
                "text": f"{old_issues} physical-environment issues open for more "
                "than 30 days.",
                "trace": None,
            }
        )
    trace.add("all:this", this_rows)
    trace.add("all:last", prev_rows)
    trace.add("all:mean4", prev4)

    figures: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": period.kind,
        "label": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "scope": (
            {"code": str(scope.code), "name": scope.name, "level": scope.level}
            if scope
            else None
        ),
        "generated_at": timezone.now().isoformat(),
        "series_labels": [p.label for p in series_periods],
        "summary": {
            "n_reports": n_this,
            "n_last": n_last,
            "mean4": mean4_all,
            "change_pct": _pct(n_this, mean4_all),
            "n_last_year": len(ly_rows),
            "deviations": len(deviations),
            "open_issues": n_issues,
            "police_municipality": len(muni),
            "headlines": headlines,
            "trace": {"this": "all:this", "last": "all:last", "mean4": "all:mean4"},
        },
        "deviation_week": f"{iy}-W{iw:02d}",
        "deviation_method": weekly["method"],
        "history_weeks": weekly["history_weeks"],
        "deviations": deviations,
        "categories": table,
        "category_order": [c.code for c in categories.values()],
        "top_places": sorted(top_places, key=lambda p: -p["count"]),
        "hotspot_parameters": {
            "cell_m": HOTSPOT_CELL_M,
            "since": hot_since.isoformat(),
            "until": period.end.isoformat(),
            "method": "Getis-Ord Gi* with FDR; cells at 95 % confidence or more.",
        },
        "open_issues": open_issues,
        "open_issues_total": n_issues,
        "police": police,
        "interventions": _interventions(collab, period),
        "area_status": area_status,
        "coverage": coverage,
        "colour_rule": COLOUR_RULE,
        "map": map_fig,
    }
    if period.kind in ("quarter", "tertial", "year"):
        from samsyn.surveys.summary import perceived_for_year

        figures["analysis"] = _period_analysis(collab, period, scope, area_by_ref)
        figures["perceived"] = perceived_for_year(collab, period.start.year)
    if period.kind == "year":
        figures["evaluation"] = {
            "available": False,
            "note": "The evaluation of the year's interventions goes here.",
        }
    return figures, trace.data


def _period_analysis(
    collab: Collaboration,
    period: Period,
    scope: Area | None,
    area_by_ref: dict[str, Area],
) -> dict[str, Any]:
    prio = engine.priority(collab, _midnight(period.start), _midnight(period.end))
    rows = prio["rows"]
    if scope is not None:
        rows = [
            r for r in rows if r["area"] == scope.ref or r.get("district") == scope.ref
        ]
    emerging = engine.emerging(collab, period.end - timedelta(days=1), weeks=52)
    spots = []
    for f in emerging["geojson"]["features"]:
        p = f["properties"]
        if p.get("class") not in EMERGING_CLASSES:
            continue
        lon, lat = zip(*f["geometry"]["coordinates"][0], strict=True)
        xs, ys = to_sweref(list(lon), list(lat))
        spots.append(
            {
                "class": p["class"],
                "count": int(p.get("count") or 0),
                "trend_z": p.get("trend_z"),
                "x0": round(min(xs)),
                "y0": round(min(ys)),
                "x1": round(max(xs)),
                "y1": round(max(ys)),
            }
        )
    spots.sort(key=lambda s: -s["count"])
    return {
        "priority": {
            "rows": rows[:20],
            "formula": prio["formula"],
            "notes": prio["notes"],
        },
        "emerging": {
            "first_week": emerging["first_week"],
            "last_week": emerging["last_week"],
            "classes": emerging["classes"],
            "spots": spots[:15],
        },
        # The decisions the analysis leads to; recorded at the meeting.
        "decisions": [],
    }


def merge_restricted(figures: dict[str, Any], access: Access) -> dict[str, Any]:
    """Figures as shown to `access`: strip restricted details for most roles."""
    if access.can(Cap.VIEW_RESTRICTED):
        return figures
    out = dict(figures)
    out["open_issues"] = [
        i for i in figures.get("open_issues", []) if not i["restricted"]
    ]
    places = []
    for p in figures.get("top_places", []):
        n = p["count"] - p.get("restricted_count", 0)
        if n > 0:
            places.append({**p, "count": n, "restricted_count": 0})
    out["top_places"] = places
    m = figures.get("map")
    if m:
        out["map"] = {**m, "points": [p for p in m["points"] if not p[3]]}
    return out


def visible_trace(codes: dict[str, list[str]], access: Access) -> list[str]:
    if access.can(Cap.VIEW_RESTRICTED):
        return codes.get("codes", []) + codes.get("restricted", [])
    return list(codes.get("codes", []))


def _interventions(collab: Collaboration, period: Period) -> dict[str, Any]:
    """Interventions decided or under way during the period, from the register."""
    from django.db.models import Q

    from samsyn.interventions.models import Intervention

    status = Intervention.Status
    rows = (
        Intervention.objects.filter(
            collaboration=collab,
            status__in=[status.DECIDED, status.ONGOING, status.DONE],
        )
        .filter(starts_on__lt=period.end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
        .select_related("owner")
        .prefetch_related("areas")
        .order_by("starts_on", "pk")
    )
    return {
        "available": True,
        "items": [
            {
                "code": str(i.code),
                "name": i.title,
                "kind": i.get_kind_display(),
                "status": i.get_status_display(),
                "owner": i.owner.name if i.owner_id else "",
                "areas": [a.name for a in i.areas.all()],
                "starts_on": i.starts_on.isoformat(),
                "ends_on": i.ends_on.isoformat() if i.ends_on else None,
            }
            for i in rows
        ],
    }
