"""Access matrix entries for the feedback pages (see test_isolation.py).

The public pages are public: everyone, signed in or not, in any collaboration, gets
north's page (that is their purpose). An area is found only under its own
collaboration's short name: south's area under north's name is a 404 for all.
"""

from __future__ import annotations

from typing import Any

from samsyn.areas.models import Area
from samsyn.feedback.models import PublicFeedbackSettings


def build(world: Any, kit: Any) -> None:
    north = world.orgs["kommun"].collaboration
    south = world.orgs["south"].collaboration
    for collab in (north, south):
        PublicFeedbackSettings.objects.create(collaboration=collab, enabled=True)
    world.extra["north_area"] = Area.objects.get(collaboration=north, ref="E")
    world.extra["south_area"] = Area.objects.get(collaboration=south, ref="E")


def routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    public = everyone(200, anonymous=200)
    north_area = lambda w: w.extra["north_area"].code  # noqa: E731
    return {
        "feedback:summary": R("GET", lambda w: "/feedback/summary/", everyone(200)),
        "feedback:summary_pdf": R(
            "GET", lambda w: "/feedback/summary/pdf/", everyone(200)
        ),
        "feedback:mine": R("GET", lambda w: "/feedback/mine/", everyone(200)),
        "feedback:settings": R(
            "GET",
            lambda w: "/feedback/settings/",
            everyone(404, **{kit.ALICE: 200, kit.CARL: 200}),
        ),
        "feedback:public": R("GET", lambda w: "/feedback/public/north/", public),
        "feedback:public_embed": R(
            "GET", lambda w: "/feedback/public/north/embed/", public
        ),
        "feedback:public_area": R(
            "GET", lambda w: f"/feedback/public/north/{north_area(w)}/", public
        ),
        "feedback:public_area_embed": R(
            "GET", lambda w: f"/feedback/public/north/{north_area(w)}/embed/", public
        ),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    nowhere = everyone(404, anonymous=404)
    south_area = lambda w: w.extra["south_area"].code  # noqa: E731
    return {
        "feedback:public_area": R(
            "GET", lambda w: f"/feedback/public/north/{south_area(w)}/", nowhere
        ),
        "feedback:public_area_embed": R(
            "GET", lambda w: f"/feedback/public/north/{south_area(w)}/embed/", nowhere
        ),
    }
