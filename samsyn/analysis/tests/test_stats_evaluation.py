import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.analysis.stats.evaluation import (
    DISPLACEMENT,
    EFFECT_WORKED,
    NO_DISPLACEMENT,
    EvaluationThresholds,
    cost_per_prevented_event,
    did_counts,
    evaluate_intervention,
    hotspot_accuracy,
    pai,
    pei,
    rri,
    total_net_effect,
    wdd,
    wdq,
)


def test_it_reproduces_ptools_wdd_literal():
    # R: ptools::wdd(c(20,20), c(20,10)) -> control = c(pre 20, post 20),
    # treated = c(pre 20, post 10); no displacement areas.
    res = wdd(control_before=20, control_after=20, treated_before=20, treated_after=10)
    assert res.estimate == -10
    assert round(res.se, 2) == 8.37
    assert round(res.z, 3) == -1.195
    assert res.estimate_local == -10
    assert res.estimate_displacement == 0
    assert res.variance == 70


def test_it_computes_a_full_wdd_by_hand():
    # Wheeler & Ratcliffe (2018) example, as in ptools' own test:
    # wdd(c(308,318), c(207,110), c(150,140), c(178,157), alpha=0.05)
    # local  = (110 - 207) - (318 - 308) = -97 - 10 = -107
    # displ. = (157 - 178) - (140 - 150) = -21 + 10 = -11
    # total  = -118; Var = 308+318+207+110+150+140+178+157 = 1568
    # z = -118 / sqrt(1568) = -2.98; 95 % CI -118 -+ 1.96*39.60 = (-196, -40)
    res = wdd(
        control_before=308,
        control_after=318,
        treated_before=207,
        treated_after=110,
        buffer_control_before=150,
        buffer_control_after=140,
        buffer_before=178,
        buffer_after=157,
        alpha=0.05,
    )
    assert res.estimate_local == -107
    assert res.estimate_displacement == -11
    assert res.estimate == -118
    assert res.variance == 1568
    assert res.se == pytest.approx(math.sqrt(1568))
    assert round(res.z, 2) == -2.98
    assert round(res.ci_low) == -196
    assert round(res.ci_high) == -40
    assert res.p_value == pytest.approx(
        2 * 0.5 * math.erfc(2.98 / math.sqrt(2)), rel=0.01
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500), min_size=8, max_size=8))
def test_it_makes_wdd_antisymmetric_in_before_and_after(c):
    kw = {
        "treated_before": c[0],
        "treated_after": c[1],
        "control_before": c[2],
        "control_after": c[3],
        "buffer_before": c[4],
        "buffer_after": c[5],
        "buffer_control_before": c[6],
        "buffer_control_after": c[7],
    }
    swapped = {
        "treated_before": c[1],
        "treated_after": c[0],
        "control_before": c[3],
        "control_after": c[2],
        "buffer_before": c[5],
        "buffer_after": c[4],
        "buffer_control_before": c[7],
        "buffer_control_after": c[6],
    }
    a, b = wdd(**kw), wdd(**swapped)
    assert a.estimate == -b.estimate
    assert a.se == b.se
    if a.se > 0:
        assert a.z == pytest.approx(-b.z)
        assert a.p_value == pytest.approx(b.p_value)


def test_it_computes_wdq_and_tne_on_worked_examples():
    # Example 1 (control flat): R 100 -> 60, D 80 -> 70, C 500 -> 500
    # SM  = 60/500 - 100/500 = -0.08 (success)
    # BDM = 70/500 - 80/500  = -0.02 (buffer fell too)
    # WDQ = -0.02 / -0.08 = 0.25 -> diffusion of benefit
    # TNE = (100*1 - 60) + (80*1 - 70) = 40 + 10 = 50 events prevented
    kw = {
        "response_before": 100,
        "response_after": 60,
        "buffer_before": 80,
        "buffer_after": 70,
        "control_before": 500,
        "control_after": 500,
    }
    q = wdq(**kw)
    assert q.success_measure == pytest.approx(-0.08)
    assert q.buffer_displacement_measure == pytest.approx(-0.02)
    assert q.value == pytest.approx(0.25)
    assert q.reading == "diffusion"
    t = total_net_effect(**kw)
    assert t.total == pytest.approx(50)
    assert t.response_part == pytest.approx(40)
    assert t.buffer_part == pytest.approx(10)

    # Example 2 (control rose 25 %): R 100 -> 90, D 50 -> 80, C 400 -> 500
    # SM  = 90/500 - 100/400 = 0.18 - 0.25 = -0.07
    # BDM = 80/500 - 50/400  = 0.16 - 0.125 = 0.035
    # WDQ = 0.035 / -0.07 = -0.5 -> displacement, smaller than the gain
    # TNE = (100*1.25 - 90) + (50*1.25 - 80) = 35 - 17.5 = 17.5
    kw = {
        "response_before": 100,
        "response_after": 90,
        "buffer_before": 50,
        "buffer_after": 80,
        "control_before": 400,
        "control_after": 500,
    }
    q = wdq(**kw)
    assert q.value == pytest.approx(-0.5)
    assert q.reading == "displacement_less_than_gain"
    assert total_net_effect(**kw).total == pytest.approx(17.5)


