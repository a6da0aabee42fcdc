"""Django glue for the analyses: load columns, call the pure stats, return plain data.

Every function takes a collaboration and (optionally) the caller's ``Access``; with an
access, reports that person may not see (restricted ones, for most roles) are never
loaded, so they cannot enter any figure. Without one (the ``samsyn analyse`` command,
benchmarks) every report of the collaboration counts.

Results are JSON-ready dicts (str, int, float, None, lists, dicts; NaN becomes None),
shared by the API and the command. Weeks are ISO weeks in Europe/Stockholm (Monday
00:00 local time), as everywhere in Samsyn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
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
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Category

TZ = ZoneInfo("Europe/Stockholm")
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


def local_midnight(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=TZ)


def week_start(iso_year: int, iso_week: int) -> date:
    """Monday of an ISO week (raises ValueError for a week that does not exist)."""
    return date.fromisocalendar(iso_year, iso_week, 1)


def last_complete_week(now: datetime | None = None) -> tuple[int, int]:
    """The ISO week before the current one (Stockholm time)."""
    today = (now or datetime.now(TZ)).astimezone(TZ).date()
    iso = (today - timedelta(days=7)).isocalendar()
    return iso[0], iso[1]


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


@lru_cache(maxsize=8)
def _study_area_cached(collab_pk: int, version: int) -> tuple[Any, dict[str, Any]]:
    """Union of the collaboration's areas and each area's polygon, in SWEREF 99 TM."""
    areas = Area.objects.filter(collaboration_id=collab_pk, level=Area.Level.AREA)
    if not areas.exists():
        areas = Area.objects.filter(collaboration_id=collab_pk)
    geoms = {a.ref: _project(shape(a.geometry)) for a in areas}
    union = shapely.union_all(list(geoms.values())) if geoms else None
    if union is not None:
        shapely.prepare(union)
    return union, geoms


def study_area(collab: Collaboration) -> tuple[Any, dict[str, Any]]:
    return _study_area_cached(collab.pk, collab.areas_version)


def study_grid(collab: Collaboration, cell_m: float) -> Grid:
    """Snapped grid over the collaboration's areas (raises for no areas)."""
    union, _ = study_area(collab)
    if union is None or union.is_empty:
        raise AnalysisInputError("collaboration", "The collaboration has no areas.")
    return Grid.from_extent(*union.bounds, cell_m)


@lru_cache(maxsize=8)
def _mask_cached(
    collab_pk: int, version: int, x0: float, y0: float, cell: float, nx: int, ny: int
) -> np.ndarray:
    union, _ = _study_area_cached(collab_pk, version)
    grid = Grid(x0, y0, cell, nx, ny)
    boxes = shapely.box(*grid.corners())
    mask = shapely.intersects(union, boxes).reshape(grid.shape)
    mask.setflags(write=False)
    return mask


def study_mask(collab: Collaboration, grid: Grid) -> np.ndarray:
    """Cells that intersect one of the collaboration's areas (the Gi* study area)."""
    return _mask_cached(
        collab.pk, collab.areas_version, grid.x0, grid.y0, grid.cell, grid.nx, grid.ny
    )


def _check_cell(cell_m: float, lo: float = 25.0, hi: float = 5000.0) -> None:
    if not (lo <= cell_m <= hi):
        raise AnalysisInputError("cell_m", f"Cell size must be {lo:g} to {hi:g} m.")


def _check_period(since: datetime, until: datetime) -> None:
    if until <= since:
        raise AnalysisInputError("until", "The end must be after the start.")


