"""Time to fix in the weekly picture: open, overdue, median days, traced."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samsyn.lib.weeks import period_for
from samsyn.pictures.actions import generate_picture
from samsyn.reports.actions import change_status
from samsyn.reports.models import Report
from samsyn.routing.tests.conftest import OFF_ESTATE, ON_ESTATE
from samsyn.routing.tests.test_routing import post_api

pytestmark = pytest.mark.django_db


def test_the_picture_shows_time_to_fix_per_owner_and_category(
    client, bob, alice, rules, north, now, time_machine
):
    # Twenty days ago: three lamps on the estate (five days promised) and one on
    # the street (seven days). Two estate lamps are fixed after 2 and 4 days.
    time_machine.move_to(now - timedelta(days=20))
    estate = [post_api(bob, ON_ESTATE) for _ in range(3)]
    street = post_api(bob, OFF_ESTATE)
    for report, days in ((estate[0], 2), (estate[1], 4)):
        time_machine.move_to(now - timedelta(days=20 - days))
        change_status(report, by=alice, status=Report.Status.FIXED)
    time_machine.move_to(now)
    period = period_for("week", timezone.localdate() - timedelta(days=7))
    picture = generate_picture(north, "week", period, by=alice)
    rows = {
        (r["owner"], r["category_code"]): r
        for r in picture.figures["time_to_fix"]["rows"]
    }
    housing = rows[("North housing", "unsafe_lighting")]
    assert (housing["open"], housing["overdue"], housing["fixed"]) == (1, 1, 2)
    assert housing["median_days"] == pytest.approx(3.0, abs=0.01)
    assert picture.trace[housing["trace"]["overdue"]]["codes"] == [str(estate[2].code)]
    assert sorted(picture.trace[housing["trace"]["fixed"]]["codes"]) == sorted(
        [str(estate[0].code), str(estate[1].code)]
    )
    kommun = rows[("North kommun", "unsafe_lighting")]
    assert (kommun["open"], kommun["overdue"], kommun["median_days"]) == (1, 1, None)
    assert picture.trace[kommun["trace"]["open"]]["codes"] == [str(street.code)]
    client.force_login(alice)
    page = client.get(f"/pictures/{picture.code}/").content.decode()
    assert 'id="time-to-fix"' in page
    assert f"/pictures/{picture.code}/trace/{housing['trace']['overdue']}/" in page
