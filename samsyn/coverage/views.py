"""Pages: the phone check-in, the coordinators' coverage matrix, coverage settings."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from samsyn.areas.models import Area
from samsyn.coverage.actions import CheckInRefused, check_in, set_coverage
from samsyn.coverage.models import CheckIn, Coverage
from samsyn.coverage.summary import coverage_for_week, weekly_areas
from samsyn.lib.dates import check_week
from samsyn.lib.weeks import week_start
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access
from samsyn.organisations.models import Organisation
from samsyn.reports.models import Category

WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


def parse_week(value: str | None) -> tuple[int, int]:
    """'2025-W07' → (2025, 7); anything else → the current ISO week."""
    match = WEEK_RE.match(value or "")
    if match:
        year, week = int(match.group(1)), int(match.group(2))
        try:
            check_week(year, week)
        except ValueError:
            pass
        else:
            return year, week
    iso = timezone.localdate().isocalendar()
    return iso.year, iso.week


def _week_nav(iso_year: int, iso_week: int) -> dict[str, str]:
    monday = week_start(iso_year, iso_week)

    def label(d: date) -> str:
        iso = d.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"

    return {
        "this": label(monday),
        "prev": label(monday - timedelta(days=7)),
        "next": label(monday + timedelta(days=7)),
        "start": monday.isoformat(),
        "end": (monday + timedelta(days=6)).isoformat(),
    }


def _checkin_org(request: HttpRequest, access: Access, slug: str | None) -> Any:
    ids = access.reporting_organisations()
    if not ids:
        raise Http404
    orgs = Organisation.objects.filter(
        pk__in=ids, collaboration=access.collaboration, active=True
    ).order_by("name")
    if slug:
        return get_object_or_404(orgs, slug=slug), list(orgs)
    return orgs.first(), list(orgs)


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    """The phone page: one tap per area confirms the organisation's week."""
    access = require_access(request, Cap.CREATE_REPORT)
    if request.method == "POST":
        return _checkin_post(request, access)
    org, orgs = _checkin_org(request, access, request.GET.get("org"))
    if org is None:
        raise Http404
    iso_year, iso_week = parse_week(request.GET.get("week"))
    covered = [
        c.area
        for c in Coverage.objects.active()
        .filter(organisation=org)
        .select_related("area")
        .order_by("area__name")
    ]
    current = {
        c.area_id: c
        for c in CheckIn.objects.current()
        .in_week(iso_year, iso_week)
        .filter(organisation=org)
    }
    categories = list(
        Category.objects.filter(collaboration=access.collaboration, active=True)
    )
    names = {c.code: c.name for c in categories}
    rows = []
    for area in covered:
        c = current.get(area.pk)
        rows.append(
            {
                "area": area,
                "checkin": c,
                "seen": [names.get(code, code) for code in (c.categories if c else [])],
                "seen_codes": set(c.categories) if c else set(),
            }
        )
    return render(
        request,
        "coverage/checkin.html",
        {
            "org": org,
            "orgs": orgs,
            "rows": rows,
            "done": sum(1 for r in rows if r["checkin"]),
            "categories": categories,
            "week": _week_nav(iso_year, iso_week),
        },
    )


def _checkin_post(request: HttpRequest, access: Access) -> HttpResponse:
    org, _orgs = _checkin_org(request, access, request.POST.get("org") or "-")
    iso_year, iso_week = parse_week(request.POST.get("week"))
    # Only an area this organisation covers (another's area is a 404).
    area = get_object_or_404(
        Area.objects.in_collaboration(access.collaboration).filter(  # type: ignore[arg-type]
            coverage__organisation=org, coverage__active=True
        ),
        ref=request.POST.get("area", ""),
    )
    status = request.POST.get("status", "")
    chosen = request.POST.getlist("categories")
    if status == CheckIn.Status.ITEMS_SEEN and not chosen:
        messages.error(
            request,
            _("%(area)s: tick the items you saw, or choose “Nothing to report”.")
            % {"area": area.name},
        )
    else:
        try:
            check_in(
                access,
                org,
                area,
                iso_year,
                iso_week,
                status,
                chosen,
                by=request.user,
            )
        except CheckInRefused as exc:
            raise Http404 from exc
        messages.success(request, _("%(area)s checked in.") % {"area": area.name})
    query = urlencode({"week": f"{iso_year}-W{iso_week:02d}", "org": org.slug})
    return redirect(f"{reverse('coverage:checkin')}?{query}#area-{area.ref}")


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    """Coordinators' view: organisations × areas for one week."""
    access = require_access(request, Cap.VIEW_ANALYSIS)
    iso_year, iso_week = parse_week(request.GET.get("week"))
    summary = coverage_for_week(access.collaboration, iso_year, iso_week)  # type: ignore[arg-type]
    orgs = [o for o in summary["organisations"] if o["expected"]]
    cells = []
    for area in summary["areas"]:
        by_org = {c["organisation"]: c for c in area["checkins"]}
        row = []
        for o in orgs:
            c = by_org.get(o["slug"])
            if c:
                row.append(c["status"])
            elif o["slug"] in area["expected"]:
                row.append("missing")
            else:
                row.append("")
        cells.append({"area": area, "cells": row})
    return render(
        request,
        "coverage/matrix.html",
        {
            "summary": summary,
            "orgs": orgs,
            "rows": cells,
            "week": _week_nav(iso_year, iso_week),
            "can_edit": access.can(Cap.MANAGE_CHECKLIST),
            "can_check_in": access.can(Cap.CREATE_REPORT),
            "all_orgs": Organisation.objects.filter(
                collaboration=access.collaboration, active=True
            ),
        },
    )


@login_required
def organisation_areas(request: HttpRequest, slug: str) -> HttpResponse:
    """Which areas an organisation checks in every week (coordinators, admins)."""
    access = require_access(request, Cap.MANAGE_CHECKLIST)
    org = get_object_or_404(
        Organisation.objects.filter(collaboration=access.collaboration), slug=slug
    )
    areas = weekly_areas(access.collaboration)  # type: ignore[arg-type]
    if request.method == "POST":
        chosen = set(request.POST.getlist("areas"))
        set_coverage(org, [a for a in areas if a.ref in chosen], by=request.user)
        messages.success(request, _("Areas saved."))
        return redirect("coverage:matrix")
    active = set(
        Coverage.objects.active()
        .filter(organisation=org)
        .values_list("area_id", flat=True)
    )
    return render(
        request,
        "coverage/organisation_areas.html",
        {"org": org, "areas": areas, "active": active},
    )
