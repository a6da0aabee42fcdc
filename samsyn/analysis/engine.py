"""Django glue for the analyses: load columns, call the pure stats, return plain data.

Every function takes a collaboration and (optionally) the caller's ``Access``; with an
access, reports that person may not see (restricted ones, for most roles) are never
loaded, so they cannot enter any figure. Without one (figures shared with the whole
collaboration such as an intervention's follow-up, ``samsyn analyse
--include-restricted``, benchmarks) every report of the collaboration counts.

Evaluation of an intervention: :func:`evaluate` at a point (target radius and a
buffer ring), :func:`evaluate_areas` over whole areas (the touching areas are the
buffer); both choose a similar control area and return WDQ, Total Net Effect, WDD and
DiD with plain verdicts (see ``stats.evaluation``).

Results are JSON-ready dicts (str, int, float, None, lists, dicts; NaN becomes None),
shared by the API and the command. Weeks are ISO weeks in local time (Monday
00:00, see ``samsyn.lib.weeks``), as everywhere in Samsyn.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext
from shapely.geometry import shape

from samsyn.analysis.data import ReportColumns, load_report_columns
from samsyn.analysis.stats import deviations, evaluation, export, nearrepeat
from samsyn.analysis.stats import emerging as ehsa_stats
from samsyn.analysis.stats import hotspots as gi_stats
from samsyn.analysis.stats import kde as kde_stats
from samsyn.analysis.stats import priority as prio_stats
from samsyn.analysis.stats.grid import Grid
from samsyn.areas.models import Area, Place
from samsyn.lib.geo import in_sweden, to_sweref, to_wgs84
from samsyn.lib.weeks import (
    local_midnight,
    local_tz,
    week_start,
)
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Category

WEEK_S = 7 * 86_400
HISTORY_WEEKS = 156  # three years of baseline for the weekly deviations


class AnalysisInputError(ValueError):
    """Bad input for an analysis, naming the parameter (the API turns it into 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------- helpers
def _num(v: Any, digits: int | None = 4) -> Any:
    """numpy/Python number -> JSON-safe value (NaN/inf -> None)."""
    if v is None:
        return None
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer | int):
        return int(v)
    f = float(v)
    if not math.isfinite(f):
        return None
    return round(f, digits) if digits is not None else f


def _dc(obj: Any, digits: int | None = 4) -> Any:
    """A stats dataclass (or nested values) as a JSON-ready dict."""
    if obj is None:
        return None
    if hasattr(obj, "__dataclass_fields__"):
        return {k: _dc(getattr(obj, k), digits) for k in obj.__dataclass_fields__}
    if isinstance(obj, tuple | list):
        return [_dc(v, digits) for v in obj]
    if isinstance(obj, str):
        return obj
    return _num(obj, digits)


def week_bounds(first_monday: date, n_weeks: int) -> np.ndarray:
    """UTC epoch seconds of the n_weeks + 1 local Mondays from ``first_monday``.

    Local midnights, so a week is exactly the Stockholm ISO week even across the
    daylight-saving changes (those weeks are an hour shorter or longer in UTC).
    """
    return np.array(
        [
            local_midnight(first_monday + timedelta(weeks=i)).timestamp()
            for i in range(n_weeks + 1)
        ]
    )


