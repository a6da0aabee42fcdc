"""Routing fixtures: a housing company's estate inside the west square."""

from __future__ import annotations

from typing import Any

import pytest

from samsyn.organisations.models import Membership
from samsyn.reports.models import Category
from samsyn.routing.models import Property, RoutingRule
from samsyn.tests.support import member

# Inside SQUARE_WEST (15.19–15.21, 59.26–59.28); a hole in its middle.
ESTATE = {
    "type": "Polygon",
    "coordinates": [
        [[15.195, 59.265], [15.205, 59.265], [15.205, 59.275], [15.195, 59.275],
         [15.195, 59.265]],
        [[15.199, 59.269], [15.201, 59.269], [15.201, 59.271], [15.199, 59.271],
         [15.199, 59.269]],
    ],
}  # fmt: skip
ON_ESTATE = (15.197, 59.267)
IN_HOLE = (15.200, 59.270)
ON_EDGE = (15.195, 59.270)  # on the estate's west boundary
OFF_ESTATE = (15.208, 59.277)  # in the west square, outside the estate


def make_property(
    owner: Any, geometry: dict[str, Any], name: str = "Gården"
) -> Property:
    from shapely.geometry import shape

    minx, miny, maxx, maxy = shape(geometry).bounds
    return Property.objects.create(
        collaboration=owner.collaboration,
        owner=owner,
        name=name,
        geometry=geometry,
        min_lon=minx,
        min_lat=miny,
        max_lon=maxx,
        max_lat=maxy,
    )


def category(collab: Any, code: str) -> Category:
    return Category.objects.get(collaboration=collab, code=code)


@pytest.fixture
def estate(north_housing):
    return make_property(north_housing, ESTATE)


@pytest.fixture
def rules(north, north_org, north_housing, west_area, estate):
    """Default → the municipality (30 days); lighting → the municipality (7 days);
    everything on the housing company's estates → the housing company (5 days)."""
    default = RoutingRule.objects.create(
        collaboration=north, owner=north_org, promised_days=30
    )
    lighting = RoutingRule.objects.create(
        collaboration=north,
        category=category(north, "unsafe_lighting"),
        owner=north_org,
        promised_days=7,
    )
    estates = RoutingRule.objects.create(
        collaboration=north,
        where=RoutingRule.Where.PROPERTY,
        property_owner=north_housing,
        owner=north_housing,
        promised_days=5,
    )
    return {"default": default, "lighting": lighting, "estates": estates}


@pytest.fixture
def housing_staff(north_housing):
    return member(north_housing, Membership.Role.ORG_LEAD, "hanna")
