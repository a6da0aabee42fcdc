"""Browser: a resident reports from a QR link on a phone; a walk's phone page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from samsyn.organisations.models import Membership
from samsyn.residents.models import ResidentReport, ResidentSettings
from samsyn.tests.support import (
    SQUARE_EAST,
    CollaborationFactory,
    OrganisationFactory,
    make_area,
    member,
)
from samsyn.walks.models import Walk

from .conftest import PHONE, log_in, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]
PASSWORD = "trygg-i-orebro-2025"  # noqa: S105 - test-only


@pytest.fixture
def collab(transactional_db: Any) -> Any:
    collab = CollaborationFactory(slug="orebro", name="EST Örebro")
    make_area(collab, ref="W", name="Vivalla")
    make_area(collab, ref="E", name="Varberga", geometry=SQUARE_EAST)
    page = ResidentSettings.objects.create(
        collaboration=collab, enabled=True, min_seconds=1
    )
    page.categories.set(
        collab.categories.filter(
            code__in=[
                "littering",
                "unsafe_lighting",
                "unsafe_vegetation",
                "vandalism_graffiti",
                "vandalism_glass",
                "gathering",
            ]
        )
    )
    return collab


def test_a_resident_reports_from_a_qr_link(browser, live_server, collab):
    area = collab.areas.get(ref="W")
    context = new_context(browser, PHONE, live_server.url)
    page = context.new_page()
    page.goto(f"/residents/orebro/report/?area={area.code}")
    page.click("label.category-tile:has(input[value=unsafe_lighting])")
    # The map in the middle of the screen, as a person scrolls to it: the sticky
    # send bar covers the bottom of a phone's screen.
    page.locator("[data-picker-map]").evaluate(
        "e => e.scrollIntoView({block: 'center'})"
    )
    box = page.locator("[data-picker-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] / 2)
    assert page.input_value("#id_lat")
    page.fill("#id_text", "The lamp by the footpath has been out for a week")
    page.wait_for_timeout(1100)  # the page refuses sends faster than min_seconds
    screenshot(page, "residents-phone.png")
    with page.expect_navigation():
        page.click("form.report-form button[type=submit]")
    page.wait_for_selector("[data-resident-thanks]")
    report = ResidentReport.objects.get()
    assert page.text_content("[data-reference]") == report.reference
    assert report.category.code == "unsafe_lighting"
    assert report.area == area
    screenshot(page, "residents-phone-thanks.png")
    context.close()


def test_a_walk_observation_page_on_a_phone(browser, live_server, collab):
    org = OrganisationFactory(collaboration=collab, slug="kommun", name="Kommunen")
    user = member(org, Membership.Role.REPORTER, "walker")
    user.set_password(PASSWORD)
    user.save()
    walk = Walk.objects.create(
        collaboration=collab,
        title="Trygghetsvandring Vivalla",
        date=date(2026, 5, 4),
        route={
            "type": "LineString",
            "coordinates": [[15.195, 59.265], [15.2, 59.27], [15.208, 59.274]],
        },
    )
    context = new_context(browser, PHONE, live_server.url)
    page = context.new_page()
    log_in(page, "walker", PASSWORD)
    page.goto(f"/walks/{walk.code}/observe/")
    box = page.locator("[data-observe-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    vegetation = collab.categories.get(code="unsafe_vegetation").pk
    page.click(f"label.category-tile:has(input[value='{vegetation}'])")
    page.fill("#id_note", "Tall bushes hide the path")
    page.fill("#id_suggested_action", "Cut back the bushes")
    screenshot(page, "walks-phone.png")
    with page.expect_navigation():
        page.click("form.report-form button[type=submit]")
    assert walk.observations.count() == 1
    context.close()
