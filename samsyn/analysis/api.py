"""The analyses over JSON: /api/v1/analysis/... (GET only, needs VIEW_ANALYSIS).

Each endpoint parses its query, calls one function of ``samsyn.analysis.engine``
with the caller's access (so restricted reports they may not see never count) and
returns its result. Dates are ISO dates in Stockholm time; ``until`` includes that
day. Bad parameters give 422 with ``errors[parameter]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from samsyn.analysis import engine
from samsyn.api import FieldError, api_access
from samsyn.lib.dates import check_week, parse_day
from samsyn.lib.replica import replica_reads
from samsyn.lib.weeks import last_complete_week, local_midnight, local_today
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration

router = Router(tags=["analysis"])

WEEK_RE = re.compile(r"^(\d{4})-W(\d{1,2})$")


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


RESPONSES: dict[int, Any] = {200: dict[str, Any], 403: ErrorOut, 422: ErrorOut}


def _access(request: HttpRequest) -> tuple[Collaboration, Access]:
    access = api_access(request)
    if not access.can(Cap.VIEW_ANALYSIS) or access.collaboration is None:
        raise HttpError(403, _("Your role cannot see analyses."))
    return access.collaboration, access


@replica_reads()
def _run(fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except engine.AnalysisInputError as exc:
        raise FieldError(exc.field, str(exc)) from exc


def _date(value: str, field: str) -> date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise FieldError(field, str(exc)) from exc


def _this_monday() -> date:
    today = local_today()
    return today - timedelta(days=today.weekday())


def _period(since: str, until: str, default_weeks: int) -> tuple[datetime, datetime]:
    """since (inclusive) and until (the whole day) as aware datetimes; default: the
    last ``default_weeks`` complete ISO weeks."""
    end = (
        _date(until, "until") + timedelta(days=1) if until else _this_monday()
    )  # exclusive
    start = _date(since, "since") if since else end - timedelta(weeks=default_weeks)
    if start >= end:
        raise FieldError("since", _("The start must be before the end."))
    return local_midnight(start), local_midnight(end)


def _floats(value: str, field: str) -> list[float] | None:
    if not value:
        return None
    try:
        return [float(v) for v in value.split(",") if v.strip()]
    except ValueError as exc:
        raise FieldError(field, _("Give numbers separated by commas.")) from exc


def _codes(value: str) -> list[str] | None:
    return [c for c in value.split(",") if c] or None


@router.get(
    "/weekly",
    response=RESPONSES,
    summary="Weekly deviations",
    url_name="analysis_weekly",
)
def weekly(request: HttpRequest, week: str = "") -> Any:
    """Counts of one ISO week per area x category (plus district and collaboration
    totals) against a seasonal baseline: expected, upper limit, p and status
    (ok/high/low/insufficient_history), with last week, the 4-week mean and the same
    week last year. `week` like `2026-W46`; default the last complete week."""
    collab, access = _access(request)
    if week:
        m = WEEK_RE.match(week)
        if m is None:
            raise FieldError("week", _("Give an ISO week like 2026-W46."))
        try:
            year, wk = check_week(int(m.group(1)), int(m.group(2)))
        except ValueError as exc:
            raise FieldError("week", _("Give an ISO week like 2026-W46.")) from exc
    else:
        year, wk = last_complete_week()
    return _run(engine.weekly, collab, year, wk, access)


@router.get(
    "/hotspots",
    response=RESPONSES,
    summary="Hot and cold spots",
    url_name="analysis_hotspots",
)
def hotspots(
    request: HttpRequest,
    since: str = "",
    until: str = "",
    cell_m: float = 250,
    radius_cells: int = 1,
) -> Any:
    """Getis-Ord Gi* on a square grid with Benjamini-Hochberg FDR and ArcGIS-style
    confidence bins (±1/2/3 = 90/95/99 %). GeoJSON of significant or non-empty
    cells. Default period: the last 4 complete weeks."""
    collab, access = _access(request)
    start, end = _period(since, until, 4)
    return _run(engine.hotspots, collab, start, end, cell_m, radius_cells, access)


@router.get(
    "/density",
    response=RESPONSES,
    summary="Kernel density",
    url_name="analysis_density",
)
def density(
    request: HttpRequest,
    since: str = "",
    until: str = "",
    cell_m: float = 100,
    bandwidth: float | None = None,
) -> Any:
    """Quartic kernel density in events per km² (bandwidth in metres; default the
    ArcGIS rule). GeoJSON of cells above 2 % of the maximum. Default period: the
    last 4 complete weeks."""
    collab, access = _access(request)
    start, end = _period(since, until, 4)
    return _run(engine.density, collab, start, end, cell_m, bandwidth, access)


@router.get(
    "/emerging",
    response=RESPONSES,
    summary="Emerging hot spots",
    url_name="analysis_emerging",
)
def emerging(
    request: HttpRequest, until: str = "", weeks: int = 52, cell_m: float = 250
) -> Any:
    """Emerging Hot Spot Analysis (space-time Gi*, Mann-Kendall, the ArcGIS hot and
    cold classes) over `weeks` ISO weeks ending with the week containing `until`
    (default the last complete week), plus persistent/emerging/former/intermittent
    classes over 4-week periods."""
    collab, access = _access(request)
    last = _date(until, "until") if until else _this_monday() - timedelta(days=1)
    return _run(engine.emerging, collab, last, weeks, cell_m, access)


@router.get(
    "/near-repeat",
    response=RESPONSES,
    summary="Near-repeat test",
    url_name="analysis_near_repeat",
)
def near_repeat(
    request: HttpRequest,
    since: str = "",
    until: str = "",
    category: str = "",
    spatial_bands: str = "",
    temporal_bands: str = "",
) -> Any:
    """Knox test: pairs of events close in space and time against 99 seeded
    permutations. `category` one or more codes separated by commas; bands are
    upper edges, e.g. `spatial_bands=100,200,400` (m), `temporal_bands=7,14,21`
    (days). Default period: the last 26 complete weeks. Bounded: at most 10 bands
    each, spatial bands up to 5000 m, temporal bands up to 365 days, 20000 events
    and 2 million pairs within the largest spatial band; more is refused with 422
    and advice (smaller bands, fewer categories, a shorter period)."""
    collab, access = _access(request)
    start, end = _period(since, until, 26)
    return _run(
        engine.near_repeat,
        collab,
        start,
        end,
        _codes(category),
        _floats(spatial_bands, "spatial_bands"),
        _floats(temporal_bands, "temporal_bands"),
        access,
    )


@router.get(
    "/evaluation",
    response=RESPONSES,
    summary="Evaluate a measure",
    url_name="analysis_evaluation",
)
def evaluation(
    request: HttpRequest,
    start: str,
    lon: float | None = None,
    lat: float | None = None,
    place: str = "",
    areas: str = "",
    target_radius_m: float = 100,
    buffer_radius_m: float = 500,
    weeks_before: int = 26,
    weeks_after: int = 26,
    control: str = "auto",
    category: str = "",
) -> Any:
    """Before/after evaluation of an intervention starting on `start`.

    At a point, `lon`/`lat` (or a named `place`): target = within
    `target_radius_m`, buffer = the ring out to `buffer_radius_m`. Over whole
    areas, `areas` = area refs separated by commas (a district's ref stands for its
    areas): target = those areas, buffer = the areas that touch them (radii are
    ignored). Control = an area ref or `auto` (the most similar area away from the
    target and buffer). WDQ, Total Net Effect, WDD, DiD and plain verdicts with the
    guards that refuse to conclude from too few events."""
    collab, access = _access(request)
    day = _date(start, "start")
    if areas:
        return _run(
            engine.evaluate_areas,
            collab,
            _codes(areas) or [],
            day,
            weeks_before,
            weeks_after,
            control,
            access,
            _codes(category),
        )
    if place:
        lon, lat = _run(engine.place_point, collab, place)
    elif lon is None or lat is None:
        raise FieldError("lon", _("Give lon and lat, a place, or areas."))
    return _run(
        engine.evaluate,
        collab,
        lon,
        lat,
        day,
        target_radius_m,
        buffer_radius_m,
        weeks_before,
        weeks_after,
        control,
        access,
        _codes(category),
    )


@router.get(
    "/priority",
    response=RESPONSES,
    summary="Prioritise areas",
    url_name="analysis_priority",
)
def priority(
    request: HttpRequest,
    since: str = "",
    until: str = "",
    normalisation: Literal["minmax", "rank"] = "minmax",
) -> Any:
    """Need x ability ranking of the areas with every component visible (harm,
    harm per 1,000 residents, trend, deviation weeks, police-reported crime; active
    partners, open interventions). Default period: the last 17 complete weeks (about
    a tertial)."""
    collab, access = _access(request)
    start, end = _period(since, until, 17)
    return _run(
        engine.priority, collab, start, end, access, normalisation=normalisation
    )