def week_index(t: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Week number of each time in ``bounds`` (-1 before, n_weeks after)."""
    return np.searchsorted(bounds, t, side="right").astype(np.int64) - 1


def _iso_calendar(first_monday: date, n_weeks: int) -> tuple[np.ndarray, np.ndarray]:
    return deviations.iso_week_calendar(first_monday, n_weeks)


def _load(
    collab: Collaboration,
    since: datetime | None,
    until: datetime | None,
    access: Access | None,
) -> ReportColumns:
    return load_report_columns(collab, since, until, access=access)


@dataclass(frozen=True)
class AreaTable:
    """The areas behind ``ReportColumns.area`` (same order), with their districts."""

    ids: tuple[int, ...]
    refs: tuple[str, ...]
    names: tuple[str, ...]
    population: np.ndarray  # float, NaN = unknown
    district: np.ndarray  # index into district_* (-1 = none)
    district_refs: tuple[str, ...]
    district_names: tuple[str, ...]


def _area_table(cols: ReportColumns) -> AreaTable:
    rows = Area.objects.in_bulk(list(cols.area_ids))
    parents = sorted({a.parent_id for a in rows.values() if a.parent_id is not None})
    dist = Area.objects.in_bulk(parents)
    d_index = {pk: i for i, pk in enumerate(parents)}
    areas = [rows[pk] for pk in cols.area_ids]
    return AreaTable(
        ids=cols.area_ids,
        refs=tuple(a.ref for a in areas),
        names=tuple(a.name for a in areas),
        population=np.array(
            [np.nan if a.population is None else a.population for a in areas], float
        ),
        district=np.array(
            [d_index.get(a.parent_id, -1) if a.parent_id else -1 for a in areas],
            dtype=np.int64,
        ),
        district_refs=tuple(dist[pk].ref for pk in parents),
        district_names=tuple(dist[pk].name for pk in parents),
    )


def _category_names(collab: Collaboration, codes: tuple[str, ...]) -> list[str]:
    by_code = {c.code: c.name for c in Category.objects.filter(collaboration=collab)}
    return [by_code.get(c, c) for c in codes]


# ----------------------------------------------------------- study area / grid
def _project(geom: Any) -> Any:
    def fwd(coords: np.ndarray) -> np.ndarray:
        x, y = to_sweref(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fwd)


# Keyed by the collaboration's code, not its primary key: a key is never reused for
# another collaboration (a primary key can be, e.g. after a rolled-back transaction),
# and areas_version changes whenever the collaboration's areas do.
@lru_cache(maxsize=8)
def _study_area_cached(
    collab_code: uuid.UUID, version: int
) -> tuple[Any, dict[str, Any]]:
    """Union of the collaboration's areas and each area's polygon, in SWEREF 99 TM."""
    areas = Area.objects.filter(collaboration__code=collab_code, level=Area.Level.AREA)
    if not areas.exists():
        areas = Area.objects.filter(collaboration__code=collab_code)
    geoms = {a.ref: _project(shape(a.geometry)) for a in areas}
    union = shapely.union_all(list(geoms.values())) if geoms else None
    if union is not None:
        shapely.prepare(union)
    return union, geoms


def study_area(collab: Collaboration) -> tuple[Any, dict[str, Any]]:
    return _study_area_cached(collab.code, collab.areas_version)


def study_grid(collab: Collaboration, cell_m: float) -> Grid:
    """Snapped grid over the collaboration's areas (raises for no areas)."""
    union, _ = study_area(collab)
    if union is None or union.is_empty:
        raise AnalysisInputError(
            "collaboration", gettext("The collaboration has no areas.")
        )
    return Grid.from_extent(*union.bounds, cell_m)


@lru_cache(maxsize=8)
def _mask_cached(
    collab_code: uuid.UUID,
    version: int,
    x0: float,
    y0: float,
    cell: float,
    nx: int,
    ny: int,
) -> np.ndarray:
    union, _ = _study_area_cached(collab_code, version)
    grid = Grid(x0, y0, cell, nx, ny)
    boxes = shapely.box(*grid.corners())
    mask = shapely.intersects(union, boxes).reshape(grid.shape)
    mask.setflags(write=False)
    return mask


def study_mask(collab: Collaboration, grid: Grid) -> np.ndarray:
    """Cells that intersect one of the collaboration's areas (the Gi* study area)."""
    return _mask_cached(
        collab.code, collab.areas_version, grid.x0, grid.y0, grid.cell, grid.nx, grid.ny
    )


def _check_cell(cell_m: float, lo: float = 25.0, hi: float = 5000.0) -> None:
    if not (lo <= cell_m <= hi):
        raise AnalysisInputError(
            "cell_m",
            gettext("Cell size must be %(lo)s to %(hi)s m.")
            % {"lo": f"{lo:g}", "hi": f"{hi:g}"},
        )


def _check_period(since: datetime, until: datetime) -> None:
    if until <= since:
        raise AnalysisInputError("until", gettext("The end must be after the start."))


def _max_cells(grid: Grid, limit: int = 2_000_000) -> None:
    if grid.n_cells > limit:
        raise AnalysisInputError(
            "cell_m",
            gettext("Too many cells for this area; choose a larger cell size."),
        )


# ------------------------------------------------------------------ weekly picture
def weekly(
    collab: Collaboration,
    iso_year: int,
    iso_week: int,
    access: Access | None = None,
    *,
    history_weeks: int = HISTORY_WEEKS,
    alpha: float = 0.01,
) -> dict[str, Any]:
    """The week's counts per area x category (and district and collaboration
    totals) against a seasonal negative-binomial baseline (stats.deviations).

    Rows are returned for series that are flagged or have events this week. Weeks
    before the collaboration's first report are not history (an EST that started
    last year gets "insufficient_history", not a baseline of zeros).
    """
    try:
        monday = week_start(iso_year, iso_week)
    except ValueError as exc:
        raise AnalysisInputError("week", gettext("No such ISO week.")) from exc
    n_weeks = history_weeks + 1
    first = monday - timedelta(weeks=history_weeks)
    bounds = week_bounds(first, n_weeks)
    cols = _load(
        collab,
        datetime.fromtimestamp(bounds[0], local_tz()),
        datetime.fromtimestamp(bounds[-1], local_tz()),
        access,
    )
    areas = _area_table(cols)
    n_a, n_c, n_d = len(areas.ids), len(cols.category_codes), len(areas.district_refs)
    wk = week_index(cols.t, bounds)
    ok = (wk >= 0) & (wk < n_weeks) & (cols.category >= 0)
    # Reports outside every area go to an extra slot: they count in the totals.
    a = np.where(cols.area >= 0, cols.area, n_a)[ok].astype(np.int64)
    flat = (a * n_c + cols.category[ok]) * n_weeks + wk[ok]
    cube = np.bincount(flat, minlength=(n_a + 1) * n_c * n_weeks).reshape(
        n_a + 1, n_c, n_weeks
    )
    district_cube = np.zeros((n_d, n_c, n_weeks), dtype=np.int64)
    has_d = areas.district >= 0
    np.add.at(district_cube, areas.district[has_d], cube[:n_a][has_d])
    total_cube = cube.sum(axis=0, keepdims=True)
    counts = np.concatenate(
        [
            cube[:n_a].reshape(-1, n_weeks),
            district_cube.reshape(-1, n_weeks),
            total_cube.reshape(-1, n_weeks),
        ]
    )
    any_data = np.flatnonzero(total_cube.sum(axis=(0, 1)))
    first_col = int(any_data[0]) if any_data.size else n_weeks - 1
    iso_y, iso_w = _iso_calendar(first, n_weeks)
    res = deviations.weekly_deviations(
        counts,
        index=-1,
        iso_year=iso_y,
        iso_week=iso_w,
        first_week=np.full(counts.shape[0], first_col),
        alpha=alpha,
    )
    cat_names = _category_names(collab, cols.category_codes)

    def row(i: int) -> dict[str, Any]:
        s, c = divmod(i, n_c)
        if s < n_a:
            d = int(areas.district[s])
            level, ref, name = "area", areas.refs[s], areas.names[s]
            district = areas.district_refs[d] if d >= 0 else None
        elif s < n_a + n_d:
            level, district = "district", None
            ref, name = areas.district_refs[s - n_a], areas.district_names[s - n_a]
        else:
            level, ref, name, district = "collaboration", collab.slug, collab.name, None
        return {
            "level": level,
            "area": ref,
            "area_name": name,
            "district": district,
            "category": cols.category_codes[c],
            "category_name": cat_names[c],
            "observed": int(res.observed[i]),
            "expected": _num(res.expected[i], 2),
            "upper": _num(res.upper[i], 0),
            "p": _num(res.p_value[i], 6),
            "status": str(res.status[i]),
            "baseline": str(res.baseline_kind[i]),
            "last_week": _num(res.last_week[i], 0),
            "mean_4_weeks": _num(res.mean_previous_4[i], 2),
            "same_week_last_year": _num(res.same_week_last_year[i], 0),
        }

    keep = np.flatnonzero(res.flag | (res.observed > 0))
    order = keep[np.lexsort((-res.observed[keep], ~res.flag[keep]))]
    rows = [row(int(i)) for i in order]
    total0 = (n_a + n_d) * n_c
    return {
        "collaboration": collab.slug,
        "week": f"{iso_year}-W{iso_week:02d}",
        "week_start": monday.isoformat(),
        "alpha": alpha,
        "history_weeks": int(n_weeks - 1 - first_col),
        "n_reports": int(res.observed[total0:].sum()),
        "flagged": int(res.flag.sum()),
        "rows": rows,
        "totals": [row(total0 + c) for c in range(n_c)],
        "method": gettext(
            "Seasonal baseline: the same ISO week +-3 weeks in each of up to 3 "
            "earlier years (falling back to the last 12 weeks), negative binomial "
            "when over-dispersed, else Poisson; flagged when P(Y >= observed) <= "
            "alpha and at least 3 events."
        ),
    }


# ------------------------------------------------------------------------ hotspots
def hotspots(
    collab: Collaboration,
    since: datetime,
    until: datetime,
    cell_m: float = 250.0,
    radius_cells: int = 1,
    access: Access | None = None,
    *,
    q: float = 0.05,
) -> dict[str, Any]:
    """Getis-Ord Gi* with BH-FDR on a square grid over the collaboration's areas.

    The study area is the cells that intersect an area: only they are features
    (empty countryside beyond the border does not dilute the mean). The GeoJSON
    holds the significant and the non-empty cells.
    """
    _check_period(since, until)
    _check_cell(cell_m)
    if not 1 <= radius_cells <= 10:
        raise AnalysisInputError(
            "radius_cells", gettext("Radius must be 1 to 10 cells.")
        )
    grid = study_grid(collab, cell_m)
    _max_cells(grid)
    mask = study_mask(collab, grid)
    cols = _load(collab, since, until, access)
    counts = grid.counts(cols.x, cols.y)
    gi = gi_stats.gistar_grid(counts, radius=radius_cells, mask=mask, q=q, fdr=True)
    include = mask & ((counts > 0) | (gi.bin != 0))
    fc = export.grid_feature_collection(
        grid,
        to_wgs84,
        {"count": counts, "z": np.round(gi.z, 3), "p": gi.p, "bin": gi.bin},
        include=include,
    )
    bins = {str(b): int(np.count_nonzero(gi.bin[mask] == b)) for b in range(-3, 4)}
    return {
        "collaboration": collab.slug,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "parameters": {
            "cell_m": cell_m,
            "radius_cells": radius_cells,
            "weights": gi.weights,
            "fdr_q": q,
            "fdr": "Benjamini-Hochberg per confidence level (ArcGIS Gi_Bin)",
            "study_cells": int(gi.n),
            "mean": _num(gi.mean),
            "sd": _num(gi.sd),
        },
        "n_reports": len(cols),
        "bins": bins,
        "geojson": fc,
    }


def density(
    collab: Collaboration,
    since: datetime,
    until: datetime,
    cell_m: float = 100.0,
    bandwidth: float | None = None,
    access: Access | None = None,
    *,
    min_share: float = 0.02,
) -> dict[str, Any]:
    """Quartic kernel density (events per km²); GeoJSON of the cells in the study
    area whose density is at least ``min_share`` of the maximum (keeps the map
    light: the long faint tail is left out)."""
    _check_period(since, until)
    _check_cell(cell_m)
    if bandwidth is not None and not (cell_m / 2 <= bandwidth <= 20_000):
        raise AnalysisInputError(
            "bandwidth",
            gettext("Bandwidth must be at least half a cell and at most 20 km."),
        )
    grid = study_grid(collab, cell_m)
    _max_cells(grid)
    mask = study_mask(collab, grid)
    cols = _load(collab, since, until, access)
    res = kde_stats.kde_grid(cols.x, cols.y, grid, bandwidth=bandwidth)
    top = float(res.density[mask].max()) if mask.any() else 0.0
    include = mask & (res.density > 0) & (res.density >= min_share * top)
    fc = export.grid_feature_collection(
        grid, to_wgs84, {"density": np.round(res.density, 3)}, include=include
    )
    return {
        "collaboration": collab.slug,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "parameters": {
            "cell_m": cell_m,
            "bandwidth_m": _num(res.bandwidth, 1),
            "bandwidth_rule": res.bandwidth_rule,
            "kernel": "quartic",
            "unit": "events per km²",
            "min_share_of_max": min_share,
        },
        "n_reports": len(cols),
        "max_density": _num(top, 3),
        "geojson": fc,
    }


# ------------------------------------------------------------------------ emerging
def emerging(
    collab: Collaboration,
    until: date,
    weeks: int = 52,
    cell_m: float = 250.0,
    access: Access | None = None,
    *,
    period_weeks: int = 4,
) -> dict[str, Any]:
    """Emerging Hot Spot Analysis over the ``weeks`` ISO weeks ending with the week
    that contains ``until``, plus the sfhotspot-style classes (persistent /
    emerging / former / intermittent) over periods of ``period_weeks`` weeks.

    Space-time Gi* runs only on cells that intersect the collaboration's areas
    (the study-area mask), so empty land outside does not lower the mean.
    """
    _check_cell(cell_m)
    if not 4 <= weeks <= 260:
        raise AnalysisInputError("weeks", gettext("Weeks must be 4 to 260."))
    grid = study_grid(collab, cell_m)
    _max_cells(grid, 1_000_000)
    last_monday = until - timedelta(days=until.weekday())
    first = last_monday - timedelta(weeks=weeks - 1)
    bounds = week_bounds(first, weeks)
    cols = _load(
        collab,
        datetime.fromtimestamp(bounds[0], local_tz()),
        datetime.fromtimestamp(bounds[-1], local_tz()),
        access,
    )
    wk = week_index(cols.t, bounds)
    cube = grid.cube(cols.x, cols.y, t=wk, n_steps=weeks)[:, :, 0]
    stack = ehsa_stats.cube_to_stack(cube, grid.ny, grid.nx)
    mask = study_mask(collab, grid)
    res = ehsa_stats.emerging_hotspots(stack, mask=mask)
    n_periods = weeks // period_weeks
    sf: np.ndarray | None = None
    if n_periods >= 2:
        # Whole periods ending with the last week; a remainder at the start is dropped.
        tail = stack[weeks - n_periods * period_weeks :]
        per = tail.reshape(n_periods, period_weeks, grid.ny, grid.nx).sum(axis=1)
        sf = ehsa_stats.sfhotspot_hotspots(per).ravel()
    cat = res.category.ravel()
    ehsa_codes = np.array([ehsa_stats.EhsaCategory(v).code for v in range(-8, 9)])
    sf_codes = {int(c): c.code for c in ehsa_stats.SfhotspotCategory}
    total = cube.sum(axis=1)
    include = cat != 0 if sf is None else (cat != 0) | (sf != 0)
    props: dict[str, Any] = {
        "count": total,
        "class": ehsa_codes[cat.astype(np.int64) + 8],
        "trend_z": np.round(res.trend.z, 3),
        "trend_p": res.trend.p,
        "last_week_z": np.round(res.gi.z[-1].ravel(), 3),
    }
    if sf is not None:
        props["quarterly_class"] = np.array([sf_codes[int(v)] for v in sf])
    fc = export.grid_feature_collection(grid, to_wgs84, props, include=include)
    classes = {
        ehsa_stats.EhsaCategory(int(v)).code: int(n)
        for v, n in zip(*np.unique(cat, return_counts=True), strict=True)
        if v != 0
    }
    quarterly = (
        {}
        if sf is None
        else {
            sf_codes[int(v)]: int(n)
            for v, n in zip(*np.unique(sf, return_counts=True), strict=True)
            if v != 0
        }
    )
    fy, fw, _ = first.isocalendar()
    ly, lw, _ = last_monday.isocalendar()
    return {
        "collaboration": collab.slug,
        "first_week": f"{fy}-W{fw:02d}",
        "last_week": f"{ly}-W{lw:02d}",
        "parameters": {
            "cell_m": cell_m,
            "weeks": weeks,
            "neighbourhood": res.gi.weights,
            "alpha": 0.10,
            "fdr": True,
            "threshold": res.threshold,
            "trend_alpha": res.trend_alpha,
            "quarterly_period_weeks": period_weeks,
        },
        "n_reports": int(cube.sum()),
        "classes": classes,
        "quarterly_classes": quarterly,
        "geojson": fc,
    }


# --------------------------------------------------------------------- near repeat
# Limits that keep one request's memory and time bounded: memory O(events + pairs),
# time O(iterations x pairs). Near repeats are a matter of streets and weeks; the
# limits are far beyond what the method is used for (Ratcliffe's calculator
# defaults: 100-400 m, 7-28 days).
NEAR_REPEAT_MAX_BANDS = 10
NEAR_REPEAT_MAX_SPATIAL_M = 5_000.0
NEAR_REPEAT_MAX_TEMPORAL_DAYS = 365.0
# At most this many pairs within the largest spatial band (2 million pairs: about
# 0.2 GB at the peak and some seconds for 99 permutations).
NEAR_REPEAT_MAX_PAIRS = 2_000_000


def _check_bands(field: str, bands: list[float], largest: float, too_wide: str) -> None:
    if any(b <= 0 for b in bands) or any(
        b2 <= b1 for b1, b2 in zip(bands, bands[1:], strict=False)
    ):
        raise AnalysisInputError(
            field, gettext("Bands must be positive and increasing.")
        )
    if len(bands) > NEAR_REPEAT_MAX_BANDS:
        raise AnalysisInputError(
            field,
            gettext("At most %(max)s bands.") % {"max": NEAR_REPEAT_MAX_BANDS},
        )
    if bands[-1] > largest:
        raise AnalysisInputError(field, too_wide % {"max": f"{largest:g}"})


def near_repeat(
    collab: Collaboration,
    since: datetime,
    until: datetime,
    categories: list[str] | None = None,
    spatial_bands: list[float] | None = None,
    temporal_bands: list[float] | None = None,
    access: Access | None = None,
    *,
    iterations: int = 99,
    seed: int = 2026,
    max_events: int = 20_000,
) -> dict[str, Any]:
    """Knox test (stats.nearrepeat) on the chosen categories' events."""
    _check_period(since, until)
    s_bands = spatial_bands or [100.0, 200.0, 400.0]
    t_bands = temporal_bands or [7.0, 14.0, 21.0]
    _check_bands(
        "spatial_bands",
        s_bands,
        NEAR_REPEAT_MAX_SPATIAL_M,
        gettext(
            "Spatial bands up to %(max)s m: near repeats are about the next "
            "streets, not the whole town."
        ),
    )
    _check_bands(
        "temporal_bands",
        t_bands,
        NEAR_REPEAT_MAX_TEMPORAL_DAYS,
        gettext(
            "Temporal bands up to %(max)s days: near repeats are about the next "
            "weeks, not the whole year."
        ),
    )
    cols = _load(collab, since, until, access)
    sel = np.ones(len(cols), dtype=bool)
    if categories:
        unknown = sorted(set(categories) - set(cols.category_codes))
        if unknown:
            raise AnalysisInputError(
                "category",
                gettext("Unknown category: %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        wanted = [cols.category_codes.index(c) for c in categories]
        sel = np.isin(cols.category, wanted)
    n = int(sel.sum())
    if n > max_events:
        raise AnalysisInputError(
            "since",
            gettext(
                "%(n)s events; at most %(max)s. Choose fewer categories or a "
                "shorter period."
            )
            % {"n": n, "max": max_events},
        )
    try:
        res = nearrepeat.knox_test(
            cols.x[sel],
            cols.y[sel],
            cols.t[sel] / 86_400.0,
            s_bands,
            t_bands,
            iterations=iterations,
            seed=seed,
            max_pairs=NEAR_REPEAT_MAX_PAIRS,
        )
    except nearrepeat.TooManyPairs as exc:
        raise AnalysisInputError(
            "spatial_bands",
            gettext(
                "%(pairs)s pairs of events lie within %(radius)s m of each other; at "
                "most %(max)s can be tested. Choose smaller spatial bands, fewer "
                "categories or a shorter period."
            )
            % {
                "pairs": exc.pairs,
                "radius": f"{exc.radius:g}",
                "max": exc.limit,
            },
        ) from exc
    table = [
        {
            "spatial": s_lab,
            "temporal": t_lab,
            "observed": int(res.observed[i, j]),
            "expected": _num(res.expected_mean[i, j], 2),
            "ratio": _num(res.ratio[i, j], 3),
            "p": _num(res.p_value[i, j], 4),
        }
        for i, s_lab in enumerate(res.spatial_labels)
        for j, t_lab in enumerate(res.temporal_labels)
    ]
    return {
        "collaboration": collab.slug,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "categories": categories or [],
        "parameters": {
            "spatial_bands_m": s_bands,
            "temporal_bands_days": t_bands,
            "iterations": iterations,
            "seed": seed,
        },
        "n_events": res.n_events,
        "n_close_pairs": res.n_close_pairs,
        "spatial_labels": list(res.spatial_labels),
        "temporal_labels": list(res.temporal_labels),
        "table": table,
    }


# ---------------------------------------------------------------------- evaluation
# The automatic control area: an area at least CONTROL_GAP_M from the target and its
# buffer, with at least MIN_CONTROL_EVENTS events before the start.
CONTROL_GAP_M = 200.0
MIN_CONTROL_EVENTS = 10
ADJACENT_M = 1.0  # area polygons closer than this touch (shared borders, rounding)


def weekly_series(t: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Events per week of ``bounds`` (see :func:`week_bounds`); others are dropped."""
    n = len(bounds) - 1
    wk = week_index(t, bounds)
    wk = wk[(wk >= 0) & (wk < n)]
    return np.bincount(wk, minlength=n)


def _most_similar_area(
    cols: ReportColumns,
    target_t: np.ndarray,
    before: tuple[float, float],
    geoms: dict[str, Any],
    too_close: Callable[[str, Any], bool],
    min_events: int,
) -> int | None:
    """Index (into ``cols.area_refs``) of the area most like the target before.

    Candidates: areas with a polygon in ``geoms`` for which ``too_close(ref,
    polygon)`` is false and with at least ``min_events`` events in the before
    period. Score = |log level ratio| + |trend difference|, where trend is (second
    half - first half) / total of the before period (both in the same units, 0 =
    identical); the lowest score wins, the first area on a tie.
    """
    b0, b1 = before
    in_before = (cols.t >= b0) & (cols.t < b1)
    mid = (b0 + b1) / 2

    def shape_of(tt: np.ndarray) -> tuple[float, float]:
        n = len(tt)
        if n == 0:
            return 0.0, 0.0
        second = float(np.count_nonzero(tt >= mid))
        return float(n), (second - (n - second)) / n

    t_level, t_trend = shape_of(target_t[(target_t >= b0) & (target_t < b1)])
    per_area = np.bincount(
        cols.area[in_before & (cols.area >= 0)], minlength=len(cols.area_refs)
    )
    best: tuple[float, int] | None = None
    for i, ref in enumerate(cols.area_refs):
        geom = geoms.get(ref)
        if geom is None or per_area[i] < min_events or too_close(ref, geom):
            continue
        level, trend = shape_of(cols.t[in_before & (cols.area == i)])
        score = abs(math.log((level + 1) / (t_level + 1))) + abs(trend - t_trend)
        if best is None or score < best[0]:
            best = (score, i)
    return None if best is None else best[1]


def _check_weeks(weeks_before: int, weeks_after: int) -> None:
    if not 1 <= weeks_before <= 156:
        raise AnalysisInputError("weeks_before", gettext("Weeks must be 1 to 156."))
    if weeks_after != weeks_before:
        raise AnalysisInputError(
            "weeks_after", gettext("Before and after must be equally long.")
        )


def _select_categories(
    cols: ReportColumns, categories: list[str] | None
) -> ReportColumns:
    if not categories:
        return cols
    unknown = sorted(set(categories) - set(cols.category_codes))
    if unknown:
        raise AnalysisInputError(
            "category", gettext("Unknown category: %(codes)s.") % {"codes": unknown[0]}
        )
    return cols.select(
        np.isin(cols.category, [cols.category_codes.index(c) for c in categories])
    )


def _user_control(cols: ReportColumns, control: str, message: str) -> int:
    if control not in cols.area_refs:
        raise AnalysisInputError("control", message)
    return cols.area_refs.index(control)


def _evaluation_result(
    cols: ReportColumns,
    split: float,
    bounds: np.ndarray,
    masks: dict[str, np.ndarray],
    has_buffer: bool = True,
) -> dict[str, Any]:
    """Counts, weekly series and the stats verdicts for target/buffer/control masks.

    ``masks["rest"]`` (the rest of the municipality beyond the buffer and the gap
    around it) is the reference the buffer's change is judged against: it is large,
    so its own chance variation does not decide the displacement verdict, and the
    test is a ratio of rates, so its size does not matter.
    """
    counts = {}
    for k, m in masks.items():
        tt = cols.t[m]
        n_before = int(np.count_nonzero(tt < split))
        counts[k] = {"before": n_before, "after": int(len(tt) - n_before)}
    ev = evaluation.evaluate_intervention(
        treated_before=counts["target"]["before"],
        treated_after=counts["target"]["after"],
        control_before=counts["control"]["before"],
        control_after=counts["control"]["after"],
        buffer_before=counts["buffer"]["before"] if has_buffer else None,
        buffer_after=counts["buffer"]["after"] if has_buffer else None,
        displacement_reference_before=counts["rest"]["before"],
        displacement_reference_after=counts["rest"]["after"],
    )
    return {
        "counts": counts,
        "weekly": {
            k: weekly_series(cols.t[m], bounds).tolist() for k, m in masks.items()
        },
        "effect": ev.effect,
        "displacement": ev.displacement,
        "effect_z": _num(ev.effect_z),
        "displacement_z": _num(ev.displacement_z),
        "wdq": _dc(ev.wdq),
        "total_net_effect": _dc(ev.total_net_effect),
        "wdd": _dc(ev.wdd),
        "did": _dc(ev.did),
        "reasons": list(ev.reasons),
    }


def _control_and_figures(
    collab: Collaboration,
    cols: ReportColumns,
    control: str,
    *,
    start: date,
    weeks_before: int,
    before: tuple[float, float],
    in_target: np.ndarray,
    in_buffer: np.ndarray,
    in_rest: np.ndarray,
    too_close: Callable[[str, Any], bool],
    auto_note: str,
    unknown: str,
    has_buffer: bool = True,
) -> tuple[str, dict[str, Any], list[str]]:
    """The control area's ref, the evaluation figures and the note on the control.

    With ``control="auto"`` the area most like the target in the ``before``
    period (see :func:`_most_similar_area`) that is not ``too_close``; otherwise
    the area ref given (``unknown`` is the message when there is no such area).
    ``auto_note`` may name ``%(gap)s`` and ``%(minimum)s``.
    """
    if control == "auto":
        _, geoms = study_area(collab)
        ci = _most_similar_area(
            cols, cols.t[in_target], before, geoms, too_close, MIN_CONTROL_EVENTS
        )
        if ci is None:
            raise AnalysisInputError(
                "control", gettext("No area qualifies as a control.")
            )
        notes = [
            auto_note % {"gap": f"{CONTROL_GAP_M:g}", "minimum": MIN_CONTROL_EVENTS}
        ]
    else:
        ci = _user_control(cols, control, unknown)
        notes = [gettext("Control area chosen by the user.")]
    bounds = week_bounds(start - timedelta(weeks=weeks_before), 2 * weeks_before)
    figures = _evaluation_result(
        cols,
        before[1],
        bounds,
        {
            "target": in_target,
            "buffer": in_buffer,
            "control": cols.area == ci,
            "rest": in_rest,
        },
        has_buffer=has_buffer,
    )
    return cols.area_refs[ci], figures, notes


def evaluate(
    collab: Collaboration,
    lon: float,
    lat: float,
    start: date,
    target_radius_m: float = 100.0,
    buffer_radius_m: float = 500.0,
    weeks_before: int = 26,
    weeks_after: int = 26,
    control: str = "auto",
    access: Access | None = None,
    categories: list[str] | None = None,
) -> dict[str, Any]:
    """Before/after evaluation of a place-based intervention at a point.

    Target R = events within ``target_radius_m`` of the point; buffer D = the ring
    between the target and ``buffer_radius_m``; control C = an area given by its
    ref, or with ``control="auto"`` the area most like the target in the before
    period (level and trend) whose polygon is more than ``buffer_radius_m`` + 200 m
    from the point and that has at least 10 events before. Periods are
    ``weeks_before`` weeks before and ``weeks_after`` after local midnight of
    ``start``; they must be equally long (WDD and WDQ compare counts of equal
    periods). The buffer's change is judged against the rest of the municipality
    (``counts["rest"]``: reports more than ``buffer_radius_m`` + 200 m from the
    point), not against the target's control, which was chosen to resemble the
    target and is too small to be a steady reference. For an intervention that
    covers whole areas see :func:`evaluate_areas`.
    """
    if not 10 <= target_radius_m <= 2_000:
        raise AnalysisInputError(
            "target_radius_m", gettext("Radius must be 10 to 2000 m.")
        )
    if not target_radius_m < buffer_radius_m <= 5_000:
        raise AnalysisInputError(
            "buffer_radius_m",
            gettext("The buffer must be larger than the target, at most 5 km."),
        )
    if not 1 <= weeks_before <= 156:
        raise AnalysisInputError("weeks_before", gettext("Weeks must be 1 to 156."))
    if not in_sweden(lon, lat):
        raise AnalysisInputError("lon", gettext("The point is not in Sweden."))
    _check_weeks(weeks_before, weeks_after)
    x, y = (float(v) for v in to_sweref(lon, lat))
    split = local_midnight(start).timestamp()
    b0 = local_midnight(start - timedelta(weeks=weeks_before)).timestamp()
    a1 = local_midnight(start + timedelta(weeks=weeks_after)).timestamp()
    cols = _load(
        collab,
        datetime.fromtimestamp(b0, local_tz()),
        datetime.fromtimestamp(a1, local_tz()),
        access,
    )
    cols = _select_categories(cols, categories)
    d = np.hypot(cols.x - x, cols.y - y)
    in_target = d <= target_radius_m
    in_buffer = (d > target_radius_m) & (d <= buffer_radius_m)
    pt = shapely.Point(x, y)
    control_ref, figures, notes = _control_and_figures(
        collab,
        cols,
        control,
        start=start,
        weeks_before=weeks_before,
        before=(b0, split),
        in_target=in_target,
        in_buffer=in_buffer,
        in_rest=d > buffer_radius_m + CONTROL_GAP_M,
        too_close=lambda ref, g: g.distance(pt) <= buffer_radius_m + CONTROL_GAP_M,
        auto_note=gettext(
            "Control chosen automatically: the area (not within %(gap)s m of the "
            "buffer) with the most similar before-period level and trend, at "
            "least %(minimum)s events before."
        ),
        unknown=gettext("Unknown area."),
    )
    return {
        "collaboration": collab.slug,
        "point": {"lon": lon, "lat": lat, "x": round(x, 1), "y": round(y, 1)},
        "start": start.isoformat(),
        "parameters": {
            "target_radius_m": target_radius_m,
            "buffer_radius_m": buffer_radius_m,
            "weeks_before": weeks_before,
            "weeks_after": weeks_after,
            "categories": categories or [],
        },
        "control": {
            "area": control_ref,
            "chosen": "auto" if control == "auto" else "user",
        },
        **figures,
        "notes": notes,
    }


def _target_refs(collab: Collaboration, areas: list[str]) -> list[str]:
    """The area refs behind ``areas``: a district's ref stands for its active areas."""
    wanted = list(dict.fromkeys(a for a in areas if a))
    if not wanted:
        raise AnalysisInputError("areas", gettext("Give one or more areas."))
    districts = {
        d.ref: d
        for d in Area.objects.filter(
            collaboration=collab, level=Area.Level.DISTRICT, ref__in=wanted
        )
    }
    known = set(
        Area.objects.filter(collaboration=collab, ref__in=wanted).values_list(
            "ref", flat=True
        )
    )
    unknown = [a for a in wanted if a not in known]
    if unknown:
        raise AnalysisInputError(
            "areas", gettext("Unknown area: %(code)s.") % {"code": unknown[0]}
        )
    refs: dict[str, None] = {}
    for ref in wanted:
        if ref in districts:
            for child in districts[ref].children.filter(active=True).order_by("ref"):
                refs[child.ref] = None
        else:
            refs[ref] = None
    return list(refs)


def evaluate_areas(
    collab: Collaboration,
    areas: list[str],
    start: date,
    weeks_before: int = 26,
    weeks_after: int = 26,
    control: str = "auto",
    access: Access | None = None,
    categories: list[str] | None = None,
) -> dict[str, Any]:
    """Before/after evaluation of an intervention that covers whole areas.

    Target = the reports in ``areas`` (area refs; a district's ref stands for its
    active areas); displacement buffer = the areas whose polygon touches the
    target (within 1 m, so shared borders count); control = an area given by its
    ref, or with ``control="auto"`` the area most like the target in the before
    period (level and trend, as in :func:`evaluate`) that is more than 200 m from
    the target and its buffer and has at least 10 events before. Periods are
    ``weeks_before`` weeks before and ``weeks_after`` after local midnight of
    ``start`` and must be equally long. The buffer's change is judged against the
    rest of the municipality (``counts["rest"]``: the areas more than 200 m from
    the target and its buffer).

    Returns the same figures as :func:`evaluate` (counts, weekly series, WDQ, Total
    Net Effect, WDD, DiD, the verdicts and their reasons) with ``parameters``
    naming ``target_areas`` and ``buffer_areas`` instead of radii. With no
    touching area there is no buffer: displacement is then "undefined".
    Bad input raises :class:`AnalysisInputError` naming the parameter
    (``areas``, ``weeks_before``, ``weeks_after``, ``control``, ``category``).
    """
    _check_weeks(weeks_before, weeks_after)
    wanted = _target_refs(collab, areas)
    _union, geoms = study_area(collab)
    target_refs = {r for r in wanted if r in geoms}
    if not target_refs:
        raise AnalysisInputError("areas", gettext("The areas have no boundary."))
    target_geom = shapely.union_all([geoms[r] for r in sorted(target_refs)])
    buffer_refs = {
        ref
        for ref, g in geoms.items()
        if ref not in target_refs and g.distance(target_geom) <= ADJACENT_M
    }
    near = shapely.union_all([target_geom, *[geoms[r] for r in sorted(buffer_refs)]])

    split = local_midnight(start).timestamp()
    b0 = local_midnight(start - timedelta(weeks=weeks_before))
    a1 = local_midnight(start + timedelta(weeks=weeks_after))
    cols = _select_categories(_load(collab, b0, a1, access), categories)
    refs = cols.area_refs
    in_target = np.isin(cols.area, [i for i, r in enumerate(refs) if r in target_refs])
    in_buffer = np.isin(cols.area, [i for i, r in enumerate(refs) if r in buffer_refs])
    in_rest = np.isin(
        cols.area,
        [
            i
            for i, r in enumerate(refs)
            if r in geoms
            and r not in target_refs
            and r not in buffer_refs
            and geoms[r].distance(near) > CONTROL_GAP_M
        ],
    )
    control_ref, figures, notes = _control_and_figures(
        collab,
        cols,
        control,
        start=start,
        weeks_before=weeks_before,
        before=(b0.timestamp(), split),
        in_target=in_target,
        in_buffer=in_buffer,
        in_rest=in_rest,
        too_close=lambda ref, g: (
            ref in target_refs
            or ref in buffer_refs
            or g.distance(near) <= CONTROL_GAP_M
        ),
        auto_note=gettext(
            "Control chosen automatically: the area (not within %(gap)s m of the "
            "target areas or their neighbours) with the most similar "
            "before-period level and trend, at least %(minimum)s events before."
        ),
        unknown=gettext("Unknown control area."),
        has_buffer=bool(buffer_refs),
    )
    return {
        "collaboration": collab.slug,
        "start": start.isoformat(),
        "parameters": {
            "target_areas": sorted(target_refs),
            "buffer_areas": sorted(buffer_refs),
            "weeks_before": weeks_before,
            "weeks_after": weeks_after,
            "categories": categories or [],
        },
        "control": {
            "area": control_ref,
            "chosen": "auto" if control == "auto" else "user",
        },
        **figures,
        "notes": notes,
    }


def place_point(collab: Collaboration, place: str) -> tuple[float, float]:
    """lon/lat of a named place (by code or exact name) in the collaboration."""
    qs = Place.objects.in_collaboration(collab)
    row = None
    try:
        import uuid

        row = qs.filter(code=uuid.UUID(place)).first()
    except ValueError:
        row = qs.filter(name=place).first()
    if row is None:
        raise AnalysisInputError("place", gettext("Unknown place."))
    return row.lon, row.lat


# ------------------------------------------------------------------------ priority
def _police_crimes(
    collab: Collaboration, areas: AreaTable, since: datetime, until: datetime
) -> np.ndarray:
    """Police-reported crimes per area in [since, until), from the imported crime
    files; all NaN (missing) when no imported, placed crime falls in the period, so
    that "no import" is never read as "no crime"."""
    from django.db.models import Count

    from samsyn.police.models import ReportedCrime

    # Only crimes placed by their coordinates can be counted per area; a file with
    # municipality-level rows only leaves the component missing.
    in_period = (
        ReportedCrime.objects.in_collaboration(collab)
        .points()
        .filter(occurred_at__gte=since, occurred_at__lt=until)
    )
    out = np.full(len(areas.ids), np.nan)
    if not in_period.exists():
        return out
    out[:] = 0.0
    index = {pk: i for i, pk in enumerate(areas.ids)}
    rows = (
        in_period.filter(area_id__in=list(areas.ids))
        .values("area_id")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        out[index[row["area_id"]]] = row["n"]
    return out


def _open_interventions(
    collab: Collaboration,
    areas: AreaTable,
    since: date,
    until: date,
    access: Access | None,
) -> np.ndarray:
    """Decided or ongoing interventions per area overlapping [since, until): linked
    to the area, to its district or to a place in it; only those `access` sees."""
    from django.db.models import Q

    from samsyn.interventions.models import Intervention

    qs = Intervention.objects.filter(collaboration=collab)
    if access is not None:
        qs = qs.visible_to(access)
    qs = qs.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=since),
        status__in=[Intervention.Status.DECIDED, Intervention.Status.ONGOING],
        starts_on__lt=until,
    )
    index = {pk: i for i, pk in enumerate(areas.ids)}
    parents = dict(Area.objects.filter(pk__in=areas.ids).values_list("pk", "parent_id"))
    children: dict[int, list[int]] = {}
    for pk, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    hits: dict[int, set[int]] = {}  # area index -> intervention ids
    links = Intervention.areas.through.objects.filter(intervention__in=qs)
    for iv_id, area_id in links.values_list("intervention_id", "area_id"):
        for pk in [area_id, *children.get(area_id, [])]:
            if pk in index:
                hits.setdefault(index[pk], set()).add(iv_id)
    places = Intervention.places.through.objects.filter(intervention__in=qs)
    for iv_id, area_id in places.values_list("intervention_id", "place__area_id"):
        if area_id in index:
            hits.setdefault(index[area_id], set()).add(iv_id)
    out = np.zeros(len(areas.ids))
    for i, ivs in hits.items():
        out[i] = len(ivs)
    return out


def priority(
    collab: Collaboration,
    since: datetime,
    until: datetime,
    access: Access | None = None,
    *,
    normalisation: str = "minmax",
    weights: prio_stats.PriorityWeights | None = None,
) -> dict[str, Any]:
    """Transparent need x ability ranking of the areas for a period (stats.priority).

    Need: harm-weighted volume (category harm weight x severity weight), Mann-Kendall
    tau of the weekly counts, number of weeks flagged "high" (all categories
    together) in the period, police-reported crime from the imported crime files
    (missing when nothing imported falls in the period).
    Ability: organisations with reports in the area in the period; open
    interventions from the register (decided or ongoing, overlapping the period,
    linked to the area, its district or a place in it; only those the reader may
    see). A component that is equal everywhere (e.g. no open interventions) is
    treated as missing by stats.priority, so it does not separate areas.

    Components are scaled min-max by default, not by rank (the stats default):
    deviation weeks and active partners are small counts shared by most areas, and
    ranks turn "one flagged week" or "6 partners instead of 7" into a jump of most
    of the scale, which then outweighs a several-fold difference in harm.
    ``normalisation="rank"`` gives the stats module's default.
    """
    _check_period(since, until)
    if normalisation not in ("minmax", "rank"):
        raise AnalysisInputError("normalisation", gettext("Choose minmax or rank."))
    if weights is None:
        weights = prio_stats.PriorityWeights(normalisation=normalisation)  # type: ignore[arg-type]
    s_local = since.astimezone(local_tz()).date()
    u_local = until.astimezone(local_tz()).date()
    first_monday = s_local - timedelta(days=s_local.weekday())
    n_period = max(1, -(-(u_local - first_monday).days // 7))
    if n_period > 156:
        raise AnalysisInputError("since", gettext("At most three years."))
    hist_first = first_monday - timedelta(weeks=HISTORY_WEEKS)
    n_weeks = HISTORY_WEEKS + n_period
    bounds = week_bounds(hist_first, n_weeks)
    cols = _load(collab, datetime.fromtimestamp(bounds[0], local_tz()), until, access)
    areas = _area_table(cols)
    n_a = len(areas.ids)
    wk = week_index(cols.t, bounds)
    ok_a = cols.area >= 0
    in_period = (cols.t >= since.timestamp()) & (cols.t < until.timestamp()) & ok_a
    weekly_counts = np.bincount(
        cols.area[ok_a & (wk >= 0)] * n_weeks + wk[ok_a & (wk >= 0)],
        minlength=n_a * n_weeks,
    )[: n_a * n_weeks].reshape(n_a, n_weeks)
    harm_w = cols.category_harm[cols.category[in_period]] * prio_stats.harm_weights(
        cols.severity[in_period]
    )
    harm = np.bincount(cols.area[in_period], weights=harm_w, minlength=n_a)
    period_cols = weekly_counts[:, HISTORY_WEEKS:]
    tau = ehsa_stats.mann_kendall(period_cols).tau if n_period >= 3 else None
    any_data = np.flatnonzero(weekly_counts.sum(axis=0))
    first_col = int(any_data[0]) if any_data.size else 0
    iso_y, iso_w = _iso_calendar(hist_first, n_weeks)
    flagged = np.zeros(n_a, dtype=np.int64)
    for k in range(HISTORY_WEEKS, n_weeks):
        r = deviations.weekly_deviations(
            weekly_counts[:, : k + 1],
            index=k,
            iso_year=iso_y[: k + 1],
            iso_week=iso_w[: k + 1],
            first_week=np.full(n_a, first_col),
        )
        flagged += r.flag
    n_o = max(len(cols.organisation_slugs), 1)
    pairs = np.unique(cols.area[in_period] * n_o + cols.organisation[in_period])
    partners = np.bincount(pairs // n_o, minlength=n_a).astype(float)
    open_ivs = _open_interventions(collab, areas, s_local, u_local, access)
    police = _police_crimes(collab, areas, since, until)
    res = prio_stats.prioritise(
        harm=harm,
        trend=tau,
        deviation_weeks=flagged,
        police_crimes=police,
        population=areas.population,
        active_partners=partners,
        open_interventions=open_ivs,
        weights=weights,
    )
    counts = np.bincount(cols.area[in_period], minlength=n_a)
    order = np.lexsort((np.arange(n_a), np.nan_to_num(res.rank, nan=1e9)))
    rows = []
    for i in order.tolist():
        ex = res.explain(i)
        rows.append(
            {
                "rank": _num(res.rank[i], 0),
                "area": areas.refs[i],
                "area_name": areas.names[i],
                "district": (
                    areas.district_refs[areas.district[i]]
                    if areas.district[i] >= 0
                    else None
                ),
                "reports": int(counts[i]),
                "open_interventions": int(open_ivs[i]),
                "police_crimes": _num(police[i], 0),
                "population": _num(areas.population[i], 0),
                "priority": _num(res.priority[i]),
                "need": _num(res.need[i]),
                "need_coverage": _num(res.need_coverage[i]),
                "ability": _num(res.ability[i]),
                "components": [
                    {k: (_num(v) if isinstance(v, float) else v) for k, v in c.items()}
                    for c in ex["components"]
                ],
            }
        )
    return {
        "collaboration": collab.slug,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "weights": {k: _num(v) for k, v in res.weights.items()},
        "formula": res.explain(0)["formula"] if n_a else "",
        "rows": rows,
        # Shown on the situation picture: in the language it is made in.
        "notes": [
            gettext(
                "Police-reported crime counts the imported crime files' crimes in "
                "each area in the period."
            )
            if not np.isnan(police).all()
            else gettext(
                "Police-reported crime is missing (no imported crime with a position "
                "falls in the period): need is computed from the other components, "
                "and the share of the need that had data is shown per area."
            ),
            gettext(
                "Open interventions: decided or ongoing interventions in the "
                "register that overlap the period and are linked to the area, its "
                "district or a place in it. When every area has the same number, "
                "ability rests on the number of active partner organisations."
            ),
            gettext(
                "Deviation weeks: weeks in the period whose all-category count was "
                "flagged high against the seasonal baseline."
            ),
            gettext(
                "Each component is scaled from 0 (the lowest area) to 1 (the "
                "highest area)."
            )
            if weights.normalisation == "minmax"
            else gettext(
                "Each component is scaled by the areas' order, from 0 (the lowest "
                "area) to 1 (the highest area)."
            ),
        ],
    }
