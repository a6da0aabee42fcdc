"""Access matrix entries for residents' reports (see test_isolation.py).

The public page is public (everyone, signed in or not, gets north's page); the
moderation queue and the page's settings are for coordinators only, each in their
own collaboration; moderating another collaboration's report is a 404.
"""

from __future__ import annotations

from typing import Any

from samsyn.residents.models import ResidentSettings
from samsyn.residents.tests.helpers import make_resident_report


def build(world: Any, kit: Any) -> None:
    north = world.orgs["kommun"].collaboration
    page = ResidentSettings.objects.create(collaboration=north, enabled=True)
    page.categories.set(
        north.categories.filter(code__in=["littering", "unsafe_lighting"])
    )


def routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    coordinators = everyone(404, **{kit.ALICE: 200, kit.CARL: 200})
    return {
        "residents:queue": R("GET", lambda w: "/residents/", coordinators),
        "residents:settings": R("GET", lambda w: "/residents/settings/", coordinators),
        "residents:report": R(
            "GET", lambda w: "/residents/north/report/", everyone(200, anonymous=200)
        ),
        # Where a point is (the listed places and the area): as public as the page.
        "residents:where": R(
            "GET",
            lambda w: "/residents/north/where/?lat=59.27&lon=15.2",
            everyone(200, anonymous=200),
        ),
        "api:list_resident_reports": R(
            "GET", lambda w: "/api/v1/residents/reports", everyone(200, anonymous=401)
        ),
        "residents:moderate": R(
            "POST",
            lambda w: (
                f"/residents/{make_resident_report(w.orgs['kommun']).code}/moderate/"
            ),
            everyone(404, **{kit.ALICE: 302}),
            data=lambda w: {"decision": "accept"},
        ),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    return {
        # south's report: carl moderates it, north's coordinator gets 404.
        "residents:moderate": R(
            "POST",
            lambda w: (
                f"/residents/{make_resident_report(w.orgs['south']).code}/moderate/"
            ),
            everyone(404, **{kit.CARL: 302}),
            data=lambda w: {"decision": "accept"},
        ),
    }
