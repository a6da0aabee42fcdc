"""Access matrix entries for safety walks (see test_isolation.py).

Members read walks and their report; reporters (and coordinators) record
observations; coordinators plan, finish and turn observations into follow-ups;
another collaboration gets 404 for every walk and observation.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from samsyn.walks.models import Walk
from samsyn.walks.tests.helpers import make_observation

PHOTO = "walks/access-matrix-photo.png"


def build(world: Any, kit: Any) -> None:
    north = world.orgs["kommun"].collaboration
    walk = Walk.objects.create(
        collaboration=north,
        title="Evening walk",
        date=date(2026, 5, 4),
        route={"type": "LineString", "coordinates": [[15.195, 59.27], [15.205, 59.27]]},
    )
    if not default_storage.exists(PHOTO):
        default_storage.save(PHOTO, ContentFile(b"\x89PNG\r\n\x1a\n"))
    obs = make_observation(walk)
    obs.photo.name = PHOTO
    obs.save(update_fields=["photo"])
    world.extra["walk"] = walk
    world.extra["obs"] = obs


def _routes(kit: Any, walk: Any, obs: Any, who: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    readers = everyone(200, **{kit.CARL: 404})
    observers = everyone(404, **{kit.ALICE: 200, kit.BOB: 200, kit.PETRA: 200})
    owner = lambda w: {"owner": w.orgs["kommun"].pk}  # noqa: E731
    return {
        "walks:detail": R("GET", lambda w: f"/walks/{walk(w).code}/", readers),
        "walks:pdf": R("GET", lambda w: f"/walks/{walk(w).code}/pdf/", readers),
        "walks:observe": R(
            "GET", lambda w: f"/walks/{walk(w).code}/observe/", observers
        ),
        "walks:finish": R("POST", lambda w: f"/walks/{walk(w).code}/done/", who),
        "walks:observation_report": R(
            "POST",
            lambda w: f"/walks/observations/{obs(w).code}/report/",
            who,
            data=owner,
        ),
        "walks:observation_intervention": R(
            "POST",
            lambda w: f"/walks/observations/{obs(w).code}/intervention/",
            who,
            data=owner,
        ),
        "walks:observation_photo": R(
            "GET", lambda w: f"/walks/observations/{obs(w).code}/photo/", readers
        ),
    }


def routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    planners = everyone(404, **{kit.ALICE: 200, kit.CARL: 200})
    found = _routes(
        kit,
        lambda w: w.extra["walk"],
        lambda w: make_observation(w.extra["walk"]),
        everyone(404, **{kit.ALICE: 302}),
    )
    found["walks:observation_photo"] = R(
        "GET",
        lambda w: f"/walks/observations/{w.extra['obs'].code}/photo/",
        everyone(200, **{kit.CARL: 404}),
    )
    return {
        "walks:list": R("GET", lambda w: "/walks/", everyone(200)),
        "walks:new": R("GET", lambda w: "/walks/new/", planners),
        **found,
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    # The same URLs for south's walk: only carl gets anywhere.
    def south_walk(w: Any) -> Walk:
        if "south_walk" not in w.extra:
            w.extra["south_walk"] = Walk.objects.create(
                collaboration=w.orgs["south"].collaboration,
                title="South walk",
                date=date(2026, 5, 4),
            )
        return w.extra["south_walk"]

    def south_obs(w: Any) -> Any:
        if "south_obs" not in w.extra:
            w.extra["south_obs"] = make_observation(south_walk(w))
        return w.extra["south_obs"]

    everyone = kit.everyone
    found = _routes(kit, south_walk, south_obs, everyone(404, **{kit.CARL: 302}))
    for name in ("walks:detail", "walks:pdf", "walks:observe"):
        found[name].expect = everyone(404, **{kit.CARL: 200})
    found["walks:observation_photo"].expect = everyone(404)
    # carl's own collaboration's owner, so that his follow-ups succeed.
    for name in ("walks:observation_report", "walks:observation_intervention"):
        found[name].data = lambda w: {"owner": w.orgs["south"].pk}
    return found
