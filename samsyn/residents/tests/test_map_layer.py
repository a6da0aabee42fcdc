"""Residents' reports on the members' map: a separate layer and list, only on request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from samsyn.residents.models import ResidentReport
from samsyn.residents.tests.helpers import make_resident_report
from samsyn.tests.support import INSIDE_EAST, make_report

pytestmark = pytest.mark.django_db
ACCEPTED = ResidentReport.Status.ACCEPTED


@pytest.fixture
def reports(north_org, west_area, east_area):  # type: ignore[no-untyped-def]
    west = make_resident_report(north_org, status=ACCEPTED)
    east = make_resident_report(
        north_org, status=ACCEPTED, lonlat=INSIDE_EAST, category="gathering"
    )
    make_resident_report(north_org)  # pending: never on the map
    old = make_resident_report(north_org, status=ACCEPTED, age=timedelta(days=60))
    make_report(north_org)
    return {"west": west, "east": east, "old": old}


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_api_filters_by_area(reports, west_area, bob):  # type: ignore[no-untyped-def]
    client = _client(bob)
    data = client.get(f"/api/v1/residents/reports?area={west_area.code}").json()
    ids = {f["id"] for f in data["features"]}
    assert ids == {str(reports["west"].code), str(reports["old"].code)}
    bad = client.get("/api/v1/residents/reports?area=nope")
    assert bad.status_code == 422


def test_the_map_lists_them_apart_only_on_request(reports, bob):  # type: ignore[no-untyped-def]
    client = _client(bob)
    plain = client.get("/reports/")
    assert 'id="resident-list"' not in plain.content.decode()
    assert plain.context["total"] == 1

    on = client.get("/reports/?residents=1")
    body = on.content.decode()
    assert on.context["total"] == 1  # the reporters' count is unchanged
    listed = on.context["residents"]
    # The map's default window (four weeks) applies; pending ones never show.
    assert {r.code for r in listed["items"]} == {
        reports["west"].code,
        reports["east"].code,
    }
    assert 'data-residents-total="2"' in body
    assert "since=" in listed["api_url"]
    assert reports["west"].reference in body
    assert "data-residents-toggle checked" in body


def test_the_residents_list_follows_the_category_filter(reports, bob):  # type: ignore[no-untyped-def]
    on = _client(bob).get(
        "/reports/?residents=1&category=gathering",
        headers={"HX-Request": "true", "HX-Target": "report-list"},
    )
    assert [r.code for r in on.context["residents"]["items"]] == [reports["east"].code]
    assert "category=gathering" in on.context["residents"]["api_url"]
    assert 'id="resident-list"' in on.content.decode()
