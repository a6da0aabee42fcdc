"""Follow-up (uppföljning): the figures behind an evaluation and the annual analysis.

Place-based interventions (a point) are evaluated by
:func:`samsyn.analysis.engine.evaluate` (target radius, displacement buffer ring, a
control area). Area-based ones use the same statistics
(:func:`samsyn.analysis.stats.evaluation.evaluate_intervention`) with target = the
intervention's areas, buffer = the areas that touch them and control = the most
similar area that neither overlaps nor touches them (or one chosen by hand).

Counts include every report of the collaboration (also restricted ones): an
evaluation is an aggregate shared with the whole collaboration and must not depend on
who pressed the button. Everything returned is JSON-ready.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samsyn.analysis import engine
from samsyn.analysis.data import load_report_columns
from samsyn.analysis.stats import evaluation as ev_stats
from samsyn.areas.models import Area
from samsyn.interventions.models import Evaluation, Intervention

MIN_WEEKS = 4
MAX_WEEKS = 26
ADJACENT_M = 1.0  # polygons closer than this touch (shared borders, rounding)
CONTROL_GAP_M = 200.0  # a control area keeps this distance from target and buffer
MIN_CONTROL_EVENTS = 10

EFFECT_TEXT = {
    ev_stats.EFFECT_WORKED: _("It worked: fewer events than the control suggests."),
    ev_stats.EFFECT_NO_CHANGE: _("No measurable change."),
    ev_stats.EFFECT_WORSE: _("More events than the control suggests."),
    ev_stats.TOO_FEW_EVENTS: _("Too few events to say."),
}
DISPLACEMENT_TEXT = {
    ev_stats.DISPLACEMENT: _("Displaced: events rose in the surrounding area."),
    ev_stats.DIFFUSION: _("Diffusion of benefit: the surrounding area improved too."),
    ev_stats.NO_DISPLACEMENT: _("No displacement to the surrounding area."),
    ev_stats.UNDEFINED: _("Displacement cannot be judged (too few events nearby)."),
}


class EvaluationError(ValueError):
    """The intervention cannot be evaluated (yet); the message says why."""


@dataclass(frozen=True)
class Periods:
    start: date
    weeks: int
    caveats: tuple[str, ...]


def choose_periods(intervention: Intervention, today: date) -> Periods:
    """Equally long before/after periods: the intervention's length in weeks (4 to 26),
    cut to the whole weeks that have passed since it started."""
    caveats: list[str] = []
    start = intervention.starts_on
    if intervention.ends_on is not None:
        days = (intervention.ends_on - start).days + 1
        wanted = min(MAX_WEEKS, max(MIN_WEEKS, math.ceil(days / 7)))
    else:
        wanted = MAX_WEEKS
    # Today counts: the evaluation sees events up to now.
    passed = ((today - start).days + 1) // 7
    if passed < 1:
        raise EvaluationError(
            str(_("The intervention has not run for a whole week yet."))
        )
    weeks = min(wanted, passed)
    if weeks < wanted:
        caveats.append(
            f"Only {weeks} whole weeks have passed since the start; the periods "
            f"are {weeks} weeks instead of {wanted}."
        )
    return Periods(start, weeks, tuple(caveats))


def _leaf_areas(intervention: Intervention) -> list[Area]:
    chosen = list(intervention.areas.all())
    leaves: dict[int, Area] = {}
    for a in chosen:
        if a.level == Area.Level.DISTRICT:
            for child in a.children.filter(active=True):
                leaves[child.pk] = child
        else:
            leaves[a.pk] = a
    if not leaves:
        for p in intervention.places.select_related("area"):
            if p.area_id is not None:
                leaves[p.area_id] = p.area
    return list(leaves.values())


def evaluate_points(
    intervention: Intervention, periods: Periods, control: str
) -> dict[str, Any]:
    res = engine.evaluate(
        intervention.collaboration,
        float(intervention.lon),  # type: ignore[arg-type]
        float(intervention.lat),  # type: ignore[arg-type]
        periods.start,
        float(intervention.target_radius_m),
        float(intervention.buffer_radius_m),
        periods.weeks,
        periods.weeks,
        control=control,
        categories=[c.code for c in intervention.categories.all()] or None,
    )
    return res


def evaluate_areas(
    intervention: Intervention, periods: Periods, control: str
) -> dict[str, Any]:
    """Target = the areas, buffer = touching areas, control = similar, not adjacent."""
    collab = intervention.collaboration
    targets = _leaf_areas(intervention)
    if not targets:
        raise EvaluationError(str(_("Give the intervention a place, point or area.")))
    _union, geoms = engine.study_area(collab)
    target_refs = {a.ref for a in targets if a.ref in geoms}
    if not target_refs:
        raise EvaluationError(str(_("The intervention's areas have no boundary.")))
    target_geom = shapely.union_all([geoms[r] for r in target_refs])
    buffer_refs = {
        ref
        for ref, g in geoms.items()
        if ref not in target_refs and g.distance(target_geom) <= ADJACENT_M
    }
    near = shapely.union_all([target_geom, *[geoms[r] for r in buffer_refs]])

    t0 = engine.local_midnight(periods.start)
    b0 = engine.local_midnight(periods.start - timedelta(weeks=periods.weeks))
    a1 = engine.local_midnight(periods.start + timedelta(weeks=periods.weeks))
    cols = load_report_columns(collab, b0, a1)
    codes = [c.code for c in intervention.categories.all()]
    if codes:
        idx = [cols.category_codes.index(c) for c in codes if c in cols.category_codes]
        cols = cols.select(np.isin(cols.category, idx))
    split = t0.timestamp()
    refs = cols.area_refs
    in_target = np.isin(cols.area, [i for i, r in enumerate(refs) if r in target_refs])
    in_buffer = np.isin(cols.area, [i for i, r in enumerate(refs) if r in buffer_refs])
    notes: list[str] = []
    if control == "auto":
        before = cols.t < split
        mid = (b0.timestamp() + split) / 2

        def shape_of(tt: np.ndarray) -> tuple[float, float]:
            n = len(tt)
            if n == 0:
                return 0.0, 0.0
            second = float(np.count_nonzero(tt >= mid))
            return float(n), (second - (n - second)) / n

        t_level, t_trend = shape_of(cols.t[in_target & before])
        best: tuple[float, int] | None = None
        for i, ref in enumerate(refs):
            g = geoms.get(ref)
            if g is None or ref in target_refs or ref in buffer_refs:
                continue
            if g.distance(near) <= CONTROL_GAP_M:
                continue
            tt = cols.t[(cols.area == i) & before]
            if len(tt) < MIN_CONTROL_EVENTS:
                continue
            level, trend = shape_of(tt)
            score = abs(math.log((level + 1) / (t_level + 1))) + abs(trend - t_trend)
            if best is None or score < best[0]:
                best = (score, i)
        if best is None:
            raise EvaluationError(str(_("No area qualifies as a control.")))
        ci = best[1]
        notes.append(
            "Control chosen automatically: the area (not within 200 m of the target "
            "areas or their neighbours) with the most similar before-period level "
            f"and trend, at least {MIN_CONTROL_EVENTS} events before."
        )
    else:
        if control not in refs:
            raise EvaluationError(str(_("Unknown control area.")))
        ci = refs.index(control)
        notes.append("Control area chosen by the user.")
    in_control = cols.area == ci

    def before_after(m: np.ndarray) -> tuple[int, int]:
        tt = cols.t[m]
        return int(np.count_nonzero(tt < split)), int(np.count_nonzero(tt >= split))

    rb, ra = before_after(in_target)
    db, da = before_after(in_buffer)
    cb, ca = before_after(in_control)
    ev = ev_stats.evaluate_intervention(
        treated_before=rb,
        treated_after=ra,
        control_before=cb,
        control_after=ca,
        buffer_before=db if buffer_refs else None,
        buffer_after=da if buffer_refs else None,
    )
    bounds = engine.week_bounds(
        periods.start - timedelta(weeks=periods.weeks), 2 * periods.weeks
    )
    return {
        "collaboration": collab.slug,
        "start": periods.start.isoformat(),
        "weekly": {
            "target": engine._weekly_series(cols.t[in_target], bounds).tolist(),
            "buffer": engine._weekly_series(cols.t[in_buffer], bounds).tolist(),
            "control": engine._weekly_series(cols.t[in_control], bounds).tolist(),
        },
        "parameters": {
            "target_areas": sorted(target_refs),
            "buffer_areas": sorted(buffer_refs),
            "weeks_before": periods.weeks,
            "weeks_after": periods.weeks,
            "categories": codes,
        },
        "control": {
            "area": refs[ci],
            "chosen": "auto" if control == "auto" else "user",
        },
        "counts": {
            "target": {"before": rb, "after": ra},
            "buffer": {"before": db, "after": da},
            "control": {"before": cb, "after": ca},
        },
        "effect": ev.effect,
        "displacement": ev.displacement,
        "effect_z": engine._num(ev.effect_z),
        "displacement_z": engine._num(ev.displacement_z),
        "wdq": engine._dc(ev.wdq),
        "total_net_effect": engine._dc(ev.total_net_effect),
        "wdd": engine._dc(ev.wdd),
        "did": engine._dc(ev.did),
        "reasons": list(ev.reasons),
        "notes": notes,
    }


def compute(
    intervention: Intervention, control: str = "auto", now: datetime | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(inputs, results) of an evaluation, not stored. Raises EvaluationError."""
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    periods = choose_periods(intervention, today)
    method = (
        Evaluation.Method.POINT
        if intervention.is_place_based
        else Evaluation.Method.AREAS
    )
    try:
        if method == Evaluation.Method.POINT:
            results = evaluate_points(intervention, periods, control)
        else:
            results = evaluate_areas(intervention, periods, control)
    except engine.AnalysisInputError as exc:
        raise EvaluationError(str(exc)) from exc
    caveats = list(periods.caveats) + list(results.get("reasons", []))
    if intervention.status == Intervention.Status.ONGOING:
        caveats.append("The intervention is still running: this is an interim result.")
    prevented = (results.get("total_net_effect") or {}).get("total")
    cost = intervention.spent_cost
    cost_per = None
    # No cost per prevented event without an estimate worth the name: too few
    # events means no conclusion, and a negative or zero estimate prevented nothing.
    if (
        cost is not None
        and prevented is not None
        and results["effect"] != ev_stats.TOO_FEW_EVENTS
    ):
        cost_per = ev_stats.cost_per_prevented_event(float(cost), prevented)
    results["prevented"] = prevented
    results["cost_per_prevented_event"] = (
        None if cost_per is None else round(cost_per, 1)
    )
    results["caveats"] = caveats
    inputs = {
        "method": method,
        "start": periods.start.isoformat(),
        "weeks": periods.weeks,
        "control": control,
        "point": (
            {"lon": intervention.lon, "lat": intervention.lat}
            if intervention.is_place_based
            else None
        ),
        "target_radius_m": intervention.target_radius_m,
        "buffer_radius_m": intervention.buffer_radius_m,
        "areas": sorted(a.ref for a in intervention.areas.all()),
        "categories": sorted(c.code for c in intervention.categories.all()),
        "spent_cost": None if cost is None else float(cost),
        "evaluated_on": today.isoformat(),
    }
    return inputs, results


