"""No "calm" without a check-in: the coverage rule and the matrix page."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.coverage.actions import check_in
from samsyn.coverage.models import Coverage
from samsyn.coverage.summary import area_state, coverage_for_week
from samsyn.organisations.access import Access
from samsyn.tests.support import INSIDE_EAST, make_area, make_report

IN_WEEK_10 = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def setup(north_org, north_police, west_area, east_area, bob, petra):  # type: ignore[no-untyped-def]
    collab = north_org.collaboration
    third = make_area(
        collab,
        ref="S",
        name="Söder",
        geometry={
            "type": "Polygon",
            "coordinates": [
                [
                    [15.0, 59.0],
                    [15.01, 59.0],
                    [15.01, 59.01],
                    [15.0, 59.01],
                    [15.0, 59.0],
                ]
            ],
        },
    )
    for org in (north_org, north_police):
        for area in (west_area, east_area, third):
            Coverage.objects.create(collaboration=collab, organisation=org, area=area)
    return collab, west_area, east_area, third


def test_area_state_rule():
    assert area_state(0, []) == "not_covered"
    assert area_state(0, ["nothing_to_report"]) == "calm"
    assert area_state(0, ["nothing_to_report", "items_seen"]) == "seen_not_reported"
    assert area_state(3, []) == "reported"


def test_it_never_calls_an_unchecked_area_without_reports_calm(setup, north_org, bob):
    collab, west, east, south = setup
    access = Access.for_user(bob, collab)
    check_in(access, north_org, west, 2026, 10, "nothing_to_report", by=bob)
    make_report(north_org, lonlat=INSIDE_EAST, occurred_at=IN_WEEK_10)

    summary = coverage_for_week(collab, 2026, 10)
    states = {a["ref"]: a["state"] for a in summary["areas"]}
    assert states == {"W": "calm", "E": "reported", "S": "not_covered"}
    assert summary["not_covered"] == ["S"]
    assert set(summary["unchecked"]) == {"E", "S"}
    west_row = next(a for a in summary["areas"] if a["ref"] == "W")
    assert west_row["missing"] == ["north-police"]
    kommun = next(o for o in summary["organisations"] if o["slug"] == "north-kommun")
    assert (kommun["checked"], kommun["missing"]) == (["W"], ["E", "S"])


def test_it_uses_only_the_latest_correction(setup, north_org, bob):
    collab, west, _e, _s = setup
    access = Access.for_user(bob, collab)
    check_in(access, north_org, west, 2026, 10, "nothing_to_report", by=bob)
    check_in(access, north_org, west, 2026, 10, "items_seen", ["gathering"], by=bob)
    row = next(
        a for a in coverage_for_week(collab, 2026, 10)["areas"] if a["ref"] == "W"
    )
    assert row["state"] == "seen_not_reported"
    assert [c["status"] for c in row["checkins"]] == ["items_seen"]


def test_a_check_in_counts_for_its_week_only(setup, north_org, bob):
    collab, west, _e, _s = setup
    check_in(
        Access.for_user(bob, collab),
        north_org,
        west,
        2026,
        9,
        "nothing_to_report",
        by=bob,
    )
    states = {
        a["ref"]: a["state"] for a in coverage_for_week(collab, 2026, 10)["areas"]
    }
    assert states["W"] == "not_covered"


def test_the_matrix_page_shows_not_covered(setup, alice):
    client = Client()
    client.force_login(alice)
    r = client.get("/coverage/?week=2026-W10")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Not covered" in body and "ci-state-not_covered" in body
    assert "ci-state-calm" in body  # the legend only; no area is calm
    assert r.context["summary"]["counts"]["calm"] == 0