def test_it_leaves_wdq_undefined_with_a_reason():
    q = wdq(
        response_before=50,
        response_after=60,
        buffer_before=10,
        buffer_after=12,
        control_before=100,
        control_after=100,
    )
    assert q.value is None
    assert "SM >= 0" in (q.reason or "")
    q = wdq(
        response_before=50,
        response_after=30,
        buffer_before=10,
        buffer_after=12,
        control_before=0,
        control_after=100,
    )
    assert q.value is None
    assert q.reason == "zero control count"
    assert (
        total_net_effect(
            response_before=1,
            response_after=1,
            buffer_before=1,
            buffer_after=1,
            control_before=0,
            control_after=3,
        ).total
        is None
    )


def test_it_computes_the_did_rate_ratio_by_hand():
    # (50/100) / (200/200) = 0.5; SE = sqrt(1/50 + 1/100 + 1/200 + 1/200) = 0.2
    res = did_counts(
        treated_before=100, treated_after=50, control_before=200, control_after=200
    )
    assert res.rate_ratio == pytest.approx(0.5)
    assert res.se_log == pytest.approx(0.2)
    assert res.ci_low == pytest.approx(0.5 * math.exp(-1.959964 * 0.2), rel=1e-5)
    assert res.percent_change == pytest.approx(-50)
    assert res.count_did == -50
    assert res.count_se == pytest.approx(math.sqrt(550))
    assert not res.corrected
    zero = did_counts(
        treated_before=12, treated_after=0, control_before=100, control_after=100
    )
    assert zero.corrected
    assert zero.rate_ratio == pytest.approx((0.5 / 12.5) / (100.5 / 100.5))


def test_it_covers_the_true_effect_with_the_did_interval():
    rng = np.random.default_rng(2024)
    true_rr = 0.7
    sims = 1000
    hits = 0
    for _ in range(sims):
        tb, cb = rng.poisson(60), rng.poisson(300)
        ta, ca = rng.poisson(60 * 1.1 * true_rr), rng.poisson(300 * 1.1)
        r = did_counts(
            treated_before=tb, treated_after=ta, control_before=cb, control_after=ca
        )
        hits += r.ci_low <= true_rr <= r.ci_high
    assert 0.93 <= hits / sims <= 0.97
    one = did_counts(
        treated_before=60, treated_after=46, control_before=300, control_after=330
    )
    assert one.ci_low < true_rr < one.ci_high


def test_it_gives_plain_verdicts():
    worked = evaluate_intervention(
        treated_before=100,
        treated_after=50,
        control_before=200,
        control_after=200,
        buffer_before=40,
        buffer_after=70,
    )
    # z = log(0.5)/0.2 = -3.47 -> worked; buffer log(70/40)/0.222 = 2.52 -> displ.
    assert worked.effect == "worked"
    assert worked.effect_z == pytest.approx(math.log(0.5) / 0.2)
    assert worked.displacement == "displacement"
    assert worked.wdq is not None and worked.wdq.value is not None
    assert worked.wdq.value < 0

    diffusion = evaluate_intervention(
        treated_before=100,
        treated_after=50,
        control_before=200,
        control_after=200,
        buffer_before=40,
        buffer_after=20,
    )
    assert diffusion.displacement == "diffusion_of_benefit"
    assert diffusion.wdq is not None and diffusion.wdq.value == pytest.approx(0.4)

    worse = evaluate_intervention(
        treated_before=50, treated_after=100, control_before=200, control_after=200
    )
    assert worse.effect == "worse"
    assert worse.displacement == "undefined"

    flat = evaluate_intervention(
        treated_before=50,
        treated_after=45,
        control_before=200,
        control_after=200,
        buffer_before=30,
        buffer_after=33,
    )
    assert flat.effect == "no_measurable_change"
    assert flat.displacement == "no_displacement"

    by_wdd = evaluate_intervention(
        treated_before=100,
        treated_after=50,
        control_before=100,
        control_after=100,
        thresholds=EvaluationThresholds(test="wdd"),
    )
    # WDD z = -50 / sqrt(350) = -2.67
    assert by_wdd.effect_z == pytest.approx(-50 / math.sqrt(350))
    assert by_wdd.effect == "worked"


