"""Risk by place and hour of week, for planning the mobile guards (pure numpy).

No Django here: the caller hands in report columns (time, SWEREF x/y, harm weight),
the candidate locations and the boosts, and gets back a ranked list of
(location, hour of week) windows with the parts of the score shown, so a
coordinator can explain why the guards go where they go.

The score of a location l at hour of week h (0 = Monday 00-01 local time) is

    history[l, h]    harm-weighted reports per week near l in hour h over the last
                     N weeks, each report weighted 0.5 ** (age / half-life) so recent
                     weeks weigh more, divided by the sum of the week weights (a
                     decayed weekly rate), smoothed over the neighbouring hours
                     (1/4, 1/2, 1/4, wrapping Sunday night into Monday morning);
    trend[l, h]      history * ((recent + k) / (expected recent + k) - 1), clipped to
                     [0, max_trend], k a small pseudo-count: a place heating up in
                     the last weeks;
    deviation[l, h]  (history + trend) * deviation_boost when the location's area is
                     flagged this week by the weekly deviation analysis;
    decision[l, h]   (history + trend) * decision_boost when an open meeting
                     decision concerns the place or its area.

The boosts multiply the location's own pattern, so they raise it in the hours
where it already has reports and never send guards to a quiet hour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from samsyn.analysis.stats.grid import Grid
from samsyn.lib.weeks import local_tz

HOURS = 168
WEEK_S = 7 * 86_400
# 1970-01-01 was a Thursday: day index + 3 is the Monday-based weekday.
_EPOCH_WEEKDAY = 3


@dataclass(frozen=True)
class Location:
    """A candidate place for a visit: a named place or a hotspot grid cell."""

    key: str  # "place:<id>" or "cell:<x>:<y>"
    label: str
    x: float
    y: float
    kind: str = "place"  # "place" or "cell"
    place_id: int | None = None
    area_ref: str = ""
    radius_m: float = 150.0  # reports within this distance count (cells: the cell)
    area_name: str = ""  # cells: the area the square lies in, for its label
    near: str = ""  # cells: the nearest named place, for its label
    near_m: float = 0.0  # cells: the distance to that place (m)


@dataclass(frozen=True)
class RiskParams:
    weeks: int = 12
    half_life_weeks: float = 4.0
    recent_weeks: int = 2
    max_trend: float = 1.0
    trend_prior: float = 2.0  # pseudo-count (harm units) shrinking small trends
    deviation_boost: float = 0.5
    decision_boost: float = 0.5
    smoothing: tuple[float, float, float] = (0.25, 0.5, 0.25)


@dataclass(frozen=True)
class RiskWindow:
    location: Location
    hour_of_week: int
    score: float
    history: float
    trend: float
    deviation: float
    decision: float

    @property
    def weekday(self) -> int:
        return self.hour_of_week // 24

    @property
    def hour(self) -> int:
        return self.hour_of_week % 24


@dataclass(frozen=True)
class RiskTable:
    """Components per location x hour of week (shape (n_locations, 168))."""

    locations: tuple[Location, ...]
    history: np.ndarray
    trend: np.ndarray
    deviation: np.ndarray
    decision: np.ndarray
    n_reports: int = 0
    params: RiskParams = field(default_factory=RiskParams)

    @property
    def score(self) -> np.ndarray:
        return self.history + self.trend + self.deviation + self.decision

    def ranked(
        self, limit: int | None = None, min_score: float = 1e-9
    ) -> list[RiskWindow]:
        """(location, hour) pairs by score, highest first; ties by location key, hour."""
        score = self.score
        li, hi = np.nonzero(score > min_score)
        keys = np.array([self.locations[i].key for i in li], dtype=object)
        # lexsort: last key is primary -> score desc, then key, then hour.
        order = np.lexsort((hi, keys.astype(str), -np.round(score[li, hi], 9)))
        if limit is not None:
            order = order[:limit]
        return [
            RiskWindow(
                location=self.locations[li[k]],
                hour_of_week=int(hi[k]),
                score=float(score[li[k], hi[k]]),
                history=float(self.history[li[k], hi[k]]),
                trend=float(self.trend[li[k], hi[k]]),
                deviation=float(self.deviation[li[k], hi[k]]),
                decision=float(self.decision[li[k], hi[k]]),
            )
            for k in order
        ]


def hour_of_week(t: np.ndarray, tz: ZoneInfo | None = None) -> np.ndarray:
    """Hour of the local week (0 = Monday 00:00-01:00) of UTC epoch seconds.

    The UTC offset is looked up once per distinct UTC hour (a few thousand at most
    for a quarter of reports), which is exact across daylight-saving changes.
    """
    tz = tz or local_tz()
    t = np.asarray(t, dtype=np.float64)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    utc_hour = np.floor(t / 3600.0).astype(np.int64)
    uniq, inverse = np.unique(utc_hour, return_inverse=True)
    offsets = np.array(
        [
            datetime.fromtimestamp(int(h) * 3600, tz).utcoffset().total_seconds()  # type: ignore[union-attr]
            for h in uniq
        ]
    )
    local = t + offsets[inverse]
    local_hour = np.floor(local / 3600.0).astype(np.int64)
    day = local_hour // 24
    weekday = (day + _EPOCH_WEEKDAY) % 7
    return weekday * 24 + local_hour % 24


def hotspot_cells(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    *,
    cell_m: float = 250.0,
    top: int = 10,
    label: str = "Grid cell",
) -> list[Location]:
    """The ``top`` grid cells with the most harm-weighted reports (ties: cell order)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.size == 0 or top <= 0:
        return []
    grid = Grid.from_points(x, y, cell_m)
    counts = grid.counts(x, y, weights=np.asarray(weight, dtype=np.float64)).ravel()
    nonzero = np.flatnonzero(counts > 0)
    order = nonzero[np.lexsort((nonzero, -counts[nonzero]))][:top]
    cx, cy = grid.centres(order)
    return [
        Location(
            key=f"cell:{int(a)}:{int(b)}",
            label=f"{label} {int(a) // 1000}.{int(a) % 1000 // 10:02d}/"
            f"{int(b) // 1000}.{int(b) % 1000 // 10:02d}",
            x=float(a),
            y=float(b),
            kind="cell",
            radius_m=cell_m / 2,
        )
        for a, b in zip(cx, cy, strict=True)
    ]


