"""The demo's routing: estates for Örebrobostäder, rules, and reports that go through
them (docs/routing.md).

The estates are synthetic: in the six DeSO where the housing company's staff report most,
the middle of the area (the DeSO polygon shrunk to half around its centre) is taken as
"its estate". They are imported through the same check and replacement as
``samsyn import_properties``. Two planted lamps are then reported through
``submit_report``, the action every entry path uses: one on an estate (expected owner
Örebrobostäder) and one on a municipal street (expected owner Örebro kommun). The open
physical reports of the last 30 days are routed by the same rules, so the owners' queues
show work, some of it overdue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from shapely import affinity
from shapely.geometry import mapping

from samsyn.accounts.models import User
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.actions import submit_report
from samsyn.reports.models import Category, Report, ReportStatusChange
from samsyn.routing.actions import decide, save_rule
from samsyn.routing.models import Assignment, RoutingRule
from samsyn.routing.properties import check_properties, replace_properties

ESTATE_AREAS = 6
REROUTE_DAYS = 30


def add_demo_routing(collab: Collaboration, data: Any, now: datetime) -> dict[str, Any]:
    """Estates, rules, two planted lamps and the recent open reports routed; returns
    what the truths file records."""
    orgs = {o.slug: o for o in Organisation.objects.filter(collaboration=collab)}
    kommun, housing = orgs["orebro-kommun"], orgs["orebrobostader"]
    codes = [o.code for o in data.organisations]
    mine = data.reports.organisation == codes.index("orebrobostader")
    counts = np.bincount(data.reports.deso[mine], minlength=len(data.areas))
    top = [int(i) for i in np.argsort(-counts)[:ESTATE_AREAS]]
    features = []
    for i in top:
        area = data.areas[i]
        estate = affinity.scale(area.geom_wgs84, 0.5, 0.5, origin="centroid")
        estate = estate.intersection(area.geom_wgs84)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": f"{area.name} (gårdar)", "ref": area.code},
                "geometry": mapping(estate),
            }
        )
    with transaction.atomic():
        replace_properties(
            check_properties(housing, features, declared_crs="EPSG:4326")
        )
        lighting = Category.objects.get(collaboration=collab, code="unsafe_lighting")
        for rule in (
            RoutingRule(collaboration=collab, owner=kommun, promised_days=14),
            RoutingRule(
                collaboration=collab, category=lighting, owner=kommun, promised_days=5
            ),
            RoutingRule(
                collaboration=collab,
                where=RoutingRule.Where.PROPERTY,
                property_owner=housing,
                owner=housing,
                promised_days=7,
            ),
        ):
            save_rule(rule, by=None)  # type: ignore[arg-type]
        rerouted = _route_recent(collab, now)
    reporter = User.objects.get(username="reporter")
    access = Access.for_user(reporter, collab)
    on_estate = data.areas[top[0]].geom_wgs84
    on_estate = affinity.scale(on_estate, 0.5, 0.5, origin="centroid").intersection(
        on_estate
    )
    # A lamp on a street where the housing company has no estate.
    others = [k for k in range(len(data.areas)) if k not in top]
    street_area = data.areas[min(others, key=lambda k: counts[k])]
    planted = []
    for name, geom, owner in (
        ("estate_lamp", on_estate, housing),
        ("street_lamp", street_area.geom_wgs84, kommun),
    ):
        point = geom.representative_point()
        report = submit_report(
            access,
            {
                "category_obj": lighting,
                "organisation_obj": housing,
                "occurred_at": now - timedelta(hours=3),
                "lon": point.x,
                "lat": point.y,
                "description": "Lampan är trasig",
                "severity": 2,
            },
            by=reporter,
        ).report
        planted.append(
            {
                "case": name,
                "report": str(report.code),
                "expected_owner": owner.slug,
                "owner": report.owner.slug if report.owner_id else None,
            }
        )
    return {
        "estates": [f["properties"]["name"] for f in features],
        "rules": 3,
        "rerouted_recent_open": rerouted,
        "planted": planted,
    }


def _route_recent(collab: Collaboration, now: datetime) -> int:
    """Route the open physical reports of the last REROUTE_DAYS days by the rules,
    as if they had arrived now that the rules exist."""
    recent = (
        Report.objects.filter(
            collaboration=collab,
            category__physical_environment=True,
            status__in=[Report.Status.REPORTED, Report.Status.ASSIGNED],
            created__gte=now - timedelta(days=REROUTE_DAYS),
        )
        .select_related("category", "collaboration")
        .order_by("pk")
    )
    changes, assignments, n = [], [], 0
    for report in recent.iterator(chunk_size=2000):
        decision = decide(report)
        if decision is None:
            continue
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.ASSIGNED, owner_id=decision.owner_id
        )
        changes.append(
            ReportStatusChange(
                report=report,
                collaboration=collab,
                status=Report.Status.ASSIGNED,
                owner_id=decision.owner_id,
                note=decision.rule.describe()[:500],
                created=report.created,
            )
        )
        assignments.append(
            Assignment(
                report=report,
                collaboration=collab,
                rule=decision.rule,
                owner_id=decision.owner_id,
                promised_days=decision.promised_days,
                due_at=Assignment.due(report.created, decision.promised_days),
                created=report.created,
            )
        )
        n += 1
    ReportStatusChange.objects.bulk_create(changes, batch_size=2000)
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    return n
