"""The onboarding page in the access matrix: administrators of the collaboration
only (see organisations/tests/test_isolation)."""

from __future__ import annotations

from typing import Any


def routes(kit: Any) -> dict[str, Any]:
    Route, everyone = kit.Route, kit.everyone
    return {
        "organisations:onboarding": Route(
            "GET", lambda w: "/onboarding/", everyone(404, **{kit.ADAM: 200})
        ),
        "organisations:onboarding_checklist": Route(
            "POST",
            lambda w: "/onboarding/checklist/",
            everyone(404, **{kit.ADAM: 302}),
        ),
    }
