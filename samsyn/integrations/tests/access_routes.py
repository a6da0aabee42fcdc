"""The integrations app's URLs for the access matrix (organisations/tests/test_isolation)."""

from __future__ import annotations

from typing import Any


def routes(kit: Any) -> dict[str, Any]:
    R, everyone, A = kit.Route, kit.everyone, kit
    api = everyone(200, anonymous=401)
    out = {
        "integrations:export": R(
            "GET", lambda w: "/integrations/export/", everyone(200)
        ),
        "integrations:webhooks": R(
            "GET", lambda w: "/integrations/webhooks/", everyone(404, **{A.ADAM: 200})
        ),
        "integrations:health": R(
            "GET", lambda w: "/integrations/health", everyone(200, anonymous=200)
        ),
        # No SAMSYN_METRICS_TOKEN in tests: the endpoint does not exist.
        "integrations:metrics": R(
            "GET", lambda w: "/integrations/metrics", everyone(404, anonymous=404)
        ),
        "api:export_reports": R("GET", lambda w: "/api/v1/exports/reports.csv", api),
        "api:export_interventions": R(
            "GET", lambda w: "/api/v1/exports/interventions.csv", api
        ),
        "api:export_pictures": R("GET", lambda w: "/api/v1/exports/pictures.csv", api),
    }
    # The service list is public; reading requests needs an api_key unless
    # SAMSYN_OPEN311_PUBLIC is on, so sessions get the Open311 403.
    out["open311:services"] = R(
        "GET",
        lambda w: "/open311/v2/services.json?jurisdiction_id=north",
        everyone(200, anonymous=200),
    )
    out["open311:requests"] = R(
        "GET",
        lambda w: "/open311/v2/requests.json?jurisdiction_id=north",
        everyone(403, anonymous=403),
    )
    out["open311:request"] = R(
        "GET",
        lambda w: f"/open311/v2/requests/{w.public.code}.json?jurisdiction_id=north",
        everyone(403, anonymous=403),
    )
    return out
