"""Where a point is, in words people recognise: the nearest named place and the area.

"Vid Stortorget (område Centrum 1)" instead of coordinates; used by the reporting form's
position confirmation, the residents' page and guard plans.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from samsyn.areas.models import Area, Place
from samsyn.lib.geo import to_sweref
from samsyn.organisations.models import Collaboration

# A named place farther away than this does not help to find the point.
NEAR_M = 500.0


def near_label(place: str, metres: float, area: str = "") -> str:
    """ "At Stortorget" within 100 m, else "300 m from Stortorget" (rounded to 50 m),
    with the area when known: "At Stortorget (area Centrum 1)"."""
    if metres < 100:
        near = _("At %(place)s") % {"place": place}
    else:
        # Translators: distance rounded to 50 m, e.g. "300 m from Stortorget".
        near = _("%(distance)s m from %(place)s") % {
            "distance": int(round(metres / 50) * 50),
            "place": place,
        }
    if not area:
        return near
    # Translators: a place near a point, in its area: "300 m from Stortorget (area Centrum 1)".
    return _("%(near)s (area %(area)s)") % {"near": near, "area": area}


def point_from_query(query: Any) -> tuple[float, float] | None:
    """(lon, lat) from a request's ``lat`` and ``lon`` parameters, or None when they
    are not numbers on the globe."""
    try:
        lat = float(query.get("lat", ""))
        lon = float(query.get("lon", ""))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lon, lat


def describe_point(collab: Collaboration, lon: float, lat: float) -> dict[str, Any]:
    """The nearest named place (within NEAR_M) and the area of a WGS84 point, and a
    sentence saying so in the active language."""
    area_id = Area.locate_id(collab, lon, lat)
    area = (
        Area.objects.filter(pk=area_id).only("name", "ref").first() if area_id else None
    )
    x, y = to_sweref(lon, lat)
    found = Place.objects.in_collaboration(collab).nearest(
        float(x), float(y), within_m=NEAR_M
    )
    area_name = area.name if area else ""
    if found is not None:
        text = near_label(found[0].name, found[1], area_name)
    elif area is not None:
        text = _("In area %(area)s") % {"area": area_name}
    else:
        text = _("Outside the collaboration's areas")
    return {
        "text": text,
        "place": found[0].name if found else None,
        "distance_m": round(found[1]) if found else None,
        "area": area_name or None,
        "area_ref": area.ref if area else None,
    }
