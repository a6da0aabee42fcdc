"""The analysis engine on small hand-made data: access rules, shapes, guards."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from samsyn.analysis import engine
from samsyn.lib.weeks import last_complete_week, local_tz
from samsyn.organisations.access import Access
from samsyn.tests.support import INSIDE_EAST, INSIDE_WEST, make_report

WEEK = (2026, 10)  # Monday 2 March 2026
MONDAY = engine.local_midnight(date(2026, 3, 2))


def at(weeks_before: int, hours: int = 12) -> datetime:
    return MONDAY - timedelta(weeks=weeks_before) + timedelta(hours=hours)


@pytest.fixture
def restricted_world(north_org, north_police, west_area, east_area):  # type: ignore[no-untyped-def]
    make_report(north_org, occurred_at=at(0))
    make_report(north_police, occurred_at=at(0), restricted=True)
    make_report(north_police, occurred_at=at(0, 14), restricted=True)
    return north_org.collaboration


def test_it_excludes_restricted_reports_for_steering(restricted_world, sam, alice):  # type: ignore[no-untyped-def]
    collab = restricted_world
    for_sam = engine.weekly(collab, *WEEK, Access.for_user(sam, collab))
    for_alice = engine.weekly(collab, *WEEK, Access.for_user(alice, collab))
    assert for_sam["n_reports"] == 1
    assert for_alice["n_reports"] == 3
    since, until = MONDAY, MONDAY + timedelta(weeks=1)
    hot = engine.hotspots(collab, since, until, access=Access.for_user(sam, collab))
    assert hot["n_reports"] == 1
    hot = engine.hotspots(collab, since, until, access=Access.for_user(alice, collab))
    assert hot["n_reports"] == 3


def test_it_says_insufficient_history_for_a_new_collaboration(north_org, west_area):  # type: ignore[no-untyped-def]
    for h in range(6):
        make_report(north_org, occurred_at=at(0, h))
    res = engine.weekly(north_org.collaboration, *WEEK)
    row = next(r for r in res["rows"] if r["level"] == "area")
    assert row["observed"] == 6
    assert row["status"] == "insufficient_history"
    assert row["expected"] is None
    assert res["flagged"] == 0


def test_it_flags_a_jump_against_the_baseline(north_org, west_area):  # type: ignore[no-untyped-def]
    for w in range(1, 30):
        make_report(north_org, occurred_at=at(w))
    for h in range(12):
        make_report(north_org, occurred_at=at(0, h))
    res = engine.weekly(north_org.collaboration, *WEEK)
    area = next(r for r in res["rows"] if r["level"] == "area")
    assert area["status"] == "high"
    assert area["area"] == "W" and area["category"] == "gathering"
    assert area["last_week"] == 1 and area["mean_4_weeks"] == 1
    assert area["upper"] < 12
    total = next(r for r in res["totals"] if r["category"] == "gathering")
    assert total["level"] == "collaboration" and total["observed"] == 12


def test_it_returns_hotspots_as_geojson(north_org, west_area, east_area):  # type: ignore[no-untyped-def]
    for _ in range(5):
        make_report(north_org, occurred_at=at(0), lonlat=INSIDE_EAST)
    make_report(north_org, occurred_at=at(0), lonlat=INSIDE_WEST)
    res = engine.hotspots(
        north_org.collaboration, MONDAY, MONDAY + timedelta(weeks=1), cell_m=250
    )
    fc = res["geojson"]
    assert fc["type"] == "FeatureCollection"
    counts = sorted(
        f["properties"]["count"] for f in fc["features"] if f["properties"]["count"]
    )
    assert counts == [1, 5]
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and 15 < ring[0][0] < 16 and 59 < ring[0][1] < 60
    assert res["parameters"]["study_cells"] > 0
    assert sum(res["bins"].values()) == res["parameters"]["study_cells"]


def test_it_computes_density_emerging_and_near_repeat(north_org, west_area):  # type: ignore[no-untyped-def]
    for w in range(8):
        make_report(north_org, occurred_at=at(w))
        make_report(north_org, occurred_at=at(w, 20), lonlat=(15.201, 59.271))
    collab = north_org.collaboration
    dens = engine.density(collab, at(8), MONDAY + timedelta(weeks=1), cell_m=100)
    assert dens["geojson"]["features"] and dens["parameters"]["bandwidth_m"] > 0
    em = engine.emerging(collab, date(2026, 3, 8), weeks=8)
    assert em["first_week"] == "2026-W03" and em["last_week"] == "2026-W10"
    assert em["n_reports"] == 16
    nr = engine.near_repeat(collab, at(8), MONDAY + timedelta(weeks=1), ["gathering"])
    assert nr["n_events"] == 16
    assert len(nr["table"]) == len(nr["spatial_labels"]) * len(nr["temporal_labels"])


def test_it_refuses_to_conclude_from_too_few_events(north_org, west_area, east_area):  # type: ignore[no-untyped-def]
    make_report(north_org, occurred_at=at(3))
    lon, lat = INSIDE_WEST
    res = engine.evaluate(
        north_org.collaboration, lon, lat, date(2026, 3, 2), 100, 300, 8, 8,
        control="E",
    )  # fmt: skip
    assert res["counts"]["target"] == {"before": 1, "after": 0}
    assert res["effect"] == "too_few_events"
    assert res["reasons"]
    assert len(res["weekly"]["target"]) == 16


def test_it_rejects_bad_input(north_org, west_area):  # type: ignore[no-untyped-def]
    collab = north_org.collaboration
    with pytest.raises(engine.AnalysisInputError) as exc:
        engine.weekly(collab, 2026, 54)
    assert exc.value.field == "week"
    with pytest.raises(engine.AnalysisInputError) as exc:
        engine.hotspots(collab, MONDAY, MONDAY, cell_m=250)
    assert exc.value.field == "until"
    with pytest.raises(engine.AnalysisInputError) as exc:
        engine.hotspots(collab, at(1), MONDAY, cell_m=5)
    assert exc.value.field == "cell_m"
    with pytest.raises(engine.AnalysisInputError) as exc:
        engine.evaluate(collab, 15.2, 59.27, date(2026, 3, 2), 100, 300, 8, 4)
    assert exc.value.field == "weeks_after"
    with pytest.raises(engine.AnalysisInputError) as exc:
        engine.near_repeat(collab, at(1), MONDAY, ["no-such"])
    assert exc.value.field == "category"


def test_it_ranks_areas_with_visible_components(
    north_org, north_police, west_area, east_area
):  # type: ignore[no-untyped-def]
    for w in range(1, 6):
        make_report(north_org, occurred_at=at(w), severity=4)
        make_report(north_police, occurred_at=at(w, 3))
    make_report(north_org, occurred_at=at(2), lonlat=INSIDE_EAST)
    res = engine.priority(north_org.collaboration, at(6), MONDAY)
    assert [r["area"] for r in res["rows"]] == ["W", "E"]
    west = res["rows"][0]
    assert west["rank"] == 1 and west["reports"] == 10
    comps = {c["component"]: c for c in west["components"]}
    assert comps["active_partners"]["raw"] == 2
    assert comps["police_crimes"]["missing"] is True
    assert any("Police-reported crime" in n for n in res["notes"])


def test_it_uses_stockholm_weeks_across_daylight_saving():
    bounds = engine.week_bounds(date(2026, 3, 23), 1)  # DST starts 29 March
    assert bounds[1] - bounds[0] == 7 * 86_400 - 3_600
    assert last_complete_week(datetime(2026, 11, 22, 12, tzinfo=local_tz())) == (
        2026,
        46,
    )
