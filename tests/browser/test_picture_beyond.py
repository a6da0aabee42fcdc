"""Browser: the situation picture beyond the reporters, and residents on the map.

A coordinator generates last week's picture in a world with check-ins, a survey and
accepted residents' reports and sees coverage (an area not covered), perceived safety
(a divergence flag) and residents' counts in their own block (combined only on
request). On a phone, the map's residents' layer shows its markers only when on.
Produces docs/screenshots/picture-beyond.png and map-residents-phone.png.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from samsyn.analysis.engine import local_midnight
from samsyn.areas.models import Area
from samsyn.coverage.models import CheckIn, Coverage
from samsyn.lib.weeks import period_for
from samsyn.organisations.models import Membership
from samsyn.residents.models import ResidentReport, ResidentSettings
from samsyn.residents.tests.helpers import make_resident_report
from samsyn.surveys.models import SurveyResult
from samsyn.tests.support import (
    INSIDE_EAST,
    OrganisationFactory,
    make_area,
    make_report,
)

from .conftest import DESKTOP, PHONE, screenshot
from .world import kommun, orebro, signed_in, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

SQUARE_SOUTH = {
    "type": "Polygon",
    "coordinates": [
        [[15.19, 59.24], [15.23, 59.24], [15.23, 59.26], [15.19, 59.26], [15.19, 59.24]]
    ],
}
INSIDE_SOUTH = [(15.200, 59.250), (15.212, 59.252), (15.221, 59.247)]


@pytest.fixture
def world(transactional_db: Any) -> dict[str, Any]:
    collab = orebro()
    municipality = kommun(collab)
    guards = OrganisationFactory(
        collaboration=collab, slug="vakterna", name="Trygghetsvakterna", kind="guard"
    )
    west, east = west_and_east(collab)
    south = make_area(collab, ref="S", name="Söder", geometry=SQUARE_SOUTH)
    Area.objects.filter(collaboration=collab).update(population=1000)
    coordinator = user(municipality, Membership.Role.COORDINATOR, "kalle")
    week = period_for("week", timezone.localdate() - timedelta(days=7))
    iy, iw, _ = week.start.isocalendar()
    for area in (west, east, south):
        Coverage.objects.create(
            collaboration=collab, organisation=municipality, area=area
        )
    Coverage.objects.create(collaboration=collab, organisation=guards, area=east)
    CheckIn.objects.create(
        collaboration=collab,
        organisation=municipality,
        area=west,
        iso_year=iy,
        iso_week=iw,
        status=CheckIn.Status.NOTHING_TO_REPORT,
        by=coordinator,
    )
    start = local_midnight(week.start)
    for back in range(5):
        for h in (10, 30, 50):
            make_report(
                municipality,
                lonlat=INSIDE_EAST,
                occurred_at=start - timedelta(weeks=back) + timedelta(hours=h),
            )
    year = (week.end - timedelta(days=1)).year
    for area, before, now in ((west, 1.1, 1.2), (east, 2.0, 2.2), (south, 1.4, 4.6)):
        for y, value in ((year - 1, before), (year, now)):
            SurveyResult.objects.create(
                collaboration=collab,
                area=area,
                year=y,
                source="Polisens trygghetsmätning",
                indicator="problemindex",
                value=value,
            )
    ResidentSettings.objects.create(collaboration=collab, enabled=True)
    for i, lonlat in enumerate(INSIDE_SOUTH):
        make_resident_report(
            municipality,
            category="unsafe_lighting",
            lonlat=lonlat,
            status=ResidentReport.Status.ACCEPTED,
            occurred_at=start + timedelta(days=1, hours=3 * i),
        )
    make_resident_report(municipality, lonlat=INSIDE_EAST)  # pending: never shown
    return {"week": week}


def test_the_picture_shows_coverage_perceived_safety_and_residents(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    context, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    page.goto("/pictures/")
    with page.expect_navigation():
        page.click("form[data-picture-form] button[type=submit]")
    # The details are folded under the summary: open the ones read here.
    for fold in ("#coverage", "#perceived", "#residents", "#area-status"):
        page.click(f"{fold} > summary")

    coverage = page.locator("#coverage")
    assert "Söder" in coverage.locator(".pic-not-covered").inner_text()
    assert coverage.locator("[data-not-covered]").inner_text() == "1"
    # Expected in Öster, did not check in (row headers are upper-cased by the CSS).
    assert "trygghetsvakterna" in coverage.inner_text().lower()

    flagged = page.locator("#perceived tbody.pic-diverges")
    assert flagged.count() == 1
    assert flagged.get_attribute("data-area") == "S"
    text = flagged.inner_text().replace(",", ".")  # Swedish decimal commas
    assert "4.6" in text and "1.4" in text
    assert page.locator("#perceived .pic-divergence-rule").is_visible()

    residents = page.locator("#residents")
    assert (
        residents.locator("[data-residents-total]").get_attribute(
            "data-residents-total"
        )
        == "3"
    )
    area_table = residents.locator("[data-residents-table=area]")
    assert area_table.locator("thead th").count() == 2  # apart: no reporters' column
    assert "Söder" in area_table.inner_text()
    # The reporters' figures are unchanged by the residents' reports.
    south_row = page.locator("#area-status tr:has(td:text-is('Söder'))")
    assert south_row.locator("td.num").inner_text() == "0"
    screenshot(page, "picture-beyond.png")

    with page.expect_navigation():
        residents.locator("[data-residents-together]").click()
    area_table = page.locator("#residents [data-residents-table=area]")
    assert area_table.locator("thead th").count() == 4
    south = area_table.locator("tr:has(td:text-is('Söder')) td.num")
    assert south.all_inner_texts() == ["3", "0", "3"]
    context.close()


def test_the_maps_residents_layer_shows_only_when_on(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    context, page = signed_in(browser, PHONE, live_server.url, "kalle")
    page.goto("/reports/")
    page.wait_for_selector(".leaflet-container")
    markers = page.locator("path.resident-marker")
    expect(
        page.locator(".leaflet-marker-icon, path.leaflet-interactive")
    ).not_to_have_count(0)
    assert page.locator("path.resident-marker").count() == 0
    assert page.locator("#resident-list").count() == 0
    assert page.locator("[data-residents-legend]").is_hidden()

    page.check("#id_residents")
    page.wait_for_selector("#resident-list")
    expect(markers).to_have_count(3)
    assert page.locator("[data-residents-legend]").is_visible()
    assert page.locator("#resident-list [data-resident-report]").count() == 3
    assert (
        page.locator("#resident-list [data-residents-total]").get_attribute(
            "data-residents-total"
        )
        == "3"
    )
    # Bring every layer into view for the picture (the map keeps the user's view). The
    # map first finishes its own loading (areas, every page of reports, the residents):
    # a late load can fit the view to itself and cull markers outside it, so the fit is
    # repeated until every resident marker is drawn at full size.
    page.wait_for_function(
        "() => { const m = document.querySelector('[data-report-map]').samsynMap;"
        " return m.samsynAreasLoaded && m.samsynReportsLoaded && m.samsynResidentsLoaded"
        " && !m._animatingZoom; }"
    )
    fit_all = (
        "() => { const m = document.querySelector('[data-report-map]').samsynMap;"
        " m.invalidateSize({animate: false});"
        " m.fitBounds(m.samsynResidents.getLayers().map(l => l.getLatLng())"
        ".concat([[59.27, 15.22]]), {padding: [20, 20], animate: false}); }"
    )
    widths: list[float] = []
    for _ in range(40):
        page.evaluate(fit_all)
        page.wait_for_timeout(250)
        widths = page.evaluate(
            "() => [...document.querySelectorAll('path.resident-marker')]"
            ".map(p => p.getBoundingClientRect().width)"
        )
        if len(widths) == 3 and all(w > 4 for w in widths):
            break
    assert len(widths) == 3 and all(w > 4 for w in widths), widths
    page.locator("[data-report-map]").scroll_into_view_if_needed()
    map_box = page.locator("[data-report-map]").bounding_box()
    for box in (m.bounding_box() for m in page.locator("path.resident-marker").all()):
        assert box and box["width"] > 4, box
        assert map_box["y"] <= box["y"] <= map_box["y"] + map_box["height"]
    screenshot(page, "map-residents-phone.png")

    page.uncheck("#id_residents")
    page.wait_for_selector("#resident-list", state="detached")
    expect(markers).to_have_count(0)
    context.close()
