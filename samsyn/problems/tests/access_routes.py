"""The problem-analysis pages for the access matrix (organisations/tests/test_isolation).

The world's analysis covers the area and category of the world's restricted report
(and its public one): every member reads it, coordinators work on it, another
collaboration gets 404, and the restricted report's code reaches only those allowed.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from samsyn.lib.weeks import period_for
from samsyn.pictures.models import SituationPicture
from samsyn.problems.actions import start_analysis


def build(world: Any, kit: Any) -> None:
    report = world.restricted
    collab = report.collaboration
    period = period_for("week", timezone.localdate())
    world.extra["analysis"] = start_analysis(
        collab,
        report.area,
        report.category,
        period,
        [period.label],
        by=world.users[kit.ALICE],
    )
    picture = world.extra.get("picture")
    if picture is not None:
        picture.figures["recurring"] = [
            {
                "area": str(report.area.code),
                "area_ref": report.area.ref,
                "area_name": report.area.name,
                "category": report.category.code,
                "category_name": report.category.name,
                "periods": [picture.label],
                "flagged": [picture.label],
            }
        ]
        SituationPicture.objects.filter(pk=picture.pk).update(figures=picture.figures)


def routes(kit: Any) -> dict[str, Any]:
    R, everyone, A = kit.Route, kit.everyone, kit
    code = lambda w: w.extra["analysis"].code  # noqa: E731
    return {
        "problems:list": R("GET", lambda w: "/problems/", everyone(200)),
        "problems:start": R(
            "POST",
            lambda w: "/problems/start/",
            everyone(404, **{A.ALICE: 302}),
            data=lambda w: {
                "picture": str(w.extra["picture"].code),
                "area": str(w.restricted.area.code),
                "category": w.restricted.category.code,
            },
        ),
        "problems:detail": R(
            "GET", lambda w: f"/problems/{code(w)}/", everyone(200, **{A.CARL: 404})
        ),
        "problems:trace": R(
            "GET",
            lambda w: f"/problems/{code(w)}/trace/all/",
            everyone(200, **{A.CARL: 404}),
        ),
        "problems:intervention": R(
            "GET",
            lambda w: f"/problems/{code(w)}/intervention/",
            everyone(404, **{A.ALICE: 200}),
        ),
        "api:problems_list": R(
            "GET", lambda w: "/api/v1/problems", everyone(200, anonymous=401)
        ),
        "api:problems_detail": R(
            "GET",
            lambda w: f"/api/v1/problems/{code(w)}",
            everyone(200, anonymous=401, **{A.CARL: 404}),
        ),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    """The analysis counts the restricted report; its code reaches only those
    allowed to see it."""
    every = routes(kit)
    return {
        k: v
        for k, v in every.items()
        if k not in ("problems:list", "problems:start", "api:problems_list")
    }
