"""Open311 GeoReport v2, checked with the third-party `georeport` client."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from django.test import Client
from georeport import GeoReport

from samsyn.integrations.actions import create_open311_key
from samsyn.reports.models import Report
from samsyn.tests.support import make_report


@pytest.fixture
def key(north_org):
    _row, raw = create_open311_key(north_org, label="city system")
    return raw


@pytest.mark.django_db(transaction=True)
def test_it_serves_the_georeport_client(
    live_server, settings, north_org, north_police, south_org, key
):
    settings.SAMSYN_OPEN311_PUBLIC = True
    public = make_report(
        north_org, category="unsafe_lighting", owner=north_org, description="Lamp out"
    )
    hidden = make_report(north_police, category="unsafe_lighting", restricted=True)
    make_report(north_org, category="gathering")  # not a physical-environment report
    root = f"{live_server.url}/open311/v2"

    anonymous = GeoReport(root, jurisdiction="north")
    services = anonymous.get_service_list()
    codes = {s["service_code"] for s in services}
    assert "unsafe_lighting" in codes and "gathering" not in codes
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)

    listed = anonymous.get_service_requests()
    assert [r["service_request_id"] for r in listed] == [str(public.code)]
    assert str(hidden.code) not in str(listed)
    one = anonymous.get_service_request(str(public.code))
    assert one["status"] == "open"
    assert one["agency_responsible"] == "North kommun"
    assert one["description"] is None  # only for key holders
    assert one["lat"] == pytest.approx(public.lat)

    # Posting: the client has no POST, so plain form-encoded requests as clients send.
    posted = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": key,
            "jurisdiction_id": "north",
            "service_code": "unsafe_lighting",
            "lat": "59.27",
            "long": "15.20",
            "description": "Street lamp broken",
            "email": "someone@example.se",
        },
        timeout=10,
    )
    assert posted.status_code == 200, posted.text
    new_id = posted.json()[0]["service_request_id"]
    report = Report.objects.get(code=new_id)
    assert report.organisation == north_org
    assert report.source == Report.Source.API
    assert report.status == Report.Status.REPORTED
    assert "example.se" not in report.description

    keyed = GeoReport(root, jurisdiction="north", api_key=key)
    keyed_item = requests.get(
        f"{root}/requests/{new_id}.json", params={"api_key": key}, timeout=10
    ).json()[0]
    assert keyed_item["description"] == "Street lamp broken"
    closed = keyed.get_service_requests(status="closed")
    assert closed == []

    xml_client = GeoReport(root, jurisdiction="north", output_format="xml")
    xml_services = xml_client.get_service_list()
    assert any(s["service_code"] == "unsafe_lighting" for s in xml_services)


def test_it_answers_errors_as_open311_arrays(north_org, south_org, key):
    client = Client()
    # Two collaborations: the jurisdiction is needed.
    r = client.get("/open311/v2/services.json")
    assert r.status_code == 400
    assert r.json()[0]["code"] == 400
    r = client.get("/open311/v2/services.json?jurisdiction_id=nowhere")
    assert r.status_code == 404
    post = {"jurisdiction_id": "north", "service_code": "unsafe_lighting"}
    r = client.post("/open311/v2/requests.json", {**post, "lat": 59.27, "long": 15.2})
    assert r.status_code == 403
    r = client.post("/open311/v2/requests.json", {**post, "api_key": "wrong"})
    assert r.status_code == 403
    r = client.post(
        "/open311/v2/requests.json",
        {
            **post,
            "api_key": key,
            "service_code": "gathering",
            "lat": 59.27,
            "long": 15.2,
        },
    )
    assert r.status_code == 404
    r = client.post(
        "/open311/v2/requests.xml",
        {**post, "api_key": key, "lat": 40.7, "long": -74.0},
    )
    assert r.status_code == 400
    root = ET.fromstring(r.content)  # noqa: S314 - our own output
    assert root.tag == "errors"
    assert root.find("error/code").text == "400"
    r = client.post(
        "/open311/v2/requests.json",
        {
            **post,
            "api_key": key,
            "lat": 59.27,
            "long": 15.2,
            "description": "Call 070-123 45 67",
        },
    )
    assert r.status_code == 400
    assert "phone" in r.json()[0]["description"]
    # A key of north cannot post in south.
    r = client.post(
        "/open311/v2/requests.json",
        {
            **post,
            "jurisdiction_id": "south",
            "api_key": key,
            "lat": 59.27,
            "long": 15.2,
        },
    )
    assert r.status_code == 403
    r = client.get(
        f"/open311/v2/requests/00000000-0000-0000-0000-000000000000.xml?jurisdiction_id=north&api_key={key}"
    )
    assert r.status_code == 404
    assert Report.objects.count() == 0


def test_it_keeps_requests_private_without_a_key(north_org, south_org, key):
    make_report(north_org, category="unsafe_lighting")
    client = Client()
    r = client.get("/open311/v2/requests.json?jurisdiction_id=north")
    assert r.status_code == 403
    r = client.get(f"/open311/v2/requests.json?jurisdiction_id=north&api_key={key}")
    assert r.status_code == 200 and len(r.json()) == 1
    assert (
        client.get("/open311/v2/services.json?jurisdiction_id=north").status_code == 200
    )


def test_it_filters_requests_by_status_code_and_date(settings, north_org, south_org):
    settings.SAMSYN_OPEN311_PUBLIC = True
    a = make_report(north_org, category="unsafe_lighting")
    b = make_report(
        north_org, category="vandalism_graffiti", status=Report.Status.FIXED
    )
    client = Client()
    base = "/open311/v2/requests.json?jurisdiction_id=north"
    ids = lambda r: {x["service_request_id"] for x in r.json()}  # noqa: E731
    assert ids(client.get(base)) == {str(a.code), str(b.code)}
    assert ids(client.get(base + "&status=closed")) == {str(b.code)}
    assert ids(client.get(base + "&status=open")) == {str(a.code)}
    assert ids(client.get(base + "&service_code=vandalism_graffiti")) == {str(b.code)}
    assert ids(client.get(base + "&end_date=2000-01-01T00:00:00Z")) == set()
    assert client.get(base + "&start_date=yesterday").status_code == 400
    xml = client.get(base.replace(".json", ".xml"))
    assert ET.fromstring(xml.content).tag == "service_requests"  # noqa: S314
