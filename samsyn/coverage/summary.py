"""Coverage of one ISO week, as a JSON-ready dict for pages and the situation picture.

Each area gets one state (the rule that keeps "no reports" from reading as "calm"):

- ``reported``: reports were made in the area that week;
- ``seen_not_reported``: no reports, but an organisation checked in with items seen;
- ``calm``: no reports, and at least one organisation checked in "nothing to report";
- ``not_covered``: no reports and no check-in — nobody looked, so nothing is known.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from samsyn.areas.models import Area
from samsyn.coverage.models import CheckIn, Coverage
from samsyn.lib.weeks import week_bounds, week_start
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Report

STATES = ("reported", "seen_not_reported", "calm", "not_covered")


def weekly_areas(collab: Collaboration) -> list[Area]:
    """The areas check-ins are made for: the finest level the collaboration has."""
    qs = Area.objects.in_collaboration(collab)
    level = Area.Level.AREA if qs.leaves().exists() else Area.Level.DISTRICT
    return list(qs.filter(level=level).order_by("name", "ref"))


def area_state(reports: int, statuses: list[str]) -> str:
    if reports:
        return "reported"
    if CheckIn.Status.ITEMS_SEEN in statuses:
        return "seen_not_reported"
    if statuses:
        return "calm"
    return "not_covered"


def coverage_for_week(
    collab: Collaboration, iso_year: int, iso_week: int
) -> dict[str, Any]:
    """Which organisations checked which areas in the week, and each area's state.

    Returns ``{"week", "week_start", "areas": [...], "organisations": [...],
    "not_covered": [area refs], "unchecked": [area refs], "counts": {state: n}}``.
    Report counts include restricted reports (counts only, no report codes).
    """
    areas = weekly_areas(collab)
    start, end = week_bounds(iso_year, iso_week)
    reports = dict(
        Report.objects.filter(
            collaboration=collab, occurred_at__gte=start, occurred_at__lt=end
        )
        .values_list("area_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("area_id", "n")
    )
    orgs = list(
        Organisation.objects.filter(collaboration=collab, active=True).order_by("name")
    )
    org_by_id = {o.pk: o for o in orgs}
    expected: dict[int, set[int]] = {}
    for org_id, area_id in (
        Coverage.objects.active()
        .filter(collaboration=collab)
        .values_list("organisation_id", "area_id")
    ):
        expected.setdefault(area_id, set()).add(org_id)
    checkins: dict[int, list[CheckIn]] = {}
    for c in (
        CheckIn.objects.current()
        .in_week(iso_year, iso_week)
        .filter(collaboration=collab, organisation__active=True)
        .order_by("organisation__name")
    ):
        checkins.setdefault(c.area_id, []).append(c)

    area_rows = []
    org_done: dict[int, list[str]] = {o.pk: [] for o in orgs}
    org_missing: dict[int, list[str]] = {o.pk: [] for o in orgs}
    for area in areas:
        done = checkins.get(area.pk, [])
        done_ids = {c.organisation_id for c in done}
        exp = expected.get(area.pk, set())
        for org_id in exp:
            if org_id in org_by_id:
                (org_done if org_id in done_ids else org_missing)[org_id].append(
                    area.ref
                )
        n = reports.get(area.pk, 0)
        area_rows.append(
            {
                "code": str(area.code),
                "ref": area.ref,
                "name": area.name,
                "reports": n,
                "state": area_state(n, [c.status for c in done]),
                "checkins": [
                    {
                        "organisation": org_by_id[c.organisation_id].slug,
                        "organisation_name": org_by_id[c.organisation_id].name,
                        "status": c.status,
                        "categories": list(c.categories),
                        "at": c.created.isoformat(),
                    }
                    for c in done
                ],
                "expected": sorted(org_by_id[o].slug for o in exp if o in org_by_id),
                "missing": sorted(
                    org_by_id[o].slug for o in exp - done_ids if o in org_by_id
                ),
            }
        )
    return {
        "week": f"{iso_year}-W{iso_week:02d}",
        "iso_year": iso_year,
        "iso_week": iso_week,
        "week_start": week_start(iso_year, iso_week).isoformat(),
        "areas": area_rows,
        "organisations": [
            {
                "slug": o.slug,
                "name": o.name,
                "expected": len(org_done[o.pk]) + len(org_missing[o.pk]),
                "checked": sorted(org_done[o.pk]),
                "missing": sorted(org_missing[o.pk]),
            }
            for o in orgs
        ],
        "not_covered": [a["ref"] for a in area_rows if a["state"] == "not_covered"],
        "unchecked": [a["ref"] for a in area_rows if not a["checkins"]],
        "counts": {s: sum(1 for a in area_rows if a["state"] == s) for s in STATES},
    }
