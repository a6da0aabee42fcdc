"""Evaluation of place-based interventions and of hotspot maps.

Notation (ANALYTICS.md 1.6): T/R = treated (response) area, D = displacement buffer,
C = control area, DC = control for the buffer; suffix ``_before`` / ``_after`` are
event counts in equally long periods before and after the intervention started.

* WDQ and Total Net Effect: Bowers & Johnson (2003) J Quant Criminol 19:275-301;
  Guerette (2009) POP Center Tool Guide No. 10, appendices B-C. No inference.
* WDD with a Poisson variance: Wheeler & Ratcliffe (2018) Crime Science 7:7,
  doi:10.1186/s40163-018-0085-5; same numbers as R ``ptools::wdd``.
* Difference-in-differences on counts: the **headline** is the ratio of rate ratios
  RR = (T_a / T_b) / (C_a / C_b) with a Wald interval on log RR,
  SE = sqrt(1/T_a + 1/T_b + 1/C_a + 1/C_b) (conditional Poisson / log-linear model
  with area and period effects). It is scale-free, so a control area much larger
  than the treated one (typical in EST: "the rest of the municipality") is fine.
  The additive count DiD (T_a - T_b) - (C_a - C_b) with Poisson SE is reported too;
  it equals WDD's local part and assumes comparable volumes.
* PAI: Chainey, Tompson & Uhlig (2008) Security Journal 21:4-28; PEI: Hunt (2016),
  NIJ; RRI: Levine (2008).

Verdicts (:func:`evaluate_intervention`) are plain codes for the UI; the thresholds
are in :class:`EvaluationThresholds` and documented there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

EFFECT_WORKED = "worked"
EFFECT_NO_CHANGE = "no_measurable_change"
EFFECT_WORSE = "worse"
TOO_FEW_EVENTS = "too_few_events"

DISPLACEMENT = "displacement"
DIFFUSION = "diffusion_of_benefit"
NO_DISPLACEMENT = "no_displacement"
UNDEFINED = "undefined"


def _check_counts(**counts: float) -> None:
    for name, v in counts.items():
        if not (math.isfinite(v) and v >= 0):
            raise ValueError(f"{name} must be a finite non-negative count")


# --------------------------------------------------------------------------- WDQ, TNE


@dataclass(frozen=True)
class WDQResult:
    """Weighted Displacement Quotient.

    ``value`` is None when undefined, with ``reason``. ``reading`` (when defined):
    "diffusion_exceeds_direct_effect" (WDQ > 1), "diffusion" (0 < WDQ <= 1),
    "neutral" (WDQ == 0), "displacement_less_than_gain" (-1 <= WDQ < 0),
    "displacement_exceeds_gain" (WDQ < -1).
    """

    value: float | None
    success_measure: float | None  # SM = R_a/C_a - R_b/C_b (< 0 = success)
    buffer_displacement_measure: float | None  # BDM = D_a/C_a - D_b/C_b
    reason: str | None
    reading: str | None


def wdq(
    *,
    response_before: float,
    response_after: float,
    buffer_before: float,
    buffer_after: float,
    control_before: float,
    control_after: float,
) -> WDQResult:
    """WDQ = BDM / SM (Bowers & Johnson 2003).

    Undefined (value None) when a control count is zero (the ratios do not exist) or
    when SM >= 0 (no success in the response area, so there is nothing to displace;
    the quotient is only meaningful for SM < 0).
    """
    _check_counts(
        response_before=response_before,
        response_after=response_after,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        control_before=control_before,
        control_after=control_after,
    )
    if control_before == 0 or control_after == 0:
        return WDQResult(None, None, None, "zero control count", None)
    sm = response_after / control_after - response_before / control_before
    bdm = buffer_after / control_after - buffer_before / control_before
    if sm >= 0:
        return WDQResult(
            None, sm, bdm, "no success in the response area (SM >= 0)", None
        )
    q = bdm / sm
    if q > 1:
        reading = "diffusion_exceeds_direct_effect"
    elif q > 0:
        reading = "diffusion"
    elif q == 0:
        reading = "neutral"
    elif q >= -1:
        reading = "displacement_less_than_gain"
    else:
        reading = "displacement_exceeds_gain"
    return WDQResult(q, sm, bdm, None, reading)


@dataclass(frozen=True)
class TotalNetEffect:
    """TNE in events prevented (positive = fewer events than expected).

    ``response_part`` = R_b * (C_a/C_b) - R_a, ``buffer_part`` = D_b * (C_a/C_b) - D_a
    (negative buffer part = displacement). None when C_b == 0.
    """

    total: float | None
    response_part: float | None
    buffer_part: float | None


def total_net_effect(
    *,
    response_before: float,
    response_after: float,
    buffer_before: float,
    buffer_after: float,
    control_before: float,
    control_after: float,
) -> TotalNetEffect:
    """Total Net Effect (Bowers & Johnson 2003; Guerette 2009 appendix C)."""
    _check_counts(
        response_before=response_before,
        response_after=response_after,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        control_before=control_before,
        control_after=control_after,
    )
    if control_before == 0:
        return TotalNetEffect(None, None, None)
    g = control_after / control_before
    rp = response_before * g - response_after
    bp = buffer_before * g - buffer_after
    return TotalNetEffect(rp + bp, rp, bp)


# --------------------------------------------------------------------------- WDD


@dataclass(frozen=True)
class WDDResult:
    """Weighted Displacement Difference (negative estimate = fewer events).

    Mirrors ``ptools::wdd``: local part (treated vs control), displacement part
    (buffer vs buffer control) and total, each with a Poisson SE; z and the
    two-sided normal p-value and (1 - alpha) interval refer to the total.
    """

    estimate_local: float
    se_local: float
    estimate_displacement: float
    se_displacement: float
    estimate: float
    variance: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float


def wdd(
    *,
    treated_before: float,
    treated_after: float,
    control_before: float,
    control_after: float,
    buffer_before: float = 0.0,
    buffer_after: float = 0.0,
    buffer_control_before: float = 0.0,
    buffer_control_after: float = 0.0,
    alpha: float = 0.05,
) -> WDDResult:
    """WDD = (T_a - T_b) - (C_a - C_b) + (D_a - D_b) - (DC_a - DC_b).

    Var(WDD) = sum of all eight counts (independent Poisson counts);
    z = WDD / sqrt(Var), p two-sided from the standard normal. Buffer terms default
    to 0 (no displacement area). ``ptools::wdd(control, treated, disp_control,
    disp_treated)`` takes (pre, post) vectors with the *control first*: its
    ``wdd(c(20,20), c(20,10))`` is ``wdd(control_before=20, control_after=20,
    treated_before=20, treated_after=10)`` here (-10, SE 8.37, z -1.195). ptools'
    default alpha is 0.1; ours is 0.05. Unequal period lengths (ptools
    ``time_weights``) are not supported: use equally long periods.
    """
    _check_counts(
        treated_before=treated_before,
        treated_after=treated_after,
        control_before=control_before,
        control_after=control_after,
        buffer_before=buffer_before,
        buffer_after=buffer_after,
        buffer_control_before=buffer_control_before,
        buffer_control_after=buffer_control_after,
    )
    local = (treated_after - treated_before) - (control_after - control_before)
    var_local = treated_after + treated_before + control_after + control_before
    disp = (buffer_after - buffer_before) - (
        buffer_control_after - buffer_control_before
    )
    var_disp = (
        buffer_after + buffer_before + buffer_control_after + buffer_control_before
    )
    est = local + disp
    var = var_local + var_disp
    se = math.sqrt(var)
    if se > 0:
        z = est / se
        p = float(2.0 * stats.norm.sf(abs(z)))
    else:
        z, p = math.nan, math.nan
    q = float(stats.norm.ppf(1.0 - alpha / 2.0))
    return WDDResult(
        estimate_local=float(local),
        se_local=math.sqrt(var_local),
        estimate_displacement=float(disp),
        se_displacement=math.sqrt(var_disp),
        estimate=float(est),
        variance=float(var),
        se=se,
        z=z,
        p_value=p,
        ci_low=est - q * se,
        ci_high=est + q * se,
        alpha=alpha,
    )


# --------------------------------------------------------------------------- DiD


@dataclass(frozen=True)
class DiDResult:
    """Difference-in-differences on counts.

    Headline: ``rate_ratio`` = (T_a/T_b)/(C_a/C_b) with ``ci_low``..``ci_high``;
    ``percent_change`` = 100 (RR - 1) is the treated area's change relative to the
    control's. ``z``/``p_value`` test log RR = 0. ``corrected`` is True when a zero
    count forced a 0.5 continuity correction (Haldane) of all four counts.
    Additive companion: ``count_did`` = (T_a - T_b) - (C_a - C_b) with Poisson SE.
    """

    rate_ratio: float
    log_rate_ratio: float
    se_log: float
    ci_low: float
    ci_high: float
    percent_change: float
    z: float
    p_value: float
    count_did: float
    count_se: float
    count_ci_low: float
    count_ci_high: float
    corrected: bool
    alpha: float


def did_counts(
    *,
    treated_before: float,
    treated_after: float,
    control_before: float,
    control_after: float,
    alpha: float = 0.05,
) -> DiDResult:
    """Poisson difference-in-differences for two areas x two equal periods.

    Assumes independent Poisson counts and parallel trends on the log scale (the
    control's relative change is what the treated area would have seen).
    """
    _check_counts(
        treated_before=treated_before,
        treated_after=treated_after,
        control_before=control_before,
        control_after=control_after,
    )
    cells = [treated_after, treated_before, control_after, control_before]
    corrected = min(cells) == 0
    ta, tb, ca, cb = (v + 0.5 for v in cells) if corrected else cells
    log_rr = math.log(ta / tb) - math.log(ca / cb)
    se = math.sqrt(1 / ta + 1 / tb + 1 / ca + 1 / cb)
    q = float(stats.norm.ppf(1.0 - alpha / 2.0))
    z = log_rr / se
    add = (treated_after - treated_before) - (control_after - control_before)
    add_se = math.sqrt(sum(cells))
    return DiDResult(
        rate_ratio=math.exp(log_rr),
        log_rate_ratio=log_rr,
        se_log=se,
        ci_low=math.exp(log_rr - q * se),
        ci_high=math.exp(log_rr + q * se),
        percent_change=100.0 * (math.exp(log_rr) - 1.0),
        z=z,
        p_value=float(2.0 * stats.norm.sf(abs(z))),
        count_did=float(add),
        count_se=add_se,
        count_ci_low=add - q * add_se,
        count_ci_high=add + q * add_se,
        corrected=corrected,
        alpha=alpha,
    )


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class EvaluationThresholds:
    """Guards and decision thresholds for :func:`evaluate_intervention`.

    * ``min_treated_events`` / ``min_control_events``: minimum events summed over
      both periods in the treated / control area; below either the effect verdict
      is "too_few_events" (no conclusion is drawn).
    * ``min_buffer_events``: minimum buffer events over both periods; below it the
      displacement verdict is "undefined".
    * ``z_crit``: |z| needed to call a change (1.96 = two-sided 5 %).
    * ``test``: "rate_ratio" (default) uses the log ratio-of-rate-ratios z, which is
      scale-free; "wdd" uses the WDD z (additive; needs comparable volumes).

    Effect: z <= -z_crit "worked", z >= z_crit "worse", else "no_measurable_change".
    Displacement (buffer vs its control, or vs the main control when no buffer
    control is given): z >= z_crit "displacement" (buffer rose relative to control),
    z <= -z_crit "diffusion_of_benefit", else "no_displacement".
    """

    min_treated_events: int = 10
    min_control_events: int = 10
    min_buffer_events: int = 5
    z_crit: float = 1.96
    test: Literal["rate_ratio", "wdd"] = "rate_ratio"


@dataclass(frozen=True)
class InterventionEvaluation:
    """All figures of one evaluation plus the plain verdict codes and reasons."""

    effect: str
    displacement: str
    effect_z: float | None
    displacement_z: float | None
    did: DiDResult | None
    wdd: WDDResult | None
    wdq: WDQResult | None
    total_net_effect: TotalNetEffect | None
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _z_for(
    test: str, a_before: float, a_after: float, c_before: float, c_after: float
) -> float:
    if test == "wdd":
        return wdd(
            treated_before=a_before,
            treated_after=a_after,
            control_before=c_before,
            control_after=c_after,
        ).z
    return did_counts(
        treated_before=a_before,
        treated_after=a_after,
        control_before=c_before,
        control_after=c_after,
    ).z


def evaluate_intervention(
    *,
    treated_before: float,
    treated_after: float,
    control_before: float,
    control_after: float,
    buffer_before: float | None = None,
    buffer_after: float | None = None,
    buffer_control_before: float | None = None,
    buffer_control_after: float | None = None,
    displacement_reference_before: float | None = None,
    displacement_reference_after: float | None = None,
    thresholds: EvaluationThresholds | None = None,
) -> InterventionEvaluation:
    """Evaluate one intervention: effect verdict, displacement verdict and figures.

    Counts are events in equally long periods before/after in the treated area, its
    control, and optionally a surrounding buffer (and the buffer's own control, the
    DC of WDD). See :class:`EvaluationThresholds` for the rules. WDQ and TNE use the
    main control area, as in Bowers & Johnson (2003).

    The displacement verdict compares the buffer's change with a reference: the
    ``displacement_reference`` counts when given (a large, scale-free reference such
    as the rest of the municipality: the test is a ratio of rates), else the buffer
    control, else the main control. The reference is not part of WDD, whose
    additive terms need volumes like the buffer's.
    """
    th = thresholds or EvaluationThresholds()
    reasons: list[str] = []
    treated_total = treated_before + treated_after
    control_total = control_before + control_after
    did = did_counts(
        treated_before=treated_before,
        treated_after=treated_after,
        control_before=control_before,
        control_after=control_after,
    )
    has_buffer = buffer_before is not None and buffer_after is not None
    bb = float(buffer_before) if buffer_before is not None else 0.0
    ba = float(buffer_after) if buffer_after is not None else 0.0
    has_bc = buffer_control_before is not None and buffer_control_after is not None
    bcb = float(buffer_control_before) if buffer_control_before is not None else 0.0
    bca = float(buffer_control_after) if buffer_control_after is not None else 0.0
    w = wdd(
        treated_before=treated_before,
        treated_after=treated_after,
        control_before=control_before,
        control_after=control_after,
        buffer_before=bb,
        buffer_after=ba,
        buffer_control_before=bcb if has_bc else 0.0,
        buffer_control_after=bca if has_bc else 0.0,
    )

    effect_z: float | None = None
    if treated_total < th.min_treated_events:
        reasons.append(
            f"treated area has {treated_total:g} events, fewer than "
            f"{th.min_treated_events}"
        )
    if control_total < th.min_control_events:
        reasons.append(
            f"control area has {control_total:g} events, fewer than "
            f"{th.min_control_events}"
        )
    if reasons:
        effect = TOO_FEW_EVENTS
    else:
        effect_z = _z_for(
            th.test, treated_before, treated_after, control_before, control_after
        )
        if effect_z <= -th.z_crit:
            effect = EFFECT_WORKED
        elif effect_z >= th.z_crit:
            effect = EFFECT_WORSE
        else:
            effect = EFFECT_NO_CHANGE

    wq: WDQResult | None = None
    tne: TotalNetEffect | None = None
    displacement_z: float | None = None
    if not has_buffer:
        displacement = UNDEFINED
        reasons.append("no buffer area given")
    else:
        wq = wdq(
            response_before=treated_before,
            response_after=treated_after,
            buffer_before=bb,
            buffer_after=ba,
            control_before=control_before,
            control_after=control_after,
        )
        tne = total_net_effect(
            response_before=treated_before,
            response_after=treated_after,
            buffer_before=bb,
            buffer_after=ba,
            control_before=control_before,
            control_after=control_after,
        )
        if (
            displacement_reference_before is not None
            and displacement_reference_after is not None
        ):
            ref_b = float(displacement_reference_before)
            ref_a = float(displacement_reference_after)
        elif has_bc:
            ref_b, ref_a = bcb, bca
        else:
            ref_b, ref_a = control_before, control_after
        if bb + ba < th.min_buffer_events:
            displacement = UNDEFINED
            reasons.append(
                f"buffer has {bb + ba:g} events, fewer than {th.min_buffer_events}"
            )
        elif ref_b + ref_a < th.min_control_events:
            displacement = UNDEFINED
            reasons.append("buffer control has too few events")
        else:
            displacement_z = _z_for(th.test, bb, ba, ref_b, ref_a)
            if displacement_z >= th.z_crit:
                displacement = DISPLACEMENT
            elif displacement_z <= -th.z_crit:
                displacement = DIFFUSION
            else:
                displacement = NO_DISPLACEMENT

    return InterventionEvaluation(
        effect=effect,
        displacement=displacement,
        effect_z=effect_z,
        displacement_z=displacement_z,
        did=did,
        wdd=w,
        wdq=wq,
        total_net_effect=tne,
        reasons=tuple(reasons),
    )


# --------------------------------------------------------------------------- maps


@dataclass(frozen=True)
class HotspotAccuracy:
    """Accuracy of a flagged (hotspot) area against events in an evaluation period.

    ``hit_rate`` = n/N; ``pai`` = (n/N)/(a/A); ``pei`` = n/n* with n* the most events
    any set of the same number of cells could have captured (equal-area cells).
    Values are None where a denominator is zero.
    """

    n: float
    N: float
    area_share: float
    hit_rate: float | None
    pai: float | None
    n_star: float
    pei: float | None


def hotspot_accuracy(
    counts: ArrayLike, flagged: ArrayLike, cell_area: ArrayLike | None = None
) -> HotspotAccuracy:
    """Hit rate, PAI and PEI for a flagged set of cells.

    ``counts``: events per cell in the evaluation period; ``flagged``: boolean mask
    of the cells the map flagged (chosen *before* the period); ``cell_area``:
    optional per-cell areas (any unit) for PAI, default equal areas. PEI assumes
    equal-area cells (the best same-area set is then the top-k cells); it is None
    when areas are unequal. Report PAI at a fixed coverage, next to the hit rate.
    """
    c = np.asarray(counts, dtype=np.float64).ravel()
    f = np.asarray(flagged, dtype=bool).ravel()
    if c.shape != f.shape:
        raise ValueError("counts and flagged must have the same shape")
    if np.any(c < 0):
        raise ValueError("counts must be non-negative")
    if cell_area is None:
        area = np.ones_like(c)
    else:
        area = np.asarray(cell_area, dtype=np.float64).ravel()
        if area.shape != c.shape:
            raise ValueError("cell_area must match counts")
    n = float(c[f].sum())
    total = float(c.sum())
    a_share = float(area[f].sum() / area.sum()) if area.sum() > 0 else 0.0
    hit = n / total if total > 0 else None
    pai_v = hit / a_share if hit is not None and a_share > 0 else None
    equal = bool(np.all(area == area[0])) if area.size else True
    k = int(f.sum())
    n_star = float(np.sort(c)[::-1][:k].sum()) if equal else math.nan
    pei_v = n / n_star if equal and n_star > 0 else None
    return HotspotAccuracy(n, total, a_share, hit, pai_v, n_star, pei_v)


def pai(
    counts: ArrayLike, flagged: ArrayLike, cell_area: ArrayLike | None = None
) -> float | None:
    """Predictive Accuracy Index (Chainey et al. 2008); see :func:`hotspot_accuracy`."""
    return hotspot_accuracy(counts, flagged, cell_area).pai


def pei(counts: ArrayLike, flagged: ArrayLike) -> float | None:
    """Predictive Efficiency Index n/n* (Hunt 2016); see :func:`hotspot_accuracy`."""
    return hotspot_accuracy(counts, flagged).pei


def rri(
    counts_period1: ArrayLike, counts_period2: ArrayLike, flagged: ArrayLike
) -> float | None:
    """Recapture Rate Index (Levine 2008): (n_t2 / n_t1) / (N_t2 / N_t1).

    n = events in the flagged cells, N = all events, in period 1 and 2. Values above
    1 mean the flagged cells kept (or grew) their share of events. None where a
    denominator is zero.
    """
    c1 = np.asarray(counts_period1, dtype=np.float64).ravel()
    c2 = np.asarray(counts_period2, dtype=np.float64).ravel()
    f = np.asarray(flagged, dtype=bool).ravel()
    if not (c1.shape == c2.shape == f.shape):
        raise ValueError("inputs must have the same shape")
    n1, n2 = float(c1[f].sum()), float(c2[f].sum())
    t1, t2 = float(c1.sum()), float(c2.sum())
    if n1 == 0 or t1 == 0 or t2 == 0:
        return None
    return (n2 / n1) / (t2 / t1)


def cost_per_prevented_event(cost: float, prevented: float | None) -> float | None:
    """Cost (any currency) divided by the estimated number of events prevented.

    None when nothing was prevented (``prevented`` None, NaN or <= 0): a cost per
    prevented event does not exist then, and must not be shown as a number.
    """
    if prevented is None or not math.isfinite(prevented) or prevented <= 0:
        return None
    return cost / prevented
