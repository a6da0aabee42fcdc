"""Perceived-safety pages in the access matrix: the comparison for those who see
analysis; imports and mappings for IMPORT_DATA (coordinators, admins), own
collaboration only."""

from __future__ import annotations

from typing import Any


def build(world: Any, kit: Any) -> None:
    from samsyn.surveys.models import SurveyMapping

    world.extra["survey_mapping"] = SurveyMapping.objects.create(
        collaboration=world.orgs["kommun"].collaboration,
        name="Polisen",
        area_column="Område",
        year_column="År",
        value_column="Index",
        source="Polisens trygghetsmätning",
        indicator="problem index",
    )


def routes(kit: Any) -> dict[str, Any]:
    Route, everyone = kit.Route, kit.everyone
    analysis = everyone(
        404, **{kit.ALICE: 200, kit.ANNA: 200, kit.SAM: 200, kit.CARL: 200}
    )
    importers = everyone(404, **{kit.ALICE: 200, kit.ADAM: 200, kit.CARL: 200})
    return {
        "surveys:perceived": Route("GET", lambda w: "/surveys/", analysis),
        # A POST without a file shows the form again with its errors.
        "surveys:upload": Route(
            "POST",
            lambda w: "/surveys/import/",
            everyone(404, **{kit.ALICE: 422, kit.ADAM: 422, kit.CARL: 422}),
        ),
        "surveys:mapping_new": Route(
            "GET", lambda w: "/surveys/mappings/new/", importers
        ),
        "surveys:mapping_edit": Route(
            "GET",
            lambda w: f"/surveys/mappings/{w.extra['survey_mapping'].pk}/",
            everyone(404, **{kit.ALICE: 200, kit.ADAM: 200}),
        ),
    }
