"""The weekly check-in: one tap per area, corrections appended, own areas only."""

from __future__ import annotations

import pytest
from django.test import Client

from samsyn.coverage.actions import CheckInRefused, check_in
from samsyn.coverage.models import CheckIn, Coverage
from samsyn.organisations.access import Access
from samsyn.organisations.models import AuditEvent
from samsyn.tests.support import make_area

WEEK = "2026-W10"


@pytest.fixture
def covered(north_org, west_area, east_area):  # type: ignore[no-untyped-def]
    for area in (west_area, east_area):
        Coverage.objects.create(
            collaboration=north_org.collaboration, organisation=north_org, area=area
        )
    return north_org


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def tap(client: Client, area: str, status: str = "nothing_to_report", **extra):  # type: ignore[no-untyped-def]
    data = {"org": "north-kommun", "area": area, "week": WEEK, "status": status}
    data.update(extra)
    return client.post("/coverage/checkin/", data)


def test_it_checks_in_an_area_with_one_tap(covered, bob):
    r = tap(client_for(bob), "W")
    assert r.status_code == 302
    assert r["Location"].endswith("#area-W")
    c = CheckIn.objects.get()
    assert (c.iso_year, c.iso_week, c.status, c.by) == (
        2026,
        10,
        "nothing_to_report",
        bob,
    )
    assert AuditEvent.objects.filter(action="checkin.recorded").count() == 1


def test_it_records_items_seen_with_categories(covered, bob):
    tap(
        client_for(bob),
        "E",
        "items_seen",
        categories=["gathering", "littering", "not-a-category"],
    )
    c = CheckIn.objects.get()
    assert c.status == "items_seen"
    assert c.categories == ["gathering", "littering"]


def test_it_asks_for_items_when_items_seen_has_none_ticked(covered, bob):
    r = tap(client_for(bob), "E", "items_seen")
    assert r.status_code == 302
    assert not CheckIn.objects.exists()


def test_it_keeps_corrections_as_history(covered, bob, alice):
    tap(client_for(bob), "W")
    tap(client_for(alice), "W", "items_seen", categories=["gathering"])
    rows = list(CheckIn.objects.order_by("id"))
    assert [(r.status, r.is_current) for r in rows] == [
        ("nothing_to_report", False),
        ("items_seen", True),
    ]
    assert CheckIn.objects.current().get().by == alice


def test_it_checks_in_ten_areas_with_ten_posts(covered, bob, north):
    for i in range(8):
        area = make_area(north, ref=f"X{i}", name=f"Area {i}")
        Coverage.objects.create(collaboration=north, organisation=covered, area=area)
    client = client_for(bob)
    page = client.get(f"/coverage/checkin/?week={WEEK}")
    assert page.status_code == 200
    assert page.content.decode().count('value="nothing_to_report"') == 10
    refs = ["W", "E"] + [f"X{i}" for i in range(8)]
    for ref in refs:
        assert tap(client, ref).status_code == 302
    assert CheckIn.objects.current().count() == 10
    page = client.get(f"/coverage/checkin/?week={WEEK}")
    assert page.context["done"] == 10


def test_it_refuses_another_organisations_member(covered, petra):
    # petra reports for the police, which does not own the kommun's check-ins.
    assert tap(client_for(petra), "W").status_code == 404
    assert not CheckIn.objects.exists()


def test_it_refuses_an_area_the_organisation_does_not_cover(north_org, west_area, bob):
    assert tap(client_for(bob), "W").status_code == 404


def test_it_refuses_a_user_of_another_collaboration(covered, carl):
    assert tap(client_for(carl), "W").status_code == 404
    assert (
        client_for(carl).get("/coverage/organisations/north-kommun/areas/").status_code
        == 404
    )


def test_the_action_refuses_roles_without_create_report(covered, west_area, anna):
    access = Access.for_user(anna, covered.collaboration)
    with pytest.raises(CheckInRefused):
        check_in(access, covered, west_area, 2026, 10, "nothing_to_report", by=anna)


def test_it_lets_a_coordinator_choose_an_organisations_areas(
    north_org, west_area, east_area, alice
):
    client = client_for(alice)
    r = client.post("/coverage/organisations/north-kommun/areas/", {"areas": ["W"]})
    assert r.status_code == 302
    assert list(Coverage.objects.active().values_list("area__ref", flat=True)) == ["W"]
    client.post("/coverage/organisations/north-kommun/areas/", {"areas": ["E"]})
    assert list(Coverage.objects.active().values_list("area__ref", flat=True)) == ["E"]
    assert Coverage.objects.count() == 2  # W kept, inactive
