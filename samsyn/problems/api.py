"""In-depth analyses over JSON: the list and one analysis with its figures, as the
reader may see them (restricted reports only for roles with VIEW_RESTRICTED)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from samsyn.api import api_access
from samsyn.organisations.access import Access, Cap
from samsyn.problems import actions
from samsyn.problems.models import TEXT_FIELDS_ALL, ProblemAnalysis

router = Router(tags=["problems"])


class AnalysisOut(Schema):
    code: UUID
    area: UUID
    area_name: str
    category: str
    category_name: str
    period_kind: str
    period_label: str
    periods: list[str]
    flagged: list[str]
    since: date
    until: date
    created: datetime


class TriedOut(Schema):
    code: UUID
    title: str
    status: str
    starts_on: date
    ends_on: date | None
    made_from_analysis: bool
    latest_effect: str | None


class AnalysisDetailOut(AnalysisOut):
    figures: dict[str, Any]
    text: dict[str, str]
    tried: list[TriedOut]


def _access(request: HttpRequest) -> Access:
    access = api_access(request)
    if not access.can(Cap.VIEW_REPORTS):
        raise HttpError(404, _("Not found"))
    return access


def _out(a: ProblemAnalysis) -> dict[str, Any]:
    return {
        "code": a.code,
        "area": a.area.code,
        "area_name": a.area.name,
        "category": a.category.code,
        "category_name": a.category.name,
        "period_kind": a.period_kind,
        "period_label": a.period_label,
        "periods": a.periods,
        "flagged": a.flagged,
        "since": a.since,
        "until": a.until,
        "created": a.created,
    }


@router.get(
    "",
    response=list[AnalysisOut],
    summary="In-depth analyses of recurring deviations",
    url_name="problems_list",
)
def list_analyses(request: HttpRequest) -> Any:
    access = _access(request)
    qs = (
        ProblemAnalysis.objects.visible_to(access)
        .select_related("area", "category")
        .defer("figures", "figures_open", "trace")
    )
    return [_out(a) for a in qs[:500]]


@router.get(
    "/{code}",
    response=AnalysisDetailOut,
    summary="One in-depth analysis: figures, the forum's text, what has been tried",
    url_name="problems_detail",
)
def get_analysis(request: HttpRequest, code: UUID) -> Any:
    access = _access(request)
    a = get_object_or_404(
        ProblemAnalysis.objects.visible_to(access)
        .select_related("area", "category")
        .defer("trace"),
        code=code,
    )
    linked = set(a.interventions.values_list("pk", flat=True))
    tried = []
    for iv in actions.tried(a):
        evs = sorted(iv.evaluations.all(), key=lambda e: (e.created, e.pk))
        tried.append(
            {
                "code": iv.code,
                "title": iv.title,
                "status": iv.status,
                "starts_on": iv.starts_on,
                "ends_on": iv.ends_on,
                "made_from_analysis": iv.pk in linked,
                "latest_effect": evs[-1].effect if evs else None,
            }
        )
    return {
        **_out(a),
        "figures": a.figures_for(access),
        "text": {name: getattr(a, name) for name in TEXT_FIELDS_ALL},
        "tried": tried,
    }
