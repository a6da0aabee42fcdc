"""Transparent area prioritisation for the quarterly/tertial EST analysis.

EST asks each period "which areas most need interventions, and where is the ability
to influence greatest?" (PRODUCT.md, step 3). This module turns a handful of per-area
figures into a *need* score, an *ability* score and a combined priority, keeping
every component visible so a coordinator can explain each rank in the meeting.

Method
------
1. Each raw component is normalised to 0..1 across the areas that have a value:

   * ``"rank"`` (default): the number of areas with a strictly lower value, scaled
     so the top value scores 1: ``#(v_j < v_i) / #(v_j < max v)``. Ties take the
     lowest position, so the many areas with e.g. zero deviation weeks all score 0,
     and areas tied at the top all score 1.
     Invariant under any increasing transform of the raw values (counts, logs,
     rates give the same scores) and robust to one extreme area.
   * ``"minmax"``: ``(v - min) / (max - min)``, keeps distances between areas.

   A component with no information (all valid values equal, or < 2 values) scores
   0 for the areas that have it. Missing raw values (NaN) stay NaN: *missing*, not
   zero, and shown as such.
2. Need = weighted mean of the need components that are present for the area,
   weights renormalised over those present; ``need_coverage`` is the share of the
   total need weight that had data (e.g. 0.8 when police data are absent).
   Ability = the same over the ability components (missing ability is shown as NaN
   and treated as neutral 0.5 in the combination).
3. Priority = need x (f + (1 - f) x ability) with f = ``ability_floor`` (default
   0.5): need dominates, and the ability to influence can at most halve the
   priority of an area where little can be done. Rank 1 = highest priority
   (competition ranking, ties share the best rank); areas without any need data
   get no rank (NaN).

Need components: harm-weighted event volume (``harm``), the same per 1,000 residents
(``harm_per_1000``, missing when population is missing or 0), trend statistic
(``trend``, e.g. Mann-Kendall tau or a slope; rising = more need), number of
deviation weeks in the period (``deviation_weeks``) and police-reported crimes
(``police_crimes``). Ability components: active partner organisations
(``active_partners``), open interventions (``open_interventions``; an area where
partners already work has the machinery to act) and any named extra factors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

NEED_COMPONENTS = (
    "harm",
    "harm_per_1000",
    "trend",
    "deviation_weeks",
    "police_crimes",
)
ABILITY_COMPONENTS = ("active_partners", "open_interventions")

# Severity 1 = minor disorder (litter, noise), 2 = damage/nuisance (graffiti,
# gatherings that create insecurity), 3 = threats, drugs, fires, 4 = violence,
# robbery, weapons. Doubling per step is a judgement, not a standard: configurable.
DEFAULT_SEVERITY_WEIGHTS: Mapping[int, float] = {1: 1.0, 2: 2.0, 3: 4.0, 4: 8.0}


def harm_weights(
    severity: ArrayLike, weights: Mapping[int, float] | None = None
) -> FloatArray:
    """Harm weight per event from its severity (1-4 by default).

    Raises ValueError for a severity that has no weight (never silently 0).
    """
    w = DEFAULT_SEVERITY_WEIGHTS if weights is None else weights
    sev = np.asarray(severity, dtype=np.int64)
    if sev.size == 0:
        return np.zeros(sev.shape)
    lo, hi = int(sev.min()), int(sev.max())
    if lo < 0:
        raise ValueError("severity must be non-negative")
    table = np.full(hi + 1, np.nan)
    for k, v in w.items():
        if 0 <= k <= hi:
            table[k] = v
    out = table[sev]
    if np.any(np.isnan(out)):
        bad = sorted(set(sev[np.isnan(out)].tolist()))
        raise ValueError(f"no harm weight for severity {bad}")
    return out


def harm_weighted_volume(
    area_index: ArrayLike,
    severity: ArrayLike,
    n_areas: int,
    weights: Mapping[int, float] | None = None,
) -> FloatArray:
    """Sum of harm weights per area (events given as area index + severity)."""
    idx = np.asarray(area_index, dtype=np.int64)
    return np.bincount(
        idx, weights=harm_weights(severity, weights), minlength=n_areas
    ).astype(np.float64)


@dataclass(frozen=True)
class PriorityWeights:
    """Weights (relative; need and ability are normalised separately).

    A negative weight on an extra ability factor inverts it (high raw value = less
    ability, e.g. "months since the last walk-through").
    """

    harm: float = 0.35
    harm_per_1000: float = 0.15
    trend: float = 0.15
    deviation_weeks: float = 0.15
    police_crimes: float = 0.20
    active_partners: float = 0.5
    open_interventions: float = 0.5
    extra: Mapping[str, float] = field(default_factory=dict)
    ability_floor: float = 0.5
    normalisation: Literal["rank", "minmax"] = "rank"


@dataclass(frozen=True)
class PriorityResult:
    """Per-area figures (arrays in input order) and how they were combined."""

    raw: Mapping[str, FloatArray]
    scores: Mapping[str, FloatArray]  # 0..1, NaN = missing
    weights: Mapping[str, float]
    need_components: tuple[str, ...]
    ability_components: tuple[str, ...]
    need: FloatArray
    need_coverage: FloatArray
    ability: FloatArray  # NaN = no ability data
    ability_coverage: FloatArray
    priority: FloatArray
    rank: FloatArray  # 1 = highest; NaN = not rankable
    ability_floor: float

    def explain(self, i: int) -> dict[str, Any]:
        """Everything behind area ``i``'s rank, for display ("why is this area 3rd?")."""
        rows = []
        for name in self.need_components + self.ability_components:
            rows.append(
                {
                    "component": name,
                    "group": "need" if name in self.need_components else "ability",
                    "raw": float(self.raw[name][i]),
                    "score": float(self.scores[name][i]),
                    "weight": self.weights[name],
                    "missing": bool(np.isnan(self.scores[name][i])),
                }
            )
        return {
            "components": rows,
            "need": float(self.need[i]),
            "need_coverage": float(self.need_coverage[i]),
            "ability": float(self.ability[i]),
            "priority": float(self.priority[i]),
            "rank": float(self.rank[i]),
            "formula": (
                f"priority = need x ({self.ability_floor:g} + "
                f"{1 - self.ability_floor:g} x ability); missing ability = 0.5"
            ),
        }


