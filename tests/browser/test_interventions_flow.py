"""Issue 5 end to end in the browser: from a deviation in the weekly picture to a
decided intervention with a partner, its evaluation with displacement, the annual
report and action plan PDF, the public feedback page and next week's guard plan.

Screenshots: docs/screenshots/interventions-picture-button.png,
interventions-from-picture.png, interventions-register.png,
interventions-evaluation.png, annual-plan-intervention.png,
feedback-public-desktop.png, feedback-public-phone.png, patrols-plan-phone.png.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from samsyn.analysis.engine import local_midnight
from samsyn.annual.models import AnnualReport
from samsyn.interventions import actions
from samsyn.interventions.models import Intervention, Partnership
from samsyn.lib.weeks import period_for
from samsyn.organisations.models import Membership, Organisation
from samsyn.patrols.models import PatrolPlan
from samsyn.pictures.models import SituationPicture
from samsyn.tests.support import OrganisationFactory, make_area, make_report

from .conftest import DESKTOP, PHONE, new_context, screenshot
from .world import kommun, orebro, signed_in, user, west_and_east

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]

FAR_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[15.25, 59.26], [15.27, 59.26], [15.27, 59.28], [15.25, 59.28], [15.25, 59.26]]
    ],
}
LITTER_SPOT = (15.208, 59.262)  # in Väster, far from the underpass
POINT = (15.195, 59.27)  # the underpass, in Väster
NEAR = (15.1985, 59.27)  # about 200 m east of it: in the 400 m buffer
FAR = (15.26, 59.27)  # in Fjärran, the control area
UNDERPASS = "Belysning och kameror i gångtunneln"


def _spread(org: Organisation, category: str, lonlat: tuple, n: int, start: Any,
            days: int) -> None:  # fmt: skip
    """`n` reports at `lonlat` spread over `days` days from `start` (a date)."""
    base = local_midnight(start)
    for i in range(n):
        when = base + timedelta(days=(i * days) // max(n, 1), hours=17 + i % 5)
        make_report(org, category=category, lonlat=lonlat, occurred_at=when)


@pytest.fixture
def cast(transactional_db: Any) -> dict[str, Any]:
    collab = orebro()
    municipality = kommun(collab)
    police = OrganisationFactory(
        collaboration=collab,
        slug="polisen",
        name="Lokalpolisområde Örebro",
        kind=Organisation.Kind.POLICE,
    )
    guards = OrganisationFactory(
        collaboration=collab,
        slug="vaktbolaget",
        name="Väktarbolaget",
        kind=Organisation.Kind.GUARD,
    )
    west_and_east(collab)
    make_area(collab, ref="F", name="Fjärran", geometry=FAR_SQUARE)
    user(municipality, Membership.Role.COORDINATOR, "kalle")
    user(police, Membership.Role.REPORTER, "polis-petra")
    user(guards, Membership.Role.REPORTER, "vakt-ville")

    week = period_for("week", timezone.localdate() - timedelta(days=7))
    # Littering: one report a week for ten weeks, then eight in the picture's week.
    for back in range(1, 11):
        _spread(
            municipality,
            "littering",
            LITTER_SPOT,
            1,
            week.start - timedelta(weeks=back),
            7,
        )
    _spread(municipality, "littering", LITTER_SPOT, 8, week.start, 7)
    # A small count that the public page must not show.
    _spread(municipality, "drugs", LITTER_SPOT, 2, week.start - timedelta(weeks=4), 7)

    # The displacement case: graffiti fell at the underpass after the intervention
    # and rose in its buffer, while the control area stayed the same.
    start = week.start - timedelta(weeks=16)
    before, after = start - timedelta(weeks=4), start
    _spread(municipality, "vandalism_graffiti", POINT, 40, before, 27)
    _spread(municipality, "vandalism_graffiti", POINT, 8, after, 27)
    _spread(municipality, "vandalism_graffiti", NEAR, 6, before, 27)
    _spread(municipality, "vandalism_graffiti", NEAR, 30, after, 27)
    _spread(municipality, "vandalism_graffiti", FAR, 30, before, 27)
    _spread(municipality, "vandalism_graffiti", FAR, 30, after, 27)
    from samsyn.reports.models import Category

    graffiti = Category.objects.get(collaboration=collab, code="vandalism_graffiti")
    underpass = actions.register_intervention(
        collab,
        {
            "title": UNDERPASS,
            "kind": Intervention.Kind.SITUATIONAL,
            "owner": municipality,
            "starts_on": start,
            "ends_on": start + timedelta(weeks=4, days=-1),
            "lon": POINT[0],
            "lat": POINT[1],
            "target_radius_m": 100,
            "buffer_radius_m": 400,
            "categories": [graffiti],
            "spent_cost": Decimal("64000"),
            "status": Intervention.Status.ONGOING,
        },
        by=None,
    )
    actions.change_status(underpass, status=Intervention.Status.DONE, by=None)
    return {"collab": collab, "week": week, "underpass": underpass, "police": police}


def _numbers(html: str) -> list[int]:
    cells = re.findall(r'class="num">\s*([^<]+?)\s*<', html)
    big = re.findall(r'class="fb-big">([^<]+)<', html)
    return [int(x) for x in cells + big if x.strip().isdigit()]


def test_a_deviation_becomes_a_decided_intervention_with_a_partner(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    context, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    page.goto("/pictures/")
    with page.expect_navigation():
        page.click("form[data-picture-form] button[type=submit]")
    picture = SituationPicture.objects.get()
    assert picture.label == cast["week"].label
    page.click("#deviations > summary")  # the details are folded
    deviation = (
        page.locator("#deviations tbody tr", has_text="Väster")
        .locator("a.iv-record")
        .first
    )
    assert deviation.is_visible()
    deviation.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    screenshot(page, "interventions-picture-button.png", full_page=False)
    query = parse_qs(urlsplit(deviation.get_attribute("href")).query)
    assert query["picture"] == [str(picture.code)]
    assert query["category"] == ["littering"]

    with page.expect_navigation():
        deviation.click()
    assert page.input_value("#id_title")
    assert "8" in page.input_value("#id_problem")
    assert picture.label in page.input_value("#id_trigger_text")
    west = cast["collab"].areas.get(ref="W")
    assert page.input_value("#id_area") == str(west.pk)
    page.fill("#id_title", "Extra tömning av papperskorgar i Väster")
    page.select_option("#id_kind", "situational")
    page.fill("#id_ends_on", (timezone.localdate() + timedelta(days=28)).isoformat())
    screenshot(page, "interventions-from-picture.png")
    with page.expect_navigation():
        page.click("form.iv-quick button.primary")
    iv = Intervention.objects.get(title="Extra tömning av papperskorgar i Väster")
    assert iv.status == Intervention.Status.DECIDED
    assert (iv.trigger_type, iv.trigger_code) == ("picture", str(picture.code))
    assert [c.code for c in iv.categories.all()] == ["littering"]
    assert page.locator("a.iv-trigger-picture").get_attribute("href") == (
        f"/pictures/{picture.code}/"
    )

    page.select_option("#id_organisation", str(cast["police"].pk))
    page.fill("#id_role", "Patrullera vid papperskorgarna på kvällarna")
    with page.expect_navigation():
        page.click(f"form[action$='/interventions/{iv.code}/partners/'] button")
    assert page.locator(".iv-partner-asked").count() == 1
    page.goto("/interventions/")
    assert page.locator(f"a[href='/interventions/{iv.code}/']").is_visible()
    screenshot(page, "interventions-register.png")
    context.close()

    context, page = signed_in(browser, DESKTOP, live_server.url, "polis-petra")
    page.goto(f"/interventions/{iv.code}/")
    with page.expect_navigation():
        page.click("form.iv-answer button[value=accepted]")
    assert page.locator(".iv-partner-accepted").count() == 1
    assert Partnership.objects.get(intervention=iv).status == "accepted"
    # The partner reads, but cannot evaluate or change the intervention.
    assert (
        page.locator(f"form[action$='/interventions/{iv.code}/evaluate/']").count() == 0
    )
    context.close()


def test_the_evaluation_shows_displacement_and_goes_into_the_annual_plan(
    browser: Any, live_server: Any, cast: dict[str, Any], tmp_path: Any
) -> None:
    iv = cast["underpass"]
    context, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    page.goto(f"/interventions/{iv.code}/")
    with page.expect_navigation():
        page.click(f"form[action$='/interventions/{iv.code}/evaluate/'] button")
    iv.refresh_from_db()
    ev = iv.latest_evaluation()
    assert iv.status == Intervention.Status.EVALUATED
    assert (ev.effect, ev.displacement) == ("worked", "displacement")
    assert page.locator(".iv-effect-worked").is_visible()
    assert page.locator(".iv-disp-displacement").is_visible()
    rows = page.locator("table.iv-counts tbody tr")
    assert rows.nth(0).locator("td").all_inner_texts()[:2] == ["40", "8"]
    assert rows.nth(1).locator("td").all_inner_texts()[:2] == ["6", "30"]
    assert rows.nth(2).locator("td").all_inner_texts()[:2] == ["30", "30"]
    figures = page.locator("dl.iv-figures").inner_text()
    assert re.search(r"-?\d+[.,]\d", figures), figures  # WDD, DiD, WDQ, TNE
    assert page.locator("figure.iv-chart svg").is_visible()
    screenshot(page, "interventions-evaluation.png")

    # The annual report of the year: its follow-up lists the evaluated intervention,
    # and the action plan links it; the PDF carries both.
    page.goto("/annual/")
    page.fill("#annual-year", str(iv.starts_on.year))
    with page.expect_navigation():
        page.click("form[action$='/annual/create/'] button")
    report = AnnualReport.objects.get()
    assert UNDERPASS in page.locator("#followup").inner_text()
    add = page.locator("details.annual-add")
    if add.get_attribute("open") is None:
        add.locator("summary").click()
    page.fill("#id_item-goal", "Färre skadegörelser i gångtunneln utan att de flyttar")
    page.fill("#id_item-measure", "Belysning och kameror; bevaka lekplatsen intill")
    page.select_option("#id_item-owner", label="Örebro kommun")
    page.select_option("#id_item-intervention", str(iv.pk))
    with page.expect_navigation():
        page.click("details.annual-add button[type=submit]")
    assert page.locator(f"#plan-items a[href='/interventions/{iv.code}/']").is_visible()
    page.locator("#plan").scroll_into_view_if_needed()
    screenshot(page, "annual-plan-intervention.png")

    response = page.request.get(f"/annual/{report.code}/pdf/")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    path = tmp_path / "annual.pdf"
    path.write_bytes(response.body())
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    flat = " ".join(re.sub(r"[\u00ad]|-\n", "", text).split())
    assert flat.count(UNDERPASS) >= 2, "in the plan and in the follow-up"
    context.close()


def test_feedback_reaches_residents_and_the_guards_get_next_weeks_plan(
    browser: Any, live_server: Any, cast: dict[str, Any]
) -> None:
    iv = cast["underpass"]
    context, page = signed_in(browser, DESKTOP, live_server.url, "kalle")
    # Publish: the public page on, and the intervention chosen for residents.
    page.goto("/feedback/settings/")
    page.check("#id_enabled")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(f"/interventions/{iv.code}/edit/")
    page.check("#id_published_to_residents")
    with page.expect_navigation():
        page.click("main form button.primary")
    iv.refresh_from_db()
    assert iv.published_to_residents

    # Next week's guard plan, generated and published by the coordinator.
    page.goto("/patrols/")
    with page.expect_navigation():
        page.click("form.pat-gen-form button")
    plan = PatrolPlan.objects.get()
    with page.expect_navigation():
        page.click(f"form[action$='/patrols/plans/{plan.code}/publish/'] button")
    plan.refresh_from_db()
    assert plan.status == PatrolPlan.Status.PUBLISHED
    nxt = (timezone.localdate() + timedelta(days=7)).isocalendar()
    assert (plan.iso_year, plan.iso_week) == (nxt[0], nxt[1])
    assert plan.visits.count() > 0
    context.close()

    minimum = cast["collab"].min_public_count
    for device, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context = new_context(browser, device, live_server.url)
        page = context.new_page()
        response = page.goto("/feedback/public/orebro/")
        assert response.ok and "/accounts/login/" not in page.url
        html = page.content()
        numbers = _numbers(html)
        assert numbers and max(numbers) >= minimum
        assert all(n == 0 or n >= minimum for n in numbers), numbers
        assert UNDERPASS in page.locator("main").inner_text()
        if name == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the public page scrolls sideways ({width}px)"
        screenshot(page, f"feedback-public-{name}.png")
        context.close()

    context, page = signed_in(browser, PHONE, live_server.url, "vakt-ville")
    page.goto("/patrols/")
    with page.expect_navigation():
        page.click(f"a[href='/patrols/plans/{plan.code}/']")
    first = plan.visits.order_by("team", "starts_at").first()
    team = page.locator("section.pat-team").first
    assert team.is_visible()
    cell = team.locator("td", has_text=first.label).first
    assert cell.is_visible()
    box = cell.bounding_box()
    assert box["x"] + box["width"] <= 390, "the visit is cut off on the phone"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the guard plan scrolls sideways ({width}px)"
    wrap = team.locator(".table-wrap")
    inner, outer = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert inner <= outer, f"the plan's table is cut off ({inner} > {outer}px)"
    screenshot(page, "patrols-plan-phone.png")
    context.close()