# ----------------------------------------------------------------- annual analysis
STRONG, WEAK, NONE = "strong", "weak", "none"
EVIDENCE_TEXT = {
    STRONG: _("Strong: a significant fall with enough events."),
    WEAK: _("Weak: in the right direction, but not significant."),
    NONE: _("None: too few events, or no net fall once displacement is counted."),
}
KEEP, CHANGE, STOP, UNKNOWN = "keep", "change", "stop", "unknown"
SUGGESTION_TEXT = {
    KEEP: _("Keep: this kind of intervention was followed by a measurable fall."),
    CHANGE: _(
        "Change: results point the right way but are weak, or the problem moved."
    ),
    STOP: _("Stop or rethink: no fall was measured."),
    UNKNOWN: _("Not enough evidence yet: keep following up."),
}


def evidence_level(ev: Evaluation) -> str:
    """Strong: WDD significant (p < 0.05) and negative with enough events (verdict
    worked); weak: WDD negative but not significant; none: too few events or no net
    fall. WDD counts the buffer too, so a fall that only moved is no evidence."""
    if ev.effect == ev_stats.TOO_FEW_EVENTS:
        return NONE
    wdd = ev.results.get("wdd") or {}
    est, p = wdd.get("estimate"), wdd.get("p_value")
    if ev.effect == ev_stats.EFFECT_WORKED and est is not None and est < 0:
        if p is not None and p < 0.05:
            return STRONG
        return WEAK
    if est is not None and est < 0:
        return WEAK
    return NONE


