"""The frozen figures of an annual report, computed once when a version is created.

Everything is JSON-ready and aggregate: counts per category, month, severity, area
and place, police figures, the year's prioritisation and hotspot classes, and the
follow-up of the year's evaluated interventions. Counts include restricted reports
(the numbers the collaboration agrees on are honest); lists of named places use only
reports that are not restricted, so the document never points at one.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.analysis import engine
from samsyn.analysis.engine import AnalysisInputError
from samsyn.areas.models import Area
from samsyn.interventions.followup import annual_analysis
from samsyn.lib.replica import replica_reads
from samsyn.lib.weeks import (
    Period,
    local_midnight,
    localtime,
    parse_period,
    week_start,
)
from samsyn.organisations.models import Collaboration
from samsyn.police.models import PoliceEvent, ReportedCrime
from samsyn.reports.models import Category, Report
from samsyn.routing.figures import time_to_fix

HISTORY_YEARS = 2  # previous years shown beside the year
TOP = 10
# Hotspot classes from the Emerging Hot Spot Analysis worth naming in the analysis.
HOTSPOT_CLASSES = {
    "new_hot",
    "consecutive_hot",
    "intensifying_hot",
    "persistent_hot",
    "oscillating_hot",
    "sporadic_hot",
}


def _year(year: int, today: date | None = None) -> Period:
    """The year, or while it is running its elapsed part up to the last complete
    week ("so far")."""
    return parse_period("year", str(year)).so_far(today)


def _same_days(period: Period, year: int) -> Period:
    """``year`` over the same days as ``period`` (the whole year once it ended)."""
    return period.shifted_years(period.start.year - year)


def _bounds(period: Period) -> tuple[datetime, datetime]:
    return local_midnight(period.start), local_midnight(period.end)


def _pct(now: int, before: int) -> int | None:
    return round(100 * (now - before) / before) if before else None


def _local_year_month(t: datetime) -> tuple[int, int]:
    d = localtime(t)
    return d.year, d.month


def _reports(
    collab: Collaboration, first: int, period: Period
) -> list[tuple[Any, ...]]:
    since = local_midnight(date(first, 1, 1))
    until = local_midnight(period.end)
    return list(
        Report.objects.filter(
            collaboration=collab, occurred_at__gte=since, occurred_at__lt=until
        ).values_list(
            "occurred_at",
            "category_id",
            "severity",
            "area_id",
            "place__name",
            "restricted",
            "status",
        )
    )


def extent_and_development(
    collab: Collaboration, year: int, today: date | None = None
) -> dict[str, Any]:
    """Counts of the year and the years before; while the year is running, every
    year over the same days."""
    period = _year(year, today)
    years = list(range(year - HISTORY_YEARS, year + 1))
    ends = {y: local_midnight(_same_days(period, y).end) for y in years}
    rows = [
        r
        for r in _reports(collab, years[0], period)
        if r[0] < ends[_local_year_month(r[0])[0]]
    ]
    cats = {c.pk: c for c in Category.objects.filter(collaboration=collab)}
    per_year: Counter[int] = Counter()
    per_cat: dict[int, Counter[int]] = {}
    monthly = {y: [0] * 12 for y in years}
    severity: Counter[int] = Counter()
    areas: dict[int | None, Counter[int]] = {}
    places: Counter[str] = Counter()
    physical: Counter[str] = Counter()
    for occurred, cat_id, sev, area_id, place, restricted, status in rows:
        y, m = _local_year_month(occurred)
        per_year[y] += 1
        monthly[y][m - 1] += 1
        per_cat.setdefault(cat_id, Counter())[y] += 1
        areas.setdefault(area_id, Counter())[y] += 1
        if y != year:
            continue
        severity[sev] += 1
        if place and not restricted:
            places[place] += 1
        if cats[cat_id].physical_environment:
            physical[status or Report.Status.REPORTED] += 1
    prev = year - 1
    categories = sorted(
        (
            {
                "code": cats[c].code,
                "name": cats[c].name,
                "physical": cats[c].physical_environment,
                "years": [n[y] for y in years],
                "this": n[year],
                "previous": n[prev],
                "change_pct": _pct(n[year], n[prev]),
            }
            for c, n in per_cat.items()
        ),
        key=lambda r: (-r["this"], -r["previous"], r["name"]),
    )
    names = dict(Area.objects.filter(collaboration=collab).values_list("pk", "name"))
    area_rows = sorted(
        (
            {
                "name": names.get(a, "") if a else _("Outside the areas"),
                "this": n[year],
                "previous": n[prev],
                "change_pct": _pct(n[year], n[prev]),
            }
            for a, n in areas.items()
            if n[year] or n[prev]
        ),
        key=lambda r: (-r["this"], r["name"]),
    )
    fixed = physical[Report.Status.FIXED]
    closed = physical[Report.Status.CLOSED_NOT_FIXED]
    open_ = physical[Report.Status.REPORTED] + physical[Report.Status.ASSIGNED]
    return {
        "years": years,
        "totals": [per_year[y] for y in years],
        "total": per_year[year],
        "previous_total": per_year[prev],
        "change_pct": _pct(per_year[year], per_year[prev]),
        "categories": categories,
        "monthly": {str(y): monthly[y] for y in years},
        "severity": [{"level": level, "n": severity[level]} for level in (1, 2, 3, 4)],
        "physical": {
            "total": fixed + closed + open_,
            "fixed": fixed,
            "closed_not_fixed": closed,
            "open": open_,
        },
        "areas": area_rows[:TOP],
        "places": [{"name": p, "n": n} for p, n in places.most_common(TOP)],
    }


def police_figures(
    collab: Collaboration, year: int, today: date | None = None
) -> dict[str, Any]:
    period = _year(year, today)
    since, until = _bounds(period)
    before, before_until = _bounds(_same_days(period, year - 1))

    def split(qs: Any, field: str) -> dict[str, Any]:
        this = qs.filter(occurred_at__gte=since, occurred_at__lt=until)
        prev = qs.filter(occurred_at__gte=before, occurred_at__lt=before_until)
        n, p = this.count(), prev.count()
        kinds = Counter(this.values_list(field, flat=True))
        return {
            "this": n,
            "previous": p,
            "change_pct": _pct(n, p),
            "types": [{"name": k or "—", "n": v} for k, v in kinds.most_common(TOP)],
        }

    crimes = ReportedCrime.objects.in_collaboration(collab)
    events = PoliceEvent.objects.in_collaboration(collab).countable()
    return {
        "crimes_imported": crimes.exists(),
        "crimes": split(crimes, "crime_type"),
        "events": split(events.municipality_level(), "type"),
    }


def analysis_figures(
    collab: Collaboration, year: int, today: date | None = None
) -> dict[str, Any]:
    period = _year(year, today)
    since, until = _bounds(period)
    out: dict[str, Any] = {"priority": [], "hotspots": [], "classes": {}}
    try:
        prio = engine.priority(collab, since, until)
    except AnalysisInputError:
        prio = {"rows": [], "formula": ""}
    out["priority"] = [
        {
            "rank": r["rank"],
            "area": r["area_name"],
            "reports": r["reports"],
            "priority": r["priority"],
            "need": r["need"],
            "ability": r["ability"],
        }
        for r in prio["rows"][:TOP]
    ]
    out["formula"] = prio.get("formula", "")
    if not Area.objects.filter(collaboration=collab).exists():
        return out
    try:
        # The 52 weeks up to the year's last complete week: never a week that
        # has not ended (nor one reaching into the next year).
        last_sunday = week_start(*period.last_week) + timedelta(days=6)
        em = engine.emerging(collab, last_sunday, weeks=52)
    except AnalysisInputError:
        return out
    spots = []
    for f in em["geojson"]["features"]:
        p = f["properties"]
        cls = p.get("class")
        if cls not in HOTSPOT_CLASSES:
            continue
        ring = f["geometry"]["coordinates"][0]
        lon = sum(pt[0] for pt in ring[:-1]) / max(len(ring) - 1, 1)
        lat = sum(pt[1] for pt in ring[:-1]) / max(len(ring) - 1, 1)
        spots.append(
            {"class": cls, "count": int(p.get("count") or 0), "ll": (lon, lat)}
        )
    spots.sort(key=lambda s: -s["count"])
    spots = spots[:TOP]
    names = dict(Area.objects.filter(collaboration=collab).values_list("pk", "name"))
    for s in spots:
        lon, lat = s.pop("ll")
        s["area"] = names.get(Area.locate_id(collab, lon, lat) or 0, "—")
    out["hotspots"] = spots
    out["classes"] = em["classes"]
    out["weeks"] = f"{em['first_week']} – {em['last_week']}"
    return out


@replica_reads()
def compute_figures(
    collab: Collaboration, year: int, today: date | None = None
) -> dict[str, Any]:
    """The year's figures; a year that has not ended by ``today`` (local) covers
    its elapsed part up to the last complete week, compared with the same days of
    the years before, and says so."""
    period = _year(year, today)
    return {
        "year": year,
        "generated_at": timezone.now().isoformat(),
        "figures_end": period.end.isoformat(),
        "so_far": period.so_far_text() or None,
        "situation": extent_and_development(collab, year, today),
        "police": police_figures(collab, year, today),
        "analysis": analysis_figures(collab, year, today),
        "followup": annual_analysis(collab, year),
        "perceived": perceived_figures(collab, year, today),
        "time_to_fix": time_to_fix(
            collab,
            local_midnight(period.end),
            window_days=(period.end - period.start).days,
        ),
    }


def perceived_figures(
    collab: Collaboration, year: int, today: date | None = None
) -> dict[str, Any] | None:
    """The latest resident survey up to the year beside that year's reports per
    1,000 residents, with the areas where the two diverge (the same block as the
    situation picture's); None when no survey has been imported."""
    from samsyn.pictures.figures import perceived_for_period

    return perceived_for_period(collab, _year(year, today))


def default_follow_up(year: int) -> date:
    """The plan runs over the following year and is followed up before the next
    annual report is written."""
    return date(year + 1, 12, 1)
