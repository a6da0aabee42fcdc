"""From the database to arrays: the columns analyses need, loaded in bulk.

A million reports never become a million Python objects: the rows leave the database
as one binary stream (PostgreSQL COPY) or one text value (SQLite) and are parsed by
numpy in one call (see samsyn/lib/backend_sql.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import F, FloatField, Q
from django.db.models.functions import Cast, Coalesce

from samsyn.areas.models import Area
from samsyn.lib.backend_sql import Epoch, fetch_columns
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category, Report

COLUMNS = ("t", "x", "y", "category", "area", "organisation", "severity")


@dataclass(frozen=True)
class ReportColumns:
    """Parallel arrays, one entry per report, plus the lookup tables behind the codes.

    t: float64 epoch seconds (UTC) of occurred_at; x, y: SWEREF 99 TM metres;
    category, area, organisation: int32 indexes into the tuples below (area -1 =
    outside every area); severity: int8 1..4.
    """

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    category: np.ndarray
    area: np.ndarray
    organisation: np.ndarray
    severity: np.ndarray
    category_codes: tuple[str, ...]
    category_harm: np.ndarray
    area_ids: tuple[int, ...]
    area_refs: tuple[str, ...]
    organisation_slugs: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.t)

    def select(self, mask: np.ndarray) -> ReportColumns:
        return ReportColumns(
            self.t[mask], self.x[mask], self.y[mask], self.category[mask],
            self.area[mask], self.organisation[mask], self.severity[mask],
            self.category_codes, self.category_harm, self.area_ids, self.area_refs,
            self.organisation_slugs,
        )  # fmt: skip


def _index_of(ids: np.ndarray, table: list[int]) -> np.ndarray:
    """Map database ids to positions in ``table`` (-1 where absent)."""
    if len(table) == 0:
        return np.full(len(ids), -1, dtype=np.int32)
    lookup = np.full(int(max(max(table), ids.max(initial=0))) + 2, -1, dtype=np.int32)
    lookup[np.asarray(table, dtype=np.int64)] = np.arange(len(table), dtype=np.int32)
    return lookup[ids.astype(np.int64)]


def load_report_columns(
    collaboration: Collaboration,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    access: Access | None = None,
) -> ReportColumns:
    """Columns of a collaboration's reports with since <= occurred_at < until.

    With ``access``, only reports that person may see are included (restricted
    reports drop out for roles that may not see them).
    """
    qs = (
        Report.objects.visible_to(access)
        if access is not None
        else Report.objects.filter(collaboration=collaboration)
    )
    qs = qs.filter(collaboration=collaboration).in_period(since, until)
    qs = qs.annotate(
        c0=Epoch("occurred_at"),
        c1=Cast("x", FloatField()),
        c2=Cast("y", FloatField()),
        c3=Cast("category_id", FloatField()),
        c4=Cast(Coalesce(F("area_id"), 0), FloatField()),
        c5=Cast("organisation_id", FloatField()),
        c6=Cast("severity", FloatField()),
    ).values_list("c0", "c1", "c2", "c3", "c4", "c5", "c6")
    sql, params = qs.query.sql_with_params()
    data = fetch_columns(sql, params, len(COLUMNS))

    cats = list(
        Category.objects.filter(collaboration=collaboration).values_list(
            "pk", "code", "harm_weight"
        )
    )
    areas = list(
        Area.objects.filter(collaboration=collaboration, level=Area.Level.AREA)
        .order_by("pk")
        .values_list("pk", "ref")
    )
    if not areas:
        areas = list(
            Area.objects.filter(collaboration=collaboration)
            .order_by("pk")
            .values_list("pk", "ref")
        )
    orgs = list(
        Organisation.objects.filter(collaboration=collaboration)
        .order_by("pk")
        .values_list("pk", "slug")
    )
    return ReportColumns(
        t=data[:, 0].copy(),
        x=data[:, 1].copy(),
        y=data[:, 2].copy(),
        category=_index_of(data[:, 3], [c[0] for c in cats]),
        area=_index_of(data[:, 4], [a[0] for a in areas]),
        organisation=_index_of(data[:, 5], [o[0] for o in orgs]),
        severity=data[:, 6].astype(np.int8),
        category_codes=tuple(c[1] for c in cats),
        category_harm=np.array([c[2] for c in cats], dtype=np.float64),
        area_ids=tuple(a[0] for a in areas),
        area_refs=tuple(a[1] for a in areas),
        organisation_slugs=tuple(o[1] for o in orgs),
    )


def reference_load(
    collaboration: Collaboration,
    since: datetime | None = None,
    until: datetime | None = None,
) -> np.ndarray:
    """The plain ORM way (values_list → tuples → array), for tests and benchmarks."""
    qs = Report.objects.filter(collaboration=collaboration).in_period(since, until)
    rows = list(
        qs.values_list(
            "occurred_at", "x", "y", "category_id", "area_id", "organisation_id"
        )
    )
    return np.array(
        [(r[0].timestamp(), r[1], r[2], r[3], r[4] or 0, r[5]) for r in rows],
        dtype=np.float64,
    ).reshape(-1, 6)


__all__ = ["COLUMNS", "ReportColumns", "load_report_columns", "reference_load", "Q"]
