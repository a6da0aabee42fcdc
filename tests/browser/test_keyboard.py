"""Keyboard only: no mouse, no taps. The skip link comes first, a reporter sends a report
from a phone with Tab, Space, arrows and Enter, the "More" menu opens and is walked
with the keyboard, focus is always visible, and the map's list is one Enter away. A
coordinator opens and approves a situation picture and records a meeting decision, and
a resident reports on the residents' page, with keys only: keyboard.press and, in the
focused field, keyboard.type."""

from __future__ import annotations

from typing import Any

import pytest

from samsyn.organisations.models import Membership
from samsyn.pictures.models import SituationPicture
from samsyn.reports.models import Report
from samsyn.residents.models import ResidentReport
from samsyn.tests.support import make_report

from .conftest import DESKTOP, PHONE, new_context
from .test_meeting_page import meeting  # noqa: F401 - a fixture
from .test_picture_flow import cast as picture_cast  # noqa: F401 - a fixture
from .test_report_checks import warm_server  # noqa: F401 - a fixture
from .test_resident_report import collab as resident_page  # noqa: F401 - a fixture
from .world import PASSWORD, housing, kommun, orebro, stortorget, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

MAX_TABS = 80

# What the focused element looks like: an outline or a box-shadow on it, or on the
# label that draws a visually hidden control (the category tiles).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const shown = (e) => {
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
    const shadow = s.boxShadow && s.boxShadow !== "none";
    return outline || shadow;
  };
  // Chromium's date and time fields end with a calendar button inside the field:
  // while it has the focus the field no longer matches :focus, and the browser
  // rings the button itself.
  const picker = /^(date|datetime-local|time|month|week)$/.test(el.type || "")
    && !el.matches(":focus");
  const label = el.closest("label");
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    cls: String(el.className && el.className.baseVal !== undefined ? el.className.baseVal : el.className),
    name: el.getAttribute("name") || "",
    value: el.value === undefined ? "" : String(el.value),
    href: el.getAttribute("href") || "",
    text: (el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 40),
    visible: picker || shown(el) || Boolean(label && shown(label)),
    onscreen: r.width > 0 && r.height > 0,
  };
}"""


@pytest.fixture
def cast(transactional_db: Any) -> dict[str, Any]:
    collab = orebro()
    municipality = kommun(collab)
    bostader = housing(collab)
    west, _ = west_and_east(collab)
    stortorget(collab, west)
    users = {
        "rut": user(bostader, Membership.Role.REPORTER, "rut"),
        "kalle": user(municipality, Membership.Role.COORDINATOR, "kalle"),
    }
    for i in range(3):
        make_report(
            municipality, category="gathering", lonlat=(15.195 + i / 500, 59.275)
        )
    return {"collab": collab, "west": west, **users}


def focus(page: Any) -> dict[str, Any]:
    return page.evaluate(FOCUS_STATE)


class Walker:
    """Tabs through a page, checking that every stop shows where the focus is."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.unseen: list[str] = []

    def press(self, key: str) -> dict[str, Any]:
        self.page.keyboard.press(key)
        state = focus(self.page)
        if state and not state["visible"]:
            self.unseen.append(f"{self.page.url}: {state}")
        return state

    def tab_to(self, selector: str, *, back: bool = False) -> dict[str, Any]:
        key = "Shift+Tab" if back else "Tab"
        for _ in range(MAX_TABS):
            state = self.press(key)
            if self.page.evaluate(
                "(s) => document.activeElement && document.activeElement.matches(s)",
                selector,
            ):
                return state
        raise AssertionError(f"{selector} was never reached with {key}")


def keyboard_log_in(page: Any, walker: Walker, username: str) -> None:
    page.goto("/accounts/login/")
    walker.tab_to("#id_username")
    page.keyboard.type(username)
    walker.tab_to("#id_password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard_signed_in(
    browser: Any, device: dict[str, Any], base_url: str, username: str
) -> tuple[Any, Any, Walker]:
    """A new browser context with `username` signed in by keyboard: (context, page,
    walker)."""
    context = new_context(browser, device, base_url)
    page = context.new_page()
    walker = Walker(page)
    keyboard_log_in(page, walker, username)
    return context, page, walker


