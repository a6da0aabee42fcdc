"""Access expectations for the reports URLs added after test_isolation.py's own list
(the offline reporting app's service worker and manifest, the map's data)."""

from __future__ import annotations

from typing import Any


def routes(kit: Any) -> dict[str, Any]:
    Route, everyone = kit.Route, kit.everyone
    return {
        # The map's points or counts: the list's selection, for the same people.
        "reports:map_data": Route(
            "GET", lambda w: "/reports/map.geojson", everyone(200)
        ),
        # Where a position is (nearest place and area): for those who may report.
        "reports:where": Route(
            "GET",
            lambda w: "/reports/where/?lat=59.27&lon=15.2",
            everyone(200, **{kit.ANNA: 404, kit.SAM: 404, kit.ADAM: 404}),
        ),
        # Static code and metadata of the offline app: the same for everyone, no data.
        "reports:service_worker": Route(
            "GET", lambda w: "/reports/sw.js", everyone(200, anonymous=200)
        ),
        "reports:manifest": Route(
            "GET",
            lambda w: "/reports/manifest.webmanifest",
            everyone(200, anonymous=200),
        ),
    }
