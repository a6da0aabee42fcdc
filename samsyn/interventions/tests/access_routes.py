"""Access matrix entries for the intervention pages and API (see test_isolation.py).

The world's intervention is owned by the north municipality and asks the north police
to take part: coordinators manage it; the police's members answer the request; every
member reads; another collaboration gets 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from samsyn.interventions import actions
from samsyn.interventions.models import InterventionNote

FILE_NAME = "interventions/access-matrix-note.txt"


def build(world: Any, kit: Any) -> None:
    iv = actions.register_intervention(
        world.orgs["kommun"].collaboration,
        {
            "title": "Lighting at the path",
            "kind": "situational",
            "owner": world.orgs["kommun"],
            "starts_on": date(2026, 5, 4),
        },
        by=world.users[kit.ALICE],
        partners=[(world.orgs["police"], "Patrols")],
    )
    if not default_storage.exists(FILE_NAME):
        default_storage.save(FILE_NAME, ContentFile(b"plan"))
    note = InterventionNote.objects.create(
        intervention=iv, collaboration=iv.collaboration, text="Plan", file_name="p.txt"
    )
    note.file.name = FILE_NAME
    note.save(update_fields=["file"])
    world.extra["iv"] = iv
    world.extra["partner"] = iv.partnerships.get()
    world.extra["note"] = note


def _routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    only_alice = everyone(404, **{kit.ALICE: 302})
    code = lambda w: w.extra["iv"].code  # noqa: E731
    return {
        "interventions:detail": R(
            "GET",
            lambda w: f"/interventions/{code(w)}/",
            everyone(200, **{kit.CARL: 404}),
        ),
        "interventions:edit": R(
            "GET",
            lambda w: f"/interventions/{code(w)}/edit/",
            everyone(404, **{kit.ALICE: 200}),
        ),
        # The owner's org lead may too (tested in test_rights); no such lead here.
        "interventions:status": R(
            "POST",
            lambda w: f"/interventions/{code(w)}/status/",
            only_alice,
            data=lambda w: {"status": "decided"},
        ),
        "interventions:effort": R(
            "POST",
            lambda w: f"/interventions/{code(w)}/effort/",
            only_alice,
            data=lambda w: {"spent_hours": "3", "spent_cost": "100"},
        ),
        "interventions:add_partner": R(
            "POST",
            lambda w: f"/interventions/{code(w)}/partners/",
            only_alice,
            data=lambda w: {"organisation": w.orgs["police"].pk, "role": "Patrols"},
        ),
        # Only the partner organisation's members answer (petra is in the police).
        "interventions:answer": R(
            "POST",
            lambda w: (
                f"/interventions/{code(w)}/partners/{w.extra['partner'].code}/answer/"
            ),
            everyone(404, **{kit.PETRA: 302}),
            data=lambda w: {"answer": "accepted"},
        ),
        "interventions:add_note": R(
            "POST",
            lambda w: f"/interventions/{code(w)}/notes/",
            only_alice,
            data=lambda w: {"text": "Met the housing company."},
        ),
        "interventions:note_file": R(
            "GET",
            lambda w: f"/interventions/{code(w)}/notes/{w.extra['note'].pk}/file/",
            everyone(200, **{kit.CARL: 404}),
        ),
        "interventions:evaluate": R(
            "POST",
            lambda w: f"/interventions/{code(w)}/evaluate/",
            only_alice,
            data=lambda w: {"control": ""},
        ),
        "api:get_intervention": R(
            "GET",
            lambda w: f"/api/v1/interventions/{code(w)}",
            everyone(200, anonymous=401, **{kit.CARL: 404}),
        ),
    }


def routes(kit: Any) -> dict[str, Any]:
    manage = kit.everyone(404, **{kit.ALICE: 200, kit.CARL: 200})
    return {
        "interventions:list": kit.Route(
            "GET", lambda w: "/interventions/", kit.everyone(200)
        ),
        "interventions:quick": kit.Route(
            "GET", lambda w: "/interventions/quick/", manage
        ),
        "interventions:new": kit.Route("GET", lambda w: "/interventions/new/", manage),
        "interventions:annual": kit.Route(
            "GET", lambda w: "/interventions/annual/", kit.everyone(200)
        ),
        "api:list_interventions": kit.Route(
            "GET", lambda w: "/api/v1/interventions", kit.everyone(200, anonymous=401)
        ),
        **_routes(kit),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    # Interventions have no restricted variant: the same expectations apply.
    return _routes(kit)
