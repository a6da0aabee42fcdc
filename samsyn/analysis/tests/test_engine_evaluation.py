"""engine.evaluate_areas: an intervention over whole areas, on hand-made squares.

The map (all squares 0.02° wide, side by side from west to east at 59.26-59.28):
W (target) | E (touches W: the buffer) | N (about 110 m east of E: too near to be
a control) ... F (far away: the control). N is given the same before-period shape as
W, so it would win the control choice if the 200 m gap were not kept.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from samsyn.analysis import engine
from samsyn.analysis.stats import evaluation as ev_stats
from samsyn.areas.models import Area
from samsyn.organisations.access import Access
from samsyn.tests.support import api_client, make_area, make_report

START = date(2026, 6, 1)  # a Monday
W_PT, E_PT, N_PT, F_PT = (15.20, 59.27), (15.22, 59.27), (15.236, 59.27), (15.30, 59.27)


def _square(lon0: float, lon1: float) -> dict:
    ring = [[lon0, 59.26], [lon1, 59.26], [lon1, 59.28], [lon0, 59.28], [lon0, 59.26]]
    return {"type": "Polygon", "coordinates": [ring]}


def _at(org, lonlat, n: int, *, after: bool, **kw) -> None:  # type: ignore[no-untyped-def]
    """n reports spread over the 4 weeks before (or after) the start."""
    base = datetime(2026, 6, 1, 10, tzinfo=UTC)
    for i in range(n):
        days = (i % 27) + 1
        when = base + timedelta(days=days if after else -days)
        make_report(org, lonlat=lonlat, occurred_at=when, **kw)


@pytest.fixture(autouse=True)
def fresh_study_areas():  # type: ignore[no-untyped-def]
    """The study area is cached per (collaboration id, areas_version). SQLite reuses
    ids after a test's rollback, so these maps (N, F) would be seen by a later
    test's collaboration with the same id and version: start and end clean."""
    engine._study_area_cached.cache_clear()
    yield
    engine._study_area_cached.cache_clear()
    engine._mask_cached.cache_clear()


@pytest.fixture
def near(north, west_area, east_area):  # type: ignore[no-untyped-def]
    make_area(north, ref="N", name="Nära", geometry=_square(15.232, 15.24))
    return north


@pytest.fixture
def squares(near):  # type: ignore[no-untyped-def]
    make_area(near, ref="F", name="Fjärran", geometry=_square(15.29, 15.31))
    return near


@pytest.fixture
def displaced(squares, north_org):  # type: ignore[no-untyped-def]
    """W falls 40 -> 10, its neighbour E rises 10 -> 30, F stays 30 -> 30."""
    _at(north_org, W_PT, 40, after=False)
    _at(north_org, W_PT, 10, after=True)
    _at(north_org, E_PT, 10, after=False)
    _at(north_org, E_PT, 30, after=True)
    _at(north_org, N_PT, 40, after=False)  # like W before, but next to the buffer
    _at(north_org, N_PT, 40, after=True)
    _at(north_org, F_PT, 30, after=False)
    _at(north_org, F_PT, 30, after=True)
    return squares


def test_it_finds_the_fall_and_the_displacement(displaced):  # type: ignore[no-untyped-def]
    res = engine.evaluate_areas(displaced, ["W"], START, 4, 4)
    assert res["parameters"]["target_areas"] == ["W"]
    assert res["parameters"]["buffer_areas"] == ["E"]
    assert res["control"] == {"area": "F", "chosen": "auto"}
    assert res["counts"] == {
        "target": {"before": 40, "after": 10},
        "buffer": {"before": 10, "after": 30},
        "control": {"before": 30, "after": 30},
        "rest": {"before": 30, "after": 30},
    }
    assert (res["effect"], res["displacement"]) == ("worked", "displacement")
    # The figures are the stats module's for these counts.
    ev = ev_stats.evaluate_intervention(
        treated_before=40, treated_after=10, control_before=30, control_after=30,
        buffer_before=10, buffer_after=30,
    )  # fmt: skip
    assert res["wdd"]["estimate"] == pytest.approx(ev.wdd.estimate)
    assert res["wdq"]["value"] == pytest.approx(ev.wdq.value, abs=1e-4)
    assert res["total_net_effect"]["total"] == pytest.approx(
        ev.total_net_effect.total, abs=1e-4
    )
    assert res["did"] is not None
    # Eight weekly counts per zone that add up to the period counts.
    for zone in ("target", "buffer", "control"):
        weekly = res["weekly"][zone]
        assert len(weekly) == 8
        assert sum(weekly[:4]) == res["counts"][zone]["before"]
        assert sum(weekly[4:]) == res["counts"][zone]["after"]
    assert "not within 200 m" in res["notes"][0]


