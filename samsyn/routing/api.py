"""Routing over JSON: the owner's queue, the rules, the properties as GeoJSON.

A member marks a report fixed through the existing
``POST /api/v1/reports/{code}/status``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from samsyn.api import api_access
from samsyn.organisations.access import Cap
from samsyn.routing.models import Property, RoutingRule
from samsyn.routing.views import is_overdue, owner_org_ids, queue_for

router = Router(tags=["routing"])


class QueueItem(Schema):
    code: str
    category: str
    category_name: str
    owner: str
    lat: float
    lon: float
    area: str | None
    description: str
    received_at: datetime
    due_at: datetime | None = Field(description="When the owner promised to fix it")
    overdue: bool
    rule: str | None = Field(description="Code of the rule that routed it")


class RuleOut(Schema):
    code: str
    category: str | None = Field(description="Category code; null: every physical one")
    where: str = Field(description="`property`, `area` or `anywhere`")
    area: str | None
    property_owner: str | None = Field(description="Whose properties (short name)")
    owner: str = Field(description="Responsible organisation (short name)")
    promised_days: int
    active: bool
    needs_review: bool
    review_note: str


@router.get("/queue", response=list[QueueItem], url_name="routing_queue")
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    """Your organisations' open physical-environment reports, oldest first."""
    access = api_access(request)
    if not access.can(Cap.VIEW_REPORTS) or not owner_org_ids(access):
        return []
    now = timezone.now()
    out = []
    for r in queue_for(access)[:1000]:
        assignment = getattr(r, "assignment", None)
        out.append(
            {
                "code": str(r.code),
                "category": r.category.code,
                "category_name": r.category.name,
                "owner": r.owner.slug,
                "lat": r.lat,
                "lon": r.lon,
                "area": str(r.area.code) if r.area_id else None,
                "description": r.description,
                "received_at": r.created,
                "due_at": assignment.due_at if assignment else None,
                "overdue": is_overdue(r, now),
                "rule": str(assignment.rule.code)
                if assignment and assignment.rule_id
                else None,
            }
        )
    return out


@router.get("/rules", response=list[RuleOut], url_name="routing_rules")
def rules(request: HttpRequest) -> list[dict[str, Any]]:
    """The collaboration's routing rules (every member may read them)."""
    access = api_access(request)
    if not access.can(Cap.VIEW_REPORTS):
        raise HttpError(403, _("Your role cannot see the routing rules."))
    rows = RoutingRule.objects.in_collaboration(access.collaboration).select_related(
        "category", "area", "owner", "property_owner"
    )
    return [
        {
            "code": str(r.code),
            "category": r.category.code if r.category_id else None,
            "where": r.where,
            "area": str(r.area.code) if r.area_id else None,
            "property_owner": r.property_owner.slug if r.property_owner_id else None,
            "owner": r.owner.slug,
            "promised_days": r.promised_days,
            "active": r.active,
            "needs_review": r.needs_review,
            "review_note": r.review_note,
        }
        for r in rows
    ]


@router.get("/properties", response=dict[str, Any], url_name="routing_properties")
def properties(request: HttpRequest, owner: str = "") -> dict[str, Any]:
    """Who owns which land, as a GeoJSON FeatureCollection (WGS84). `owner` takes an
    organisation's short name."""
    access = api_access(request)
    if not access.can(Cap.VIEW_REPORTS):
        raise HttpError(403, _("Your role cannot see the properties."))
    qs = Property.objects.in_collaboration(access.collaboration).select_related("owner")
    if owner:
        qs = qs.filter(owner__slug=owner)
    return {"type": "FeatureCollection", "features": [p.as_feature() for p in qs]}
