"""On a phone (390x844): one header row, a menu that fits the screen, a reporter's own
short menu, the position confirmed in words, and the residents' "Använd min position".

Screenshots: docs/screenshots/phone-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest

from samsyn.organisations.models import Membership
from samsyn.residents.models import ResidentSettings

from .conftest import PHONE, new_context, screenshot
from .world import housing, kommun, orebro, signed_in, stortorget, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

WIDTH, HEIGHT = PHONE["viewport"]["width"], PHONE["viewport"]["height"]
STORTORGET = {"latitude": 59.27, "longitude": 15.2}


@pytest.fixture
def cast(transactional_db: Any) -> dict[str, Any]:
    collab = orebro()
    west, _east = west_and_east(collab)
    stortorget(collab, west)
    user(housing(collab), Membership.Role.REPORTER, "rut")
    user(kommun(collab), Membership.Role.COORDINATOR, "kalle")
    page = ResidentSettings.objects.create(
        collaboration=collab, enabled=True, min_seconds=1
    )
    page.categories.set(collab.categories.filter(code__in=["littering"]))
    return {"collab": collab}


def _menu(page: Any) -> tuple[dict[str, float], list[str]]:
    page.click(".nav-more summary")
    panel = page.locator(".nav-more ul")
    panel.wait_for(state="visible")
    items = [t.strip() for t in panel.locator("li:visible").all_inner_texts()]
    return panel.bounding_box(), items


def _assert_fits(box: dict[str, float]) -> None:
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert box["y"] + box["height"] <= HEIGHT


def test_a_reporter_has_one_header_row_a_short_menu_and_a_named_position(
    browser, live_server, cast
):
    context, page = signed_in(browser, PHONE, live_server.url, "rut")
    context.grant_permissions(["geolocation"])
    context.set_geolocation(STORTORGET)
    page.goto("/reports/new/")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 72, header  # one row, not three
    box, items = _menu(page)
    _assert_fits(box)
    assert items[:3] == ["Mina rapporter", "Veckans incheckning", "Aviseringar"]
    assert not {"Lägesbilder", "Möten", "Insatser", "Väktarplanering"} & set(items)
    screenshot(page, "phone-reporter-menu.png", full_page=False)
    page.keyboard.press("Escape")

    page.click("label.category-tile:has(input[value=littering])")
    page.click("[data-locate]")
    text = page.locator("[data-position-text]")
    text.filter(has_text="Vid Stortorget").wait_for()
    assert text.inner_text() == "✓ Vid Stortorget (område Väster)"
    assert page.input_value("#id_lat") == "59.270000"
    text.scroll_into_view_if_needed()
    screenshot(page, "phone-reporter-position.png", full_page=False)
    context.close()


def test_a_coordinator_s_menu_fits_the_phone(browser, live_server, cast):
    context, page = signed_in(browser, PHONE, live_server.url, "kalle")
    page.goto("/")
    assert page.locator("header.topbar").bounding_box()["height"] <= 72
    box, items = _menu(page)
    _assert_fits(box)
    assert {"Karta och lista", "Lägesbilder", "Insatser"} <= set(items)
    screenshot(page, "phone-coordinator-menu.png", full_page=False)
    context.close()


def test_a_resident_uses_their_position(browser, live_server, cast):
    context = new_context(browser, PHONE, live_server.url)
    context.grant_permissions(["geolocation"])
    context.set_geolocation(STORTORGET)
    page = context.new_page()
    page.goto("/residents/orebro/report/")
    button = page.get_by_role("button", name="Använd min position")
    button.click()
    text = page.locator("[data-position-text]")
    text.filter(has_text="Vid Stortorget").wait_for()
    assert text.inner_text() == "✓ Vid Stortorget (område Väster)"
    assert page.input_value("#id_lon") == "15.200000"
    button.scroll_into_view_if_needed()
    screenshot(page, "phone-resident-position.png", full_page=False)
    context.close()
