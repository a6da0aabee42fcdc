"""Plans from the database: generation, publishing, visit reports, rights, scoping."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.areas.models import Place
from samsyn.lib.geo import to_sweref
from samsyn.meetings.actions import add_decision
from samsyn.meetings.models import Forum, Meeting
from samsyn.organisations.access import Access
from samsyn.organisations.models import AuditEvent, Membership, Organisation
from samsyn.patrols import risk
from samsyn.patrols.actions import (
    generate_patrol_plan,
    publish_patrol_plan,
    report_visit,
)
from samsyn.patrols.models import PatrolPlan, PatrolSettings, VisitReport
from samsyn.reports.models import Category, Report
from samsyn.tests.support import INSIDE_EAST, INSIDE_WEST, make_report, member

TZ = timezone.get_default_timezone()
SCHOOL = (15.205, 59.272)  # ~360 m from the square, in the west area


def _place(collab, name, lonlat, area):
    x, y = to_sweref(*lonlat)
    return Place.objects.create(
        collaboration=collab,
        name=name,
        lon=lonlat[0],
        lat=lonlat[1],
        x=x,
        y=y,
        area=area,
    )


def _this_week() -> tuple[int, int, date]:
    today = timezone.localdate()
    iso = today.isocalendar()
    return iso[0], iso[1], today


@pytest.fixture
def guard_org(north):
    return Organisation.objects.create(
        collaboration=north, slug="north-guards", name="North guards", kind="guard"
    )


@pytest.fixture
def gus(guard_org):
    return member(guard_org, Membership.Role.REPORTER, "gus")


@pytest.fixture
def world(north_org, west_area, east_area, alice):
    """Evening reports at the square on today's weekday; morning ones in the park."""
    north = north_org.collaboration
    square = _place(north, "Stortorget", INSIDE_WEST, west_area)
    park = _place(north, "Parken", INSIDE_EAST, east_area)
    _place(north, "Skolgården", SCHOOL, west_area)
    _, _, today = _this_week()
    monday = today - timedelta(days=today.weekday())
    for k in range(1, 11):
        day = monday - timedelta(weeks=k) + timedelta(days=today.weekday())
        evening = datetime(day.year, day.month, day.day, 20, 20, tzinfo=TZ)
        make_report(north_org, lonlat=INSIDE_WEST, occurred_at=evening)
        make_report(north_org, lonlat=SCHOOL, occurred_at=evening - timedelta(hours=2))
        make_report(
            north_org, lonlat=INSIDE_EAST, occurred_at=evening - timedelta(hours=12)
        )
    return {"square": square, "park": park, "collab": north}


def _generate(world, alice, **kw):
    y, w, _ = _this_week()
    return generate_patrol_plan(world["collab"], y, w, by=alice, **kw)


def test_it_plans_evening_visits_at_the_evening_place(world, alice):
    plan = _generate(world, alice)
    visits = list(plan.visits.all())
    assert visits, "the square has evening risk inside the shifts"
    # The park's risk is at 08, outside the shifts.
    assert {v.label for v in visits} == {"Stortorget", "Skolgården"}
    for v in visits:
        local = v.starts_at.astimezone(TZ)
        assert 17 <= local.hour <= 21
        assert 15 <= local.hour and v.ends_at.astimezone(TZ).hour <= 23
        assert "history" in v.reason and v.components["history"] > 0
    assert plan.ranking[0]["location"] == "Stortorget"
    assert AuditEvent.objects.filter(action="patrol_plan.generated").count() == 1


