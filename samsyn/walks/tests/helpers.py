"""Small helpers for walks' tests."""

from __future__ import annotations

from typing import Any

from samsyn.lib.geo import to_sweref
from samsyn.reports.models import Category
from samsyn.tests.support import INSIDE_WEST
from samsyn.walks.models import Walk, WalkObservation


def make_observation(
    walk: Walk, *, category: str = "unsafe_lighting", **overrides: Any
) -> WalkObservation:
    lon, lat = overrides.pop("lonlat", INSIDE_WEST)
    x, y = to_sweref(lon, lat)
    values: dict[str, Any] = {
        "walk": walk,
        "collaboration": walk.collaboration,
        "category": Category.objects.get(
            collaboration=walk.collaboration, code=category
        ),
        "lon": lon,
        "lat": lat,
        "x": float(x),
        "y": float(y),
        "note": "The lamp by the path is out",
        "suggested_action": "Repair the lamp",
    }
    values.update(overrides)
    return WalkObservation.objects.create(**values)
