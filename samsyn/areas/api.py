from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from samsyn.api import api_access
from samsyn.areas.models import Area, Place

router = Router(tags=["areas"])


@router.get("/areas", summary="Districts and areas as GeoJSON")
def list_areas(request: HttpRequest, level: str = "") -> dict[str, Any]:
    """The collaboration's districts and areas (polygons, WGS84)."""
    access = api_access(request)
    qs = Area.objects.in_collaboration(access.collaboration).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    return {"type": "FeatureCollection", "features": [a.as_feature() for a in qs]}


@router.get("/places", summary="Named places as GeoJSON")
def list_places(request: HttpRequest) -> dict[str, Any]:
    access = api_access(request)
    qs = Place.objects.in_collaboration(access.collaboration).select_related("area")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": str(p.code),
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "code": str(p.code),
                    "name": p.name,
                    "place_type": p.place_type,
                    "area": str(p.area.code) if p.area_id else None,
                },
            }
            for p in qs
        ],
    }
