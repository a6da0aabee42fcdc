"""Factories and small helpers for tests (factory_boy)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.test import Client
from django.utils import timezone

from samsyn.accounts.models import ApiToken, User
from samsyn.areas.models import Area
from samsyn.lib.geo import area_km2, to_sweref
from samsyn.organisations.actions import seed_checklist
from samsyn.organisations.models import Collaboration, Membership, Organisation
from samsyn.reports.models import Category, Report

# A small square in central Örebro and its neighbour to the east (WGS84).
SQUARE_WEST = {
    "type": "Polygon",
    "coordinates": [
        [[15.19, 59.26], [15.21, 59.26], [15.21, 59.28], [15.19, 59.28], [15.19, 59.26]]
    ],
}
SQUARE_EAST = {
    "type": "Polygon",
    "coordinates": [
        [[15.21, 59.26], [15.23, 59.26], [15.23, 59.28], [15.21, 59.28], [15.21, 59.26]]
    ],
}
INSIDE_WEST = (15.20, 59.27)  # lon, lat
INSIDE_EAST = (15.22, 59.27)


class CollaborationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaboration
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"collab-{n}")
    name = factory.Sequence(lambda n: f"Samverkan {n}")
    municipality_code = "1880"

    @factory.post_generation
    def checklist(
        self: Collaboration, create: bool, extracted: Any, **kwargs: Any
    ) -> None:
        if create and extracted is not False:
            seed_checklist(self)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    collaboration = factory.SubFactory(CollaborationFactory)
    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.MUNICIPALITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


def member(organisation: Organisation, role: str, username: str | None = None) -> User:
    user = UserFactory(username=username) if username else UserFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_area(
    collaboration: Collaboration,
    *,
    ref: str = "A1",
    name: str = "Väster",
    geometry: dict[str, Any] | None = None,
    level: str = Area.Level.AREA,
    parent: Area | None = None,
) -> Area:
    geometry = geometry or SQUARE_WEST
    ring = geometry["coordinates"][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    area = Area.objects.create(
        collaboration=collaboration,
        level=level,
        ref=ref,
        name=name,
        geometry=geometry,
        min_lon=min(lons),
        max_lon=max(lons),
        min_lat=min(lats),
        max_lat=max(lats),
        area_km2=area_km2(geometry),
        parent=parent,
    )
    Collaboration.objects.filter(pk=collaboration.pk).update(
        areas_version=collaboration.areas_version + 1
    )
    collaboration.refresh_from_db(fields=["areas_version"])
    return area


def make_report(
    organisation: Organisation, *, category: str = "gathering", **overrides: Any
) -> Report:
    collab = organisation.collaboration
    lon, lat = overrides.pop("lonlat", INSIDE_WEST)
    x, y = to_sweref(lon, lat)
    cat = Category.objects.get(collaboration=collab, code=category)
    values: dict[str, Any] = {
        "collaboration": collab,
        "organisation": organisation,
        "category": cat,
        "occurred_at": timezone.now() - timedelta(hours=1),
        "lon": lon,
        "lat": lat,
        "x": x,
        "y": y,
        "area_id": Area.locate_id(collab, lon, lat),
        "status": Report.Status.REPORTED if cat.physical_environment else "",
    }
    values.update(overrides)
    return Report.objects.create(**values)


def api_client(user: User, *, read_only: bool = False, **headers: str) -> Client:
    """A test client that authenticates with a fresh API token of ``user``."""
    _token, raw = ApiToken.issue(user, read_only=read_only)
    return Client(headers={"Authorization": f"Bearer {raw}", **headers})
