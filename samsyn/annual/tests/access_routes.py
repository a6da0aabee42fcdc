"""The annual app's URLs for the access matrix (organisations/tests/test_isolation)."""

from __future__ import annotations

from typing import Any


def build(world: Any, kit: Any) -> None:
    from samsyn.annual.actions import add_item, create_report

    collab = world.public.collaboration
    alice = world.users[kit.ALICE]
    report = create_report(collab, 2025, by=alice)
    world.extra["annual"] = report
    world.extra["annual_item"] = add_item(
        report,
        {"goal": "Fewer fires", "measure": "Lighting", "owner": world.orgs["kommun"]},
        by=alice,
    )


def _fresh(w: Any) -> Any:
    """A new draft for each request (approval makes a version read-only)."""
    from samsyn.annual.actions import create_report

    r = w.extra["annual"]
    return create_report(r.collaboration, r.year, by=None, new_version=True)


def _fresh_item(w: Any) -> Any:
    from samsyn.annual.models import ActionPlanItem

    item = w.extra["annual_item"]
    return ActionPlanItem.objects.create(
        report=item.report, goal="g", measure="m", owner=item.owner
    )


def routes(kit: Any) -> dict[str, Any]:
    R, everyone, A = kit.Route, kit.everyone, kit
    view = everyone(200, **{A.CARL: 404})
    coordinator_post = everyone(404, **{A.ALICE: 302})
    coordinator_get = everyone(404, **{A.ALICE: 200})

    def code(w: Any) -> Any:
        return w.extra["annual"].code

    def item_data(w: Any) -> dict[str, Any]:
        return {
            "item-goal": "Safer paths",
            "item-measure": "Trim bushes",
            "item-owner": w.orgs["kommun"].pk,
        }

    return {
        "annual:list": R("GET", lambda w: "/annual/", everyone(200)),
        "annual:create": R(
            "POST",
            lambda w: "/annual/create/",
            everyone(404, **{A.ALICE: 302, A.CARL: 302}),
            data=lambda w: {"year": "2025"},
        ),
        "annual:detail": R("GET", lambda w: f"/annual/{code(w)}/", view),
        "annual:texts": R(
            "POST",
            lambda w: f"/annual/{code(w)}/texts/",
            coordinator_post,
            data=lambda w: {"analysis_text": "Calm year."},
        ),
        "annual:item_add": R(
            "POST",
            lambda w: f"/annual/{code(w)}/items/",
            coordinator_post,
            data=item_data,
        ),
        "annual:item_edit": R(
            "GET",
            lambda w: f"/annual/{code(w)}/items/{w.extra['annual_item'].pk}/",
            coordinator_get,
        ),
        "annual:item_remove": R(
            "POST",
            lambda w: f"/annual/{code(w)}/items/{_fresh_item(w).pk}/remove/",
            coordinator_post,
        ),
        "annual:approve": R(
            "POST", lambda w: f"/annual/{_fresh(w).code}/approve/", coordinator_post
        ),
        "annual:new_version": R(
            "POST", lambda w: f"/annual/{code(w)}/new-version/", coordinator_post
        ),
        "annual:pdf": R("GET", lambda w: f"/annual/{code(w)}/pdf/", view),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    """Every URL with a report code. The figures count the restricted report but
    never name it (aggregate counts only)."""
    return {
        name: route
        for name, route in routes(kit).items()
        if name not in ("annual:list", "annual:create")
    }
