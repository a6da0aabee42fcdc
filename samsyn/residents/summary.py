"""Figures and duplicate suggestions for residents' reports (accepted ones only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count

from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Report
from samsyn.residents.models import ResidentReport

DUPLICATE_RADIUS_M = 150.0
DUPLICATE_DAYS = 7


def resident_counts(
    collab: Collaboration, since: datetime | None, until: datetime | None
) -> dict[str, Any]:
    """Accepted residents' reports in [since, until), per area and per category.

    Kept apart from reporters' figures: callers show these beside, never added to,
    report counts. Area and category keys are codes; reports outside every area
    count under ``None``.
    """
    qs = ResidentReport.objects.filter(collaboration=collab).accepted()
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    rows = qs.values("area__code", "category__code").annotate(n=Count("id"))
    by_area: dict[str | None, int] = {}
    by_category: dict[str, int] = {}
    cells: list[dict[str, Any]] = []
    for row in rows:
        area = str(row["area__code"]) if row["area__code"] else None
        cat = row["category__code"]
        by_area[area] = by_area.get(area, 0) + row["n"]
        by_category[cat] = by_category.get(cat, 0) + row["n"]
        cells.append({"area": area, "category": cat, "count": row["n"]})
    return {
        "total": sum(by_category.values()),
        "by_area": by_area,
        "by_category": by_category,
        "by_area_category": sorted(
            cells, key=lambda c: (c["area"] or "", c["category"])
        ),
    }


@dataclass
class Candidate:
    kind: str  # "resident" or "report"
    code: str
    label: str
    distance_m: float
    occurred_at: datetime
    obj: Any


def duplicate_candidates(report: ResidentReport, access: Access) -> list[Candidate]:
    """Likely duplicates: same category, within 150 m and 7 days, among accepted
    residents' reports and the reporters' reports the coordinator may see."""
    r, days = DUPLICATE_RADIUS_M, timedelta(days=DUPLICATE_DAYS)
    near: dict[str, Any] = {
        "category_id": report.category_id,
        "x__gte": report.x - r,
        "x__lte": report.x + r,
        "y__gte": report.y - r,
        "y__lte": report.y + r,
        "occurred_at__gte": report.occurred_at - days,
        "occurred_at__lte": report.occurred_at + days,
    }
    found: list[Candidate] = []
    residents = (
        ResidentReport.objects.filter(collaboration=report.collaboration, **near)
        .accepted()
        .exclude(pk=report.pk)
    )
    for other in residents:
        found.append(
            Candidate(
                "resident",
                str(other.code),
                other.reference,
                0.0,
                other.occurred_at,
                other,
            )
        )
    for other in Report.objects.visible_to(access).filter(**near)[:50]:
        found.append(
            Candidate(
                "report", str(other.code), str(other), 0.0, other.occurred_at, other
            )
        )
    out = []
    for c in found:
        d = ((c.obj.x - report.x) ** 2 + (c.obj.y - report.y) ** 2) ** 0.5
        if d <= r:
            c.distance_m = round(d)
            out.append(c)
    return sorted(out, key=lambda c: c.distance_m)


def accepted_for_map(
    access: Access, filters: dict[str, Any], limit: int = 50
) -> dict[str, Any]:
    """Accepted residents' reports for the map page's separate list and layer.

    ``filters`` is the map's cleaned filter data: ``since`` and ``until`` (dates,
    ``until`` inclusive), ``category`` and ``area`` (codes; an area includes its
    children). Organisation and status filters do not apply to residents' reports.
    Returns ``{"items", "total", "api_url"}``; ``api_url`` is the same selection as
    GeoJSON for the map layer.
    """
    from datetime import time

    from django.db.models import Q
    from django.utils import timezone
    from django.utils.http import urlencode

    tz = timezone.get_current_timezone()
    qs = (
        ResidentReport.objects.visible_to(access)
        .accepted()
        .select_related("category", "area")
    )
    params: dict[str, str] = {}
    if filters.get("since"):
        qs = qs.filter(
            occurred_at__gte=datetime.combine(filters["since"], time.min, tz)
        )
        params["since"] = filters["since"].isoformat()
    if filters.get("until"):
        end = filters["until"] + timedelta(days=1)
        qs = qs.filter(occurred_at__lt=datetime.combine(end, time.min, tz))
        params["until"] = end.isoformat()  # the API's until is exclusive
    if filters.get("category"):
        qs = qs.filter(category__code=filters["category"])
        params["category"] = filters["category"]
    if filters.get("area"):
        qs = qs.filter(
            Q(area__code=filters["area"]) | Q(area__parent__code=filters["area"])
        )
        params["area"] = str(filters["area"])
    return {
        "items": list(qs.order_by("-occurred_at", "-pk")[:limit]),
        "total": qs.count(),
        "api_url": "/api/v1/residents/reports?" + urlencode(params),
    }
