"""Check-in and coverage pages in the access matrix.

The check-in POST is the one that matters: only members with CREATE_REPORT in the
organisation may check in its areas (petra reports for the police, not the kommun).
"""

from __future__ import annotations

from typing import Any


def build(world: Any, kit: Any) -> None:
    from samsyn.areas.models import Area
    from samsyn.coverage.models import Coverage

    org = world.orgs["kommun"]
    area = Area.objects.get(collaboration=org.collaboration, ref="W", level="area")
    world.extra["coverage"] = Coverage.objects.create(
        collaboration=org.collaboration, organisation=org, area=area
    )


def routes(kit: Any) -> dict[str, Any]:
    Route, everyone = kit.Route, kit.everyone
    analysis = everyone(
        404, **{kit.ALICE: 200, kit.ANNA: 200, kit.SAM: 200, kit.CARL: 200}
    )
    return {
        "coverage:matrix": Route("GET", lambda w: "/coverage/", analysis),
        "coverage:checkin": Route(
            "POST",
            lambda w: "/coverage/checkin/",
            everyone(404, **{kit.ALICE: 302, kit.BOB: 302}),
            data=lambda w: {
                "org": "north-kommun",
                "area": "W",
                "status": "nothing_to_report",
            },
        ),
        "coverage:organisation_areas": Route(
            "GET",
            lambda w: "/coverage/organisations/north-kommun/areas/",
            everyone(404, **{kit.ALICE: 200, kit.ADAM: 200}),
        ),
    }
