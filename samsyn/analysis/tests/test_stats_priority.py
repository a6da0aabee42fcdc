import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samsyn.analysis.stats.priority import (
    PriorityWeights,
    harm_weighted_volume,
    harm_weights,
    normalise,
    prioritise,
)


def _areas():
    return {
        "harm": [40.0, 10.0, 25.0, 0.0, 60.0],
        "trend": [0.3, -0.2, 0.0, 0.1, 0.5],
        "deviation_weeks": [2, 0, 0, 0, 4],
        "police_crimes": [12, np.nan, 5, 1, 20],
        "population": [1500, 800, np.nan, 2000, 2500],
        "active_partners": [3, 1, 4, 0, 2],
        "open_interventions": [1, 0, 2, 0, 0],
    }


def test_it_shows_every_component_and_ranks_by_the_documented_formula():
    res = prioritise(**_areas())
    # rank scores with ties at the lowest position: #(lower) / #(below the top)
    assert list(res.scores["harm"]) == [0.75, 0.25, 0.5, 0.0, 1.0]
    assert list(res.scores["deviation_weeks"]) == [0.75, 0.0, 0.0, 0.0, 1.0]
    # missing police data stays missing, and is not a zero
    assert np.isnan(res.scores["police_crimes"][1])
    assert np.isnan(res.raw["harm_per_1000"][2])
    w = PriorityWeights()
    total_need_w = (
        w.harm + w.harm_per_1000 + w.trend + w.deviation_weeks + w.police_crimes
    )
    assert res.need_coverage[1] == pytest.approx(
        (total_need_w - w.police_crimes) / total_need_w
    )
    assert res.need_coverage[0] == pytest.approx(1.0)
    # need is the weighted mean of the present components
    i = 1
    parts = {k: res.scores[k][i] for k in res.need_components}
    num = sum(getattr(w, k) * v for k, v in parts.items() if not np.isnan(v))
    den = sum(getattr(w, k) for k, v in parts.items() if not np.isnan(v))
    assert res.need[i] == pytest.approx(num / den)
    # priority = need x (0.5 + 0.5 ability)
    assert np.allclose(res.priority, res.need * (0.5 + 0.5 * res.ability))
    # Area 4 has the greatest need (most harm, rising, most deviation weeks) but
    # little ability to influence (no open interventions, few partners); area 0
    # has slightly less need and much more ability, and comes first.
    assert np.argmax(res.need) == 4
    assert res.rank[0] == 1
    assert res.rank[4] == 2
    assert sorted(res.rank) == [1, 2, 3, 4, 5]
    explained = res.explain(4)
    assert explained["rank"] == 2
    names = [c["component"] for c in explained["components"]]
    assert "police_crimes" in names and "active_partners" in names
    assert any(c["missing"] for c in res.explain(1)["components"])


def test_it_keeps_ranks_under_monotone_transforms():
    rng = np.random.default_rng(0)
    harm = rng.gamma(2, 10, 50)
    trend = rng.normal(0, 1, 50)
    dev = rng.integers(0, 6, 50).astype(float)
    a = prioritise(harm=harm, trend=trend, deviation_weeks=dev)
    b = prioritise(
        harm=np.log1p(harm), trend=np.tanh(trend) * 10, deviation_weeks=dev**2
    )
    assert np.array_equal(a.rank, b.rank)
    assert np.allclose(a.priority, b.priority)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=1, max_size=40
    )
)
def test_it_normalises_to_the_unit_interval_and_keeps_missing(values):
    for method in ("rank", "minmax"):
        s = normalise(values, method)
        v = np.asarray(values)
        finite = v[~np.isnan(v)]
        if finite.size and finite.min() < finite.max():
            assert np.array_equal(np.isnan(s), np.isnan(v))
        else:
            assert np.isnan(s).all()  # a constant component carries no ranking
        ok = ~np.isnan(s)
        assert np.all((s[ok] >= 0) & (s[ok] <= 1))
        if ok.sum() >= 2 and np.nanmax(v) > np.nanmin(v):
            assert s[ok].max() == 1.0
            assert s[ok].min() == 0.0


def test_it_weighs_ability_and_extra_factors():
    base = {"harm": [10.0, 10.0, 5.0], "trend": [0.1, 0.1, 0.1]}
    res = prioritise(
        **base,
        active_partners=[5, 0, 0],
        extra={"walkthrough_months": [0, 12, 6]},
        weights=PriorityWeights(extra={"walkthrough_months": -1.0}),
    )
    assert res.need[0] == res.need[1]
    assert res.ability[0] > res.ability[1]
    assert res.priority[0] > res.priority[1]
    assert "walkthrough_months" in res.ability_components
    # no ability data at all -> NaN ability, neutral in the combination
    none = prioritise(**base)
    assert np.isnan(none.ability).all()
    assert np.allclose(none.priority, none.need * 0.75)


def test_it_leaves_areas_without_need_data_unranked():
    res = prioritise(harm=[np.nan, 5.0, 3.0])
    assert np.isnan(res.need[0])
    assert np.isnan(res.rank[0])
    assert list(res.rank[1:]) == [1.0, 2.0]


def test_it_computes_harm_weights_by_severity():
    assert list(harm_weights([1, 2, 3, 4])) == [1, 2, 4, 8]
    assert list(harm_weights([1, 4], {1: 1.0, 4: 10.0})) == [1, 10]
    with pytest.raises(ValueError):
        harm_weights([5])
    vol = harm_weighted_volume([0, 0, 2], [1, 4, 2], n_areas=3)
    assert list(vol) == [9.0, 0.0, 2.0]


def test_it_treats_a_component_that_is_the_same_everywhere_as_missing():
    # Zero open interventions everywhere must not cap every area's ability at half.
    res = prioritise(
        harm=[1.0, 2.0], active_partners=[1.0, 2.0], open_interventions=[0, 0]
    )
    assert res.ability[1] == 1.0
    assert np.isnan(normalise([3.0, 3.0, 3.0])).all()
