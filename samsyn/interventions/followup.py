"""Follow-up (uppföljning): the figures behind an evaluation and the annual analysis.

Place-based interventions (a point) are evaluated by
:func:`samsyn.analysis.engine.evaluate` (target radius, displacement buffer ring, a
control area), area-based ones by :func:`samsyn.analysis.engine.evaluate_areas`
(target = the intervention's areas, buffer = the areas that touch them, control = the
most similar area that neither overlaps nor touches them, or one chosen by hand).
This module only chooses the periods and the areas, and adds the caveats and the
cost per prevented event; the figures are the engine's.

Counts include every report of the collaboration (also restricted ones): an
evaluation is an aggregate shared with the whole collaboration and must not depend on
who pressed the button. Everything returned is JSON-ready.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from samsyn.analysis import engine
from samsyn.analysis.stats import evaluation as ev_stats
from samsyn.areas.models import Area
from samsyn.interventions import verdicts
from samsyn.interventions.models import Evaluation, Intervention

MIN_WEEKS = 4
MAX_WEEKS = 26


class EvaluationError(ValueError):
    """The intervention cannot be evaluated (yet); the message says why."""


@dataclass(frozen=True)
class Periods:
    start: date
    weeks: int
    caveats: tuple[dict[str, Any], ...]


def choose_periods(intervention: Intervention, today: date) -> Periods:
    """Equally long before/after periods: the intervention's length in weeks (4 to 26),
    cut to the whole weeks that have passed since it started."""
    caveats: list[dict[str, Any]] = []
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
        caveats.append({"code": "short_periods", "weeks": weeks, "wanted": wanted})
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
    """Target = the areas, buffer = touching areas, control = similar, not adjacent
    (:func:`samsyn.analysis.engine.evaluate_areas`)."""
    targets = _leaf_areas(intervention)
    if not targets:
        raise EvaluationError(str(_("Give the intervention a place, point or area.")))
    try:
        return engine.evaluate_areas(
            intervention.collaboration,
            sorted(a.ref for a in targets),
            periods.start,
            periods.weeks,
            periods.weeks,
            control=control,
            categories=[c.code for c in intervention.categories.all()] or None,
        )
    except engine.AnalysisInputError as exc:
        # The engine's words for the register's situations, in the user's language.
        if exc.field == "areas":
            raise EvaluationError(
                str(_("The intervention's areas have no boundary."))
            ) from exc
        if exc.field == "control":
            text = (
                _("Unknown control area.")
                if control != "auto"
                else _("No area qualifies as a control.")
            )
            raise EvaluationError(str(text)) from exc
        raise


def _reason_caveats(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Why a verdict is missing, as codes: the rules of
    :func:`samsyn.analysis.stats.evaluation.evaluate_intervention` (default
    thresholds, as the engine uses) applied to the stored counts."""
    th = ev_stats.EvaluationThresholds()
    counts = results.get("counts") or {}

    def total(key: str) -> float:
        c = counts.get(key) or {}
        return float(c.get("before", 0)) + float(c.get("after", 0))

    found: list[dict[str, Any]] = []
    if results.get("effect") == ev_stats.TOO_FEW_EVENTS:
        for key, minimum in (
            ("target", th.min_treated_events),
            ("control", th.min_control_events),
        ):
            if total(key) < minimum:
                found.append(
                    {
                        "code": "few_events",
                        "where": key,
                        "events": total(key),
                        "minimum": minimum,
                    }
                )
    if results.get("displacement") == ev_stats.UNDEFINED and "buffer" in counts:
        if total("buffer") < th.min_buffer_events:
            found.append(
                {
                    "code": "few_events",
                    "where": "buffer",
                    "events": total("buffer"),
                    "minimum": th.min_buffer_events,
                }
            )
        elif total("rest" if "rest" in counts else "control") < th.min_control_events:
            found.append({"code": "few_control_events_for_buffer"})
    return found


def _method_notes(results: dict[str, Any], method: str) -> list[dict[str, Any]]:
    chosen = (results.get("control") or {}).get("chosen")
    if chosen == "user":
        return [{"code": "control_by_user"}]
    if chosen == "auto":
        return [
            {
                "code": "control_auto_areas"
                if method == Evaluation.Method.AREAS
                else "control_auto_point",
                "gap_m": int(engine.CONTROL_GAP_M),
                "minimum": engine.MIN_CONTROL_EVENTS,
            }
        ]
    return []


# Technical reasons the statistics give in English (WDQ undefined), in words.
_KNOWN_TEXTS = {
    "zero control count": _("a control count is zero"),
    "no success in the response area (SM >= 0)": _(
        "no fall in the target area, so nothing can have been displaced"
    ),
}