def test_it_never_takes_a_control_next_to_the_buffer(near, north_org):  # type: ignore[no-untyped-def]
    # No F: only N is left, with the events but 110 m from the buffer E.
    _at(north_org, W_PT, 40, after=False)
    _at(north_org, N_PT, 40, after=False)
    with pytest.raises(engine.AnalysisInputError) as exc:
        engine.evaluate_areas(near, ["W"], START, 4, 4)
    assert exc.value.field == "control"
    # By hand it may be chosen all the same.
    res = engine.evaluate_areas(near, ["W"], START, 4, 4, control="N")
    assert res["counts"]["control"] == {"before": 40, "after": 0}


def test_a_district_stands_for_its_areas(displaced, north, west_area, east_area):  # type: ignore[no-untyped-def]
    district = make_area(north, ref="D", name="Distrikt", level=Area.Level.DISTRICT)
    Area.objects.filter(pk__in=[west_area.pk, east_area.pk]).update(parent=district)
    res = engine.evaluate_areas(north, ["D"], START, 4, 4, control="F")
    assert res["parameters"]["target_areas"] == ["E", "W"]
    assert res["parameters"]["buffer_areas"] == []
    assert res["counts"]["target"] == {"before": 50, "after": 40}
    assert res["control"] == {"area": "F", "chosen": "user"}


def test_without_a_touching_area_displacement_is_undefined(displaced):  # type: ignore[no-untyped-def]
    res = engine.evaluate_areas(displaced, ["F"], START, 4, 4, control="W")
    assert res["parameters"]["buffer_areas"] == []
    assert res["counts"]["buffer"] == {"before": 0, "after": 0}
    assert res["displacement"] == ev_stats.UNDEFINED


def test_it_counts_only_the_chosen_categories(squares, north_org):  # type: ignore[no-untyped-def]
    _at(north_org, W_PT, 12, after=False)
    _at(north_org, W_PT, 5, after=False, category="littering")
    res = engine.evaluate_areas(
        squares, ["W"], START, 4, 4, control="F", categories=["littering"]
    )
    assert res["counts"]["target"] == {"before": 5, "after": 0}
    assert res["parameters"]["categories"] == ["littering"]


def test_it_leaves_out_what_the_caller_may_not_see(
    squares, north_org, north_police, sam, alice
):  # type: ignore[no-untyped-def]
    _at(north_org, W_PT, 3, after=False)
    _at(north_police, W_PT, 4, after=False, restricted=True)
    kw = {"control": "F"}
    as_sam = engine.evaluate_areas(
        squares, ["W"], START, 4, 4, access=Access.for_user(sam, squares), **kw
    )
    as_alice = engine.evaluate_areas(
        squares, ["W"], START, 4, 4, access=Access.for_user(alice, squares), **kw
    )
    everyone = engine.evaluate_areas(squares, ["W"], START, 4, 4, **kw)
    assert as_sam["counts"]["target"]["before"] == 3
    assert as_alice["counts"]["target"]["before"] == 7
    assert everyone["counts"]["target"]["before"] == 7


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"areas": []}, "areas"),
        ({"areas": ["nowhere"]}, "areas"),
        ({"weeks_after": 3}, "weeks_after"),
        ({"weeks_before": 0, "weeks_after": 0}, "weeks_before"),
        ({"control": "ZZ"}, "control"),
        ({"categories": ["no-such"]}, "category"),
    ],
)
def test_it_names_the_bad_parameter(squares, kwargs, field):  # type: ignore[no-untyped-def]
    args = {"areas": ["W"], "weeks_before": 4, "weeks_after": 4, **kwargs}
    with pytest.raises(engine.AnalysisInputError) as exc:
        engine.evaluate_areas(squares, start=START, **args)
    assert exc.value.field == field


def test_the_api_evaluates_areas(displaced, alice):  # type: ignore[no-untyped-def]
    url = (
        "/api/v1/analysis/evaluation?start=2026-06-01&areas=W"
        "&weeks_before=4&weeks_after=4"
    )
    body = api_client(alice).get(url).json()
    assert body["parameters"]["buffer_areas"] == ["E"]
    assert (body["effect"], body["displacement"]) == ("worked", "displacement")
    bad = api_client(alice).get(url.replace("areas=W", "areas=W,nowhere"))
    assert bad.status_code == 422
    assert "areas" in bad.json()["errors"]


def test_the_command_evaluates_areas(displaced):  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "analyse", "evaluate", "--collaboration", "north", "--areas", "W",
        "--start", "2026-06-01", "--weeks-before", "4", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "control area F (auto)" in text
    assert "effect: worked" in text and "displacement: displacement" in text