def _near(loc: Location, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if loc.kind == "cell":
        h = loc.radius_m
        return (np.abs(x - loc.x) <= h) & (np.abs(y - loc.y) <= h)
    return (x - loc.x) ** 2 + (y - loc.y) ** 2 <= loc.radius_m**2


def _smooth(m: np.ndarray, kernel: tuple[float, float, float]) -> np.ndarray:
    a, b, c = kernel
    return a * np.roll(m, 1, axis=-1) + b * m + c * np.roll(m, -1, axis=-1)


def risk_table(
    t: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    harm: np.ndarray,
    locations: Sequence[Location],
    *,
    now: float,
    params: RiskParams | None = None,
    flagged_areas: frozenset[str] | set[str] = frozenset(),
    decision_keys: frozenset[str] | set[str] = frozenset(),
) -> RiskTable:
    """Score every location x hour of week from reports in the ``params.weeks``
    weeks before ``now`` (UTC epoch seconds).

    ``flagged_areas``: area refs with a deviation this week; ``decision_keys``:
    location keys (or ``area:<ref>``) named by an open meeting decision.
    """
    p = params or RiskParams()
    t = np.asarray(t, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    harm = np.asarray(harm, dtype=np.float64)
    start = now - p.weeks * WEEK_S
    keep = (t >= start) & (t < now) & np.isfinite(x) & np.isfinite(y)
    t, x, y, harm = t[keep], x[keep], y[keep], harm[keep]
    age_w = (now - t) / WEEK_S
    decay = 0.5 ** (age_w / p.half_life_weeks)
    # Sum of the weights of the N weeks (at their middles): dividing by it turns the
    # weighted sum into a weighted mean per week.
    week_weight = sum(0.5 ** ((k + 0.5) / p.half_life_weeks) for k in range(p.weeks))
    how = hour_of_week(t)
    recent = age_w < p.recent_weeks
    n = len(locations)
    history = np.zeros((n, HOURS))
    trend_factor = np.zeros(n)
    for i, loc in enumerate(locations):
        near = _near(loc, x, y)
        if not near.any():
            continue
        w = harm[near] * decay[near]
        history[i] = np.bincount(how[near], weights=w, minlength=HOURS) / week_weight
        # Trend: the recent weeks against what the whole period predicts for them,
        # both with a pseudo-count so that one extra report at a quiet place is not
        # read as a doubling.
        expected = harm[near].sum() * p.recent_weeks / p.weeks
        late = harm[near & recent].sum()
        ratio = (late + p.trend_prior) / (expected + p.trend_prior)
        trend_factor[i] = min(max(ratio - 1.0, 0.0), p.max_trend)
    history = _smooth(history, p.smoothing)
    trend = history * trend_factor[:, None]
    base = history + trend
    dev = np.array([1.0 if loc.area_ref in flagged_areas else 0.0 for loc in locations])
    dec = np.array(
        [
            1.0
            if loc.key in decision_keys or f"area:{loc.area_ref}" in decision_keys
            else 0.0
            for loc in locations
        ]
    )
    return RiskTable(
        locations=tuple(locations),
        history=history,
        trend=trend,
        deviation=base * (dev * p.deviation_boost)[:, None],
        decision=base * (dec * p.decision_boost)[:, None],
        n_reports=int(keep.sum()),
        params=p,
    )


# ------------------------------------------------------------------ scheduling
@dataclass(frozen=True)
class Shift:
    """One team's working window on one day, in minutes since the week's Monday 00:00."""

    day: int  # 0 = Monday
    start: int
    end: int


@dataclass(frozen=True)
class Slot:
    team: int
    location: Location
    start: int  # minutes since Monday 00:00 local time
    end: int
    window: RiskWindow


def travel_minutes(a: Location, b: Location, speed_kmh: float) -> int:
    """Straight-line SWEREF distance at ``speed_kmh``, rounded up to whole minutes."""
    if a.key == b.key:
        return 0
    metres = math.hypot(a.x - b.x, a.y - b.y)
    return math.ceil(metres / 1000.0 / speed_kmh * 60.0)


def _fits(visits: list[Slot], loc: Location, s: int, e: int, speed_kmh: float) -> bool:
    for v in visits:
        if s < v.end + travel_minutes(v.location, loc, speed_kmh) and v.start < e + (
            travel_minutes(loc, v.location, speed_kmh)
        ):
            return False
    return True


def schedule(
    ranked: Sequence[RiskWindow],
    shifts: Sequence[Shift],
    *,
    teams: int,
    visit_minutes: int = 30,
    speed_kmh: float = 20.0,
    max_per_location_week: int = 3,
    step_minutes: int = 15,
) -> list[Slot]:
    """Greedy, deterministic plan: the highest-risk windows first.

    A window (location, hour) goes to the first team with a shift that day whose
    timeline has room for the visit at the start of the hour, or up to an hour
    later/earlier in ``step_minutes`` steps (preferring the nearest time), with the
    travel time to the visit before and from it to the visit after. A location is
    visited at most once a day (by any team) and ``max_per_location_week`` times a
    week, so the plan spreads over the week instead of camping at the top hotspot.
    """
    by_day: dict[int, Shift] = {s.day: s for s in shifts}
    timelines: dict[tuple[int, int], list[Slot]] = {}
    seen_day: set[tuple[str, int]] = set()
    per_week: dict[str, int] = {}
    out: list[Slot] = []
    offsets = [0]
    for k in range(1, 60 // step_minutes + 1):
        offsets += [k * step_minutes, -k * step_minutes]
    for w in ranked:
        shift = by_day.get(w.weekday)
        if shift is None:
            continue
        key = w.location.key
        if (key, w.weekday) in seen_day or per_week.get(
            key, 0
        ) >= max_per_location_week:
            continue
        hour_start = w.hour_of_week * 60
        placed = None
        for off in offsets:
            s = hour_start + off
            e = s + visit_minutes
            # The visit must overlap the risky hour and lie inside the shift.
            if (
                s < shift.start
                or e > shift.end
                or e <= hour_start
                or s >= hour_start + 60
            ):
                continue
            for team in range(1, teams + 1):
                line = timelines.setdefault((team, w.weekday), [])
                if _fits(line, w.location, s, e, speed_kmh):
                    placed = Slot(team, w.location, s, e, w)
                    line.append(placed)
                    break
            if placed:
                break
        if placed is None:
            continue
        out.append(placed)
        seen_day.add((key, w.weekday))
        per_week[key] = per_week.get(key, 0) + 1
    out.sort(key=lambda v: (v.team, v.start))
    return out
