"""Accepted residents' reports as GeoJSON, for members' maps (kept apart from
reporters' reports: a separate layer the map shows on request)."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from samsyn.api import FieldError, api_access
from samsyn.lib.dates import parse_day
from samsyn.organisations.access import Cap
from samsyn.residents.models import ResidentReport

router = Router(tags=["residents"])


def _day(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        day = parse_day(value)
    except ValueError as exc:
        raise FieldError(name, str(exc)) from exc
    return datetime.combine(day, time.min, timezone.get_current_timezone())


@router.get("/reports")
def list_resident_reports(
    request: HttpRequest,
    since: str = "",
    until: str = "",
    category: str = "",
    area: str = "",
) -> dict[str, Any]:
    """Accepted residents' reports (never pending or rejected), newest first.
    `until` is exclusive; `area` is an area code (a district includes its areas)."""
    access = api_access(request)
    if not access.can(Cap.VIEW_REPORTS):
        raise HttpError(403, _("Members only"))
    qs = (
        ResidentReport.objects.visible_to(access)
        .accepted()
        .select_related("category", "area")
        .order_by("-occurred_at")
    )
    start, end = _day(since, "since"), _day(until, "until")
    if start:
        qs = qs.filter(occurred_at__gte=start)
    if end:
        qs = qs.filter(occurred_at__lt=end)
    if category:
        qs = qs.filter(category__code__in=category.split(","))
    if area:
        try:
            code = uuid.UUID(area)
        except ValueError:
            raise HttpError(422, _("area: not an area code")) from None
        qs = qs.filter(Q(area__code=code) | Q(area__parent__code=code))
    features = [r.as_feature() for r in qs[:5000]]
    return {
        "type": "FeatureCollection",
        "features": features,
        "numberReturned": len(features),
    }
