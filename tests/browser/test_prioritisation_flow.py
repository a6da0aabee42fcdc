"""Issue 14, items 2 and 3 in the browser: the coordinator opens the tertial
picture's prioritisation, sets the forum's ability to influence for two areas with
a reason, sees the ranks change, opens the proposed "fördjupad analys" of a
recurring deviation and records an intervention from it.

Screenshots: docs/screenshots/monday-priority.png, monday-priority-set.png,
monday-priority-phone.png, monday-analysis.png, monday-analysis-intervention.png,
monday-analysis-phone.png.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from samsyn.analysis.engine import local_midnight
from samsyn.interventions.models import Intervention
from samsyn.lib.weeks import monday, period_for
from samsyn.organisations.models import Membership
from samsyn.pictures.actions import generate_picture
from samsyn.pictures.models import AreaAbility
from samsyn.problems.models import ProblemAnalysis
from samsyn.problems.recurrence import window
from samsyn.tests.support import make_area, make_report

from .conftest import DESKTOP, PHONE, SCREENSHOTS, new_context, screenshot
from .world import kommun, orebro, signed_in, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

FAR_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[15.25, 59.26], [15.27, 59.26], [15.27, 59.28], [15.25, 59.28], [15.25, 59.26]]
    ],
}
WEST, EAST, FAR = (15.20, 59.27), (15.22, 59.27), (15.26, 59.27)


def _week(org: Any, category: str, lonlat: tuple, n: int, week_monday: Any) -> None:
    """`n` reports in the evenings of the week that starts on `week_monday`."""
    base = local_midnight(week_monday)
    for i in range(n):
        when = base + timedelta(days=i % 7, hours=18 + i % 4, minutes=i)
        make_report(org, category=category, lonlat=lonlat, occurred_at=when)


@pytest.fixture
def cast(transactional_db: Any) -> dict[str, Any]:
    collab = orebro()
    municipality = kommun(collab)
    west, east = west_and_east(collab)
    make_area(collab, ref="F", name="Fjärran", geometry=FAR_SQUARE)
    user(municipality, Membership.Role.COORDINATOR, "kalle")
    tertial = period_for("tertial", timezone.localdate(), collab).so_far()
    periods = window(tertial, collab)
    # History: a report in Fjärran every four weeks from well before the window.
    start = monday(periods[0].start) - timedelta(weeks=60)
    k = 0
    while start + timedelta(weeks=4 * k) < tertial.end:
        _week(municipality, "unsafe_lighting", FAR, 1, start + timedelta(weeks=4 * k))
        k += 1
    # Gatherings in Väster flagged in three of the six tertials.
    last_week = monday(tertial.end) - timedelta(days=7)
    _week(
        municipality,
        "gathering",
        WEST,
        6,
        monday(periods[0].start) + timedelta(weeks=3),
    )
    _week(
        municipality,
        "gathering",
        WEST,
        10,
        monday(periods[2].start) + timedelta(weeks=2),
    )
    _week(municipality, "gathering", WEST, 12, last_week)
    # Öster: more gatherings, spread over the tertial.
    weeks = max(1, (last_week - monday(tertial.start)).days // 7)
    for i in range(16):
        _week(
            municipality,
            "gathering",
            EAST,
            1,
            monday(tertial.start) + timedelta(weeks=(i * weeks) // 16),
        )
    picture = generate_picture(collab, "tertial", tertial, by=None)
    return {"picture": picture, "west": west, "east": east}


def _rank(page: Any, area: Any) -> str:
    return page.locator(f"#ability-{area.code} .prio-rank").inner_text().strip()


def _set(page: Any, area: Any, level: str, reason: str) -> None:
    row = page.locator(f"#ability-{area.code}")
    row.locator("select[name=level]").select_option(level)
    row.locator("input[name=reason]").fill(reason)
    with page.expect_navigation():
        row.locator("button[type=submit]").click()


def test_the_forum_sets_ability_and_analyses_a_recurring_deviation(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    picture, west, east = cast["picture"], cast["west"], cast["east"]
    assert any(p["area"] == str(west.code) for p in picture.figures["recurring"])
    context, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    page.goto(f"/pictures/{picture.code}/#priority")
    section = page.locator("#priority")
    section.scroll_into_view_if_needed()
    text = section.inner_text()
    ranks = {a: _rank(page, a) for a in (west, east)}
    assert sorted(ranks.values()) == ["1", "2"]
    for raw in ("need_coverage", "minmax", "historical_hot", "1,0", "2,0"):
        assert raw not in text
    page.screenshot(path=str(SCREENSHOTS / "monday-priority.png"))

    # The forum judges it can do little where the need is highest, much in the
    # second area: the second area takes rank 1.
    top, other = (west, east) if ranks[west] == "1" else (east, west)
    _set(page, top, "low", "Ingen aktör som kan agera på platsen")
    _set(page, other, "high", "Bostadsbolaget och fältarna finns på plats")
    assert _rank(page, other) == "1" and _rank(page, top) == "2"
    assert AreaAbility.objects.filter(picture=picture).count() == 2
    page.locator("#priority").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "monday-priority-set.png"))

    # The proposed in-depth analysis of the recurring gatherings in Väster.
    page.locator("#recurring").scroll_into_view_if_needed()
    with page.expect_navigation():
        page.locator("#recurring form.rec-start button").first.click()
    analysis = ProblemAnalysis.objects.get()
    assert analysis.area == west and len(analysis.flagged) >= 3
    page.fill("#id_conclusion", "Samlingarna sker kvällstid vid torget: mer ljus.")
    with page.expect_navigation():
        page.locator("#pa-conclusion button[type=submit]").click()
    screenshot(page, "monday-analysis.png", full_page=False)
    with page.expect_navigation():
        page.click("#pa-new-intervention")
    assert page.input_value("#id_title").endswith("Väster")
    with page.expect_navigation():
        page.locator("form.iv-quick button[type=submit]").click()
    iv = Intervention.objects.get()
    assert iv.trigger_code == str(analysis.code)
    page.locator("#pa-tried").scroll_into_view_if_needed()
    assert iv.title in page.locator("#pa-tried").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "monday-analysis-intervention.png"))
    context.close()

    context, page = signed_in(browser, PHONE, live_server.url, "kalle")
    page.goto(f"/pictures/{picture.code}/#priority")
    page.locator(f"#ability-{east.code}").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "monday-priority-phone.png"))
    page.goto(f"/problems/{analysis.code}/")
    page.screenshot(path=str(SCREENSHOTS / "monday-analysis-phone.png"))
    context.close()
    assert new_context  # the shared helpers stay the ones the other flows use
