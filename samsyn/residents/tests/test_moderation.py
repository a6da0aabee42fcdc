"""Moderation: accept, merge, reject with history; duplicate suggestions; counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samsyn.organisations.access import Access
from samsyn.organisations.models import AuditEvent
from samsyn.residents.actions import (
    NotPending,
    accept_resident_report,
    merge_resident_report,
    reject_resident_report,
)
from samsyn.residents.models import ResidentReport
from samsyn.residents.summary import duplicate_candidates, resident_counts
from samsyn.residents.tests.helpers import make_resident_report
from samsyn.tests.support import INSIDE_EAST, make_report

# About 100 m east of INSIDE_WEST (15.20, 59.27), and about 1.1 km east.
NEAR = (15.2017, 59.27)
FAR = (15.22, 59.27)


def statuses(report):
    return list(report.events.values_list("status", flat=True))


def test_it_accepts_a_report_through_the_queue(alice, north_org, west_area):
    report = make_resident_report(north_org)
    report.events.create(collaboration=report.collaboration, status="pending")
    client = Client()
    client.force_login(alice)
    assert str(report.code) in client.get("/residents/").content.decode()
    response = client.post(
        f"/residents/{report.code}/moderate/", {"decision": "accept"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted"
    assert statuses(report) == ["pending", "accepted"]
    assert report.events.last().by == alice
    assert AuditEvent.objects.filter(action="resident_report.accepted").exists()


def test_it_requires_a_reason_to_reject(alice, north_org, west_area):
    report = make_resident_report(north_org)
    client = Client()
    client.force_login(alice)
    client.post(f"/residents/{report.code}/moderate/", {"decision": "reject"})
    report.refresh_from_db()
    assert report.status == "pending"
    client.post(
        f"/residents/{report.code}/moderate/",
        {"decision": "reject", "reason": "Advertising"},
    )
    report.refresh_from_db()
    assert report.status == "rejected"
    assert report.events.get().reason == "Advertising"


def test_it_merges_with_a_suggested_report(alice, bob, north_org, west_area):
    report = make_resident_report(north_org)
    reporters = make_report(north_org, category="littering", reporter=bob, lonlat=NEAR)
    client = Client()
    client.force_login(alice)
    page = client.get("/residents/").content.decode()
    assert f"report:{reporters.code}" in page
    client.post(
        f"/residents/{report.code}/moderate/",
        {"decision": "merge", "into": f"report:{reporters.code}"},
    )
    report.refresh_from_db()
    assert report.status == "merged"
    assert report.merged_into_report == reporters
    assert report.events.get().merged_into == str(reporters.code)


def test_it_merges_with_an_accepted_residents_report(alice, north_org, west_area):
    first = make_resident_report(north_org, status="accepted")
    second = make_resident_report(north_org, lonlat=NEAR)
    merge_resident_report(second, first, by=alice)
    second.refresh_from_db()
    assert second.merged_into == first and second.status == "merged"


def test_it_moderates_only_once(alice, north_org, west_area):
    report = make_resident_report(north_org)
    accept_resident_report(report, by=alice)
    with pytest.raises(NotPending):
        reject_resident_report(report, by=alice, reason="late")
    assert statuses(report) == ["accepted"]


def test_it_hides_the_queue_from_everyone_but_coordinators(bob, anna, carl, north_org):
    report = make_resident_report(north_org)
    for user in (bob, anna, carl):
        client = Client()
        client.force_login(user)
        queue = client.get("/residents/")
        if user is carl:  # his own collaboration's queue, without north's report
            assert str(report.code) not in queue.content.decode()
        else:
            assert queue.status_code == 404
        url = f"/residents/{report.code}/moderate/"
        assert client.post(url, {"decision": "accept"}).status_code == 404
    report.refresh_from_db()
    assert report.status == "pending"


def test_it_suggests_nearby_recent_reports_of_the_same_category(
    alice, bob, north_org, west_area, east_area
):
    access = Access.for_user(alice, north_org.collaboration)
    report = make_resident_report(north_org)
    near_resident = make_resident_report(north_org, lonlat=NEAR, status="accepted")
    near_report = make_report(
        north_org, category="littering", reporter=bob, lonlat=NEAR
    )
    # Not suggested: far away, another category, too old, or not accepted.
    make_resident_report(north_org, lonlat=FAR, status="accepted")
    make_resident_report(north_org, category="unsafe_lighting", status="accepted")
    make_resident_report(north_org, status="accepted", age=timedelta(days=9))
    make_resident_report(north_org, lonlat=NEAR, status="pending")
    make_resident_report(north_org, lonlat=NEAR, status="rejected")
    make_report(north_org, category="littering", reporter=bob, lonlat=INSIDE_EAST)
    make_report(north_org, category="gathering", reporter=bob, lonlat=NEAR)
    make_report(
        north_org,
        category="littering",
        reporter=bob,
        lonlat=NEAR,
        occurred_at=timezone.now() - timedelta(days=10),
    )
    found = {c.code for c in duplicate_candidates(report, access)}
    assert found == {str(near_resident.code), str(near_report.code)}
    distances = [c.distance_m for c in duplicate_candidates(report, access)]
    assert all(90 <= d <= 110 for d in distances)


def test_it_counts_only_accepted_reports_per_area_and_category(
    alice, north_org, west_area, east_area
):
    for status in ("accepted", "accepted", "pending", "rejected", "merged"):
        make_resident_report(north_org, status=status)
    make_resident_report(north_org, status="accepted", lonlat=INSIDE_EAST)
    make_resident_report(north_org, status="accepted", category="unsafe_lighting")
    make_resident_report(north_org, status="accepted", age=timedelta(days=40))
    now = timezone.now()
    counts = resident_counts(north_org.collaboration, now - timedelta(days=7), now)
    assert counts["total"] == 4
    assert counts["by_area"] == {str(west_area.code): 3, str(east_area.code): 1}
    assert counts["by_category"] == {"littering": 3, "unsafe_lighting": 1}


def test_the_api_gives_members_accepted_reports_only(
    bob, carl, north_org, south_org, west_area
):
    accepted = make_resident_report(north_org, status="accepted")
    make_resident_report(north_org, status="pending")
    make_resident_report(south_org, status="accepted")
    client = Client()
    client.force_login(bob)
    data = client.get("/api/v1/residents/reports").json()
    assert [f["id"] for f in data["features"]] == [str(accepted.code)]
    assert data["features"][0]["properties"]["kind"] == "resident_report"
    client.force_login(carl)
    south = client.get("/api/v1/residents/reports").json()
    assert str(accepted.code) not in {f["id"] for f in south["features"]}
    assert Client().get("/api/v1/residents/reports").status_code == 401


def test_the_settings_page_shows_the_link_and_a_qr_code(alice, north, west_area):
    client = Client()
    client.force_login(alice)
    body = client.get(f"/residents/settings/?area={west_area.code}").content.decode()
    assert f"/residents/north/report/?area={west_area.code}" in body
    assert "<svg" in body and "qrline" in body
    response = client.post(
        "/residents/settings/",
        {
            "enabled": "on",
            "categories": [north.categories.get(code="littering").pk],
            "intro": "Hej",
            "min_seconds": 3,
        },
    )
    assert response.status_code == 302
    assert north.resident_settings.enabled
    assert ResidentReport.objects.count() == 0