def test_it_refuses_to_conclude_on_too_few_events():
    res = evaluate_intervention(
        treated_before=4,
        treated_after=1,
        control_before=30,
        control_after=28,
        buffer_before=1,
        buffer_after=2,
    )
    assert res.effect == "too_few_events"
    assert res.effect_z is None
    assert res.displacement == "undefined"
    assert any("treated area" in r for r in res.reasons)
    assert any("buffer" in r for r in res.reasons)
    strict = EvaluationThresholds(min_treated_events=500)
    res = evaluate_intervention(
        treated_before=100,
        treated_after=50,
        control_before=200,
        control_after=200,
        thresholds=strict,
    )
    assert res.effect == "too_few_events"


def test_it_computes_pai_pei_and_rri_on_tiny_examples():
    counts = [10, 5, 0, 0, 3, 2]
    flagged = [True, False, False, False, True, False]
    # n = 13, N = 20, hit rate 0.65, area share 2/6 -> PAI 1.95
    # best 2 cells in hindsight hold 10 + 5 = 15 -> PEI 13/15
    acc = hotspot_accuracy(counts, flagged)
    assert acc.hit_rate == pytest.approx(0.65)
    assert acc.pai == pytest.approx(1.95)
    assert acc.n_star == 15
    assert acc.pei == pytest.approx(13 / 15)
    assert pai(counts, flagged) == pytest.approx(1.95)
    assert pei(counts, flagged) == pytest.approx(13 / 15)
    # unequal areas: PAI uses them, PEI is not defined
    acc = hotspot_accuracy(counts, flagged, cell_area=[1, 1, 1, 1, 2, 2])
    assert acc.pai == pytest.approx(0.65 / (3 / 8))
    assert acc.pei is None
    # RRI: period 2 = [8, 4, 1, 1, 1, 5]: (9/13) / (20/20)
    assert rri(counts, [8, 4, 1, 1, 1, 5], flagged) == pytest.approx(9 / 13)
    assert rri([0, 1], [1, 1], [True, False]) is None
    assert hotspot_accuracy([0, 0], [True, False]).pai is None


def test_it_computes_cost_per_prevented_event():
    assert cost_per_prevented_event(10_000, 17.5) == pytest.approx(571.428571)
    assert cost_per_prevented_event(10_000, 0) is None
    assert cost_per_prevented_event(10_000, -3) is None
    assert cost_per_prevented_event(10_000, None) is None


def test_it_rejects_negative_counts():
    with pytest.raises(ValueError):
        wdd(treated_before=-1, treated_after=1, control_before=1, control_after=1)


def test_the_buffer_is_judged_against_its_own_reference_when_given():
    # The demo's case: the buffer rose 266 -> 427; the control chosen for the target
    # rose 147 -> 212 (its own chance and trend), the rest of the municipality
    # 9,198 -> 11,691.
    counts = {
        "treated_before": 146,
        "treated_after": 51,
        "control_before": 147,
        "control_after": 212,
        "buffer_before": 266,
        "buffer_after": 427,
    }
    against_control = evaluate_intervention(**counts)
    assert against_control.displacement == NO_DISPLACEMENT
    against_rest = evaluate_intervention(
        **counts,
        displacement_reference_before=9198,
        displacement_reference_after=11691,
    )
    assert against_rest.displacement == DISPLACEMENT
    assert against_rest.displacement_z > 1.96
    # The reference is not part of WDD (its additive terms need similar volumes).
    assert against_rest.wdd == against_control.wdd
    assert against_rest.effect == against_control.effect == EFFECT_WORKED
