"""Routing on submit: which rule wins, property edges, every entry path."""

from __future__ import annotations

import pytest
from django.test import Client

from samsyn.integrations.actions import create_open311_key
from samsyn.organisations.models import AuditEvent
from samsyn.reports.models import Report
from samsyn.routing.models import Assignment, RoutingRule
from samsyn.routing.tests.conftest import (
    IN_HOLE,
    OFF_ESTATE,
    ON_EDGE,
    ON_ESTATE,
    category,
    make_property,
)
from samsyn.tests.support import INSIDE_EAST, api_client

pytestmark = pytest.mark.django_db


def post_api(user, lonlat, code="unsafe_lighting"):
    lon, lat = lonlat
    r = api_client(user).post(
        "/api/v1/reports",
        {"category": code, "lat": lat, "lon": lon},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    return Report.objects.get(code=r.json()["id"])


def test_the_most_specific_rule_wins(bob, rules, north_org, north_housing, east_area):
    on_estate = post_api(bob, ON_ESTATE)
    assert on_estate.status == Report.Status.ASSIGNED
    assert on_estate.owner == north_housing
    assert on_estate.assignment.rule == rules["estates"]
    # Lighting off the estate: the category rule, with its own promise.
    street = post_api(bob, OFF_ESTATE)
    assert street.owner == north_org
    assert street.assignment.rule == rules["lighting"]
    assert street.assignment.promised_days == 7
    # Glass off the estate: the collaboration's default.
    glass = post_api(bob, OFF_ESTATE, "vandalism_glass")
    assert glass.assignment.rule == rules["default"]
    assert (glass.assignment.due_at - glass.created).days == 30


def test_an_area_rule_beats_a_category_rule(
    bob, north, rules, north_police, west_area, east_area
):
    area_rule = RoutingRule.objects.create(
        collaboration=north,
        where=RoutingRule.Where.AREA,
        area=east_area,
        owner=north_police,
        promised_days=3,
    )
    east = post_api(bob, INSIDE_EAST)
    assert east.owner == north_police
    assert east.assignment.rule == area_rule
    # A category rule in the same area beats the area's all-categories rule.
    own = RoutingRule.objects.create(
        collaboration=north,
        where=RoutingRule.Where.AREA,
        area=east_area,
        category=category(north, "unsafe_lighting"),
        owner=rules["lighting"].owner,
    )
    assert post_api(bob, INSIDE_EAST).assignment.rule == own


def test_a_property_covers_its_boundary_but_not_its_holes(
    bob, rules, north_org, north_housing
):
    assert post_api(bob, ON_EDGE).owner == north_housing
    assert post_api(bob, IN_HOLE).owner == north_org


def test_a_multipolygon_is_one_property(bob, north, north_housing, north_org, rules):
    make_property(
        north_housing,
        {
            "type": "MultiPolygon",
            "coordinates": [
                [[[15.215, 59.265], [15.22, 59.265], [15.22, 59.27], [15.215, 59.265]]],
                [
                    [
                        [15.225, 59.272],
                        [15.228, 59.272],
                        [15.228, 59.275],
                        [15.225, 59.275],
                        [15.225, 59.272],
                    ]
                ],
            ],
        },  # fmt: skip
    )
    assert post_api(bob, (15.226, 59.273)).owner == north_housing
    assert post_api(bob, (15.2195, 59.2655)).owner == north_housing
    assert post_api(bob, (15.222, 59.279)).owner == north_org


def test_a_report_with_no_rule_stays_with_the_coordinators(bob, north_org):
    report = post_api(bob, OFF_ESTATE)
    assert report.status == Report.Status.REPORTED
    assert not Assignment.objects.exists()


def test_events_are_not_routed(bob, rules):
    r = api_client(bob).post(
        "/api/v1/reports",
        {"category": "gathering", "lat": ON_ESTATE[1], "lon": ON_ESTATE[0]},
        content_type="application/json",
    )
    assert Report.objects.get(code=r.json()["id"]).status == ""
    assert not Assignment.objects.exists()


def test_the_audit_names_the_rule_and_the_owner_is_told(
    bob, rules, housing_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = post_api(bob, ON_ESTATE)
    event = AuditEvent.objects.get(action="report.submitted")
    assert event.target_code == str(report.code)
    assert event.data["routing"]["rule"] == str(rules["estates"].code)
    assert event.data["routing"]["owner"] == "north-housing"
    assert housing_staff.notifications.filter(kind="report_assigned").count() == 1


def test_the_web_form_routes(client, bob, rules, north_housing):
    client.force_login(bob)
    r = client.post(
        "/reports/new/",
        {
            "category": "unsafe_lighting",
            "lat": str(ON_ESTATE[1]),
            "lon": str(ON_ESTATE[0]),
            "idempotency_key": "8e0c4b6e-3d7e-4a43-9a57-0f3d9f1b0c11",
        },
    )
    assert r.status_code == 302
    assert Report.objects.get().owner == north_housing


def test_open311_routes_and_answers_the_agency(north_org, north_housing, rules):
    _row, key = create_open311_key(north_org, label="city system")
    client = Client()
    r = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "jurisdiction_id": "north",
            "service_code": "unsafe_lighting",
            "lat": ON_ESTATE[1],
            "long": ON_ESTATE[0],
        },
    )
    assert r.status_code == 200, r.content
    new_id = r.json()[0]["service_request_id"]
    assert Report.objects.get(code=new_id).owner == north_housing
    item = client.get(f"/open311/v2/requests/{new_id}.json", {"api_key": key}).json()[0]
    assert item["agency_responsible"] == "North housing"
    assert item["status_notes"]
    assert item["expected_datetime"]


def test_a_rule_change_never_reassigns(bob, rules, north_org, north_police):
    report = post_api(bob, OFF_ESTATE)
    assert report.owner == north_org
    rules["lighting"].owner = north_police
    rules["lighting"].save()
    report.refresh_from_db()
    assert report.owner == north_org
    assert post_api(bob, OFF_ESTATE).owner == north_police
