"""Recurring deviations: the same area and category flagged in 3 of the last 6 periods.

A tertial report asks, by hand, which problems keep coming back. Samsyn answers it
from the weekly deviation analysis (samsyn.analysis.stats.deviations, the same
seasonal baseline and level as the weekly picture): an area x category counts as
flagged in a period when at least one of its complete ISO weeks was flagged high.
A week belongs to the period that holds its Thursday (the ISO rule), so weeks and
longer periods use one definition. When the pair is flagged in at least
``NEEDED`` of the last ``WINDOW`` periods (the picture's own period and the five
before it, of the picture's period type), Samsyn proposes a "fördjupad analys".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from samsyn.analysis import engine
from samsyn.analysis.stats import deviations
from samsyn.areas.models import Area
from samsyn.lib.weeks import Period, local_today, local_tz, monday, period_for
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Category

WINDOW = 6
NEEDED = 3


@dataclass(frozen=True)
class Recurrence:
    """One area x category and the periods (oldest first) it was flagged in."""

    area: int  # index into the caller's areas
    category: int
    flagged: tuple[bool, ...]

    @property
    def count(self) -> int:
        return sum(self.flagged)


def recurring(
    flags: Mapping[tuple[int, int], Sequence[bool]], needed: int = NEEDED
) -> list[Recurrence]:
    """The pairs flagged in at least ``needed`` of their periods, most first."""
    out = [
        Recurrence(a, c, tuple(bool(f) for f in fl))
        for (a, c), fl in flags.items()
        if sum(bool(f) for f in fl) >= needed
    ]
    out.sort(key=lambda r: (-r.count, [not f for f in reversed(r.flagged)], r.area))
    return out


def window(period: Period, collab: Collaboration | None = None) -> list[Period]:
    """The period and the ``WINDOW - 1`` whole periods before it, oldest first."""
    periods = [period]
    while len(periods) < WINDOW:
        periods.insert(
            0, period_for(period.kind, periods[0].start - timedelta(days=1), collab)
        )
    return periods


def weekly_flags(
    collab: Collaboration, periods: Sequence[Period], *, today: date | None = None
) -> tuple[dict[tuple[int, int], list[bool]], list[int], list[int]]:
    """Per (area id, category id): flagged or not in each period.

    Only complete weeks that have ended by ``today`` are assessed. Returns the
    flags and the area and category ids the indices refer to.
    """
    today = today or local_today()
    weeks: list[tuple[date, int]] = []  # (monday, period index)
    d = monday(periods[0].start)
    while d < periods[-1].end and d + timedelta(days=7) <= monday(today):
        thursday = d + timedelta(days=3)
        idx = next(
            (i for i, p in enumerate(periods) if p.start <= thursday < p.end), None
        )
        if idx is not None:
            weeks.append((d, idx))
        d += timedelta(days=7)
    if not weeks:
        return {}, [], []
    hist_first = weeks[0][0] - timedelta(weeks=engine.HISTORY_WEEKS)
    n_weeks = (weeks[-1][0] - hist_first).days // 7 + 1
    bounds = engine.week_bounds(hist_first, n_weeks)
    cols = engine._load(
        collab,
        datetime.fromtimestamp(bounds[0], local_tz()),
        datetime.fromtimestamp(bounds[-1], local_tz()),
        None,
    )
    n_a, n_c = len(cols.area_ids), len(cols.category_codes)
    if n_a == 0 or n_c == 0:
        return {}, list(cols.area_ids), []
    wk = engine.week_index(cols.t, bounds)
    ok = (wk >= 0) & (wk < n_weeks) & (cols.category >= 0) & (cols.area >= 0)
    flat = (cols.area[ok] * n_c + cols.category[ok]) * n_weeks + wk[ok]
    counts = np.bincount(flat, minlength=n_a * n_c * n_weeks).reshape(
        n_a * n_c, n_weeks
    )
    any_data = np.flatnonzero(counts.sum(axis=0))
    first_col = int(any_data[0]) if any_data.size else n_weeks - 1
    iso_y, iso_w = engine._iso_calendar(hist_first, n_weeks)
    flagged = np.zeros((n_a * n_c, len(periods)), dtype=bool)
    for monday_d, p_idx in weeks:
        k = (monday_d - hist_first).days // 7
        # Fewer than 3 events are never flagged (the analysis' own guard).
        rows = np.flatnonzero(counts[:, k] >= 3)
        if rows.size == 0:
            continue
        res = deviations.weekly_deviations(
            counts[rows, : k + 1],
            index=k,
            iso_year=iso_y[: k + 1],
            iso_week=iso_w[: k + 1],
            first_week=np.full(rows.size, first_col),
        )
        flagged[rows[res.flag], p_idx] = True
    cat_ids = _category_ids(collab, cols.category_codes)
    out = {}
    for s in np.flatnonzero(flagged.any(axis=1)).tolist():
        a, c = divmod(s, n_c)
        out[(a, c)] = flagged[s].tolist()
    return out, list(cols.area_ids), cat_ids


def _category_ids(collab: Collaboration, codes: Sequence[str]) -> list[int]:
    by_code = dict(
        Category.objects.filter(collaboration=collab).values_list("code", "pk")
    )
    return [by_code.get(c, -1) for c in codes]


def proposals(
    collab: Collaboration,
    period: Period,
    *,
    scope: Area | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """The picture's proposals for a "fördjupad analys" (JSON for its figures)."""
    periods = window(period, collab)
    flags, area_ids, cat_ids = weekly_flags(collab, periods, today=today)
    found = recurring(flags)
    if not found:
        return []
    areas = Area.objects.in_bulk([area_ids[r.area] for r in found])
    cats = Category.objects.in_bulk([cat_ids[r.category] for r in found])
    out = []
    for r in found:
        area = areas.get(area_ids[r.area])
        cat = cats.get(cat_ids[r.category])
        if area is None or cat is None:
            continue
        if scope is not None and scope.pk not in (area.pk, area.parent_id):
            continue
        out.append(
            {
                "area": str(area.code),
                "area_ref": area.ref,
                "area_name": area.name,
                "category": cat.code,
                "category_name": cat.name_sv or cat.name_en or cat.code,
                "periods": [p.label for p in periods],
                "flagged": [
                    p.label for p, f in zip(periods, r.flagged, strict=True) if f
                ],
            }
        )
    return out
