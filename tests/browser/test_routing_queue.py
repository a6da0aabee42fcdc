"""Browser: a housing company's staff member marks a lamp fixed from a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from samsyn.organisations.models import Membership
from samsyn.reports.models import Report
from samsyn.routing.models import Property, ReporterNotice, RoutingRule
from samsyn.tests.support import (
    CollaborationFactory,
    OrganisationFactory,
    api_client,
    make_area,
    member,
)

from .conftest import PHONE, log_in, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]
PASSWORD = "trygg-i-orebro-2025"  # noqa: S105 - test-only
ESTATE = {
    "type": "Polygon",
    "coordinates": [
        [[15.195, 59.265], [15.205, 59.265], [15.205, 59.275], [15.195, 59.275],
         [15.195, 59.265]]
    ],
}  # fmt: skip


@pytest.fixture
def flow(transactional_db: Any, time_machine: Any) -> dict[str, Any]:
    collab = CollaborationFactory(slug="orebro", name="EST Örebro")
    kommun = OrganisationFactory(
        collaboration=collab, slug="kommun", name="Örebro kommun"
    )
    housing = OrganisationFactory(
        collaboration=collab, slug="bostader", name="Örebrobostäder", kind="housing"
    )
    make_area(collab, ref="V", name="Vivalla")
    Property.objects.create(
        collaboration=collab,
        owner=housing,
        name="Vivalla gård 3",
        geometry=ESTATE,
        min_lon=15.195,
        min_lat=59.265,
        max_lon=15.205,
        max_lat=59.275,
    )
    RoutingRule.objects.create(
        collaboration=collab,
        where=RoutingRule.Where.PROPERTY,
        property_owner=housing,
        owner=housing,
        promised_days=5,
    )
    reporter = member(kommun, Membership.Role.REPORTER, "rut")
    staff = member(housing, Membership.Role.ORG_LEAD, "hanna")
    staff.set_password(PASSWORD)
    staff.save()
    api = api_client(reporter)

    def post(code: str, lon: float, lat: float, text: str) -> Report:
        r = api.post(
            "/api/v1/reports",
            {"category": code, "lat": lat, "lon": lon, "description": text},
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
        return Report.objects.get(code=r.json()["id"])

    start = timezone.now()
    time_machine.move_to(start - timedelta(days=8))
    lamp = post("unsafe_lighting", 15.197, 59.267, "Lampan vid port 12 är trasig")
    time_machine.move_to(start - timedelta(days=1))
    post("vandalism_glass", 15.203, 59.273, "Krossat glas vid lekplatsen")
    post("unsafe_vegetation", 15.199, 59.272, "Buskar skymmer gångvägen")
    time_machine.move_to(start)
    return {"lamp": lamp, "reporter": reporter}


def test_the_owner_marks_a_report_fixed_on_a_phone(browser, live_server, flow):
    context = new_context(browser, PHONE, live_server.url)
    page = context.new_page()
    log_in(page, "hanna", PASSWORD)
    page.goto("/routing/queue/")
    items = page.locator(".rt-item")
    assert items.count() == 3
    # Oldest first, and the lamp's five days are long gone.
    assert "rt-item-overdue" in (items.first.get_attribute("class") or "")
    page.wait_for_function(
        "document.querySelector('[data-queue-map]').samsynMap !== undefined"
    )
    screenshot(page, "routing-queue-phone.png")

    with page.expect_navigation():
        items.first.locator("a").click()
    page.locator("input[name=status][value=fixed]").check()
    page.fill("textarea[name=note]", "Ny armatur monterad")
    screenshot(page, "routing-item-phone.png")
    with page.expect_navigation():
        page.click("button[name=action][value=done]")
    assert page.locator(".rt-item").count() == 2
    screenshot(page, "routing-queue-phone-after.png")

    lamp = Report.objects.get(pk=flow["lamp"].pk)
    assert lamp.status == Report.Status.FIXED
    notice = ReporterNotice.objects.get(report=lamp)
    assert notice.user == flow["reporter"]
    assert notice.note == "Ny armatur monterad"
    context.close()
