"""Issue 12, parts 7–9: Back after "Thank you!" makes no second report, a position outside
every area is asked about, and the map shows every report and fits the areas.

Also produces screenshots in docs/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone

from samsyn.reports.models import Report
from samsyn.tests.support import make_report

from .conftest import DESKTOP, PHONE, screenshot
from .test_accessibility import run_axe, with_axe
from .test_report_flow import cast, fill_report, wait_for_quiet_map  # noqa: F401
from .world import signed_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("offline_map", "warm_server"),
]

STOCKHOLM = (18.0686, 59.3293)  # lon, lat: far outside Örebro's areas


@pytest.fixture
def warm_server(live_server: Any) -> None:
    """The live server's first answer carries a one-off start-up cost (static files
    found, templates compiled) that on a busy machine can exceed the browser's
    10-second navigation limit; pay it here, without a time limit that matters."""
    requests.get(live_server.url + "/accounts/login/", timeout=120)


def test_back_after_thank_you_does_not_send_a_second_report(
    browser: Any,
    live_server: Any,
    cast: dict[str, Any],  # noqa: F811
) -> None:
    phone, page = signed_in(browser, PHONE, live_server.url, "rut")
    fill_report(page, "Sex unga vid busshållplatsen.")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.locator(".message-success").is_visible()
    assert Report.objects.filter(reporter=cast["reporter"]).count() == 1

    page.go_back()
    page.wait_for_selector("[data-report-form]")
    # Whatever the browser did (kept the page whole, or loaded a fresh form), sending
    # what is on the screen again does not make a second report silently.
    with page.expect_navigation():
        page.click("[data-report-form] .submit-bar button[type=submit]")
    assert Report.objects.filter(reporter=cast["reporter"]).count() == 1
    assert (
        page.locator(".message-info").count()  # the same key: "already received"
        + page.locator("[data-error-summary]").count()  # an empty, fresh form
    ) >= 1
    phone.close()


def test_a_position_outside_every_area_is_asked_about(
    browser: Any,
    live_server: Any,
    cast: dict[str, Any],  # noqa: F811
) -> None:
    phone, page = signed_in(browser, PHONE, live_server.url, "rut")
    with_axe(phone)
    page.goto("/reports/new/")
    page.click("label.category-tile:has(input[value=gathering])")
    page.click("details.coords summary")
    page.fill("#id_lat", str(STOCKHOLM[1]))
    page.fill("#id_lon", str(STOCKHOLM[0]))
    with page.expect_navigation():
        page.click("[data-report-form] .submit-bar button[type=submit]")
    warning = page.locator("[data-report-warnings]")
    assert warning.is_visible()
    assert not Report.objects.filter(reporter=cast["reporter"]).exists()
    assert page.is_checked("input[value=gathering]")
    assert run_axe(page) == []
    screenshot(page, "report-outside-phone.png", full_page=False)
    with page.expect_navigation():
        page.click("[data-report-warnings] button[name=confirm]")
    assert page.locator(".message-success").is_visible()
    report = Report.objects.get(reporter=cast["reporter"])
    assert report.area is None
    phone.close()

    desktop, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    page.goto("/reports/new/")
    page.click("label.category-tile:has(input[value=gathering])")
    page.click("details.coords summary")
    page.fill("#id_lat", str(STOCKHOLM[1]))
    page.fill("#id_lon", str(STOCKHOLM[0]))
    with page.expect_navigation():
        page.click("[data-report-form] .submit-bar button[type=submit]")
    assert page.locator("[data-report-warnings]").is_visible()
    screenshot(page, "report-outside-desktop.png", full_page=False)
    desktop.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_map_counts_every_report_and_fits_the_areas(
    browser: Any,
    live_server: Any,
    cast: dict[str, Any],  # noqa: F811
    settings: Any,
    device: str,
) -> None:
    settings.SAMSYN_MAP_MAX_POINTS = 4
    settings.SAMSYN_MAP_CELL_M = 250
    org = cast["coordinator"].memberships.first().organisation
    make_report(org, lonlat=STOCKHOLM, occurred_at=timezone.now() - timedelta(hours=2))
    total = Report.objects.count()
    assert total > 4
    context, page = signed_in(
        browser, DESKTOP if device == "desktop" else PHONE, live_server.url, "kalle"
    )
    with_axe(context)
    page.goto("/reports/")
    page.wait_for_function(
        "() => { const m = document.querySelector('[data-report-map]').samsynMap;"
        " return m && m.samsynAreasLoaded && m.samsynReportsLoaded; }"
    )
    wait_for_quiet_map(page, "[data-report-map]")
    drawn = page.evaluate(
        "() => document.querySelector('[data-report-map]').samsynMap.samsynDrawnCount"
    )
    listed = int(page.get_attribute("[data-total]", "data-total"))
    assert drawn == listed == total
    assert page.locator("[data-map-note]").is_visible()
    assert page.locator(".map-cell-count").count() >= 1
    assert run_axe(page) == []
    # The view is the areas (Väster and Öster), not stretched to Stockholm.
    view = page.evaluate(
        "() => { const b = document.querySelector('[data-report-map]').samsynMap"
        ".getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"
    )
    west, south, east, north = view
    assert west <= 15.19 and east >= 15.23 and south <= 59.26 and north >= 59.28
    assert east < 16.0, view  # Stockholm (18.07) is far outside the view
    page.locator("[data-report-map]").scroll_into_view_if_needed()
    screenshot(page, f"map-counts-{device}.png", full_page=False)
    context.close()
