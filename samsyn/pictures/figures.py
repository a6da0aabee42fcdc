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
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from samsyn.analysis import engine
from samsyn.areas.models import Area, Place
from samsyn.lib.geo import to_sweref
from samsyn.lib.replica import replica_reads
from samsyn.lib.weeks import (
    Period,
    local_midnight,
    localtime,
    week_bounds,
    week_start,
)
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration
from samsyn.pictures.briefing import headlines
from samsyn.police.models import PoliceEvent
from samsyn.reports.models import Category, Report
from samsyn.routing.figures import time_to_fix

# 2: coverage per scope with area names, perceived safety in every picture, residents'
# reports as a separate block, sentences in the generating user's language.
SCHEMA = 2
SERIES = {"week": 8, "month": 8, "quarter": 5, "tertial": 5, "year": 4}
MAX_POINTS = 2000
HOTSPOT_CELL_M = 250.0
COLOURS = ("green", "yellow", "orange", "red")
COLOUR_RULE = gettext_lazy(
    "Red: two or more categories flagged high in the area, or one flagged at three "
    "times its expected count or more. Orange: one category flagged high. Yellow: "
    "nothing flagged, but at least 5 reports and at least 1.5 times the mean of the "
    "4 previous periods. Green: everything else. Grey: not covered — no reports and "
    "no check-in, so nothing is known. Flags come from the seasonal baseline of the "
    "weekly deviations (the period's last week)."
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


def _num(value: Any) -> str:
    """A number in a sentence, in the reader's convention (a decimal comma in
    Swedish); None as a dash."""
    if value is None:
        return "–"
    return formats.number_format(value, use_l10n=True)


def _p(value: Any) -> str:
    """A p-value with its relation, for "p %(p)s": "= 0.0016", and very small ones
    as "< 0.0001", never "= 0.0"."""
    if value is not None and value < 0.0001:
        return "< " + _num(0.0001)
    return "= " + _num(value)


BASELINE_LABELS = {
    "seasonal": gettext_lazy("seasonal"),
    "recent": gettext_lazy("recent weeks"),
    "none": gettext_lazy("none"),
}


def _baseline(kind: str) -> str:
    label = BASELINE_LABELS.get(kind)
    return str(label) if label is not None else kind


def _midnight(d: Any) -> datetime:
    return local_midnight(d)


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
    # The outlines come from Area.display_outlines (WKB, cached), never from the
    # GeoJSON, which takes seconds to decode for a thousand detailed areas.
    qs = Area.objects.in_collaboration(collab).order_by("name").defer("geometry")
    all_areas = list(qs)
    leaves = [a for a in all_areas if a.level == Area.Level.AREA]
    if scope is None:
        return (leaves, True) if leaves else (all_areas, False)
    if scope.level == Area.Level.DISTRICT:
        children = [a for a in leaves if a.parent_id == scope.pk]
        return (children, True) if children else ([scope], False)
    return [scope], True


@replica_reads()
def compute_figures(
    collab: Collaboration,
    period: Period,
    scope: Area | None,
    *,
    today: date | None = None,
    stage: Callable[[str], None] = lambda _name: None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The figures of ``period``; a period that has not ended by ``today`` (local)
    covers only its elapsed part up to the last complete week, and every earlier
    period it is compared with covers the same part of itself ("so far").

    ``stage`` is told the name (an English msgid) of each step as it starts, so a
    job can show how far a long picture has come."""
    trace = _Trace()
    stage(gettext_noop("Counting the reports"))
    whole_end = period.full_end or period.end
    period = period.so_far(today)
    n_series = SERIES[period.kind]
    series_periods = [period]
    for _i in range(n_series - 1):
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
    # Each period's own [start, end): for a running period the earlier ones are
    # cut to the same elapsed part, so the days between their cut and the next
    # period's start belong to none.
    bounds = [_midnight(p.start) for p in series_periods] + [_midnight(period.end)]
    ends = [_midnight(p.end) for p in series_periods]
    by_period: list[list[tuple[Any, ...]]] = [[] for _p in series_periods]
    for r in window:
        i = bisect.bisect_right(bounds, r[4]) - 1
        if 0 <= i < len(series_periods) and r[4] < ends[i]:
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
    stage(gettext_noop("Comparing with the normal range"))
    # The last complete ISO week of the (elapsed) period: never a future week.
    iy, iw = period.last_week
    weekly = engine.weekly(collab, iy, iw)
    area_by_ref = {a.ref: a for a in Area.objects.in_collaboration(collab)}
    code_by_cat = {c.code: c for c in categories.values()}

    def in_scope(row: dict[str, Any]) -> bool:
        if scope is None:
            return True
        if scope.level == Area.Level.DISTRICT:
            return row["area"] == scope.ref or row.get("district") == scope.ref
        return row["level"] == "area" and row["area"] == scope.ref

    week_from, week_to = week_bounds(iy, iw)
    week_rows = [r for r in window if week_from <= r[4] < week_to]
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
            "reason": _(
                "%(observed)s reports against an expected %(expected)s (normal range "
                "up to %(upper)s, p %(p)s); baseline: %(baseline)s."
            )
            % {
                "observed": _num(row["observed"]),
                "expected": _num(row["expected"]),
                "upper": _num(row["upper"]),
                "p": _p(row["p"]),
                "baseline": _baseline(row["baseline"]),
            },
            "trace": trace.add(f"dev:{len(deviations)}", rows),
        }
        deviations.append(item)
        if area is not None and row["level"] == "area":
            flags_by_area[area.pk].append(item)

    # -------------------------------------------------------------- area status
    area_status = []
    for a in areas:
        this_a = [r for r in this_rows if r[2] == a.pk]
        last_a = sum(1 for r in prev_rows if r[2] == a.pk) if n_series > 1 else None
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
            "; ".join(
                _("%(category)s flagged") % {"category": f["category"]} for f in flags
            )
            if flags
            else ngettext(
                "%(n)s report, 4-period mean %(mean)s",
                "%(n)s reports, 4-period mean %(mean)s",
                len(this_a),
            )
            % {"n": _num(len(this_a)), "mean": _num(mean4)}
        )
        area_status.append(
            {
                "code": str(a.code),
                "name": a.name,
                "level": a.level,
                "this": len(this_a),
                "last": last_a,
                "mean4": mean4,
                "flags": len(flags),
                "suggested": colour,
                "reason": reason,
                "trace": trace.add(f"area:{a.code}", this_a),
            }
        )

    # -------------------------------------------------------------- coverage
    stage(gettext_noop("Coverage, perceived safety and residents"))
    # Zero reports from an area means "calm" only if someone checked in there; where
    # check-ins are in use and no one did, the area is "not covered", never green.
    from samsyn.coverage.models import Coverage
    from samsyn.coverage.summary import coverage_for_week

    coverage = None
    if Coverage.objects.filter(organisation__collaboration=collab).exists():
        coverage = _scoped_coverage(coverage_for_week(collab, iy, iw), areas, scope)
        state_by_code = {a["code"]: a["state"] for a in coverage["areas"]}
        for row in area_status:
            row["coverage"] = state_by_code.get(row["code"])
            if row["coverage"] == "not_covered" and row["suggested"] == "green":
                row["suggested"] = "grey"
                row["reason"] = _("No reports and no check-in: not covered, not calm.")

    # ------------------------------------------------- perceived safety, residents
    perceived = _perceived(collab, period, areas, scope)
    residents = _residents(
        collab, period, areas, scope_ids if scope else None, this_rows, categories
    )

    # ---------------------------------------------------------------- hotspots
    stage(gettext_noop("Looking for hotspots"))
    hot_since = period.start if period.kind != "week" else period.end - timedelta(28)
    cells = _hot_cells(collab, hot_since, period.end)
    # A cell is new when the same window one period earlier did not make it hot.
    before = series_periods[-2] if n_series > 1 else None
    if before is not None:
        shift = period.start - before.start
        earlier = {
            (c["x0"], c["y0"])
            for c in _hot_cells(collab, hot_since - shift, period.end - shift)
        }
        for c in cells:
            c["new"] = (c["x0"], c["y0"]) not in earlier
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
    area_names = {a.pk: a.name for a in area_by_ref.values()}
    hot_window = [r for r in window if r[4] >= _midnight(hot_since)]
    by_cell: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)
    step_m = int(HOTSPOT_CELL_M)
    for r in hot_window:
        if r[6] is not None and r[2]:
            by_cell[(int(r[6] // step_m), int(r[7] // step_m))][r[2]] += 1
    for c in cells:
        key = (round(c["x0"] / step_m), round(c["y0"] / step_m))
        most = by_cell[key].most_common(1) if key in by_cell else []
        c["area"] = area_names.get(most[0][0], "") if most else ""

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
                + " ("
                + _("%(m)s m cell, E %(x)s N %(y)s")
                % {"m": f"{HOTSPOT_CELL_M:.0f}", "x": c["x0"], "y": c["y0"]}
                + ")",
                "area": where[0][0] if where else "",
                "count": len(rows),
                "restricted_count": sum(1 for r in rows if r[5]),
                "hotspot_bin": c["bin"],
                "since": hot_since.isoformat(),
                "trace": trace.add(f"cell:{i}", rows),
            }
        )

    # --------------------------------------------------------------- open issues
    stage(gettext_noop("Open issues, police events and the map"))
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
            "occurred": localtime(r.occurred_at).date().isoformat(),
            "days_open": (period.end - localtime(r.occurred_at).date()).days,
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
        "note": _(
            "Police events are known at municipality or county level only; they are "
            "counted at that level and never drawn as points."
        ),
    }

    # ---------------------------------------------------------------------- map
    pts = [r for r in this_rows if r[6] is not None]
    step = max(1, -(-len(pts) // MAX_POINTS))
    cat_index = {cid: i for i, cid in enumerate(categories)}
    outlines = Area.display_outlines(collab, areas)
    map_fig = {
        "areas": [
            {"code": str(a.code), "name": a.name, "rings": outlines[str(a.code)]}
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
    trace.add("all:this", this_rows)
    trace.add("all:last", prev_rows)
    trace.add("all:mean4", prev4)

    figures: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": period.kind,
        "label": period.label,
        "period_start": period.start.isoformat(),
        "period_end": whole_end.isoformat(),
        # The figures cover [period_start, figures_end): the whole period once it
        # has ended, its elapsed part up to the last complete week before that.
        "figures_end": period.end.isoformat(),
        "so_far": period.so_far_text() or None,
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
            "headlines": [],
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
            "method": _(
                "Getis-Ord Gi* with FDR; cells with at least 95 per cent confidence."
            ),
        },
        "open_issues": open_issues,
        "open_issues_total": n_issues,
        "time_to_fix": time_to_fix(
            collab,
            _midnight(period.end),
            area_ids=scope_ids if scope else None,
            trace=trace,
        ),
        "police": police,
        "interventions": _interventions(collab, period),
        "area_status": area_status,
        "coverage": coverage,
        "perceived": perceived,
        "residents": residents,
        "colour_rule": str(COLOUR_RULE),
        "map": map_fig,
    }
    # Area x category flagged in 3 of the last 6 periods: a "fördjupad analys".
    from samsyn.problems.recurrence import proposals

    figures["recurring"] = proposals(collab, period, scope=scope, today=today)
    if period.kind in ("quarter", "tertial", "year"):
        stage(gettext_noop("Ranking the areas"))
        figures["analysis"] = _period_analysis(collab, period, scope, area_by_ref)
    figures["summary"]["headlines"] = headlines(figures)
    if period.kind == "year":
        figures["evaluation"] = {
            "available": False,
            "note": _("The evaluation of the year's interventions goes here."),
        }
    return figures, trace.data


def _hot_cells(collab: Collaboration, since: date, until: date) -> list[dict[str, Any]]:
    """Hotspot cells (Gi* bin 2 or 3) of reports in [since, until), in SWEREF
    metres."""
    if until <= since:  # nothing has elapsed to look for hot spots in
        return []
    hot = engine.hotspots(collab, _midnight(since), _midnight(until), HOTSPOT_CELL_M)
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
    return cells


def _scoped_coverage(
    coverage: dict[str, Any], areas: list[Area], scope: Area | None
) -> dict[str, Any]:
    """The week's coverage limited to the picture's areas, with area names.

    Check-ins are made for the finest level; a picture of a district shows its areas.
    """
    names = {a["ref"]: a["name"] for a in coverage["areas"]}
    if scope is not None:
        codes = {str(a.code) for a in areas}
        refs = {a["ref"] for a in coverage["areas"] if a["code"] in codes}
        rows = [a for a in coverage["areas"] if a["ref"] in refs]
        orgs = [
            {
                **o,
                "checked": [r for r in o["checked"] if r in refs],
                "missing": [r for r in o["missing"] if r in refs],
            }
            for o in coverage["organisations"]
        ]
        orgs = [{**o, "expected": len(o["checked"]) + len(o["missing"])} for o in orgs]
        coverage = {
            **coverage,
            "areas": rows,
            "organisations": orgs,
            "not_covered": [r for r in coverage["not_covered"] if r in refs],
            "unchecked": [r for r in coverage["unchecked"] if r in refs],
            "counts": {
                state: sum(1 for a in rows if a["state"] == state)
                for state in coverage["counts"]
            },
        }
    for o in coverage["organisations"]:
        o["checked_names"] = [names.get(r, r) for r in o["checked"]]
        o["missing_names"] = [names.get(r, r) for r in o["missing"]]
    coverage["not_covered_names"] = [names.get(r, r) for r in coverage["not_covered"]]
    return coverage


def perceived_for_period(
    collab: Collaboration, period: Period
) -> dict[str, Any] | None:
    """Perceived safety beside reported events for the whole collaboration in a
    period (the annual report shows it too); None when no survey is imported."""
    return _perceived(collab, period, [], None)


def _perceived(
    collab: Collaboration, period: Period, areas: list[Area], scope: Area | None
) -> dict[str, Any] | None:
    """The latest survey year up to the period's year beside reported events.

    The divergence flags are ranked among all the collaboration's surveyed areas
    (samsyn/surveys/summary.py); a scoped picture then shows its own areas. Each
    area also gets its value in the previous survey year, so a rise shows.
    """
    from samsyn.surveys.models import SurveyResult
    from samsyn.surveys.summary import MIN_AREAS, perceived_for_year

    years = sorted(
        set(
            SurveyResult.objects.filter(collaboration=collab, year__lte=period.year)
            .values_list("year", flat=True)
            .distinct()
        )
    )
    if not years:
        return None
    year = years[-1]
    out = perceived_for_year(collab, year)
    previous_year = years[-2] if len(years) > 1 else None
    before: dict[tuple[int, str, str], float] = {}
    if previous_year is not None:
        before = {
            (area_id, source, indicator): value
            for area_id, source, indicator, value in SurveyResult.objects.filter(
                collaboration=collab, year=previous_year
            ).values_list("area_id", "source", "indicator", "value")
        }
    id_by_code = {
        str(code): pk
        for pk, code in Area.objects.in_collaboration(collab).values_list("pk", "code")
    }
    rows = [a for a in out["areas"] if a["surveys"]]
    if scope is not None:
        codes = {str(a.code) for a in areas} | {str(scope.code)}
        rows = [a for a in rows if a["code"] in codes]
    for a in rows:
        for s in a["surveys"]:
            prev = before.get((id_by_code.get(a["code"]), s["source"], s["indicator"]))
            s["previous"] = prev
            s["change"] = round(s["value"] - prev, 2) if prev is not None else None
    # Flagged areas first, then the most insecure.
    rows.sort(
        key=lambda a: (
            a["divergence"] is None,
            -max((s["insecurity_pct"] or 0) for s in a["surveys"]),
            a["name"],
        )
    )
    return {
        **out,
        "areas": rows,
        "flagged": [a["ref"] for a in rows if a["divergence"]],
        "previous_year": previous_year,
        "method": _(
            "Percentile ranks of perceived insecurity and of reports per 1,000 "
            "residents in %(year)s among areas with both (at least %(n)s); flagged "
            "when one is in the top third and the other in the bottom third."
        )
        % {"year": year, "n": MIN_AREAS},
    }


def _residents(
    collab: Collaboration,
    period: Period,
    areas: list[Area],
    scope_ids: set[int] | None,
    this_rows: list[tuple[Any, ...]],
    categories: dict[int, Category],
) -> dict[str, Any] | None:
    """Accepted residents' reports in the period, per category and area.

    Kept apart from the reporters' figures (residents report what worries them when
    they pass; reporters follow a checklist): the reporters' count of the same row is
    stored beside it only so the page can show the two together on request.
    """
    from django.db.models import Count

    from samsyn.residents.models import ResidentReport, ResidentSettings

    enabled = ResidentSettings.objects.filter(collaboration=collab, enabled=True)
    qs = ResidentReport.objects.filter(
        collaboration=collab,
        occurred_at__gte=_midnight(period.start),
        occurred_at__lt=_midnight(period.end),
    )
    if scope_ids is not None:
        qs = qs.filter(area_id__in=scope_ids)
    if not enabled.exists() and not qs.exists():
        return None
    pending = qs.filter(status=ResidentReport.Status.PENDING).count()
    counts = list(
        qs.filter(status=ResidentReport.Status.ACCEPTED)
        .order_by()
        .values_list("category_id", "area_id")
        .annotate(n=Count("id"))
    )
    by_cat: Counter[int] = Counter()
    by_area: Counter[int | None] = Counter()
    for cat_id, area_id, n in counts:
        by_cat[cat_id] += n
        by_area[area_id] += n
    rep_cat = Counter(r[1] for r in this_rows)
    rep_area = Counter(r[2] for r in this_rows)
    cat_rows = [
        {
            "code": cat.code,
            "name": cat.name_sv or cat.name_en or cat.code,
            "residents": by_cat.get(cid, 0),
            "reporters": rep_cat.get(cid, 0),
        }
        for cid, cat in categories.items()
        if by_cat.get(cid)
    ]
    cat_rows.sort(key=lambda r: (-r["residents"], r["name"]))
    area_rows = [
        {
            "code": str(a.code),
            "name": a.name,
            "residents": by_area[a.pk],
            "reporters": rep_area.get(a.pk, 0),
        }
        for a in areas
        if by_area.get(a.pk)
    ]
    area_rows.sort(key=lambda r: (-r["residents"], r["name"]))
    known = {a.pk for a in areas}
    return {
        "total": sum(by_cat.values()),
        "pending": pending,
        "outside_areas": sum(n for aid, n in by_area.items() if aid not in known),
        "reporters_total": len(this_rows),
        "by_category": cat_rows,
        "by_area": area_rows,
    }


def _period_analysis(
    collab: Collaboration,
    period: Period,
    scope: Area | None,
    area_by_ref: dict[str, Area],
) -> dict[str, Any]:
    if period.end > period.start:
        prio = engine.priority(collab, _midnight(period.start), _midnight(period.end))
    else:  # a period that began today: nothing has elapsed to rank yet
        prio = {"rows": [], "formula": "", "notes": []}
    rows = prio["rows"]
    if scope is not None:
        rows = [
            r for r in rows if r["area"] == scope.ref or r.get("district") == scope.ref
        ]
    # Ends with the period's last complete week, never a week still running.
    last_sunday = week_start(*period.last_week) + timedelta(days=6)
    emerging = engine.emerging(collab, last_sunday, weeks=52)
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
    from samsyn.pictures.priority import suggestions

    return {
        "priority": {
            # Every ranked area: the forum's ability can move an area up or down.
            "rows": rows,
            "formula": prio["formula"],
            "notes": prio["notes"],
            "suggestions": suggestions(
                collab, period.start, period.end, [r["area"] for r in rows]
            ),
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
    # The summary is said again from what is left, so nothing known only from
    # restricted reports is named there either.
    if figures.get("summary"):
        out["summary"] = {**figures["summary"], "headlines": headlines(out)}
    m = figures.get("map")
    if m:
        out["map"] = {**m, "points": [p for p in m["points"] if not p[3]]}
    return out


def visible_trace(codes: dict[str, list[str]], access: Access) -> list[str]:
    if access.can(Cap.VIEW_RESTRICTED):
        return codes.get("codes", []) + codes.get("restricted", [])
    return list(codes.get("codes", []))


def _interventions(collab: Collaboration, period: Period) -> dict[str, Any]:
    """Interventions decided or under way during the period, from the register, with
    the latest follow-up of those evaluated (marked when preliminary)."""
    from django.db.models import Q

    from samsyn.interventions.models import Intervention

    status = Intervention.Status
    rows = (
        Intervention.objects.filter(
            collaboration=collab,
            status__in=[
                status.DECIDED,
                status.ONGOING,
                status.DONE,
                status.EVALUATED,
            ],
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
                **_follow_up(i),
            }
            for i in rows
        ],
    }


def _follow_up(intervention: Any) -> dict[str, str]:
    """The latest follow-up's headline, marked when it is preliminary."""
    from samsyn.interventions.followup import verdict

    ev = intervention.latest_evaluation()
    if ev is None:
        return {}
    said = verdict(ev)
    return {"verdict": said.headline, "preliminary": said.preliminary_line}
