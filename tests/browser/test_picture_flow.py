"""A coordinator generates last week's situation picture, writes the assessment,
approves it and downloads the PDF. Produces docs/screenshots/picture-week*.png."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from samsyn.analysis.engine import local_midnight
from samsyn.lib.weeks import period_for
from samsyn.organisations.models import Membership
from samsyn.pictures.models import SituationPicture
from samsyn.tests.support import make_report

from .conftest import DESKTOP, screenshot
from .world import kommun, orebro, signed_in, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

SPOTS = [
    ("gathering", (15.195, 59.275)),
    ("gathering", (15.196, 59.274)),
    ("gathering", (15.197, 59.273)),
    ("littering", (15.205, 59.265)),
    ("vandalism_graffiti", (15.202, 59.268)),
    ("drugs", (15.215, 59.272)),
    ("unsafe_lighting", (15.222, 59.277)),
]


@pytest.fixture
def cast(transactional_db: Any) -> dict[str, Any]:
    collab = orebro()
    municipality = kommun(collab)
    west_and_east(collab)
    user(municipality, Membership.Role.COORDINATOR, "kalle")
    week = period_for("week", timezone.localdate() - timedelta(days=7))
    for back in range(6):
        start = local_midnight(week.start - timedelta(weeks=back))
        for i, (category, lonlat) in enumerate(SPOTS[: 7 - back]):
            make_report(
                municipality,
                category=category,
                lonlat=lonlat,
                occurred_at=start + timedelta(hours=10 + 13 * i),
            )
    return {"collab": collab, "week": week}


def test_it_walks_a_coordinator_through_the_week(
    browser: Any, live_server: Any, cast: dict[str, Any], tmp_path: Any
) -> None:
    context, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    page.goto(f"{live_server.url}/pictures/")
    screenshot(page, "picture-list.png")
    with page.expect_navigation():
        page.click("form[data-picture-form] button[type=submit]")
    picture = SituationPicture.objects.get()
    assert picture.label == cast["week"].label
    assert page.locator("svg.map-svg").first.is_visible()

    page.fill("#id_assessment", "Fler samlingar vid torget i Väster på kvällarna.")
    page.click("form[data-picture-assessment] button")
    page.wait_for_selector("#assessment [role=status]")
    picture.refresh_from_db()
    assert picture.assessment.startswith("Fler samlingar")
    screenshot(page, "picture-week.png")

    with page.expect_navigation():
        page.click("button:has-text('Approve'), button:has-text('Godkänn')")
    assert page.locator(".pic-status-approved").is_visible()
    assert page.locator("#id_assessment").count() == 0
    picture.refresh_from_db()
    assert picture.is_approved

    # WeasyPrint lays the PDF out inside the request (immediate task backend).
    with page.expect_download(timeout=60_000) as info:
        page.click("a[href$='/pdf/']", timeout=60_000)
    path = tmp_path / "picture.pdf"
    info.value.save_as(path)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    # The period as people say it ("vecka 46, 2026"), in the reader's language.
    week_no = str(cast["week"].start.isocalendar()[1])
    assert f"{week_no}, {cast['week'].start.isocalendar()[0]}" in text
    assert "Fler samlingar" in text
    context.close()
