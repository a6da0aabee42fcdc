"""Perceived safety beside reported events, per area and year, with a divergence flag.

Method (kept simple so a coordinator can explain it at a meeting):

1. For each survey series (source + indicator) in the year, take the areas that have
   both a survey value and a known population. Reported events are that year's
   reports in the area (a district includes its areas) per 1,000 residents.
2. Rank the areas twice: by perceived insecurity (the survey value, reversed when a
   higher value means more safety) and by the report rate. Ties share the average
   rank. Each rank becomes a percentile p = (rank − 1) / (n − 1), 0 = lowest, 1 =
   highest.
3. Flag an area when the two disagree strongly: perceived insecurity in the top third
   (p > 2/3) while reported events are in the bottom third (p < 1/3) —
   ``perceived_high_reported_low`` — or the reverse, ``reported_high_perceived_low``.
   Fewer than ``MIN_AREAS`` comparable areas: no flags (ranks mean little).

Percentile ranks make series with different scales comparable and ignore absolute
levels: a flag says "this area stands out relative to the others", not that anything is
wrong with either source.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Report
from samsyn.surveys.models import SurveyResult

MIN_AREAS = 3
HIGH = 2 / 3
LOW = 1 / 3
PERCEIVED_HIGH = "perceived_high_reported_low"
REPORTED_HIGH = "reported_high_perceived_low"


def percentile_ranks(values: list[float]) -> list[float]:
    """Average-rank percentiles in [0, 1] (ties share their mean rank)."""
    n = len(values)
    if n < 2:
        return [0.5] * n
    order = sorted(range(n), key=lambda i: values[i])
    ranks = [0.0] * n
    i = 0
    while i < n:
        j = i
        while j + 1 < n and values[order[j + 1]] == values[order[i]]:
            j += 1
        mean_rank = (i + j) / 2
        for k in range(i, j + 1):
            ranks[order[k]] = mean_rank / (n - 1)
        i = j + 1
    return ranks


def divergence(insecurity_pct: float, events_pct: float) -> str | None:
    if insecurity_pct > HIGH and events_pct < LOW:
        return PERCEIVED_HIGH
    if events_pct > HIGH and insecurity_pct < LOW:
        return REPORTED_HIGH
    return None


def _reports_in_year(collab: Collaboration, year: int) -> dict[int, int]:
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    return dict(
        Report.objects.filter(
            collaboration=collab, occurred_at__gte=start, occurred_at__lt=end
        )
        .order_by()
        .values_list("area_id")
        .annotate(n=Count("id"))
        .values_list("area_id", "n")
    )


def perceived_for_year(collab: Collaboration, year: int) -> dict[str, Any]:
    """Per area: survey values, reports per 1,000 residents and a divergence flag.

    Returns ``{"year", "series": [{"source", "indicator", "areas": n, "ranked": bool}],
    "areas": [{"code", "ref", "name", "level", "population", "reports",
    "rate_per_1000", "surveys": [...], "divergence"}], "flagged": [refs],
    "method": str}``. Counts include restricted reports (counts only).
    """
    results = list(
        SurveyResult.objects.filter(collaboration=collab, year=year)
        .select_related("area")
        .order_by("source", "indicator", "area__name")
    )
    counts = _reports_in_year(collab, year)
    all_areas = list(Area.objects.in_collaboration(collab))
    children: dict[int, list[int]] = {}
    for a in all_areas:
        if a.parent_id:
            children.setdefault(a.parent_id, []).append(a.pk)
    surveyed = {r.area_id for r in results}
    leaves = [a for a in all_areas if a.level == Area.Level.AREA] or all_areas
    shown = {a.pk: a for a in leaves} | {a.pk: a for a in all_areas if a.pk in surveyed}

    rows: dict[int, dict[str, Any]] = {}
    for a in sorted(shown.values(), key=lambda a: (a.level, a.name)):
        n = counts.get(a.pk, 0) + sum(counts.get(c, 0) for c in children.get(a.pk, []))
        pop = a.population or None
        rows[a.pk] = {
            "code": str(a.code),
            "ref": a.ref,
            "name": a.name,
            "level": a.level,
            "population": pop,
            "reports": n,
            "rate_per_1000": round(n * 1000 / pop, 2) if pop else None,
            "surveys": [],
            "divergence": None,
        }

    series_out = []
    by_series: dict[tuple[str, str], list[SurveyResult]] = {}
    for r in results:
        by_series.setdefault((r.source, r.indicator), []).append(r)
    for (source, indicator), items in by_series.items():
        comparable = [r for r in items if rows[r.area_id]["rate_per_1000"] is not None]
        ranked = len(comparable) >= MIN_AREAS
        pct: dict[int, tuple[float, float]] = {}
        if ranked:
            insecurity = [
                r.value if r.higher_is_worse else -r.value for r in comparable
            ]
            rates = [rows[r.area_id]["rate_per_1000"] for r in comparable]
            for r, p_ins, p_ev in zip(
                comparable,
                percentile_ranks(insecurity),
                percentile_ranks(rates),
                strict=True,
            ):
                pct[r.area_id] = (p_ins, p_ev)
        series_out.append(
            {
                "source": source,
                "indicator": indicator,
                "areas": len(items),
                "ranked": ranked,
            }
        )
        for r in items:
            p = pct.get(r.area_id)
            flag = divergence(*p) if p else None
            row = rows[r.area_id]
            row["surveys"].append(
                {
                    "source": source,
                    "indicator": indicator,
                    "value": r.value,
                    "scale_min": r.scale_min,
                    "scale_max": r.scale_max,
                    "higher_is_worse": r.higher_is_worse,
                    "respondents": r.respondents,
                    "insecurity_pct": round(p[0], 2) if p else None,
                    "events_pct": round(p[1], 2) if p else None,
                    "divergence": flag,
                }
            )
            if flag and row["divergence"] is None:
                row["divergence"] = flag
    area_rows = list(rows.values())
    return {
        "year": year,
        "series": series_out,
        "areas": area_rows,
        "flagged": [a["ref"] for a in area_rows if a["divergence"]],
        # Shown on the situation picture: in the language it is made in.
        "method": gettext(
            "Percentile ranks of perceived insecurity and of reports per 1,000 "
            "residents among areas with both (at least %(minimum)s); flagged when "
            "one is in the top third and the other in the bottom third."
        )
        % {"minimum": MIN_AREAS},
    }
