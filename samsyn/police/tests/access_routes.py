"""The imports pages in the access matrix: coordinators and admins only, own
collaboration only."""

from __future__ import annotations

from typing import Any


def build(world: Any, kit: Any) -> None:
    from samsyn.police.models import ImportBatch

    collab = world.orgs["kommun"].collaboration
    world.extra["police_batch"] = ImportBatch.objects.create(
        collaboration=collab,
        kind=ImportBatch.Kind.CRIMES,
        status=ImportBatch.Status.DONE,
        file_name="brott.csv",
    )
    from samsyn.police.models import ColumnMapping

    world.extra["police_mapping"] = ColumnMapping.objects.create(
        collaboration=collab, name="Standard", time_column="Brottsdatum"
    )


def routes(kit: Any) -> dict[str, Any]:
    Route, everyone = kit.Route, kit.everyone
    page = everyone(404, **{kit.ALICE: 200, kit.ADAM: 200, kit.CARL: 200})
    north_only = everyone(404, **{kit.ALICE: 200, kit.ADAM: 200})
    # POSTs without a file: the form is shown again with its errors (422).
    upload = everyone(404, **{kit.ALICE: 422, kit.ADAM: 422, kit.CARL: 422})

    def batch(w: Any) -> int:
        return w.extra["police_batch"].pk

    return {
        "police:imports": Route("GET", lambda w: "/police/imports/", page),
        "police:upload_events": Route(
            "POST", lambda w: "/police/imports/events/", upload
        ),
        "police:upload_crimes": Route(
            "POST", lambda w: "/police/imports/crimes/", upload
        ),
        "police:batch": Route(
            "GET", lambda w: f"/police/imports/{batch(w)}/", north_only
        ),
        "police:batch_progress": Route(
            "GET", lambda w: f"/police/imports/{batch(w)}/progress/", north_only
        ),
        "police:batch_confirm": Route(
            "POST",
            lambda w: f"/police/imports/{batch(w)}/confirm/",
            everyone(404, **{kit.ALICE: 302, kit.ADAM: 302}),
        ),
        "police:mapping_new": Route("GET", lambda w: "/police/mappings/new/", page),
        "police:mapping_edit": Route(
            "GET",
            lambda w: f"/police/mappings/{w.extra['police_mapping'].pk}/",
            north_only,
        ),
    }