def test_it_respects_shifts_and_teams_and_is_deterministic(world, alice):
    north = world["collab"]
    PatrolSettings.objects.create(
        collaboration=north, teams=1, shifts={"0": ["16:00", "18:00"]}, visit_minutes=20
    )
    make_report(
        north.organisations.first(),
        lonlat=INSIDE_WEST,
        occurred_at=timezone.now() - timedelta(days=14),
    )
    plan = _generate(world, alice)
    for v in plan.visits.all():
        local = v.starts_at.astimezone(TZ)
        assert local.weekday() == 0 and 16 <= local.hour < 18
        assert v.team == 1 and (v.ends_at - v.starts_at) == timedelta(minutes=20)
    again = _generate(world, alice)
    key = ["team", "label", "starts_at", "ends_at"]
    assert list(plan.visits.values_list(*key)) == list(again.visits.values_list(*key))


def test_it_raises_a_place_named_in_an_open_decision(world, alice, north_org):
    north = world["collab"]
    base = _generate(world, alice).ranking[0]
    assert base["decision"] == 0
    forum = Forum.objects.create(collaboration=north, name="EST", kind="weekly")
    meeting = Meeting.objects.create(
        collaboration=north, forum=forum, starts_at=timezone.now()
    )
    add_decision(
        meeting, by=alice, text="Guards to Stortorget evenings", owner=north_org
    )
    boosted = _generate(world, alice).ranking[0]
    assert boosted["location"] == "Stortorget" and boosted["decision"] > 0


def test_it_shows_drafts_to_planners_and_published_plans_to_readers(
    world, alice, bob, carl, gus
):
    plan = _generate(world, alice)
    url = f"/patrols/plans/{plan.code}/"
    api = f"/api/v1/patrols/plans/{plan.code}"
    clients = {}
    for name, user in {"alice": alice, "bob": bob, "carl": carl, "gus": gus}.items():
        clients[name] = Client()
        clients[name].force_login(user)
    assert clients["alice"].get(url).status_code == 200
    assert clients["bob"].get(url).status_code == 404  # draft
    assert clients["gus"].get(url).status_code == 404
    assert clients["bob"].post(f"{url}publish/").status_code == 404
    assert clients["alice"].post(f"{url}publish/").status_code == 302
    plan.refresh_from_db()
    assert plan.is_published
    assert AuditEvent.objects.filter(action="patrol_plan.published").count() == 1
    for name in ("alice", "bob", "gus"):
        assert clients[name].get(url).status_code == 200
        assert clients[name].get(api).status_code == 200
    assert clients["carl"].get(url).status_code == 404
    assert clients["carl"].get(api).status_code == 404
    body = clients["bob"].get(api).json()
    assert (
        body["week"] == plan.week_label and len(body["visits"]) == plan.visits.count()
    )
    assert clients["bob"].get("/patrols/today/").status_code == 404
    assert clients["gus"].get("/patrols/settings/").status_code == 404
    assert clients["alice"].get("/patrols/settings/").status_code == 200


def test_it_lets_guards_report_a_visit_and_only_dialogue_becomes_a_report(
    world, alice, gus, guard_org
):
    plan = publish_patrol_plan(_generate(world, alice), by=alice)
    first, second = plan.visits.order_by("starts_at")[:2]
    client = Client()
    client.force_login(gus)
    page = client.get("/patrols/today/")
    assert page.status_code == 200 and "Stortorget" in page.content.decode()
    before = Report.objects.count()
    r = client.post(f"/patrols/visits/{first.code}/", {"outcome": "presence"})
    assert r.status_code == 302
    assert Report.objects.count() == before
    r = client.post(
        f"/patrols/visits/{second.code}/",
        {
            "outcome": "dialogue",
            "category": "gathering",
            "people_count": 5,
            "note": "Talked",
        },
    )
    assert r.status_code == 302
    report = Report.objects.get(idempotency_key=str(second.code))
    assert report.source == "patrol" and report.organisation == guard_org
    assert report.people_count == 5 and report.category.code == "gathering"
    assert second.visit_report.report == report
    # A retry (double tap) changes nothing.
    client.post(
        f"/patrols/visits/{second.code}/",
        {"outcome": "action", "category": "gathering"},
    )
    assert Report.objects.count() == before + 1
    assert VisitReport.objects.count() == 2
    assert VisitReport.objects.get(visit=second).outcome == "dialogue"


