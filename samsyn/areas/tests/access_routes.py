"""The areas import pages in the access matrix: coordinators and administrators of
the collaboration only. A preview or confirmation exists only for the session that
uploaded the file, so every principal here gets 404 for an unknown token."""

from __future__ import annotations

from typing import Any


def routes(kit: Any) -> dict[str, Any]:
    Route, everyone = kit.Route, kit.everyone
    page = everyone(404, **{kit.ALICE: 200, kit.ADAM: 200, kit.CARL: 200})
    token = "not-an-upload-of-this-session"
    return {
        "areas:import": Route("GET", lambda w: "/areas/import/", page),
        "areas:preview": Route(
            "GET", lambda w: f"/areas/import/{token}/", everyone(404)
        ),
        "areas:confirm": Route(
            "POST", lambda w: f"/areas/import/{token}/confirm/", everyone(404)
        ),
    }
