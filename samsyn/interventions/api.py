"""Interventions over JSON: the register and one intervention with its evaluation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from samsyn.api import api_access
from samsyn.interventions import followup
from samsyn.interventions.models import Intervention, money
from samsyn.organisations.access import Cap

router = Router(tags=["interventions"])


class InterventionOut(Schema):
    code: str
    title: str
    kind: str
    status: str
    owner: str
    start: str
    end: str | None
    areas: list[str]
    places: list[str]
    categories: list[str]
    point: dict[str, float] | None
    goal: str
    indicator: str
    planned_hours: float | None
    planned_cost: float | None
    spent_hours: float | None
    spent_cost: float | None
    published_to_residents: bool
    partners: list[dict[str, Any]]
    evaluation: dict[str, Any] | None = None


def _out(iv: Intervention, *, full: bool) -> dict[str, Any]:
    ev = iv.latest_evaluation() if full else None
    return {
        "code": str(iv.code),
        "title": iv.title,
        "kind": iv.kind,
        "status": iv.status,
        "owner": iv.owner.slug,
        "start": iv.starts_on.isoformat(),
        "end": iv.ends_on.isoformat() if iv.ends_on else None,
        "areas": [a.ref for a in iv.areas.all()],
        "places": [str(p.code) for p in iv.places.all()],
        "categories": [c.code for c in iv.categories.all()],
        "point": (
            {"lon": iv.lon, "lat": iv.lat, "x": iv.x, "y": iv.y}
            if iv.is_place_based
            else None
        ),
        "goal": iv.goal,
        "indicator": iv.indicator,
        "planned_hours": money(iv.planned_hours),
        "planned_cost": money(iv.planned_cost),
        "spent_hours": money(iv.spent_hours),
        "spent_cost": money(iv.spent_cost),
        "published_to_residents": iv.published_to_residents,
        "partners": [
            {"organisation": p.organisation.slug, "role": p.role, "status": p.status}
            for p in iv.partnerships.all()
        ],
        "evaluation": (
            None
            if ev is None
            else {
                "code": str(ev.code),
                "created": ev.created.isoformat(),
                "method": ev.method,
                "effect": ev.effect,
                "displacement": ev.displacement,
                # made before the intervention's period ended
                "preliminary": followup.is_preliminary(ev),
                "evidence": followup.evidence_level(ev),
                "prevented": ev.prevented,
                "cost_per_prevented_event": ev.cost_per_prevented,
                "inputs": ev.inputs,
                "results": ev.results,
            }
        ),
    }


def _visible(request: HttpRequest) -> Any:
    access = api_access(request)
    if not access.can(Cap.VIEW_REPORTS):
        from ninja.errors import HttpError

        raise HttpError(403, _("Not allowed."))
    return (
        Intervention.objects.visible_to(access)
        .select_related("owner")
        .prefetch_related("areas", "places", "categories", "partnerships__organisation")
    )


@router.get("", response=list[InterventionOut])
def list_interventions(
    request: HttpRequest, status: str = "", kind: str = ""
) -> list[dict[str, Any]]:
    """The register of the active collaboration (newest first)."""
    qs = _visible(request)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return [_out(iv, full=False) for iv in qs.order_by("-starts_on", "-pk")[:1000]]


@router.get("/{code}", response=InterventionOut)
def get_intervention(request: HttpRequest, code: UUID) -> dict[str, Any]:
    """One intervention with its latest evaluation (figures, verdicts, caveats)."""
    return _out(get_object_or_404(_visible(request), code=code), full=True)
