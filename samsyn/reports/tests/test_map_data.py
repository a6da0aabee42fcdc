"""The reports map represents every report of the list's filter (issue 12, part 7)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from samsyn.reports.models import Report
from samsyn.tests.support import INSIDE_EAST, INSIDE_WEST, make_report

# Spread over both areas and one far outside (Stockholm), in several categories.
PLACES = [
    INSIDE_WEST,
    INSIDE_EAST,
    (15.2005, 59.2702),
    (15.2210, 59.2690),
    (15.195, 59.265),
    (18.0686, 59.3293),
]


@pytest.fixture
def reports(north_org, west_area, east_area, now):
    made = []
    for i in range(30):
        made.append(
            make_report(
                north_org,
                category=("gathering", "littering", "fire")[i % 3],
                lonlat=PLACES[i % len(PLACES)],
                occurred_at=now - timedelta(days=i, hours=1),
                restricted=(i % 7 == 0),
            )
        )
    return made


def map_and_list(client, query: str) -> tuple[dict, int]:
    page = client.get("/reports/?" + query)
    assert page.status_code == 200
    url = page.context["api_url"]
    assert url.startswith("/reports/map.geojson")
    data = client.get(url).json()
    return data, page.context["total"]


FILTERS = [
    "",
    "since=2026-01-01",
    "since=2026-10-25&until=2026-11-10",
    "since=2026-01-01&category=fire",
    "since=2026-01-01&area=outside",
    "since=2026-01-01&status=open",
]


@pytest.mark.parametrize("max_points", [1000, 7, 1])
@pytest.mark.parametrize("query", FILTERS)
def test_the_map_adds_up_to_the_list_for_any_filter(
    client, alice, reports, settings, query, max_points
):
    settings.SAMSYN_MAP_MAX_POINTS = max_points
    settings.SAMSYN_MAP_CELL_M = 100
    client.force_login(alice)
    data, total = map_and_list(client, query)
    assert data["total"] == total
    assert sum(f["properties"]["count"] for f in data["features"]) == total
    if total > max_points:
        assert data["aggregated"] is True
        # The square grows until there are at most max_points of them.
        assert len(data["features"]) <= max_points
        assert data["cell_m"] >= 100
    else:
        assert data["aggregated"] is False
        assert {f["id"] for f in data["features"]} <= {str(r.code) for r in reports}


def test_the_squares_are_counted_on_the_stored_sweref_coordinates(
    client, alice, reports, settings
):
    settings.SAMSYN_MAP_MAX_POINTS = 5
    settings.SAMSYN_MAP_CELL_M = 100
    client.force_login(alice)
    data = client.get("/reports/map.geojson?since=2026-01-01").json()
    cell = data["cell_m"]
    expected: dict[tuple[int, int], int] = {}
    for r in Report.objects.filter(occurred_at__date__gte="2026-01-01"):
        key = (int(r.x // cell), int(r.y // cell))
        expected[key] = expected.get(key, 0) + 1
    assert sorted(f["properties"]["count"] for f in data["features"]) == sorted(
        expected.values()
    )


def test_others_restricted_reports_are_neither_points_nor_counts(
    client, petra, reports, settings
):
    """Petra reports for another organisation: the north organisation's restricted
    reports are not hers to see, not even as a number in a square."""
    client.force_login(petra)
    visible = Report.objects.filter(restricted=False).count()
    assert visible < len(reports)
    for max_points in (1000, 1):
        settings.SAMSYN_MAP_MAX_POINTS = max_points
        data, total = map_and_list(client, "since=2026-01-01")
        assert total == visible
        assert sum(f["properties"]["count"] for f in data["features"]) == visible


def test_the_map_data_needs_a_login(client):
    assert client.get("/reports/map.geojson").status_code == 302
