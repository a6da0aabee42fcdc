"""The notifications app's URLs for the access matrix."""

from __future__ import annotations

from typing import Any


def routes(kit: Any) -> dict[str, Any]:
    R, everyone, A = kit.Route, kit.everyone, kit
    return {
        "notifications:preferences": R(
            "GET", lambda w: "/notifications/", everyone(200)
        ),
        "notifications:log": R(
            "GET", lambda w: "/notifications/log/", everyone(404, **{A.ADAM: 200})
        ),
    }
