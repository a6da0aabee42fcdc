"""Browser: an organisation checks in three areas on a phone in a few taps."""

from __future__ import annotations

from typing import Any

import pytest

from samsyn.coverage.models import CheckIn, Coverage
from samsyn.organisations.models import Membership
from samsyn.tests.support import (
    CollaborationFactory,
    OrganisationFactory,
    make_area,
    member,
)

from .conftest import PHONE, log_in, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("offline_map")]
PASSWORD = "trygg-i-orebro-2025"  # noqa: S105 - test-only


def square(i: int) -> dict[str, Any]:
    x = 15.0 + i * 0.02
    return {
        "type": "Polygon",
        "coordinates": [
            [[x, 59.2], [x + 0.02, 59.2], [x + 0.02, 59.22], [x, 59.22], [x, 59.2]]
        ],
    }


@pytest.fixture
def housing(transactional_db: Any) -> Any:
    collab = CollaborationFactory(slug="orebro", name="EST Örebro")
    org = OrganisationFactory(
        collaboration=collab, slug="bostader", name="Örebrobostäder", kind="housing"
    )
    for i, name in enumerate(["Vivalla", "Varberga", "Baronbackarna", "Oxhagen"]):
        area = make_area(collab, ref=f"A{i}", name=name, geometry=square(i))
        Coverage.objects.create(collaboration=collab, organisation=org, area=area)
    user = member(org, Membership.Role.COORDINATOR, "hanna")
    user.set_password(PASSWORD)
    user.save()
    return org


def test_it_checks_in_three_areas_on_a_phone(browser, live_server, housing):
    context = new_context(browser, PHONE, live_server.url)
    page = context.new_page()
    log_in(page, "hanna", PASSWORD)
    page.goto("/coverage/checkin/")
    assert page.locator(".ci-area").count() == 4

    # Two areas: one tap each.
    for name in ("Baronbackarna", "Oxhagen"):
        card = page.locator(".ci-area", has_text=name)
        with page.expect_navigation():
            card.locator("button.ci-nothing").click()
    # One area with items seen: open, tick two, save.
    card = page.locator(".ci-area", has_text="Vivalla")
    card.locator("summary").click()
    card.locator("input[value=littering]").check()
    card.locator("input[value=gathering]").check()
    with page.expect_navigation():
        card.locator("button.ci-save-items").click()

    assert page.locator(".ci-progress").get_attribute("data-done") == "3"
    assert CheckIn.objects.current().count() == 3
    assert set(
        CheckIn.objects.filter(status="items_seen").values_list("area__name", flat=True)
    ) == {"Vivalla"}
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "checkin-phone.png")
    context.close()


def test_the_coordinator_sees_coverage_and_perceived_safety(
    browser, live_server, housing
):
    from datetime import datetime

    from django.utils import timezone

    from samsyn.areas.models import Area
    from samsyn.coverage.actions import check_in
    from samsyn.organisations.access import Access
    from samsyn.surveys.models import SurveyResult
    from samsyn.tests.support import make_report

    from .conftest import DESKTOP

    collab = housing.collaboration
    user = Membership.objects.get(organisation=housing).user
    access = Access.for_user(user, collab)
    iso = timezone.localdate().isocalendar()
    areas = list(Area.objects.filter(collaboration=collab).order_by("ref"))
    check_in(
        access,
        housing,
        areas[0],
        iso.year,
        iso.week,
        "items_seen",
        ["littering"],
        by=user,
    )
    check_in(
        access, housing, areas[1], iso.year, iso.week, "nothing_to_report", by=user
    )
    police = OrganisationFactory(
        collaboration=collab, slug="polisen", name="Polisen", kind="police"
    )
    Coverage.objects.create(collaboration=collab, organisation=police, area=areas[0])
    year = timezone.localdate().year - 1
    for i, (area, index, n) in enumerate(
        zip(areas, [4.8, 3.1, 2.2, 1.0], [0, 3, 5, 12], strict=True)
    ):
        Area.objects.filter(pk=area.pk).update(population=2000 + 500 * i)
        SurveyResult.objects.create(
            collaboration=collab,
            area=area,
            year=year,
            source="Polisens trygghetsmätning",
            indicator="problem index",
            value=index,
            respondents=150 + 10 * i,
        )
        for _ in range(n):
            make_report(
                housing,
                lonlat=(15.01 + i * 0.02, 59.21),
                occurred_at=datetime(
                    year, 6, 1, 12, tzinfo=timezone.get_current_timezone()
                ),
            )
    context = new_context(browser, DESKTOP, live_server.url)
    page = context.new_page()
    log_in(page, "hanna", PASSWORD)
    page.goto("/coverage/")
    assert page.locator(".ci-state-not_covered").count() >= 3
    screenshot(page, "coverage-matrix.png")
    page.goto(f"/surveys/?year={year}")
    assert page.locator(".sv-div").count() == 2
    screenshot(page, "surveys-perceived.png")
    context.close()
