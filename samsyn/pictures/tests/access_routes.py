"""The pictures app's URLs for the access matrix (organisations/tests/test_isolation)."""

from __future__ import annotations

from typing import Any

from samsyn.jobs.models import Job
from samsyn.lib.weeks import parse_period
from samsyn.pictures.actions import generate_picture
from samsyn.pictures.models import SituationPicture


def build(world: Any, kit: Any) -> None:
    collab = world.public.collaboration
    world.extra["picture"] = generate_picture(
        collab, "week", parse_period("week", "2026-W10"), by=world.users[kit.ALICE]
    )
    world.extra["picture_job"], _created = Job.queue(
        Job.Kind.PICTURE, collaboration=collab, subject="picture:test", label="2026-T1"
    )


def _fresh(w: Any) -> SituationPicture:
    """A new draft for each request (approval makes a picture read-only)."""
    p = w.extra["picture"]
    return generate_picture(
        p.collaboration,
        "week",
        parse_period("week", p.label),
        by=None,
        new_version=True,
    )


def routes(kit: Any) -> dict[str, Any]:
    R, everyone, A = kit.Route, kit.everyone, kit
    view = everyone(200, **{A.CARL: 404})
    view_code = everyone(200, **{A.CARL: 404})
    coordinator_only = everyone(404, **{A.ALICE: 302})
    code = lambda w: w.extra["picture"].code  # noqa: E731
    return {
        "pictures:list": R("GET", lambda w: "/pictures/", everyone(200)),
        "pictures:generate": R(
            "POST",
            lambda w: "/pictures/generate/",
            everyone(404, **{A.ALICE: 302, A.CARL: 302}),
            data=lambda w: {"kind": "week", "period": "2026-W10"},
        ),
        "pictures:generating": R(
            "GET",
            lambda w: f"/pictures/generating/{w.extra['picture_job'].code}/",
            everyone(404, **{A.ALICE: 200}),
        ),
        "pictures:detail": R("GET", lambda w: f"/pictures/{code(w)}/", view_code),
        "pictures:assessment": R(
            "POST",
            lambda w: f"/pictures/{code(w)}/assessment/",
            coordinator_only,
            data=lambda w: {"assessment": "Calm week."},
        ),
        "pictures:colours": R(
            "POST", lambda w: f"/pictures/{code(w)}/colours/", coordinator_only
        ),
        "pictures:ability": R(
            "POST", lambda w: f"/pictures/{code(w)}/ability/", coordinator_only
        ),
        "pictures:approve": R(
            "POST", lambda w: f"/pictures/{_fresh(w).code}/approve/", coordinator_only
        ),
        "pictures:new_version": R(
            "POST", lambda w: f"/pictures/{code(w)}/new-version/", coordinator_only
        ),
        "pictures:pdf": R("GET", lambda w: f"/pictures/{code(w)}/pdf/", view),
        "pictures:trace": R(
            "GET", lambda w: f"/pictures/{code(w)}/trace/all:this/", view
        ),
        "api:pictures_list": R(
            "GET", lambda w: "/api/v1/pictures", everyone(200, anonymous=401)
        ),
        "api:pictures_detail": R(
            "GET",
            lambda w: f"/api/v1/pictures/{code(w)}",
            everyone(200, anonymous=401, **{A.CARL: 404}),
        ),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    """Every URL with a picture code. The picture's figures include the restricted
    report (it is counted), and the matrix checks that its code is never shown to
    roles without VIEW_RESTRICTED."""
    every = routes(kit)
    return {
        name: route
        for name, route in every.items()
        if "list" not in name and name != "pictures:generate"
    }
