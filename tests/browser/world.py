"""The Örebro collaboration the browser tests build, and a role signed in to it."""

from __future__ import annotations

from typing import Any

from samsyn.areas.models import Place
from samsyn.lib.geo import to_sweref
from samsyn.tests.support import (
    SQUARE_EAST,
    CollaborationFactory,
    OrganisationFactory,
    make_area,
    member,
)

from .conftest import log_in, new_context

PASSWORD = "trygg-i-orebro-2025"  # noqa: S105 - test-only


def orebro() -> Any:
    return CollaborationFactory(slug="orebro", name="EST Örebro")


def kommun(collab: Any) -> Any:
    return OrganisationFactory(
        collaboration=collab, slug="orebro-kommun", name="Örebro kommun"
    )


def police(collab: Any) -> Any:
    return OrganisationFactory(
        collaboration=collab, slug="polisen", name="Polisen Örebro", kind="police"
    )


def housing(collab: Any) -> Any:
    return OrganisationFactory(
        collaboration=collab, slug="bostader", name="Örebrobostäder", kind="housing"
    )


def west_and_east(collab: Any) -> tuple[Any, Any]:
    """Väster and, beside it, Öster."""
    west = make_area(collab, ref="W", name="Väster")
    east = make_area(collab, ref="E", name="Öster", geometry=SQUARE_EAST)
    return west, east


def stortorget(collab: Any, area: Any) -> Any:
    """The named place that reporters can pick instead of a position."""
    x, y = to_sweref(15.2, 59.27)
    return Place.objects.create(
        collaboration=collab,
        area=area,
        name="Stortorget",
        lon=15.2,
        lat=59.27,
        x=x,
        y=y,
    )


def user(org: Any, role: str, username: str) -> Any:
    """A member of `org` who signs in with PASSWORD."""
    person = member(org, role, username)
    person.set_password(PASSWORD)
    person.save()
    return person


def signed_in(
    browser: Any, device: dict[str, Any], base_url: str, username: str
) -> tuple[Any, Any]:
    """A new browser context with `username` signed in: (context, page)."""
    context = new_context(browser, device, base_url)
    page = context.new_page()
    log_in(page, username, PASSWORD)
    return context, page
