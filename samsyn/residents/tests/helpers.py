"""Small helpers for residents' tests."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from samsyn.areas.models import Area
from samsyn.lib.geo import to_sweref
from samsyn.organisations.models import Organisation
from samsyn.reports.models import Category
from samsyn.residents.models import ResidentReport
from samsyn.tests.support import INSIDE_WEST


def make_resident_report(
    organisation: Organisation,
    *,
    category: str = "littering",
    lonlat: tuple[float, float] = INSIDE_WEST,
    status: str = ResidentReport.Status.PENDING,
    age: timedelta = timedelta(hours=1),
    **overrides: Any,
) -> ResidentReport:
    collab = organisation.collaboration
    lon, lat = lonlat
    x, y = to_sweref(lon, lat)
    values: dict[str, Any] = {
        "collaboration": collab,
        "category": Category.objects.get(collaboration=collab, code=category),
        "occurred_at": timezone.now() - age,
        "lon": lon,
        "lat": lat,
        "x": float(x),
        "y": float(y),
        "area_id": Area.locate_id(collab, lon, lat),
        "status": status,
        "form_digest": uuid.uuid4().hex,
    }
    values.update(overrides)
    return ResidentReport.objects.create(**values)
