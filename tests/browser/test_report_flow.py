"""A reporter sends a report from a phone; the coordinator sees it on the desktop map.

Also produces the screenshots in docs/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from samsyn.organisations.models import Membership
from samsyn.reports.models import Report
from samsyn.tests.support import OrganisationFactory, make_report

from .conftest import DESKTOP, PHONE, screenshot
from .world import kommun, orebro, signed_in, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

# Luhn-valid personnummer (8112189876: check digit 6), a real-looking one on purpose.
PERSONNUMMER = "19811218-9876"

# Where a few earlier reports are, so the coordinator's map is not empty (lon, lat).
EARLIER = [
    ("gathering", (15.195, 59.275)),
    ("gathering", (15.196, 59.274)),
    ("littering", (15.205, 59.265)),
    ("vandalism_graffiti", (15.202, 59.268)),
    ("drugs", (15.215, 59.272)),
    ("vandalism_glass", (15.225, 59.262)),
    ("fire", (15.222, 59.277)),
    ("littering", (15.228, 59.269)),
]


@pytest.fixture
def cast(transactional_db: Any) -> dict[str, Any]:
    collab = orebro()
    municipality = kommun(collab)
    housing = OrganisationFactory(
        collaboration=collab,
        slug="orebrobostader",
        name="Örebrobostäder",
        kind="housing",
    )
    west, east = west_and_east(collab)
    reporter = user(housing, Membership.Role.REPORTER, "rut")
    coordinator = user(municipality, Membership.Role.COORDINATOR, "kalle")
    now = timezone.now()
    for i, (category, lonlat) in enumerate(EARLIER):
        make_report(
            municipality,
            category=category,
            lonlat=lonlat,
            occurred_at=now - timedelta(days=i + 1, hours=3 * i),
        )
    return {
        "collab": collab,
        "west": west,
        "east": east,
        "reporter": reporter,
        "coordinator": coordinator,
    }


def wait_for_quiet_map(page: Any, selector: str) -> None:
    """The map has drawn its areas and no zoom or cluster animation is running."""
    settled = f"""() => {{
      const el = document.querySelector('{selector}');
      const map = el && el.samsynMap;
      return map && map.samsynAreasLoaded && !map._animatingZoom
        && !el.querySelector('.leaflet-cluster-anim, .leaflet-zoom-anim');
    }}"""
    for _ in range(2):
        page.wait_for_function(settled)
        # An animation starts a frame or two later (and clusters animate after it).
        page.wait_for_timeout(350)
    page.wait_for_function(settled)


def fill_report(page: Any, description: str) -> None:
    page.click("label.category-tile:has(input[value=gathering])")
    wait_for_quiet_map(page, "[data-picker-map]")
    # Tap the middle of Väster (15.20, 59.27) wherever the map shows it.
    point = page.evaluate(
        """() => document.querySelector('[data-picker-map]').samsynMap
          .latLngToContainerPoint([59.27, 15.20])"""
    )
    page.click("[data-picker-map]", position={"x": point["x"], "y": point["y"]})
    page.wait_for_function("document.querySelector('#id_lat').value !== ''")
    page.click(".details-step summary")
    page.fill("#id_people_count", "6")
    page.fill("#id_description", description)


def test_it_shows_a_report_from_a_phone_on_the_coordinators_map(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    phone, page = signed_in(browser, PHONE, live_server.url, "rut")
    assert page.url.endswith("/reports/new/")

    fill_report(page, "Sex unga vid busshållplatsen, högljudda, kastade flaskor.")
    assert page.is_checked("input[value=gathering]")
    screenshot(page, "report-phone.png")

    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.url.endswith("/reports/new/")
    assert page.locator(".message-success").is_visible()
    screenshot(page, "report-phone-sent.png", full_page=False)
    phone.close()

    report = Report.objects.select_related("category", "area").get(
        reporter=cast["reporter"]
    )
    assert report.category.code == "gathering"
    assert report.area == cast["west"]
    assert report.people_count == 6
    west = cast["west"]
    assert west.min_lon <= report.lon <= west.max_lon
    assert west.min_lat <= report.lat <= west.max_lat

    desktop, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    page.goto("/reports/")
    row = page.locator(f"#report-list a[href='/reports/{report.code}/']")
    assert row.count() == 1
    # Circle markers (SVG paths) or cluster icons for every report, new one included.
    page.wait_for_function(
        """() => document.querySelectorAll(
          '[data-report-map] path.leaflet-interactive, '
          + '[data-report-map] .marker-cluster').length > 0"""
    )
    wait_for_quiet_map(page, "[data-report-map]")
    screenshot(page, "map-desktop.png", full_page=False)
    desktop.close()


def test_it_tells_the_reporter_about_a_personnummer_and_keeps_the_form(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    phone, page = signed_in(browser, PHONE, live_server.url, "rut")
    text = f"Mannen sa att han hette {PERSONNUMMER} och bodde i trapphuset."
    fill_report(page, text)
    lat = page.input_value("#id_lat")

    with page.expect_navigation():
        page.click("button[type=submit].primary")
    error = page.locator(".field-error", has_text=PERSONNUMMER)
    assert error.is_visible()
    assert page.locator("[data-error-summary]").is_visible()
    # Nothing is lost: the reporter only has to remove the number.
    assert page.is_checked("input[value=gathering]")
    assert page.input_value("#id_description") == text
    assert page.input_value("#id_people_count") == "6"
    assert page.input_value("#id_lat") == lat
    assert not Report.objects.filter(reporter=cast["reporter"]).exists()
    screenshot(page, "report-error-phone.png")
    phone.close()
