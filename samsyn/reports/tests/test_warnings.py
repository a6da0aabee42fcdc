"""A report outside every area and a likely duplicate are asked about before they are
kept (the web form) or reported back (the API); issue 12, parts 8 and 9."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages

from samsyn.reports.models import Report
from samsyn.tests.support import api_client, make_report

STOCKHOLM = {"lat": "59.3293", "lon": "18.0686"}
WEST = {"lat": "59.27", "lon": "15.20"}


@pytest.fixture
def bob_client(client, bob, west_area):
    client.force_login(bob)
    return client


def test_a_report_outside_every_area_asks_before_it_is_sent(bob_client):
    data = {"category": "fire", **STOCKHOLM, "idempotency_key": str(uuid.uuid4())}
    response = bob_client.post("/reports/new/", data)
    assert response.status_code == 200
    assert not Report.objects.exists()
    body = response.content.decode()
    assert 'data-warning="outside_areas"' in body
    assert 'name="confirm" value="outside_areas"' in body
    # The form keeps what was entered and its key, so "Send anyway" sends it once.
    assert data["idempotency_key"] in body
    assert 'value="59.3293"' in body and 'value="18.0686"' in body

    sent = bob_client.post("/reports/new/", {**data, "confirm": "outside_areas"})
    assert sent.status_code == 302
    report = Report.objects.get()
    assert report.area is None
    messages = [str(m) for m in get_messages(sent.wsgi_request)]
    assert any("received" in m for m in messages)


def test_a_report_inside_an_area_is_sent_at_once(bob_client):
    response = bob_client.post("/reports/new/", {"category": "fire", **WEST})
    assert response.status_code == 302
    assert Report.objects.count() == 1


def test_without_areas_nothing_is_outside(client, bob):
    client.force_login(bob)
    response = client.post("/reports/new/", {"category": "fire", **STOCKHOLM})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("en", "You sent a similar report at 07:02 — send anyway?"),
        ("sv", "Du skickade en liknande rapport kl. 07:02 — skicka ändå?"),
    ],
)
def test_a_likely_duplicate_asks_with_the_local_time_of_the_earlier_one(
    bob_client, bob, north_org, settings, lang, question
):
    settings.LANGUAGE_CODE = lang
    sent_at = datetime.fromisoformat("2026-11-18T07:02:00+01:00")
    make_report(
        north_org,
        category="gathering",
        lonlat=(15.2000, 59.2700),
        reporter=bob,
        occurred_at=sent_at,
        created=sent_at,
    )
    with time_machine.travel(sent_at + timedelta(minutes=4), tick=False):
        data = {
            "category": "gathering",
            "lat": "59.2702",  # 22 m north
            "lon": "15.2000",
            "occurred_at": "2026-11-18T07:05",
        }
        response = bob_client.post("/reports/new/", data, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200
        assert question in response.content.decode()
        assert Report.objects.count() == 1
        sent = bob_client.post("/reports/new/", {**data, "confirm": "likely_duplicate"})
        assert sent.status_code == 302
        assert Report.objects.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"category": "littering"},  # another category
        {"lat": "59.2706"},  # 67 m away
        {"occurred_at": "2026-11-18T07:15"},  # 13 minutes later
    ],
)
def test_not_a_duplicate(bob_client, bob, north_org, change):
    sent_at = datetime.fromisoformat("2026-11-18T07:02:00+01:00")
    make_report(
        north_org,
        category="gathering",
        lonlat=(15.2000, 59.2700),
        reporter=bob,
        occurred_at=sent_at,
        created=sent_at,
    )
    with time_machine.travel(sent_at + timedelta(minutes=20), tick=False):
        data = {
            "category": "gathering",
            "lat": "59.2700",
            "lon": "15.2000",
            "occurred_at": "2026-11-18T07:05",
            **change,
        }
        assert bob_client.post("/reports/new/", data).status_code == 302
    assert Report.objects.count() == 2


def test_another_reporters_report_is_not_a_duplicate(bob_client, alice, north_org):
    make_report(north_org, category="gathering", lonlat=(15.20, 59.27), reporter=alice)
    response = bob_client.post(
        "/reports/new/", {"category": "gathering", **WEST, "occurred_at": ""}
    )
    assert response.status_code == 302


def test_the_api_keeps_the_report_and_names_the_warnings(bob, west_area, north_org):
    client = api_client(bob, **{"Idempotency-Key": "k-1"})
    first = client.post(
        "/api/v1/reports",
        {"category": "fire", "lat": 59.3293, "lon": 18.0686},
        content_type="application/json",
    )
    assert first.status_code == 201
    assert [w["code"] for w in first.json()["warnings"]] == ["outside_areas"]
    # A retry with the same key is not its own duplicate.
    again = client.post(
        "/api/v1/reports",
        {"category": "fire", "lat": 59.3293, "lon": 18.0686},
        content_type="application/json",
    )
    assert again.status_code == 200
    assert [w["code"] for w in again.json()["warnings"]] == ["outside_areas"]
    # A new key for the same thing: kept, with the earlier report named.
    other = api_client(bob, **{"Idempotency-Key": "k-2"}).post(
        "/api/v1/reports",
        {"category": "fire", "lat": 59.3293, "lon": 18.0686},
        content_type="application/json",
    )
    assert other.status_code == 201
    warnings = {w["code"]: w for w in other.json()["warnings"]}
    assert set(warnings) == {"outside_areas", "likely_duplicate"}
    assert warnings["likely_duplicate"]["report"] == first.json()["id"]
    assert Report.objects.count() == 2


def test_the_api_warns_about_nothing_for_an_ordinary_report(bob, west_area):
    response = api_client(bob).post(
        "/api/v1/reports",
        {"category": "fire", "lat": 59.27, "lon": 15.20},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == []


def test_coordinators_can_list_the_reports_outside_every_area(
    client, alice, north_org, west_area
):
    inside = make_report(north_org, lonlat=(15.20, 59.27))
    outside = make_report(north_org, lonlat=(18.0686, 59.3293))
    assert inside.area is not None and outside.area is None
    client.force_login(alice)
    page = client.get("/reports/?since=2026-01-01&area=outside")
    assert [r.pk for r in page.context["page"].object_list] == [outside.pk]
    assert 'value="outside"' in page.content.decode()
    api = api_client(alice).get("/api/v1/reports?area=outside")
    assert [f["id"] for f in api.json()["features"]] == [str(outside.code)]
