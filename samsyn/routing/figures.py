"""Time to fix: per owner and category, how many are open, how many overdue, and
the median days from received to fixed. Used by the weekly picture and the annual
report, with the reports behind each figure (the picture's trace keys)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db.models import Max, Q

from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Report

# Fixes counted in the median: those done in this many days before the end.
FIXED_WINDOW_DAYS = 90


class Tracer(Protocol):
    def add(self, key: str, rows: list[tuple[Any, ...]]) -> str: ...


def time_to_fix(
    collab: Collaboration,
    end: datetime,
    *,
    area_ids: set[int] | None = None,
    trace: Tracer | None = None,
    window_days: int = FIXED_WINDOW_DAYS,
) -> dict[str, Any]:
    """Rows per (owner, category), worst first (most overdue, then most open).

    Open: physical reports received before ``end`` and still reported or assigned.
    Overdue: open past the date the owner promised (routing's promise). Median days
    to fix: over reports marked fixed in the ``window_days`` before ``end``, from
    received to the last time they were marked fixed. Restricted reports count; their
    codes are kept apart in the trace (``row[5]`` is the restricted flag).
    """
    base = Report.objects.filter(
        collaboration=collab, category__physical_environment=True, created__lt=end
    )
    if area_ids is not None:
        base = base.filter(area_id__in=area_ids)
    opened = base.filter(
        status__in=[Report.Status.REPORTED, Report.Status.ASSIGNED]
    ).values_list(
        "code",
        "owner__name",
        "category__name_sv",
        "category__code",
        "assignment__due_at",
        "restricted",
    )
    since = end - timedelta(days=window_days)
    fixed = (
        base.filter(status=Report.Status.FIXED)
        .annotate(
            fixed_at=Max(
                "status_changes__created",
                filter=Q(status_changes__status=Report.Status.FIXED),
            )
        )
        .filter(fixed_at__gte=since, fixed_at__lt=end)
        .values_list(
            "code",
            "owner__name",
            "category__name_sv",
            "category__code",
            "created",
            "restricted",
            "fixed_at",
        )
    )
    groups: dict[tuple[str, str, str], dict[str, list[tuple[Any, ...]]]] = defaultdict(
        lambda: {"open": [], "overdue": [], "fixed": []}
    )
    for row in opened:
        key = (row[1] or "", row[2], row[3])
        groups[key]["open"].append(row)
        if row[4] is not None and row[4] < end:
            groups[key]["overdue"].append(row)
    days: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for row in fixed:
        key = (row[1] or "", row[2], row[3])
        groups[key]["fixed"].append(row)
        days[key].append((row[6] - row[4]).total_seconds() / 86400)
    rows = []
    for i, (key, g) in enumerate(sorted(groups.items())):
        owner, category, code = key
        row: dict[str, Any] = {
            "owner": owner or None,
            "category": category,
            "category_code": code,
            "open": len(g["open"]),
            "overdue": len(g["overdue"]),
            "fixed": len(g["fixed"]),
            "median_days": round(statistics.median(days[key]), 1)
            if days[key]
            else None,
        }
        if trace is not None:
            row["trace"] = {
                what: trace.add(f"fix:{i}:{what}", g[what])
                for what in ("open", "overdue", "fixed")
            }
        rows.append(row)
    rows.sort(
        key=lambda r: (-r["overdue"], -r["open"], r["owner"] or "", r["category"])
    )
    return {"rows": rows, "window_days": window_days}
