"""A picture of a period that has not ended says "so far": it covers the elapsed
part up to the last complete week, names no future week, and compares that part
with the same part of earlier periods."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from samsyn.coverage.models import Coverage
from samsyn.lib.weeks import local_tz, parse_period
from samsyn.pictures.actions import generate_picture
from samsyn.tests.support import make_report

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 10:00: the last complete week is 2026-W49 (30 Nov–6 Dec).
TODAY = datetime(2026, 12, 7, 10, 0, tzinfo=local_tz())
WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})")


def _at(d: date) -> datetime:
    return datetime.combine(d, time(12), local_tz())


def _weeks_named(figures: dict) -> set[tuple[int, int]]:
    return {(int(y), int(w)) for y, w in WEEK_KEY.findall(json.dumps(figures))}


@pytest.fixture
def reports(north, north_org, west_area, east_area):  # type: ignore[no-untyped-def]
    for d in (
        date(2026, 9, 10),  # in the elapsed part of 2026-T3
        date(2026, 12, 3),  # in its last complete week
        date(2025, 9, 10),  # the same days of 2025
        date(2025, 12, 20),  # after them: not compared
        date(2026, 5, 10),  # the same part of 2026-T2
        date(2026, 8, 20),  # after it
    ):
        make_report(north_org, occurred_at=_at(d))
    Coverage.objects.create(collaboration=north, organisation=north_org, area=west_area)


def _generate(north, alice, kind: str, label: str):  # type: ignore[no-untyped-def]
    with time_machine.travel(TODAY, tick=False), translation.override("en"):
        return generate_picture(north, kind, parse_period(kind, label), by=alice)


def test_a_running_tertial_covers_the_elapsed_weeks_and_the_same_days(
    reports, north, alice
):
    fig = _generate(north, alice, "tertial", "2026-T3").figures
    assert fig["period_end"] == "2027-01-01"
    assert fig["figures_end"] == "2026-12-07"
    assert fig["deviation_week"] == "2026-W49"
    assert fig["coverage"]["week"] == "2026-W49"
    assert fig["analysis"]["emerging"]["last_week"] == "2026-W49"
    assert max(_weeks_named(fig)) == (2026, 49)
    assert fig["summary"]["n_reports"] == 2
    assert fig["summary"]["n_last_year"] == 1  # 1 Sep–6 Dec 2025 only
    assert fig["summary"]["n_last"] == 1  # the first 97 days of 2026-T2
    assert fig["so_far"] == (
        "So far: 1 Sep–6 Dec 2026 against the same days of 2025; earlier periods "
        "are compared over the same number of days."
    )


def test_running_month_and_year_name_no_future_week(reports, north, alice):
    for kind, label in (("month", "2026-12"), ("year", "2026")):
        fig = _generate(north, alice, kind, label).figures
        assert max(_weeks_named(fig)) <= (2026, 49), kind
        assert fig["deviation_week"] == "2026-W49"
        assert fig["so_far"] and "against the same days of 2025" in fig["so_far"]
    year = _generate(north, alice, "year", "2026").figures
    assert year["summary"]["n_last_year"] == 1  # 20 Dec 2025 is after the same days


def test_a_finished_week_is_unchanged(reports, north, alice):
    fig = _generate(north, alice, "week", "2026-W49").figures
    assert fig["so_far"] is None
    assert fig["figures_end"] == fig["period_end"] == "2026-12-07"
    assert fig["deviation_week"] == "2026-W49"
    assert fig["summary"]["n_reports"] == 1


def test_page_and_pdf_say_so_far(reports, north, alice):
    picture = _generate(north, alice, "tertial", "2026-T3")
    c = Client()
    with time_machine.travel(TODAY, tick=False):
        c.force_login(alice)
        html = c.get(f"/pictures/{picture.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "So far: 1 Sep–6 Dec 2026 against the same days of 2025"
        in html.content.decode()
    )


def test_the_export_says_which_days_the_figures_cover(reports, north, alice):
    from samsyn.integrations.exports import pictures_table
    from samsyn.organisations.access import Access

    running = _generate(north, alice, "tertial", "2026-T3")
    finished = _generate(north, alice, "week", "2026-W49")
    rows = pictures_table(Access.for_user(alice, north)).rows
    until = {r["picture"]: r["covers_until"] for r in rows if r["row"] == "summary"}
    assert until[str(running.code)] == date(2026, 12, 6)
    assert until[str(finished.code)] == date(2026, 12, 6)


def test_it_says_so_far_in_swedish(reports, north, alice):
    with time_machine.travel(TODAY, tick=False), translation.override("sv"):
        fig = generate_picture(
            north, "tertial", parse_period("tertial", "2026-T3"), by=alice
        ).figures
    assert fig["so_far"].startswith("Hittills: 1 sep–6 dec 2026 mot samma dagar 2025")


def test_a_period_begun_today_has_figures_and_no_future_week(reports, north, alice):
    # Friday 1 January 2027, 00:30: 2027-T1 has just begun, no day of it has ended.
    with time_machine.travel(
        datetime(2027, 1, 1, 0, 30, tzinfo=local_tz()), tick=False
    ):
        fig = generate_picture(
            north, "tertial", parse_period("tertial", "2027-T1"), by=alice
        ).figures
    assert fig["figures_end"] == "2027-01-01"
    assert fig["summary"]["n_reports"] == 0
    assert fig["analysis"]["priority"]["rows"] == []
    assert max(_weeks_named(fig)) <= (2026, 52)
