"""Follow-up on small synthetic cases: figures, guards, cost, the command, annual."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from samsyn.interventions import actions, followup
from samsyn.interventions.models import Intervention
from samsyn.reports.models import Category, Report
from samsyn.tests.support import make_area, make_report

START = date(2026, 6, 1)  # a Monday
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
POINT = (15.195, 59.27)  # in the west square
NEAR = (15.1985, 59.27)  # about 200 m east of the point: in the buffer
FAR = (15.26, 59.27)  # in the far area
FAR_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[15.25, 59.26], [15.27, 59.26], [15.27, 59.28], [15.25, 59.28], [15.25, 59.26]]
    ],
}


def _at(org, lonlat, n: int, *, after: bool) -> None:  # type: ignore[no-untyped-def]
    base = datetime(2026, 6, 1, 10, tzinfo=UTC)
    for i in range(n):
        days = (i % 27) + 1
        when = base + timedelta(days=days if after else -days)
        make_report(org, lonlat=lonlat, occurred_at=when)


@pytest.fixture
def far_area(north, east_area):  # type: ignore[no-untyped-def]
    return make_area(north, ref="F", name="Fjärran", geometry=FAR_SQUARE)


def _place_based(make_iv, **kw):  # type: ignore[no-untyped-def]
    iv = make_iv(
        starts_on=START, ends_on=START + timedelta(weeks=4, days=-1),
        lon=POINT[0], lat=POINT[1], target_radius_m=100, buffer_radius_m=400, **kw,
    )  # fmt: skip
    for s in ("decided", "ongoing", "done"):
        actions.change_status(iv, status=s, by=None)
    return iv


def test_it_evaluates_a_place_based_intervention(make_iv, north_org, far_area, alice):
    _at(north_org, POINT, 40, after=False)
    _at(north_org, POINT, 8, after=True)
    _at(north_org, NEAR, 6, after=False)
    _at(north_org, NEAR, 6, after=True)
    _at(north_org, FAR, 30, after=False)
    _at(north_org, FAR, 30, after=True)
    iv = _place_based(make_iv, spent_cost=Decimal("64000"))
    ev = actions.evaluate_intervention(iv, alice, now=NOW)
    iv.refresh_from_db()
    assert iv.status == "evaluated"
    assert ev.results["counts"] == {
        "target": {"before": 40, "after": 8},
        "buffer": {"before": 6, "after": 6},
        "control": {"before": 30, "after": 30},
        "rest": {"before": 30, "after": 30},
    }
    assert ev.results["control"]["area"] == "F"
    assert ev.effect == "worked" and ev.displacement == "no_displacement"
    assert ev.inputs["weeks"] == 4
    # TNE = (40*1 - 8) + (6*1 - 6) = 32 prevented; 64000 / 32 = 2000 SEK each.
    assert ev.prevented == pytest.approx(32.0)
    assert ev.cost_per_prevented == pytest.approx(2000.0)
    wdd = ev.results["wdd"]
    assert wdd["estimate"] == -32 and wdd["p_value"] < 0.05
    assert followup.evidence_level(ev) == "strong"
    page = Client()
    page.force_login(alice)
    body = page.get(f"/interventions/{iv.code}/").content.decode()
    assert "It worked" in body and "2,000 SEK" in body
    assert "64,000 SEK" in body  # spent, grouped
    sv = page.get(
        f"/interventions/{iv.code}/", headers={"Accept-Language": "sv"}
    ).content.decode()
    assert "2\xa0000 kr" in sv and "64\xa0000 kr" in sv
    api = page.get(f"/api/v1/interventions/{iv.code}").json()
    assert api["evaluation"]["effect"] == "worked"


def test_it_refuses_to_conclude_from_too_few_events(
    make_iv, north_org, far_area, alice
):
    _at(north_org, POINT, 4, after=False)
    _at(north_org, POINT, 1, after=True)
    _at(north_org, FAR, 30, after=False)
    _at(north_org, FAR, 30, after=True)
    iv = _place_based(make_iv, spent_cost=Decimal("10000"))
    ev = actions.evaluate_intervention(iv, alice, now=NOW)
    assert ev.effect == "too_few_events"
    assert ev.displacement == "undefined"
    # Stored as codes with figures, put into words when shown.
    assert {"code": "few_events", "where": "target", "events": 5.0, "minimum": 10} in (
        ev.results["caveats"]
    )
    assert any("fewer than 10" in followup.explain(c) for c in ev.results["caveats"])
    assert followup.evidence_level(ev) == "none"
    # Three events "prevented" out of five is no basis for a cost per event.
    assert ev.prevented == pytest.approx(3.0)
    assert ev.cost_per_prevented is None
    body = _page(alice, iv)
    assert "Too few events to say whether it worked" in body


def _page(user, iv) -> str:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c.get(f"/interventions/{iv.code}/").content.decode()


def test_it_gives_no_cost_per_event_when_nothing_was_prevented(
    make_iv, north_org, far_area, alice
):
    _at(north_org, POINT, 20, after=False)
    _at(north_org, POINT, 25, after=True)
    _at(north_org, FAR, 30, after=False)
    _at(north_org, FAR, 30, after=True)
    iv = _place_based(make_iv, spent_cost=Decimal("50000"))
    ev = actions.evaluate_intervention(iv, alice, now=NOW)
    assert ev.prevented is not None and ev.prevented < 0
    assert ev.cost_per_prevented is None
    assert "Cost per prevented event" not in _page(alice, iv)


def test_it_evaluates_by_areas_with_neighbours_as_buffer(
    make_iv, north_org, west_area, east_area, far_area, alice
):
    _at(north_org, POINT, 40, after=False)
    _at(north_org, POINT, 10, after=True)
    _at(north_org, (15.22, 59.27), 10, after=False)  # east: the neighbour
    _at(north_org, (15.22, 59.27), 30, after=True)
    _at(north_org, FAR, 30, after=False)
    _at(north_org, FAR, 30, after=True)
    iv = make_iv(starts_on=START, ends_on=START + timedelta(days=27), areas=[west_area])
    for s in ("decided", "ongoing", "done"):
        actions.change_status(iv, status=s, by=alice)
    ev = actions.evaluate_intervention(iv, alice, now=NOW)
    assert ev.method == "areas"
    assert ev.results["parameters"]["buffer_areas"] == ["E"]
    assert ev.results["control"]["area"] == "F"
    assert (ev.effect, ev.displacement) == ("worked", "displacement")


def test_it_takes_a_control_area_by_hand(
    make_iv, north_org, far_area, east_area, alice
):
    _at(north_org, POINT, 20, after=False)
    _at(north_org, (15.22, 59.27), 20, after=False)
    iv = _place_based(make_iv)
    ev = actions.evaluate_intervention(iv, alice, "E", now=NOW)
    assert ev.results["control"] == {"area": "E", "chosen": "user"}


def test_it_cannot_evaluate_without_a_control(make_iv, north_org, alice):
    iv = _place_based(make_iv)
    with pytest.raises(actions.EvaluationError):
        actions.evaluate_intervention(iv, alice, now=NOW)
    iv.refresh_from_db()
    assert iv.status == "done" and not iv.evaluations.exists()


def test_it_evaluates_ended_interventions_on_schedule(make_iv, north_org, far_area):
    _at(north_org, POINT, 12, after=False)
    _at(north_org, FAR, 30, after=False)
    _at(north_org, FAR, 30, after=True)
    ended = make_iv(
        starts_on=START, ends_on=START + timedelta(days=27),
        lon=POINT[0], lat=POINT[1], status="ongoing",
    )  # fmt: skip
    running = make_iv(starts_on=START, status="ongoing", lon=POINT[0], lat=POINT[1])
    proposed = make_iv(starts_on=START, ends_on=START + timedelta(days=27))
    out = StringIO()
    call_command("evaluate_interventions", stdout=out)
    for iv in (ended, running, proposed):
        iv.refresh_from_db()
    assert ended.status == "evaluated" and ended.evaluations.count() == 1
    assert [e.status for e in ended.events.all()][-2:] == ["done", "evaluated"]
    assert running.status == "ongoing" and not running.evaluations.exists()
    assert proposed.status == "proposed"
    assert "1 intervention(s) processed." in out.getvalue()
    call_command("evaluate_interventions", stdout=StringIO())  # nothing is due twice
    assert ended.evaluations.count() == 1


def test_it_summarises_the_year(make_iv, north_org, far_area, alice):
    _at(north_org, POINT, 40, after=False)
    _at(north_org, POINT, 8, after=True)
    _at(north_org, FAR, 30, after=False)
    _at(north_org, FAR, 30, after=True)
    gathering = Category.objects.get(
        collaboration=north_org.collaboration, code="gathering"
    )
    iv = _place_based(make_iv, categories=[gathering])
    actions.evaluate_intervention(iv, alice, now=NOW)
    make_iv(title="Not evaluated")
    res = followup.annual_analysis(north_org.collaboration, 2026)
    assert res["n_evaluated"] == 1
    assert res["interventions"][0]["evidence"] == "strong"
    assert res["by_kind"] == [
        {"key": "situational", "n": 1, "worked": 1, "strong": 1, "weak": 0,
         "none": 0, "displaced": 0, "prevented": 32.0,
         "name": "Situational / physical", "suggestion": "keep",
         "suggestion_text": res["by_kind"][0]["suggestion_text"]},
    ]  # fmt: skip
    assert [c["key"] for c in res["by_category"]] == ["gathering"]
    assert followup.annual_analysis(north_org.collaboration, 2025)["n_evaluated"] == 0
    c = Client()
    c.force_login(alice)
    assert "Keep" in c.get("/interventions/annual/?year=2026").content.decode()
    assert Report.objects.count() == 108
    assert Intervention.objects.count() == 2
