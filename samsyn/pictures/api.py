"""Situation pictures over JSON: the list and one picture's frozen figures."""

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
from samsyn.pictures.models import SituationPicture

router = Router(tags=["pictures"])


class PictureOut(Schema):
    code: UUID
    kind: str
    label: str
    period_start: date
    period_end: date
    scope: str | None
    scope_name: str | None
    version: int
    status: str
    created: datetime
    approved_at: datetime | None


class PictureDetailOut(PictureOut):
    assessment: str
    area_colours: dict[str, str]
    figures: dict[str, Any]


def _access(request: HttpRequest) -> Access:
    access = api_access(request)
    if not access.can(Cap.VIEW_REPORTS):
        raise HttpError(404, _("Not found"))
    return access


def _out(p: SituationPicture) -> dict[str, Any]:
    return {
        "code": p.code,
        "kind": p.kind,
        "label": p.label,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "scope": str(p.scope.code) if p.scope_id else None,
        "scope_name": p.scope.name if p.scope_id else None,
        "version": p.version,
        "status": p.status,
        "created": p.created,
        "approved_at": p.approved_at,
    }


@router.get(
    "",
    response=list[PictureOut],
    summary="Situation pictures",
    url_name="pictures_list",
)
def list_pictures(request: HttpRequest, kind: str = "") -> Any:
    access = _access(request)
    qs = (
        SituationPicture.objects.visible_to(access)
        .select_related("scope")
        .defer("figures", "trace", "assessment", "area_colours")
        .order_by("-period_start", "kind", "-version")
    )
    if kind:
        qs = qs.filter(kind=kind)
    return [_out(p) for p in qs[:500]]


@router.get(
    "/{code}",
    response=PictureDetailOut,
    summary="One picture with its frozen figures",
    url_name="pictures_detail",
)
def get_picture(request: HttpRequest, code: UUID) -> Any:
    access = _access(request)
    p = get_object_or_404(
        SituationPicture.objects.visible_to(access)
        .select_related("scope")
        .defer("trace"),
        code=code,
    )
    return {
        **_out(p),
        "assessment": p.assessment,
        "area_colours": p.area_colours,
        "figures": p.figures_for(access),
    }