def normalise(
    values: ArrayLike, method: Literal["rank", "minmax"] = "rank"
) -> FloatArray:
    """Scale values to 0..1 over the non-NaN entries; NaN stays NaN.

    See the module docstring for the two methods.
    """
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, np.nan)
    ok = np.isfinite(v)
    vals = v[ok]
    if vals.size == 0:
        return out
    if vals.size == 1 or vals.min() == vals.max():
        # A component that is the same everywhere cannot rank areas: it is treated
        # as missing (its weight goes to the others), not as "lowest everywhere".
        return out
    if method == "rank":
        srt = np.sort(vals)
        below = np.searchsorted(srt, vals, side="left")  # #(v_j < v_i)
        out[ok] = below / below.max()
    elif method == "minmax":
        out[ok] = (vals - vals.min()) / (vals.max() - vals.min())
    else:
        raise ValueError(f"unknown normalisation {method!r}")
    return out


def _weighted(
    scores: Mapping[str, FloatArray], weights: Mapping[str, float], n: int
) -> tuple[FloatArray, FloatArray]:
    num = np.zeros(n)
    den = np.zeros(n)
    total = sum(abs(w) for w in weights.values())
    for name, w in weights.items():
        s = scores[name]
        present = ~np.isnan(s)
        val = 1.0 - s if w < 0 else s
        num += np.where(present, abs(w) * val, 0.0)
        den += np.where(present, abs(w), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(den > 0, num / den, np.nan)
        coverage = den / total if total > 0 else np.zeros(n)
    return score, coverage


def _as_array(v: ArrayLike | None, n: int, name: str) -> FloatArray:
    if v is None:
        return np.full(n, np.nan)
    a = np.asarray(v, dtype=np.float64).ravel()
    if a.shape != (n,):
        raise ValueError(f"{name} must have one value per area ({n})")
    return a


def prioritise(
    *,
    harm: ArrayLike,
    trend: ArrayLike | None = None,
    deviation_weeks: ArrayLike | None = None,
    police_crimes: ArrayLike | None = None,
    population: ArrayLike | None = None,
    active_partners: ArrayLike | None = None,
    open_interventions: ArrayLike | None = None,
    extra: Mapping[str, ArrayLike] | None = None,
    weights: PriorityWeights | None = None,
) -> PriorityResult:
    """Score and rank areas by need and ability to influence.

    All inputs are per-area arrays in the same order; NaN (or an omitted input)
    means "no data" and is kept visible as missing. ``harm`` is the harm-weighted
    event volume of the period (see :func:`harm_weighted_volume`); ``population``
    (residents) only feeds ``harm_per_1000``. ``extra`` adds named ability factors
    whose weights come from ``weights.extra`` (default weight 1.0 each).
    """
    w = weights or PriorityWeights()
    h = np.asarray(harm, dtype=np.float64).ravel()
    n = h.size
    pop = _as_array(population, n, "population")
    with np.errstate(invalid="ignore", divide="ignore"):
        per_1000 = np.where(pop > 0, 1000.0 * h / pop, np.nan)
    raw: dict[str, FloatArray] = {
        "harm": h,
        "harm_per_1000": per_1000,
        "trend": _as_array(trend, n, "trend"),
        "deviation_weeks": _as_array(deviation_weeks, n, "deviation_weeks"),
        "police_crimes": _as_array(police_crimes, n, "police_crimes"),
        "active_partners": _as_array(active_partners, n, "active_partners"),
        "open_interventions": _as_array(open_interventions, n, "open_interventions"),
    }
    wmap: dict[str, float] = {
        "harm": w.harm,
        "harm_per_1000": w.harm_per_1000,
        "trend": w.trend,
        "deviation_weeks": w.deviation_weeks,
        "police_crimes": w.police_crimes,
        "active_partners": w.active_partners,
        "open_interventions": w.open_interventions,
    }
    extra_names: list[str] = []
    for name, vals in (extra or {}).items():
        if name in raw:
            raise ValueError(f"extra factor {name!r} clashes with a built-in component")
        raw[name] = _as_array(vals, n, name)
        wmap[name] = float(w.extra.get(name, 1.0))
        extra_names.append(name)

    scores = {k: normalise(v, w.normalisation) for k, v in raw.items()}
    need_names = NEED_COMPONENTS
    ability_names = ABILITY_COMPONENTS + tuple(extra_names)
    need, need_cov = _weighted(scores, {k: wmap[k] for k in need_names}, n)
    ability, ab_cov = _weighted(scores, {k: wmap[k] for k in ability_names}, n)
    f = w.ability_floor
    ability_used = np.where(np.isnan(ability), 0.5, ability)
    priority = need * (f + (1.0 - f) * ability_used)

    rank = np.full(n, np.nan)
    ok = ~np.isnan(priority)
    if np.any(ok):
        srt = np.sort(-priority[ok])
        rank[ok] = np.searchsorted(srt, -priority[ok], side="left") + 1.0
    return PriorityResult(
        raw=raw,
        scores=scores,
        weights=wmap,
        need_components=need_names,
        ability_components=ability_names,
        need=need,
        need_coverage=need_cov,
        ability=ability,
        ability_coverage=ab_cov,
        priority=priority,
        rank=rank,
        ability_floor=f,
    )
