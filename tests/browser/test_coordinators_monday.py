"""The coordinator's Monday on the demo: the start page, the week's picture (a
briefing first, its details folded), the assessment, approval, the PDF, and the
tertial picture from the one picture form.

It also measures the picture against its size budget at 1440×900: the summary and
the assessment within two screens (1800 px), the whole page with its details folded
within four (3600 px). Produces docs/screenshots/monday-*.png.
"""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from samsyn.lib.weeks import period_for
from samsyn.pictures.models import SituationPicture

from .conftest import DESKTOP, log_in, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

TWO_SCREENS = 2 * 900
FOUR_SCREENS = 4 * 900


@pytest.fixture
def demo(transactional_db: Any, tmp_path: Any) -> dict[str, Any]:
    from samsyn.demo.load import load_demo

    result = load_demo(now=timezone.now(), truths_path=tmp_path / "truths.json")
    collab = result.collaboration
    week = period_for("week", timezone.localdate() - timedelta(days=7))
    # Monday morning: last week's picture is not made yet.
    SituationPicture.objects.filter(
        collaboration=collab, kind="week", period_start=week.start
    ).delete()
    return {"collab": collab, "week": week}


def _bottom(page: Any, selector: str) -> float:
    return page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.bottom + window.scrollY; }",
        selector,
    )


def test_the_coordinators_monday(
    browser: Any, live_server: Any, demo: dict[str, Any]
) -> None:
    from samsyn.demo.load import DEMO_PASSWORD

    context = new_context(browser, DESKTOP, live_server.url)
    page = context.new_page()
    log_in(page, "coordinator", DEMO_PASSWORD)
    page.goto("/")
    screenshot(page, "monday-1-start.png", full_page=False)

    # The week's picture, generated from the start page.
    with page.expect_navigation():
        page.click("#dash-generate")
    picture = SituationPicture.objects.get(
        collaboration=demo["collab"], kind="week", period_start=demo["week"].start
    )
    assert page.url.endswith(f"/pictures/{picture.code}/")
    summary = page.locator("#summary")
    assert summary.locator(".pic-headlines li").count() >= 2
    assert summary.locator("svg.map-svg").count() == 2  # zoomed map and overview
    assert summary.locator(".pic-top-places li").count() >= 3
    # The order of a briefing: summary, assessment, folded details, approval last.
    order = page.evaluate(
        "() => ['#summary', '#assessment', '#categories', '#area-status', '#approve']"
        ".map(s => document.querySelector(s).getBoundingClientRect().top)"
    )
    assert order == sorted(order)
    for fold in ("#categories", "#area-status", "#issues", "#police", "#coverage"):
        assert page.locator(f"details{fold}:not([open])").count() == 1, fold
    # Legend swatches are drawn under the Content-Security-Policy (SVG, not styles).
    swatch = page.locator(".pic-legend svg circle").first
    assert swatch.get_attribute("fill", timeout=1000).startswith("#")
    assert swatch.bounding_box()["width"] > 5

    to_assessment = _bottom(page, "#assessment")
    whole = page.evaluate("document.documentElement.scrollHeight")
    # Shown with -s: the figures the size budget is about.
    sys.stdout.write(
        f"picture at 1440x900: assessment ends at {to_assessment:.0f} px, "
        f"page {whole} px\n"
    )
    assert to_assessment <= TWO_SCREENS
    assert whole <= FOUR_SCREENS
    screenshot(page, "monday-2-picture.png")

    # Approval before an assessment is refused, and nothing is written.
    with page.expect_navigation():
        page.click("#approve button[type=submit]")
    assert page.locator(".messages, [role=alert]").first.is_visible()
    picture.refresh_from_db()
    assert not picture.is_approved

    page.fill(
        "#id_assessment",
        "Samlingar och belysningsfel ökar kring centrum; polisen och bostadsbolaget "
        "tar kvällarna. Övrigt lugnt.",
    )
    page.click("form[data-picture-assessment] button")
    page.wait_for_selector("#assessment [role=status]")
    page.locator("#assessment").scroll_into_view_if_needed()
    screenshot(page, "monday-3-assessment.png", full_page=False)

    with page.expect_navigation():
        page.click("#approve button[type=submit]")
    assert page.locator(".pic-status-approved").first.is_visible()
    picture.refresh_from_db()
    assert picture.is_approved
    screenshot(page, "monday-4-approved.png", full_page=False)

    # The PDF: the summary on its first page.
    # A picture of the whole demo is a long PDF: WeasyPrint takes its time.
    with page.expect_download(timeout=120_000) as info:
        page.click("a[href$='/pdf/']", timeout=120_000)
    pdf = PdfReader(io.BytesIO(open(info.value.path(), "rb").read()))
    first = pdf.pages[0].extract_text()
    assert "sticker ut" in first or "stands out" in first
    assert picture.figures["summary"]["headlines"][0]["text"][:30] in first.replace(
        "\n", " "
    )
    from samsyn.pictures.tasks import print_html

    shown = context.new_page()
    shown.emulate_media(media="print")
    with translation.override("sv"):
        shown.set_content(print_html(picture))
    screenshot(shown, "monday-5-pdf.png", full_page=False)
    shown.close()

    # The tertial picture, from the one form (running, so "so far").
    page.goto("/pictures/")
    kind = demo["collab"].period_kind
    page.check(f"input[name=kind][value={kind}]")
    assert page.locator(f"[data-picture-period-of={kind}]").is_visible()
    assert page.locator("[data-picture-period-of=week]").is_hidden()
    screenshot(page, "monday-6-form.png", full_page=False)
    # The immediate task backend computes the tertial inside the request (a worker
    # would show the job's progress page meanwhile): give it time.
    with page.expect_navigation(timeout=120_000):
        page.click("form[data-picture-form] button[type=submit]", timeout=120_000)
    tertial = SituationPicture.objects.get(
        collaboration=demo["collab"],
        kind=kind,
        period_start=period_for(kind, timezone.localdate(), demo["collab"]).start,
    )
    page.wait_for_url(f"**/pictures/{tertial.code}/")
    assert page.locator("#summary .pic-headlines li").count() >= 1
    screenshot(page, "monday-7-tertial.png", full_page=False)
    context.close()