def _max_cells(grid: Grid, limit: int = 2_000_000) -> None:
    if grid.n_cells > limit:
        raise AnalysisInputError(
            "cell_m", "Too many cells for this area; choose a larger cell size."
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
        raise AnalysisInputError("week", "No such ISO week.") from exc
    n_weeks = history_weeks + 1
    first = monday - timedelta(weeks=history_weeks)
    bounds = week_bounds(first, n_weeks)
    cols = _load(
        collab,
        datetime.fromtimestamp(bounds[0], TZ),
        datetime.fromtimestamp(bounds[-1], TZ),
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
        "method": (
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
        raise AnalysisInputError("radius_cells", "Radius must be 1 to 10 cells.")
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
            "bandwidth", "Bandwidth must be at least half a cell and at most 20 km."
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
        raise AnalysisInputError("weeks", "Weeks must be 4 to 260.")
    grid = study_grid(collab, cell_m)
    _max_cells(grid, 1_000_000)
    last_monday = until - timedelta(days=until.weekday())
    first = last_monday - timedelta(weeks=weeks - 1)
    bounds = week_bounds(first, weeks)
    cols = _load(
        collab,
        datetime.fromtimestamp(bounds[0], TZ),
        datetime.fromtimestamp(bounds[-1], TZ),
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
    for field, bands in (("spatial_bands", s_bands), ("temporal_bands", t_bands)):
        if any(b <= 0 for b in bands) or any(
            b2 <= b1 for b1, b2 in zip(bands, bands[1:], strict=False)
        ):
            raise AnalysisInputError(field, "Bands must be positive and increasing.")
    cols = _load(collab, since, until, access)
    sel = np.ones(len(cols), dtype=bool)
    if categories:
        unknown = sorted(set(categories) - set(cols.category_codes))
        if unknown:
            raise AnalysisInputError(
                "category", f"Unknown category: {', '.join(unknown)}."
            )
        wanted = [cols.category_codes.index(c) for c in categories]
        sel = np.isin(cols.category, wanted)
    n = int(sel.sum())
    if n > max_events:
        raise AnalysisInputError(
            "since",
            f"{n} events; at most {max_events}. Choose fewer categories or a "
            "shorter period.",
        )
    res = nearrepeat.knox_test(
        cols.x[sel],
        cols.y[sel],
        cols.t[sel] / 86_400.0,
        s_bands,
        t_bands,
        iterations=iterations,
        seed=seed,
    )
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
def _weekly_series(t: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    n = len(bounds) - 1
    wk = week_index(t, bounds)
    wk = wk[(wk >= 0) & (wk < n)]
    return np.bincount(wk, minlength=n)


def _choose_control(
    cols: ReportColumns,
    target_t: np.ndarray,
    point: tuple[float, float],
    buffer_m: float,
    before: tuple[float, float],
    collab: Collaboration,
    min_events: int,
) -> tuple[int | None, list[str]]:
    """The area most like the target before the start, away from the buffer.

    Candidates: areas whose polygon is more than ``buffer_m`` + 200 m from the
    point (so neither overlapping nor touching the buffer) with at least
    ``min_events`` events before. Score = |log level ratio| + |trend difference|,
    where trend is (second half - first half) / total of the before period
    (both in the same units, 0 = identical).
    """
    _, geoms = study_area(collab)
    px, py = point
    pt = shapely.Point(px, py)
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
        if geom is None or per_area[i] < min_events:
            continue
        if geom.distance(pt) <= buffer_m + 200.0:
            continue
        level, trend = shape_of(cols.t[in_before & (cols.area == i)])
        score = abs(math.log((level + 1) / (t_level + 1))) + abs(trend - t_trend)
        if best is None or score < best[0]:
            best = (score, i)
    notes = [
        "Control chosen automatically: the area (not within 200 m of the buffer) "
        "with the most similar before-period level and trend, at least "
        f"{min_events} events before."
    ]
    return (None if best is None else best[1]), notes


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
    between the target and ``buffer_radius_m``; control C = an area (automatic, see
    :func:`_choose_control`, or given by its ref). Periods are ``weeks_before``
    weeks before and ``weeks_after`` after local midnight of ``start``; they must be
    equally long (WDD and WDQ compare counts of equal periods).
    """
    if not 10 <= target_radius_m <= 2_000:
        raise AnalysisInputError("target_radius_m", "Radius must be 10 to 2000 m.")
    if not target_radius_m < buffer_radius_m <= 5_000:
        raise AnalysisInputError(
            "buffer_radius_m", "The buffer must be larger than the target, <= 5 km."
        )
    if not 1 <= weeks_before <= 156:
        raise AnalysisInputError("weeks_before", "Weeks must be 1 to 156.")
    if not in_sweden(lon, lat):
        raise AnalysisInputError("lon", "The point is not in Sweden.")
    if weeks_after != weeks_before:
        raise AnalysisInputError(
            "weeks_after", "Before and after must be equally long."
        )
    x, y = (float(v) for v in to_sweref(lon, lat))
    t0 = local_midnight(start)
    b0 = local_midnight(start - timedelta(weeks=weeks_before)).timestamp()
    a1 = local_midnight(start + timedelta(weeks=weeks_after)).timestamp()
    cols = _load(
        collab, datetime.fromtimestamp(b0, TZ), datetime.fromtimestamp(a1, TZ), access
    )
    if categories:
        unknown = sorted(set(categories) - set(cols.category_codes))
        if unknown:
            raise AnalysisInputError("category", f"Unknown category: {unknown[0]}.")
        cols = cols.select(
            np.isin(cols.category, [cols.category_codes.index(c) for c in categories])
        )
    split = t0.timestamp()
    d = np.hypot(cols.x - x, cols.y - y)
    in_target = d <= target_radius_m
    in_buffer = (d > target_radius_m) & (d <= buffer_radius_m)
    notes: list[str] = []
    if control == "auto":
        ci, notes = _choose_control(
            cols, cols.t[in_target], (x, y), buffer_radius_m, (b0, split), collab, 10
        )
        if ci is None:
            raise AnalysisInputError("control", "No area qualifies as a control.")
    else:
        if control not in cols.area_refs:
            raise AnalysisInputError("control", "Unknown area.")
        ci = cols.area_refs.index(control)
        notes = ["Control area chosen by the user."]
    in_control = cols.area == ci

    def before_after(m: np.ndarray) -> tuple[int, int]:
        tt = cols.t[m]
        return int(np.count_nonzero(tt < split)), int(np.count_nonzero(tt >= split))

    rb, ra = before_after(in_target)
    db, da = before_after(in_buffer)
    cb, ca = before_after(in_control)
    ev = evaluation.evaluate_intervention(
        treated_before=rb,
        treated_after=ra,
        control_before=cb,
        control_after=ca,
        buffer_before=db,
        buffer_after=da,
    )
    bounds = week_bounds(start - timedelta(weeks=weeks_before), 2 * weeks_before)
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
            "area": cols.area_refs[ci],
            "chosen": "auto" if control == "auto" else "user",
        },
        "counts": {
            "target": {"before": rb, "after": ra},
            "buffer": {"before": db, "after": da},
            "control": {"before": cb, "after": ca},
        },
        "weekly": {
            "target": _weekly_series(cols.t[in_target], bounds).tolist(),
            "buffer": _weekly_series(cols.t[in_buffer], bounds).tolist(),
            "control": _weekly_series(cols.t[in_control], bounds).tolist(),
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
        raise AnalysisInputError("place", "Unknown place.")
    return row.lon, row.lat


# ------------------------------------------------------------------------ priority
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
    together) in the period, police-reported crime (not imported yet: missing).
    Ability: organisations with reports in the area in the period; open
    interventions (no register yet: 0 everywhere, so it does not separate areas).

    Components are scaled min-max by default, not by rank (the stats default):
    deviation weeks and active partners are small counts shared by most areas, and
    ranks turn "one flagged week" or "6 partners instead of 7" into a jump of most
    of the scale, which then outweighs a several-fold difference in harm.
    ``normalisation="rank"`` gives the stats module's default.
    """
    _check_period(since, until)
    if normalisation not in ("minmax", "rank"):
        raise AnalysisInputError("normalisation", "Choose minmax or rank.")
    if weights is None:
        weights = prio_stats.PriorityWeights(normalisation=normalisation)  # type: ignore[arg-type]
    s_local = since.astimezone(TZ).date()
    u_local = until.astimezone(TZ).date()
    first_monday = s_local - timedelta(days=s_local.weekday())
    n_period = max(1, -(-(u_local - first_monday).days // 7))
    if n_period > 156:
        raise AnalysisInputError("since", "At most three years.")
    hist_first = first_monday - timedelta(weeks=HISTORY_WEEKS)
    n_weeks = HISTORY_WEEKS + n_period
    bounds = week_bounds(hist_first, n_weeks)
    cols = _load(collab, datetime.fromtimestamp(bounds[0], TZ), until, access)
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
    res = prio_stats.prioritise(
        harm=harm,
        trend=tau,
        deviation_weeks=flagged,
        police_crimes=np.full(n_a, np.nan),
        population=areas.population,
        active_partners=partners,
        open_interventions=np.zeros(n_a),
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
        "notes": [
            "Police-reported crime is missing (no import yet): need is computed "
            "from the other components (see need_coverage).",
            "Open interventions are 0 for every area (no intervention register "
            "yet), so ability rests on the number of active partner organisations.",
            "Deviation weeks: weeks in the period whose all-category count was "
            "flagged high against the seasonal baseline.",
            f"Components scaled by {weights.normalisation} over the areas.",
        ],
    }
