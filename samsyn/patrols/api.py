"""Guard plans over JSON."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from samsyn.api import api_access
from samsyn.patrols.models import PatrolPlan

router = Router(tags=["patrols"])


@router.get("/plans/{code}")
def get_patrol_plan(request: HttpRequest, code: UUID) -> dict[str, Any]:
    """A guard plan with its visits (drafts only for planners)."""
    access = api_access(request)
    plan = get_object_or_404(
        PatrolPlan.objects.visible_to(access).prefetch_related(
            "visits__place", "visits__visit_report"
        ),
        code=code,
    )
    return plan.as_dict()