def _suggest(levels: list[str], displaced: int, worked: int = 0) -> str:
    """Keep what was followed by a strong fall without displacement; change what
    points the right way, or worked locally but moved the problem; stop what
    showed no fall at all."""
    if not levels:
        return UNKNOWN
    if displaced and worked:
        return CHANGE
    n_strong = levels.count(STRONG)
    n_weak = levels.count(WEAK)
    n_none = levels.count(NONE)
    if n_strong and n_strong >= n_none and not displaced:
        return KEEP
    if n_strong or n_weak:
        return CHANGE
    if n_none == len(levels):
        return STOP
    return UNKNOWN


def annual_analysis(collaboration: Any, year: int) -> dict[str, Any]:
    """A year's evaluated interventions, by kind, area and category, JSON-ready.

    Each intervention with an evaluation in or for the year gets its latest
    evaluation's verdicts and an evidence level; kinds get a keep/change/stop
    suggestion.
    """
    qs = (
        Intervention.objects.filter(
            collaboration=collaboration, evaluations__isnull=False
        )
        .in_year(year)
        .distinct()
        .select_related("owner")
        .prefetch_related("areas", "categories", "evaluations")
        .order_by("kind", "starts_on", "pk")
    )
    kinds = dict(Intervention.Kind.choices)
    rows: list[dict[str, Any]] = []
    by: dict[str, dict[str, list[dict[str, Any]]]] = {
        "kind": defaultdict(list),
        "area": defaultdict(list),
        "category": defaultdict(list),
    }
    for iv in qs:
        ev = max(iv.evaluations.all(), key=lambda e: (e.created, e.pk))
        level = evidence_level(ev)
        wdd = ev.results.get("wdd") or {}
        row = {
            "code": str(iv.code),
            "title": iv.title,
            "kind": iv.kind,
            "kind_name": str(kinds[iv.kind]),
            "owner": iv.owner.name,
            "start": iv.starts_on.isoformat(),
            "end": iv.ends_on.isoformat() if iv.ends_on else None,
            "areas": [a.name for a in iv.areas.all()],
            "categories": [c.code for c in iv.categories.all()],
            "effect": ev.effect,
            "effect_text": str(EFFECT_TEXT.get(ev.effect, ev.effect)),
            "displacement": ev.displacement,
            "displacement_text": str(
                DISPLACEMENT_TEXT.get(ev.displacement, ev.displacement)
            ),
            "evidence": level,
            "wdd": wdd.get("estimate"),
            "wdd_p": wdd.get("p_value"),
            "prevented": ev.prevented,
            "cost_per_prevented_event": ev.cost_per_prevented,
        }
        rows.append(row)
        by["kind"][iv.kind].append(row)
        for a in iv.areas.all() or [None]:
            by["area"][a.name if a else "—"].append(row)
        for c in iv.categories.all() or [None]:
            by["category"][c.code if c else "—"].append(row)

    def summary(key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        levels = [r["evidence"] for r in items]
        displaced = sum(r["displacement"] == ev_stats.DISPLACEMENT for r in items)
        return {
            "key": key,
            "n": len(items),
            "worked": sum(r["effect"] == ev_stats.EFFECT_WORKED for r in items),
            "strong": levels.count(STRONG),
            "weak": levels.count(WEAK),
            "none": levels.count(NONE),
            "displaced": displaced,
            "prevented": round(
                sum(
                    r["prevented"] or 0.0
                    for r in items
                    if r["effect"] != "too_few_events"
                ),
                1,
            ),
        }

    by_kind = []
    for k, items in by["kind"].items():
        s = summary(k, items)
        s["name"] = str(kinds[k])
        s["suggestion"] = _suggest(
            [r["evidence"] for r in items], s["displaced"], s["worked"]
        )
        s["suggestion_text"] = str(SUGGESTION_TEXT[s["suggestion"]])
        by_kind.append(s)
    return {
        "collaboration": collaboration.slug,
        "year": year,
        "n_evaluated": len(rows),
        "interventions": rows,
        "by_kind": by_kind,
        "by_area": [summary(k, v) for k, v in sorted(by["area"].items())],
        "by_category": [summary(k, v) for k, v in sorted(by["category"].items())],
        "evidence_levels": {k: str(v) for k, v in EVIDENCE_TEXT.items()},
    }
