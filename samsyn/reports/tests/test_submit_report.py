"""The phone-first web form at /reports/new/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from pyproj import Transformer

from samsyn.areas.models import Place
from samsyn.organisations.models import AuditEvent, Membership
from samsyn.reports.models import Category, Report, ReportStatusChange
from samsyn.tests.support import INSIDE_EAST, member


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


def test_it_shows_a_tile_per_category(bob_client):
    response = bob_client.get("/reports/new/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="category-tile') == 20
    assert 'name="idempotency_key"' in body


def test_it_saves_a_report_with_both_coordinate_systems(bob_client, bob, east_area):
    lon, lat = 15.2213, 59.2741
    response = bob_client.post(
        "/reports/new/",
        {"category": "gathering", "lat": lat, "lon": lon, "people_count": "7"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/reports/new/"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1 and "received" in messages[0]
    report = Report.objects.get()
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(
        lon, lat
    )
    assert abs(report.x - x) < 0.01 and abs(report.y - y) < 0.01
    assert 500_000 < report.x < 520_000 and 6_560_000 < report.y < 6_580_000
    assert (report.lon, report.lat) == (lon, lat)
    assert report.area == east_area
    assert report.reporter == bob
    assert report.organisation.slug == "north-kommun"
    assert report.people_count == 7
    assert report.status == ""  # not a physical-environment category
    assert AuditEvent.objects.filter(action="report.submitted").count() == 1


def test_it_leaves_the_area_empty_outside_every_area(bob_client, west_area):
    data = {"category": "fire", "lat": 59.0, "lon": 15.0}
    # Asked first (test_warnings.py), then sent when the reporter confirms.
    assert bob_client.post("/reports/new/", data).status_code == 200
    bob_client.post("/reports/new/", {**data, "confirm": "outside_areas"})
    assert Report.objects.get().area is None


def test_it_refuses_personal_data_and_says_what_it_found(bob_client):
    response = bob_client.post(
        "/reports/new/",
        {
            "category": "gathering",
            "lat": "59.27",
            "lon": "15.20",
            "description": "Killen, tel 070-123 45 67, mejl kalle@example.se",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "070-123 45 67" in body
    assert "kalle@example.se" in body
    assert "phone number" in body and "e-mail address" in body
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"lat": "", "lon": ""}, "lat"),
        ({"lat": "48.85", "lon": "2.35"}, "lat"),
        ({"category": "nope"}, "category"),
        ({"severity": "9"}, "severity"),
        ({"people_count": "-1"}, "people_count"),
        ({"occurred_at": "2100-01-01T10:00"}, "occurred_at"),
    ],
)
def test_it_shows_errors_and_saves_nothing(bob_client, data, field):
    values = {"category": "gathering", "lat": "59.27", "lon": "15.20", **data}
    response = bob_client.post("/reports/new/", values)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert Report.objects.count() == 0


def test_it_accepts_an_earlier_time(bob_client):
    earlier = timezone.localtime() - timedelta(days=2)
    bob_client.post(
        "/reports/new/",
        {
            "category": "fire",
            "lat": "59.27",
            "lon": "15.20",
            "occurred_at": earlier.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    report = Report.objects.get()
    assert abs(report.occurred_at - earlier) < timedelta(minutes=1)


def test_it_uses_a_named_places_position(bob_client, north, east_area):
    place = Place.objects.create(
        collaboration=north,
        area=east_area,
        name="Torget",
        place_type="semi_public",
        lon=INSIDE_EAST[0],
        lat=INSIDE_EAST[1],
        x=0,
        y=0,
    )
    response = bob_client.post(
        "/reports/new/", {"category": "gathering", "place": str(place.code)}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.lon, report.lat) == INSIDE_EAST
    assert report.place == place
    assert report.place_type == "semi_public"
    assert report.area == east_area


def test_it_tracks_a_physical_environment_report(bob_client, bob, north, north_housing):
    Category.objects.filter(collaboration=north, code="unsafe_lighting").update(
        default_owner=north_housing
    )
    bob_client.post(
        "/reports/new/", {"category": "unsafe_lighting", "lat": "59.27", "lon": "15.2"}
    )
    report = Report.objects.get()
    assert report.status == Report.Status.REPORTED
    assert report.owner == north_housing
    history = list(ReportStatusChange.objects.filter(report=report))
    assert [(h.status, h.owner, h.changed_by) for h in history] == [
        ("reported", north_housing, bob)
    ]


def test_it_drops_the_count_for_categories_that_do_not_count_people(bob_client):
    bob_client.post(
        "/reports/new/",
        {"category": "fire", "lat": "59.27", "lon": "15.2", "people_count": "4"},
    )
    assert Report.objects.get().people_count is None


def test_it_keeps_the_restricted_flag(client, petra):
    client.force_login(petra)
    client.post(
        "/reports/new/",
        {"category": "drugs", "lat": "59.27", "lon": "15.2", "restricted": "on"},
    )
    report = Report.objects.get()
    assert report.restricted and report.organisation.slug == "north-police"


def test_it_reports_for_the_chosen_organisation(client, bob, north_police):
    Membership.objects.create(user=bob, organisation=north_police, role="reporter")
    client.force_login(bob)
    client.post(
        "/reports/new/",
        {
            "category": "fire",
            "lat": "59.27",
            "lon": "15.2",
            "organisation": "north-police",
        },
    )
    assert Report.objects.get().organisation == north_police


def test_it_refuses_an_organisation_you_do_not_report_for(client, bob, north_police):
    member(north_police, "steering", "police-chief")
    Membership.objects.create(user=bob, organisation=north_police, role="steering")
    client.force_login(bob)
    response = client.post(
        "/reports/new/",
        {
            "category": "fire",
            "lat": "59.27",
            "lon": "15.2",
            "organisation": "north-police",
        },
    )
    assert response.status_code == 422
    assert Report.objects.count() == 0


def test_it_shows_the_form_in_swedish_by_default(client, bob, settings):
    settings.LANGUAGE_CODE = "sv"
    client.force_login(bob)
    body = client.get("/reports/new/", headers={"Accept-Language": "sv"}).content
    assert "Brand eller anlagd brand" in body.decode()
