"""The patrols app's URLs in the access matrix (see organisations/tests/test_isolation).

The world has a published north plan with one visit and a draft plan. Coordinators
plan (generate, publish, settings); everyone in north who reads reports sees
published plans; only guard companies report visits (no principal here is a guard,
so the visit page is a 404 for all); carl (south) gets 404 for north's plans.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from samsyn.patrols.models import PatrolPlan, PatrolVisit


def _plan(w: Any, status: str) -> PatrolPlan:
    north = w.orgs["kommun"].collaboration
    today = timezone.localdate().isocalendar()
    plan = PatrolPlan.objects.create(
        collaboration=north,
        iso_year=today[0],
        iso_week=today[1],
        status=status,
        created_by=w.users["alice"],
        inputs={"teams": 1},
    )
    start = timezone.now().replace(microsecond=0)
    PatrolVisit.objects.create(
        plan=plan,
        team=1,
        x=511_000.0,
        y=6_574_000.0,
        label="Stortorget",
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        reason="history 1.00/wk",
    )
    return plan


def build(world: Any, kit: Any) -> None:
    world.extra["patrol_plan"] = _plan(world, PatrolPlan.Status.PUBLISHED)
    world.extra["patrol_draft"] = _plan(world, PatrolPlan.Status.DRAFT)


def _visit(w: Any) -> str:
    return str(w.extra["patrol_plan"].visits.first().code)


def routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    planners = everyone(404, **{kit.ALICE: 200, kit.CARL: 200})
    return {
        "patrols:index": R("GET", lambda w: "/patrols/", everyone(200)),
        "patrols:generate": R(
            "POST",
            lambda w: "/patrols/generate/",
            everyone(404, **{kit.ALICE: 302, kit.CARL: 302}),
            data=lambda w: {"iso_year": 2026, "iso_week": 10},
        ),
        "patrols:plan": R(
            "GET",
            lambda w: f"/patrols/plans/{w.extra['patrol_plan'].code}/",
            everyone(200, **{kit.CARL: 404}),
        ),
        "patrols:publish": R(
            "POST",
            lambda w: (
                f"/patrols/plans/{_plan(w, PatrolPlan.Status.DRAFT).code}/publish/"
            ),
            everyone(404, **{kit.ALICE: 302}),
        ),
        "patrols:today": R("GET", lambda w: "/patrols/today/", planners),
        "patrols:visit": R(
            "GET", lambda w: f"/patrols/visits/{_visit(w)}/", everyone(404)
        ),
        "patrols:settings": R("GET", lambda w: "/patrols/settings/", planners),
        "api:get_patrol_plan": R(
            "GET",
            lambda w: f"/api/v1/patrols/plans/{w.extra['patrol_plan'].code}",
            everyone(200, anonymous=401, **{kit.CARL: 404}),
        ),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    """Drafts: only the planners of the plan's own collaboration."""
    R, everyone = kit.Route, kit.everyone
    draft_only_planner = everyone(404, **{kit.ALICE: 200})
    return {
        "patrols:plan": R(
            "GET",
            lambda w: f"/patrols/plans/{w.extra['patrol_draft'].code}/",
            draft_only_planner,
        ),
        "patrols:publish": R(
            "POST",
            lambda w: f"/patrols/plans/{w.extra['patrol_draft'].code}/publish/",
            everyone(404, **{kit.ALICE: 302}),
        ),
        "patrols:visit": R(
            "POST",
            lambda w: f"/patrols/visits/{w.extra['patrol_draft'].visits.first().code}/",
            everyone(404),
            data=lambda w: {"outcome": "presence"},
        ),
        "api:get_patrol_plan": R(
            "GET",
            lambda w: f"/api/v1/patrols/plans/{w.extra['patrol_draft'].code}",
            everyone(404, anonymous=401, **{kit.ALICE: 200}),
        ),
    }