def test_it_is_idempotent_in_the_action_too(world, alice, gus, guard_org):
    plan = publish_patrol_plan(_generate(world, alice), by=alice)
    visit = plan.visits.first()
    access = Access.for_user(gus, world["collab"])
    cat = Category.objects.get(collaboration=world["collab"], code="gathering")
    kw = {"by": gus, "organisation": guard_org, "outcome": "action", "category": cat}
    first = report_visit(access, visit, **kw)
    again = report_visit(access, visit, **kw)
    assert first.created and not again.created
    assert again.visit_report.pk == first.visit_report.pk
    assert Report.objects.filter(source="patrol").count() == 1


def test_it_requires_a_category_for_dialogue_and_refuses_personal_data(
    world, alice, gus
):
    plan = publish_patrol_plan(_generate(world, alice), by=alice)
    visit = plan.visits.first()
    client = Client()
    client.force_login(gus)
    r = client.post(f"/patrols/visits/{visit.code}/", {"outcome": "dialogue"})
    assert r.status_code == 422
    r = client.post(
        f"/patrols/visits/{visit.code}/",
        {"outcome": "nothing", "note": "Ring 070-123 45 67"},
    )
    assert r.status_code == 422 and "personal data" in r.content.decode()
    assert not VisitReport.objects.exists()


def test_it_keeps_non_guards_from_reporting_visits(world, alice, bob):
    plan = publish_patrol_plan(_generate(world, alice), by=alice)
    visit = plan.visits.first()
    for user in (alice, bob):
        client = Client()
        client.force_login(user)
        assert (
            client.post(
                f"/patrols/visits/{visit.code}/", {"outcome": "presence"}
            ).status_code
            == 404
        )
    assert not VisitReport.objects.exists()


def test_it_saves_settings_with_shifts_per_weekday(world, alice):
    client = Client()
    client.force_login(alice)
    data = {
        "teams": 3, "visit_minutes": 25, "speed_kmh": 15, "history_weeks": 8,
        "max_visits_per_place": 2, "hotspot_cells": 5,
        "start_4": "18:00", "end_4": "23:30", "start_5": "18:00", "end_5": "23:59",
    }  # fmt: skip
    assert client.post("/patrols/settings/", data).status_code == 302
    s = PatrolSettings.objects.get(collaboration=world["collab"])
    assert s.teams == 3 and s.shifts == {
        "4": ["18:00", "23:30"],
        "5": ["18:00", "23:59"],
    }
    assert s.shift_for(0) is None
    assert AuditEvent.objects.filter(action="patrol_settings.saved").exists()
    bad = dict(data, start_4="22:00", end_4="18:00")
    assert client.post("/patrols/settings/", bad).status_code == 200


def test_it_scopes_plans_to_their_collaboration(world, alice, carl):
    plan = publish_patrol_plan(_generate(world, alice), by=alice)
    south = carl.memberships.first().organisation.collaboration
    assert not PatrolPlan.objects.visible_to(Access.for_user(carl, south)).filter(
        pk=plan.pk
    )
    client = Client()
    client.force_login(carl)
    assert str(plan.code) not in client.get("/patrols/").content.decode()
    assert client.get(f"/patrols/visits/{plan.visits.first().code}/").status_code == 404


def test_it_keeps_travel_time_between_visits_in_a_plan(world, alice):
    plan = _generate(world, alice)
    visits = list(plan.visits.order_by("team", "starts_at"))
    for a, b in zip(visits, visits[1:], strict=False):
        if a.team == b.team and a.starts_at.date() == b.starts_at.date():
            la = risk.Location("a", "a", a.x, a.y)
            lb = risk.Location("b", "b", b.x, b.y)
            gap = risk.travel_minutes(la, lb, 20.0)
            assert a.ends_at + timedelta(minutes=gap) <= b.starts_at
