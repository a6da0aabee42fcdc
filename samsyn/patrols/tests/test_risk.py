"""The pure risk and scheduling module on hand-built data."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from samsyn.patrols import risk

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 3, 2, tzinfo=TZ)  # a Monday
A = risk.Location("place:1", "Square", 500_000.0, 6_570_000.0, area_ref="W", place_id=1)
B = risk.Location("place:2", "Park", 503_000.0, 6_570_000.0, area_ref="E", place_id=2)


def _reports(loc, when):
    t = np.array([w.timestamp() for w in when])
    return t, np.full(len(t), loc.x), np.full(len(t), loc.y), np.ones(len(t))


def _weekly(loc, weeks, weekday, hour, start=0):
    monday = NOW - timedelta(weeks=weeks)
    return [
        monday + timedelta(weeks=k, days=weekday, hours=hour, minutes=20)
        for k in range(start, weeks)
    ]


def _cat(*parts):
    return tuple(np.concatenate(p) for p in zip(*parts, strict=True))


def test_it_ranks_an_evening_place_in_evening_windows_not_mornings():
    t, x, y, h = _reports(A, _weekly(A, 12, 4, 20))  # Fridays 20:20
    table = risk.risk_table(t, x, y, h, [A], now=NOW.timestamp())
    top = table.ranked(limit=3)
    assert [w.hour_of_week for w in top] == [4 * 24 + 20, 4 * 24 + 19, 4 * 24 + 21]
    assert top[0].history > top[1].history > 0  # smoothed into the neighbours
    assert table.score[0, 4 * 24 + 8] == 0  # Friday morning
    assert table.score[0, 20] == 0  # another weekday's evening


def test_it_weighs_recent_weeks_more_than_old_ones():
    recent = _weekly(A, 12, 2, 18, start=9)  # last three weeks
    old = _weekly(B, 12, 2, 18)[:3]  # first three weeks
    t, x, y, h = _cat(_reports(A, recent), _reports(B, old))
    table = risk.risk_table(t, x, y, h, [A, B], now=NOW.timestamp())
    hw = 2 * 24 + 18
    assert table.history[0, hw] > 4 * table.history[1, hw]
    assert table.trend[0, hw] > 0 and table.trend[1, hw] == 0


def test_it_ignores_reports_older_than_the_window_and_far_away():
    t, x, y, h = _reports(A, [NOW - timedelta(weeks=13)])
    far = risk.Location("place:9", "Far", A.x + 400, A.y)
    table = risk.risk_table(t, x, y, h, [A, far], now=NOW.timestamp())
    assert table.n_reports == 0 and table.score.sum() == 0
    t, x, y, h = _reports(A, [NOW - timedelta(days=3)])
    table = risk.risk_table(t, x, y, h, [A, far], now=NOW.timestamp())
    assert table.score[0].sum() > 0 and table.score[1].sum() == 0


def test_it_boosts_flagged_areas_and_open_decisions_only_where_risk_is():
    t, x, y, h = _cat(
        _reports(A, _weekly(A, 12, 5, 21)), _reports(B, _weekly(B, 12, 5, 21))
    )
    plain = risk.risk_table(t, x, y, h, [A, B], now=NOW.timestamp())
    boosted = risk.risk_table(
        t, x, y, h, [A, B], now=NOW.timestamp(),
        flagged_areas={"W"}, decision_keys={"area:E"},
    )  # fmt: skip
    hw = 5 * 24 + 21
    assert plain.score[0, hw] == plain.score[1, hw]
    assert boosted.deviation[0, hw] > 0 and boosted.decision[0, hw] == 0
    assert boosted.decision[1, hw] > 0 and boosted.deviation[1, hw] == 0
    assert boosted.score[0, 8] == 0  # a quiet hour stays quiet
    top = boosted.ranked(limit=1)[0]
    assert top.score == top.history + top.trend + top.deviation + top.decision


def test_it_computes_hour_of_week_in_local_time_across_dst():
    summer = datetime(2026, 7, 6, 1, 30, tzinfo=TZ)  # Monday 01:30 CEST = 23:30Z Sun
    winter = datetime(2026, 1, 11, 23, 59, tzinfo=TZ)  # Sunday 23:59 CET
    hw = risk.hour_of_week(np.array([summer.timestamp(), winter.timestamp()]))
    assert hw.tolist() == [1, 167]


def test_it_picks_the_densest_cells_as_hotspots():
    x = np.array([500_010.0] * 5 + [501_010.0] * 2 + [502_010.0])
    y = np.full(8, 6_570_010.0)
    cells = risk.hotspot_cells(x, y, np.ones(8), top=2)
    assert [c.x for c in cells] == [500_125.0, 501_125.0]
    assert all(c.kind == "cell" for c in cells)


# ------------------------------------------------------------------- scheduling
def _windows(locs, hours, score=1.0):
    return [
        risk.RiskWindow(loc, hw, score - i * 0.01, score, 0, 0, 0)
        for i, (loc, hw) in enumerate((loc, hw) for hw in hours for loc in locs)
    ]


def _shifts(days=range(7), start=15, end=23):
    return [risk.Shift(d, d * 1440 + start * 60, d * 1440 + end * 60) for d in days]


def _check(slots, shifts, speed):
    by_day = {s.day: s for s in shifts}
    for s in slots:
        shift = by_day[s.start // 1440]
        assert shift.start <= s.start < s.end <= shift.end
    for team in {s.team for s in slots}:
        mine = sorted((s for s in slots if s.team == team), key=lambda s: s.start)
        for a, b in zip(mine, mine[1:], strict=False):
            assert a.end + risk.travel_minutes(a.location, b.location, speed) <= b.start


def test_it_schedules_without_overlaps_within_shifts_respecting_travel():
    locs = [
        risk.Location(f"place:{i}", f"P{i}", 500_000.0 + 2_000 * i, 6_570_000.0)
        for i in range(6)
    ]
    hours = [d * 24 + h for d in range(7) for h in (8, 16, 19, 20, 22)]
    ranked = _windows(locs, hours)
    shifts = _shifts(days=range(5))
    slots = risk.schedule(ranked, shifts, teams=2, visit_minutes=30, speed_kmh=12)
    assert slots
    _check(slots, shifts, 12)
    assert {s.team for s in slots} == {1, 2}
    assert all(s.start // 1440 < 5 for s in slots)  # no weekend shift
    assert all(15 * 60 <= s.start % 1440 for s in slots)  # nothing at 08
    days = [(s.location.key, s.start // 1440) for s in slots]
    assert len(days) == len(set(days))  # a place at most once a day
    per_place = {k: sum(1 for d in days if d[0] == k) for k, _ in days}
    assert max(per_place.values()) <= 3
    again = risk.schedule(ranked, shifts, teams=2, visit_minutes=30, speed_kmh=12)
    assert again == slots


def test_it_moves_a_visit_later_to_leave_time_for_travel():
    near = risk.Location("place:1", "Near", 500_000.0, 6_570_000.0)
    far = risk.Location("place:2", "Far", 505_000.0, 6_570_000.0)  # 5 km = 15 min at 20
    ranked = [
        risk.RiskWindow(near, 19, 2.0, 2.0, 0, 0, 0),
        risk.RiskWindow(far, 19, 1.0, 1.0, 0, 0, 0),
    ]
    slots = risk.schedule(ranked, _shifts(), teams=1, visit_minutes=30, speed_kmh=20)
    assert [(s.location.key, s.start % 1440) for s in slots] == [
        ("place:1", 19 * 60),
        ("place:2", 19 * 60 + 45),
    ]
