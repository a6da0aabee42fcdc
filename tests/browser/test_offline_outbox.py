"""Offline reporting: three reports sent without a connection wait in the outbox on
the phone, survive closing the page, and arrive exactly once when the connection
returns. Also produces docs/screenshots/offline-outbox.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import resolve
from playwright.sync_api import expect

from samsyn.organisations.models import Membership
from samsyn.reports.models import Report
from samsyn.tests.support import OrganisationFactory, make_area

from .conftest import PHONE, log_in, new_context, screenshot
from .world import PASSWORD, orebro, user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]


@pytest.fixture
def reporter(transactional_db: Any) -> Any:
    collab = orebro()
    housing = OrganisationFactory(
        collaboration=collab, slug="orebrobostader", name="Örebrobostäder"
    )
    make_area(collab, ref="W", name="Väster")
    rut = user(housing, Membership.Role.REPORTER, "rut")
    # Import the whole URL configuration (and the analysis stack behind it) now, not
    # inside the live server's first request, which a busy machine can make time out.
    resolve("/reports/new/")
    return rut


def fill_offline_report(page: Any, category: str, description: str) -> None:
    page.click(f"label.category-tile:has(input[value={category}])")
    for details in ("details.coords", "details.details-step"):
        if page.get_attribute(details, "open") is None:
            page.click(f"{details} summary")
    page.fill("#id_lat", "59.27")
    page.fill("#id_lon", "15.20")
    page.fill("#id_description", description)
    page.click("[data-report-form] .submit-bar button[type=submit]")


def test_it_keeps_three_offline_reports_and_sends_each_exactly_once(
    browser: Any, live_server: Any, reporter: Any
) -> None:
    phone = new_context(browser, PHONE, live_server.url)
    phone.set_default_timeout(30_000)
    page = phone.new_page()
    log_in(page, "rut", PASSWORD)
    assert page.url.endswith("/reports/new/")
    # The service worker is installed and controls the page (it caches the shell).
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    phone.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    for category, text in [
        ("gathering", "Ungdomar vid busshållplatsen"),
        ("littering", "Skräp runt papperskorgen"),
        ("vandalism_graffiti", "Klotter på elskåpet"),
    ]:
        fill_offline_report(page, category, text)
        expect(page.locator("#id_description")).to_have_value("")
    expect(page.locator("[data-outbox-count]")).to_have_text(re.compile(r"^3 "))
    assert page.locator("[data-outbox-list] li").count() == 3
    assert Report.objects.count() == 0
    screenshot(page, "offline-outbox.png", full_page=False)
    page.close()

    # Reopened, still offline: the service worker serves the page, the outbox is there.
    page = phone.new_page()
    page.goto("/reports/new/")
    expect(page.locator("[data-outbox-count]")).to_have_text(re.compile(r"^3 "))
    assert Report.objects.count() == 0

    phone.set_offline(False)
    expect(page.locator("[data-outbox]")).to_be_hidden()
    assert Report.objects.count() == 3
    assert sorted(Report.objects.values_list("description", flat=True)) == [
        "Klotter på elskåpet",
        "Skräp runt papperskorgen",
        "Ungdomar vid busshållplatsen",
    ]
    assert Report.objects.filter(reporter=reporter, source="api").count() == 3

    page.reload()
    page.wait_for_timeout(500)
    assert page.locator("[data-outbox]").is_hidden()
    assert Report.objects.count() == 3
    phone.close()
