"""The rule: the same area and category flagged in 3 of the last 6 periods."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from samsyn.lib.weeks import local_midnight, monday, period_for
from samsyn.problems.recurrence import proposals, recurring, window
from samsyn.tests.support import INSIDE_EAST, make_report


def test_three_of_six_is_proposed_and_two_is_not():
    flags = {
        (0, 0): [True, False, True, False, False, True],
        (1, 0): [True, False, False, False, False, True],
        (1, 1): [False, False, False, False, False, False],
    }
    found = recurring(flags)
    assert [(r.area, r.category, r.count) for r in found] == [(0, 0, 3)]


def test_more_flags_come_first():
    flags = {(0, 0): [True] * 3 + [False] * 3, (1, 0): [True] * 5 + [False]}
    assert [r.area for r in recurring(flags)] == [1, 0]


def test_the_window_is_six_periods_of_the_pictures_kind(north):
    week = period_for("week", timezone.localdate() - timedelta(days=7))
    w = window(week)
    assert len(w) == 6 and w[-1] == week
    assert all(b.start == a.end for a, b in zip(w, w[1:], strict=False))


def _spike(org, week_monday, n=5, **kw):
    for h in range(n):
        make_report(
            org,
            occurred_at=local_midnight(week_monday)
            + timedelta(hours=10, minutes=5 * h),
            **kw,
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("spikes", "proposed"), [(3, True), (2, False)])
def test_weekly_spikes_in_an_area_make_a_proposal(
    north, north_org, west_area, east_area, spikes, proposed
):
    last = period_for("week", timezone.localdate() - timedelta(days=7))
    weeks = [p.start for p in window(last)]
    # History: one report a month for half a year, in another area and category.
    for k in range(26):
        make_report(
            north_org,
            category="unsafe_lighting",
            lonlat=INSIDE_EAST,
            occurred_at=local_midnight(monday(weeks[0]) - timedelta(weeks=8 + k)),
        )
    # Each spike clearly above a baseline that already holds the earlier ones.
    for m, n in list(zip([weeks[0], weeks[2], weeks[5]], [5, 10, 20], strict=True))[
        :spikes
    ]:
        _spike(north_org, m, n)
    found = proposals(north, last)
    pairs = [(p["area_ref"], p["category"]) for p in found]
    assert (("W", "gathering") in pairs) is proposed
    if proposed:
        p = found[0]
        assert p["area_name"] == "Väster"
        assert p["periods"] == [w.label for w in window(last)]
        assert p["flagged"] == [window(last)[i].label for i in (0, 2, 5)]
