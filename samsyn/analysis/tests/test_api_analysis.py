"""GET /api/v1/analysis/...: shapes, permissions and parameter errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from samsyn.analysis import engine
from samsyn.lib.weeks import last_complete_week
from samsyn.tests.support import INSIDE_EAST, api_client, make_report

MONDAY = engine.local_midnight(date(2026, 3, 2))

URLS = {
    "weekly": "/api/v1/analysis/weekly?week=2026-W10",
    "hotspots": "/api/v1/analysis/hotspots?since=2026-02-01&until=2026-03-08",
    "density": "/api/v1/analysis/density?since=2026-02-01&until=2026-03-08",
    "emerging": "/api/v1/analysis/emerging?until=2026-03-08&weeks=8",
    "near-repeat": "/api/v1/analysis/near-repeat?since=2026-01-01&until=2026-03-08"
    "&category=gathering&spatial_bands=100,400&temporal_bands=7,14",
    "evaluation": "/api/v1/analysis/evaluation?lon=15.20&lat=59.27&start=2026-02-16"
    "&weeks_before=2&weeks_after=2&buffer_radius_m=300&control=E",
    "priority": "/api/v1/analysis/priority?since=2026-01-01&until=2026-03-08",
}
KEYS = {
    "weekly": {"week", "rows", "totals", "flagged"},
    "hotspots": {"geojson", "bins", "parameters"},
    "density": {"geojson", "max_density", "parameters"},
    "emerging": {"geojson", "classes", "quarterly_classes"},
    "near-repeat": {"table", "n_events", "spatial_labels"},
    "evaluation": {"counts", "effect", "displacement", "wdd", "did", "wdq"},
    "priority": {"rows", "notes", "weights"},
}


@pytest.fixture
def world(north_org, west_area, east_area):  # type: ignore[no-untyped-def]
    for w in range(6):
        make_report(north_org, occurred_at=MONDAY - timedelta(weeks=w, hours=-10))
    make_report(north_org, occurred_at=MONDAY, lonlat=INSIDE_EAST)
    return north_org.collaboration


@pytest.mark.parametrize("name", sorted(URLS))
def test_it_answers_coordinators(world, alice, name):  # type: ignore[no-untyped-def]
    response = api_client(alice).get(URLS[name])
    assert response.status_code == 200, response.content
    assert KEYS[name] <= set(response.json())


@pytest.mark.parametrize("name", sorted(URLS))
def test_it_refuses_reporters_and_anonymous(world, bob, name):  # type: ignore[no-untyped-def]
    assert api_client(bob).get(URLS[name]).status_code == 403
    assert Client().get(URLS[name]).status_code == 401


def test_it_counts_only_what_the_caller_may_see(world, north_police, alice, sam):  # type: ignore[no-untyped-def]
    make_report(north_police, occurred_at=MONDAY + timedelta(hours=3), restricted=True)
    url = URLS["weekly"]
    assert api_client(alice).get(url).json()["n_reports"] == 3
    assert api_client(sam).get(url).json()["n_reports"] == 2


def test_it_uses_the_last_complete_week_by_default(world, alice):  # type: ignore[no-untyped-def]
    body = api_client(alice).get("/api/v1/analysis/weekly").json()
    year, week = last_complete_week()
    assert body["week"] == f"{year}-W{week:02d}"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/analysis/weekly?week=2026-46", "week"),
        ("/api/v1/analysis/weekly?week=2026-W54", "week"),
        ("/api/v1/analysis/hotspots?since=2026-13-01", "since"),
        ("/api/v1/analysis/hotspots?since=2026-03-08&until=2026-03-01", "since"),
        ("/api/v1/analysis/hotspots?cell_m=1", "cell_m"),
        ("/api/v1/analysis/hotspots?cell_m=abc", "cell_m"),
        ("/api/v1/analysis/density?bandwidth=-5", "bandwidth"),
        ("/api/v1/analysis/emerging?weeks=1", "weeks"),
        ("/api/v1/analysis/emerging?until=yesterday", "until"),
        ("/api/v1/analysis/near-repeat?spatial_bands=a,b", "spatial_bands"),
        ("/api/v1/analysis/near-repeat?temporal_bands=14,7", "temporal_bands"),
        ("/api/v1/analysis/near-repeat?category=nope", "category"),
        ("/api/v1/analysis/evaluation?start=2026-02-16", "lon"),
        ("/api/v1/analysis/evaluation?start=x&lon=15.2&lat=59.27", "start"),
        ("/api/v1/analysis/evaluation?start=2026-02-16&lon=0&lat=0", "lon"),
        ("/api/v1/analysis/evaluation?start=2026-02-16&place=nowhere", "place"),
        (
            "/api/v1/analysis/evaluation?start=2026-02-16&lon=15.2&lat=59.27"
            "&control=ZZ",
            "control",
        ),
        ("/api/v1/analysis/priority?normalisation=zscore", "normalisation"),
    ],
)
def test_it_names_the_bad_parameter(world, alice, url, field):  # type: ignore[no-untyped-def]
    response = api_client(alice).get(url)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]


def test_it_documents_the_endpoints(world, alice):  # type: ignore[no-untyped-def]
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for name in URLS:
        op = paths[f"/api/v1/analysis/{name}"]["get"]
        assert op["summary"] and op["description"]