def keyboard_open_report_form(page: Any, walker: Walker) -> None:
    """From the reporter's start page to the form, by following the "Report" link."""
    if not page.url.endswith("/reports/new/"):
        walker.tab_to("a[href='/reports/new/']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.url.endswith("/reports/new/")


def test_the_first_tab_stop_skips_to_the_content(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    context = new_context(browser, DESKTOP, live_server.url)
    page = context.new_page()
    walker = Walker(page)
    for path in ["/accounts/login/", "/accessibility/"]:
        page.goto(path)
        state = walker.press("Tab")
        assert state["href"] == "#main" and "skip-link" in state["cls"], state
        box = page.locator(".skip-link").bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0  # shown when it has the focus
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # The next Tab lands inside the main content, not back in the menu.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('main') !== null")
    assert walker.unseen == []
    context.close()


def test_a_reporter_sends_a_report_with_the_keyboard_only(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    phone = new_context(browser, PHONE, live_server.url)
    phone.grant_permissions(["geolocation"])
    phone.set_geolocation({"latitude": 59.2705, "longitude": 15.2012, "accuracy": 12})
    page = phone.new_page()
    walker = Walker(page)
    keyboard_log_in(page, walker, "rut")
    keyboard_open_report_form(page, walker)

    # 1. What: Tab into the category tiles, Space chooses, arrows move the choice.
    walker.tab_to("input[name=category]")
    page.keyboard.press("Space")
    for _ in range(20):
        if page.is_checked("input[name=category][value=gathering]"):
            break
        walker.press("ArrowRight")
    assert page.is_checked("input[name=category][value=gathering]")

    # 2. Where: "Use my location" with Enter (no map needed).
    walker.tab_to("[data-locate]")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#id_lat').value !== ''")
    assert page.locator("[data-position-text]").inner_text().strip() != ""

    # 4. More details: Enter opens them, the number of people is typed.
    walker.tab_to(".details-step summary")
    page.keyboard.press("Enter")
    walker.tab_to("#id_people_count")
    page.keyboard.type("5")
    # Back up with Shift+Tab to the second severity option and choose it.
    walker.tab_to("input[name=severity]", back=True)
    walker.press("ArrowDown")
    assert page.is_checked("input[name=severity][value='2']")

    walker.tab_to("button[type=submit].primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".message-success").is_visible()
    report = Report.objects.select_related("category", "area").get(reporter=cast["rut"])
    assert report.category.code == "gathering"
    assert report.people_count == 5
    assert report.severity == 2
    assert report.area == cast["west"]
    assert abs(report.lat - 59.2705) < 1e-4 and abs(report.lon - 15.2012) < 1e-4
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    phone.close()


def test_a_named_place_sets_the_position_without_the_map_or_gps(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    phone, page, walker = keyboard_signed_in(browser, PHONE, live_server.url, "rut")
    keyboard_open_report_form(page, walker)
    walker.tab_to("input[name=category]")
    page.keyboard.press("Space")
    walker.tab_to(".coords summary")
    page.keyboard.press("Enter")
    walker.tab_to("#id_place")
    # A closed select changes with the arrow keys.
    walker.press("ArrowDown")
    assert page.input_value("#id_place") != ""
    walker.tab_to("button[type=submit].primary")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    report = Report.objects.select_related("place").get(reporter=cast["rut"])
    assert report.place.name == "Stortorget"
    assert (round(report.lat, 4), round(report.lon, 4)) == (59.27, 15.2)
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    phone.close()


def test_the_picker_map_sets_its_centre_with_enter(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    phone, page, walker = keyboard_signed_in(browser, PHONE, live_server.url, "rut")
    keyboard_open_report_form(page, walker)
    page.wait_for_function(
        "() => document.querySelector('[data-picker-map]').samsynMap.samsynAreasLoaded"
    )
    # Leaflet's zoom buttons carry names in the page's language, not Leaflet's English.
    for button, name in [("in", "data-map-zoom-in"), ("out", "data-map-zoom-out")]:
        label = page.get_attribute(f".leaflet-control-zoom-{button}", "aria-label")
        assert label == page.get_attribute("body", name)
    walker.tab_to("[data-picker-map]")
    before = page.evaluate(
        "document.querySelector('[data-picker-map]').samsynMap.getCenter()"
    )
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)  # Leaflet pans with an animation
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#id_lat').value !== ''")
    lon = float(page.input_value("#id_lon"))
    assert lon > before["lng"]  # the map moved east, and its centre was taken
    assert "position-set" in page.get_attribute("[data-position-text]", "class")
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    phone.close()


def test_the_more_menu_opens_and_is_walked_with_the_keyboard(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    context, page, walker = keyboard_signed_in(
        browser, DESKTOP, live_server.url, "kalle"
    )
    walker.tab_to(".nav-more > summary")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('.nav-more').open")
    links = page.locator(".nav-more ul a:visible")  # the phone-only entries are hidden
    count = links.count()
    assert count >= 8
    hrefs = []
    for _ in range(count):
        state = walker.press("Tab")
        assert page.evaluate("document.activeElement.closest('.nav-more ul') !== null")
        assert state["onscreen"], state
        hrefs.append(state["href"])
    assert hrefs == [links.nth(i).get_attribute("href") for i in range(count)]
    # Escape closes the menu and gives the focus back to its button.
    walker.press("Shift+Tab")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.querySelector('.nav-more').open")
    assert page.evaluate("document.activeElement.matches('.nav-more > summary')")
    # Open again, go to the third entry and follow it with Enter.
    page.keyboard.press("Enter")
    for _ in range(3):
        walker.press("Tab")
    target = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(target)
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    context.close()


@pytest.mark.parametrize("path", ["/reports/", "/", "/meetings/"])
def test_focus_is_always_visible(
    browser: Any, live_server: Any, cast: dict[str, Any], path: str
) -> None:
    """Every Tab stop from the top of the page to the footer shows a focus ring."""
    context, page, walker = keyboard_signed_in(
        browser, DESKTOP, live_server.url, "kalle"
    )
    page.goto(path)
    page.wait_for_load_state("load")
    seen = []
    for _ in range(MAX_TABS):
        state = walker.press("Tab")
        if state is None:
            break
        seen.append(state)
        if page.evaluate("document.activeElement.closest('footer') !== null"):
            break
    assert len(seen) >= 5
    assert any(s["tag"] == "a" for s in seen) and any(
        s["tag"] in ("select", "button", "summary") for s in seen
    )
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    context.close()


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_map_has_a_list_one_enter_away(
    browser: Any, live_server: Any, cast: dict[str, Any], device: dict[str, Any]
) -> None:
    context, page, walker = keyboard_signed_in(
        browser, device, live_server.url, "kalle"
    )
    page.goto("/reports/")
    # The map says where its list is; the list is a labelled region.
    label = page.get_attribute("[data-report-map]", "aria-label")
    assert label
    assert page.locator("#report-list[role=region][aria-labelledby]").count() == 1
    walker.tab_to("a[href='#report-list']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "report-list"
    # The next stop is the list itself: its first report (on a phone the table
    # scrolls sideways, so its scroll area comes first).
    for _ in range(2):
        state = walker.press("Tab")
        assert page.evaluate("document.activeElement.closest('#report-list') !== null")
        if state["href"]:
            break
    assert state["href"].startswith("/reports/"), state
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").count() == 1
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    context.close()


def test_the_language_menu_changes_nothing_until_enter(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    """Arrowing through the languages must not reload the page (WCAG 3.2.2); Enter
    switches."""
    context = new_context(browser, DESKTOP, live_server.url)
    page = context.new_page()
    walker = Walker(page)
    page.goto("/accounts/login/")
    before = page.evaluate("document.documentElement.lang")
    page.evaluate("() => { window.samsynStill = true; }")
    walker.tab_to("#lang")
    first = page.input_value("#lang")
    walker.press("ArrowUp")
    if page.input_value("#lang") == first:
        walker.press("ArrowDown")
    assert page.input_value("#lang") != first
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.samsynStill === true")  # no reload
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") != before
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    context.close()


# How much of the focused element (or the tile that draws it) the sticky send bar
# covers: 0 is none, 1 is all of it.
COVERED = """() => {
  const el = document.activeElement;
  const box = (el.closest("label") || el).getBoundingClientRect();
  const bar = document.querySelector(".submit-bar").getBoundingClientRect();
  const overlap = Math.max(0, Math.min(box.bottom, bar.bottom) - Math.max(box.top, bar.top));
  return box.height ? overlap / box.height : 0;
}"""


def test_focus_is_never_hidden_under_the_send_bar(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    """WCAG 2.4.11: arrowing through the category tiles and tabbing on to the
    coordinates never puts the focused element under "Send report"."""
    context, page, walker = keyboard_signed_in(browser, PHONE, live_server.url, "rut")
    keyboard_open_report_form(page, walker)
    walker.tab_to("input[name=category]")
    covered = []
    for _ in range(12):
        walker.press("ArrowRight")
        share = page.evaluate(COVERED)
        if share > 0:
            name = page.evaluate("document.activeElement.value")
            covered.append(f"category {name}: {share:.0%} under the send bar")
    walker.tab_to(".coords summary")
    share = page.evaluate(COVERED)
    if share > 0:
        covered.append(f"coordinates summary: {share:.0%} under the send bar")
    assert covered == []
    context.close()


@pytest.mark.usefixtures("warm_server")
def test_a_coordinator_opens_and_approves_a_picture_with_the_keyboard_only(
    browser: Any,
    live_server: Any,
    picture_cast: dict[str, Any],  # noqa: F811
) -> None:
    context, page, walker = keyboard_signed_in(
        browser, DESKTOP, live_server.url, "kalle"
    )
    walker.tab_to("a[href='/pictures/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Last week's picture: the week form's "Open" button, with Enter.
    walker.tab_to("form.pic-gen-form:has(input[value=week]) button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    picture = SituationPicture.objects.get()
    # The assessment is typed, saved with Enter on its button (htmx) ...
    walker.tab_to("#id_assessment")
    page.keyboard.type("Fler samlingar vid torget på kvällarna.")
    walker.tab_to("form[data-picture-assessment] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#assessment [role=status]")
    # ... and the picture approved with Space on "Approve", found by going back.
    walker.tab_to("form[action$='/approve/'] button", back=True)
    with page.expect_navigation():
        page.keyboard.press("Space")
    picture.refresh_from_db()
    assert picture.is_approved
    assert picture.assessment.startswith("Fler samlingar")
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    context.close()


def test_a_meeting_decision_is_recorded_with_the_keyboard_only(
    browser: Any,
    live_server: Any,
    meeting: Any,  # noqa: F811
) -> None:
    context, page, walker = keyboard_signed_in(
        browser, DESKTOP, live_server.url, "kalle"
    )
    walker.tab_to("a[href='/meetings/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    walker.tab_to(f"a[href='/meetings/{meeting.code}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    walker.tab_to("#decisions #id_text")
    page.keyboard.type("Röj buskarna längs gångvägen")
    # The owner: a closed select changes with the arrow keys.
    walker.tab_to("#decisions #id_owner")
    for _ in range(5):
        if page.input_value("#decisions #id_owner"):
            break
        walker.press("ArrowDown")
    owner = page.input_value("#decisions #id_owner")
    assert owner
    walker.tab_to("#decisions button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#decision-list >> text=Röj buskarna längs gångvägen")
    decision = meeting.decisions.get()
    assert decision.text == "Röj buskarna längs gångvägen"
    assert decision.owner.slug == owner
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    context.close()


@pytest.mark.usefixtures("warm_server")
def test_a_resident_reports_with_the_keyboard_only(
    browser: Any,
    live_server: Any,
    resident_page: Any,  # noqa: F811
) -> None:
    context = new_context(browser, PHONE, live_server.url)
    page = context.new_page()
    walker = Walker(page)
    # From the QR code of an area: the map shows that area.
    area = resident_page.areas.get(ref="W")
    page.goto(f"/residents/orebro/report/?area={area.code}")
    page.wait_for_function(
        "() => document.querySelector('[data-picker-map]').samsynMap"
    )
    # What: the category tiles with Tab, Space and the arrows.
    walker.tab_to("input[name=category]")
    page.keyboard.press("Space")
    for _ in range(10):
        if page.is_checked("input[name=category][value=unsafe_lighting]"):
            break
        walker.press("ArrowRight")
    assert page.is_checked("input[name=category][value=unsafe_lighting]")
    # Where: the map's pan buttons move it, Enter on the map takes its centre.
    walker.tab_to("[data-picker-map] .map-pan-right")
    before = page.evaluate(
        "document.querySelector('[data-picker-map]').samsynMap.getCenter()"
    )
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)  # Leaflet pans with an animation
    walker.tab_to("[data-picker-map]", back=True)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#id_lat').value !== ''")
    assert float(page.input_value("#id_lon")) > before["lng"]
    walker.tab_to("#id_text")
    page.keyboard.type("Lampan vid gångvägen är trasig")
    page.wait_for_timeout(1100)  # the page refuses sends faster than min_seconds
    walker.tab_to("form.report-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("[data-resident-thanks]")
    report = ResidentReport.objects.get()
    assert report.category.code == "unsafe_lighting"
    assert report.text == "Lampan vid gångvägen är trasig"
    assert walker.unseen == [], "focus not visible:\n" + "\n".join(walker.unseen)
    context.close()
