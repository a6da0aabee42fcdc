"""The frozen figures of a problem analysis, each with the reports behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from samsyn.areas.models import Area
from samsyn.lib.weeks import Period, local_midnight, localtime
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Category, Report

TOP = 6
HOUR_BLOCK = 4  # hours per bar of the time-of-day profile
COLS = (
    "code",
    "place_id",
    "place__name",
    "occurred_at",
    "organisation_id",
    "organisation__name",
    "owner_id",
    "owner__name",
    "place_type",
    "restricted",
)
CODE, PLACE, PLACE_NAME, WHEN, ORG, ORG_NAME, OWNER, OWNER_NAME, PTYPE, RESTR = range(
    len(COLS)
)


def _trace(rows: Sequence[tuple[Any, ...]]) -> dict[str, list[str]]:
    return {
        "codes": [str(r[CODE]) for r in rows if not r[RESTR]],
        "restricted": [str(r[CODE]) for r in rows if r[RESTR]],
    }


def _by(
    rows: Sequence[tuple[Any, ...]],
    key: int,
    name: int,
    prefix: str,
    trace: dict[str, Any],
) -> list[dict[str, Any]]:
    groups: dict[Any, list[tuple[Any, ...]]] = {}
    for r in rows:
        if r[key] is not None:
            groups.setdefault(r[key], []).append(r)
    out = []
    for k, rs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
        t = f"{prefix}:{k}"
        trace[t] = _trace(rs)
        out.append({"name": rs[0][name], "count": len(rs), "trace": t})
    return out[:TOP]


def _figures(
    rows: Sequence[tuple[Any, ...]],
    periods: Sequence[Period],
    flagged: Sequence[str],
    trace: dict[str, Any],
) -> dict[str, Any]:
    trace["all"] = _trace(rows)
    by_period = []
    bounds = [(local_midnight(p.start), local_midnight(p.end)) for p in periods]
    for i, (p, (a, b)) in enumerate(zip(periods, bounds, strict=True)):
        rs = [r for r in rows if a <= r[WHEN] < b]
        trace[f"period:{i}"] = _trace(rs)
        by_period.append(
            {
                "label": p.label,
                "count": len(rs),
                "flagged": p.label in flagged,
                "trace": f"period:{i}",
            }
        )
    local = [(r, localtime(r[WHEN])) for r in rows]
    weekdays = []
    for d in range(7):
        rs = [r for r, t in local if t.weekday() == d]
        trace[f"weekday:{d}"] = _trace(rs)
        weekdays.append({"day": d, "count": len(rs), "trace": f"weekday:{d}"})
    hours = []
    for h in range(0, 24, HOUR_BLOCK):
        rs = [r for r, t in local if h <= t.hour < h + HOUR_BLOCK]
        trace[f"hours:{h}"] = _trace(rs)
        hours.append(
            {"from": h, "to": h + HOUR_BLOCK, "count": len(rs), "trace": f"hours:{h}"}
        )
    types = []
    for value in ("public", "semi_public", ""):
        rs = [r for r in rows if (r[PTYPE] or "") == value]
        if rs:
            trace[f"type:{value or 'unknown'}"] = _trace(rs)
            types.append(
                {"type": value, "count": len(rs), "trace": f"type:{value or 'unknown'}"}
            )
    unnamed = [r for r in rows if r[PLACE] is None]
    trace["place:none"] = _trace(unnamed)
    return {
        "total": len(rows),
        "by_period": by_period,
        "places": _by(rows, PLACE, PLACE_NAME, "place", trace),
        "unnamed_place": {"count": len(unnamed), "trace": "place:none"},
        "weekdays": weekdays,
        "hours": hours,
        "place_types": types,
        "reporters": _by(rows, ORG, ORG_NAME, "org", trace),
        "owners": _by(rows, OWNER, OWNER_NAME, "owner", trace),
    }


def build(
    collab: Collaboration,
    area: Area,
    category: Category,
    periods: Sequence[Period],
    flagged: Sequence[str],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(figures with restricted reports, figures without them, trace)."""
    rows = list(
        Report.objects.filter(
            collaboration=collab,
            area=area,
            category=category,
            occurred_at__gte=local_midnight(periods[0].start),
            occurred_at__lt=local_midnight(periods[-1].end),
        )
        .order_by("occurred_at", "pk")
        .values_list(*COLS)
    )
    trace: dict[str, Any] = {}
    full = _figures(rows, periods, flagged, trace)
    # The keys are the same; the open figures never add codes to the trace.
    open_ = _figures([r for r in rows if not r[RESTR]], periods, flagged, {})
    return full, open_, trace