def explain(item: Any) -> str:
    """A stored caveat or method note in the reader's language.

    New evaluations store codes with figures (``{"code": "short_periods", ...}``);
    evaluations stored before that hold English sentences, shown as they are.
    """
    if item is None:
        return ""
    if not isinstance(item, dict):
        return str(_KNOWN_TEXTS.get(str(item), item))
    code = item.get("code")
    if code == "short_periods":
        return ngettext(
            "Only %(weeks)s whole week has passed since the start; the periods are "
            "%(weeks)s week instead of %(wanted)s.",
            "Only %(weeks)s whole weeks have passed since the start; the periods "
            "are %(weeks)s weeks instead of %(wanted)s.",
            item["weeks"],
        ) % {"weeks": item["weeks"], "wanted": item["wanted"]}
    if code == "interim":
        return gettext("The intervention is still running: this is an interim result.")
    if code == "few_events":
        n, figures = (
            int(item["events"]),
            {
                "events": f"{item['events']:g}",
                "minimum": item["minimum"],
            },
        )
        if item["where"] == "target":
            text = ngettext(
                "The target has %(events)s event, fewer than %(minimum)s.",
                "The target has %(events)s events, fewer than %(minimum)s.",
                n,
            )
        elif item["where"] == "control":
            text = ngettext(
                "The control area has %(events)s event, fewer than %(minimum)s.",
                "The control area has %(events)s events, fewer than %(minimum)s.",
                n,
            )
        else:
            text = ngettext(
                "The surrounding area has %(events)s event, fewer than %(minimum)s.",
                "The surrounding area has %(events)s events, fewer than %(minimum)s.",
                n,
            )
        return text % figures
    if code == "few_control_events_for_buffer":
        return gettext(
            "The control area has too few events to judge the surrounding area."
        )
    if code == "control_by_user":
        return gettext("Control area chosen by the user.")
    if code in ("control_auto_point", "control_auto_areas"):
        text = (
            gettext(
                "Control chosen automatically: the area (not within %(gap)s m of the "
                "target areas or their neighbours) with the most similar "
                "before-period level and trend, at least %(minimum)s events before."
            )
            if code == "control_auto_areas"
            else gettext(
                "Control chosen automatically: the area (not within %(gap)s m of the "
                "buffer) with the most similar before-period level and trend, at "
                "least %(minimum)s events before."
            )
        )
        return text % {"gap": item["gap_m"], "minimum": item["minimum"]}
    return str(code)


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
    # Caveats and method notes are stored as codes with their figures and put
    # into words when shown (explain()), in the reader's language.
    caveats = list(periods.caveats) + _reason_caveats(results)
    preliminary = is_running(intervention, today)
    if preliminary:
        caveats.append({"code": "interim"})
    results["preliminary"] = preliminary
    results["method_notes"] = _method_notes(results, method)
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
        "ends_on": (intervention.ends_on.isoformat() if intervention.ends_on else None),
    }
    return inputs, results


def is_running(intervention: Intervention, today: date) -> bool:
    """Whether the intervention's period has not ended on ``today``: it is still
    ongoing, or its last day is today or later. An evaluation then is preliminary."""
    if intervention.status == Intervention.Status.ONGOING:
        return True
    return intervention.ends_on is not None and today <= intervention.ends_on


def is_preliminary(ev: Evaluation) -> bool:
    """Whether the evaluation was made before the intervention's period ended.

    Stored with new evaluations; for older ones read from the day it was made and
    the intervention's end (or the interim caveat of an ongoing one)."""
    stored = ev.results.get("preliminary")
    if stored is not None:
        return bool(stored)
    if any(
        isinstance(c, dict) and c.get("code") == "interim"
        for c in ev.results.get("caveats") or []
    ):
        return True
    made = ev.inputs.get("evaluated_on")
    ends = ev.intervention.ends_on
    return bool(made and ends and date.fromisoformat(made) <= ends)


def verdict(ev: Evaluation) -> verdicts.Verdict:
    """The evaluation's sentences from the rule table (:mod:`verdicts`)."""
    short = any(
        isinstance(c, dict) and c.get("code") == "short_periods"
        for c in ev.results.get("caveats") or []
    )
    return verdicts.read(
        ev.effect,
        ev.displacement,
        counts=ev.results.get("counts"),
        preliminary=is_preliminary(ev),
        short=short,
        ends_on=ev.intervention.ends_on,
    )


# ----------------------------------------------------------------- annual analysis
STRONG, WEAK, NONE = verdicts.STRONG, verdicts.WEAK, verdicts.NONE
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
    """The evaluation's evidence level from the rule table (:mod:`verdicts`)."""
    return verdict(ev).level


def _suggest(rows: list[dict[str, Any]]) -> str:
    """Keep what worked with strong evidence and moved nothing; change what points
    the right way with weak evidence, or worked but moved the problem; stop what
    showed no fall at all; otherwise not enough evidence yet."""
    if not rows:
        return UNKNOWN
    worked = [r for r in rows if r["effect"] == ev_stats.EFFECT_WORKED]
    displaced = [r for r in rows if r["displacement"] == ev_stats.DISPLACEMENT]
    if worked and displaced:
        return CHANGE
    if any(r["evidence"] == STRONG for r in worked) and not displaced:
        return KEEP
    if worked:
        return CHANGE
    if all(r["evidence"] != NONE for r in rows):
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
        said = verdict(ev)
        level = said.level
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
            "displacement": ev.displacement,
            "verdict": said.headline,
            "displacement_text": said.buffer_line,
            "preliminary": said.preliminary,
            "preliminary_text": said.preliminary_line,
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
        s["suggestion"] = _suggest(items)
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
        "evidence_levels": {k: str(v) for k, v in verdicts.LEVEL_TEXT.items()},
    }
