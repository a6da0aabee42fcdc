"""Reports and the checklist over JSON. Same forms and actions as the web pages."""

from __future__ import annotations

import base64
import math
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from samsyn.api import FieldError, api, api_access, field_errors
from samsyn.areas.models import Area
from samsyn.lib.dates import parse_when
from samsyn.organisations.access import Cap
from samsyn.organisations.models import record
from samsyn.reports.actions import (
    IdempotencyConflict,
    TransitionNotAllowed,
    change_status,
    report_warnings,
    submit_report,
)
from samsyn.reports.forms import ReportForm, StatusForm
from samsyn.reports.models import Category, Report

router = Router(tags=["reports"])


class CategoryOut(Schema):
    code: str
    name: str
    name_sv: str
    name_en: str
    group: str
    physical_environment: bool
    counts_people: bool


class ReportIn(Schema):
    category: str = Field(description="Category code from GET /categories")
    occurred_at: datetime | None = Field(
        None, description="When it happened (ISO 8601); default now"
    )
    lat: float = Field(description="WGS84 latitude")
    lon: float = Field(description="WGS84 longitude")
    description: str = ""
    place_type: str = Field("", description="public or semi_public")
    place: str = Field("", description="Code of a named place (optional)")
    people_count: int | None = None
    severity: int = Field(1, description="1 (low) to 4 (severe)")
    restricted: bool = False
    organisation: str = Field(
        "", description="Reporting organisation's short name, if you have several"
    )


class Geometry(Schema):
    type: str
    coordinates: list[float]


class Feature(Schema):
    type: str = "Feature"
    id: str
    geometry: Geometry
    properties: dict[str, Any]


class WarningOut(Schema):
    code: str = Field(
        description="`outside_areas`: the position is outside every area of the "
        "collaboration; `likely_duplicate`: the same reporter sent a report of the "
        "same category within 50 m and 10 minutes (of when it happened)"
    )
    message: str
    report: str | None = Field(
        None, description="For `likely_duplicate`: the earlier report's code"
    )


class ReportCreated(Feature):
    warnings: list[WarningOut] = Field(
        default_factory=list,
        description="Kept anyway, but worth a look: the report is saved (201) with "
        "these notes; the web form asks the reporter before sending instead",
    )


class Link(Schema):
    rel: str
    href: str


class FeatureCollection(Schema):
    type: str = "FeatureCollection"
    features: list[Feature]
    numberReturned: int  # noqa: N815 - OGC API Features name
    links: list[Link]


class StatusIn(Schema):
    status: str
    owner: str = ""
    note: str = ""


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest) -> list[dict[str, Any]]:
    """The active collaboration's checklist."""
    access = api_access(request)
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_sv": c.name_sv,
            "name_en": c.name_en,
            "group": c.group,
            "physical_environment": c.physical_environment,
            "counts_people": c.counts_people,
        }
        for c in Category.objects.in_collaboration(access.collaboration).active()
    ]


@router.post(
    "/reports",
    response={200: ReportCreated, 201: ReportCreated, 403: ErrorOut, 422: ErrorOut},
    summary="Submit a report",
)
def create_report(request: HttpRequest, payload: ReportIn) -> Any:
    """Create a report. Send an `Idempotency-Key` header (e.g. a UUID made on the
    device): a retry with the same key returns the first report with status 200,
    never a second one.

    A position outside every area of the collaboration, or a likely duplicate (the
    same reporter and category within 50 m and 10 minutes of an earlier report, other
    than one sent with the same key), does not refuse the report: it is saved and the
    answer lists it under `warnings` (`outside_areas`, `likely_duplicate` with the
    earlier report's code). Show them to the reporter."""
    access = api_access(request)
    if not access.can(Cap.CREATE_REPORT):
        raise HttpError(403, _("Your role cannot submit reports."))
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 100:
        return field_errors({"Idempotency-Key": [_("At most 100 characters.")]})
    data = payload.dict()
    if data["occurred_at"] is None:
        data.pop("occurred_at")
    data["severity"] = str(data["severity"])
    form = ReportForm(data=data, access=access)
    if not form.is_valid():
        return field_errors({k: [str(m) for m in v] for k, v in form.errors.items()})
    warnings = report_warnings(
        access,
        form.cleaned_data,
        by=request.user,  # type: ignore[arg-type]
        idempotency_key=key or None,
    )
    try:
        result = submit_report(
            access,
            form.cleaned_data,
            by=request.user,  # type: ignore[arg-type]
            idempotency_key=key or None,
            source=Report.Source.API,
        )
    except IdempotencyConflict:
        return field_errors(
            {
                "Idempotency-Key": [
                    _("This key was already used for a different report.")
                ]
            }
        )
    feature = result.report.as_feature(lang_en=_lang_en())
    feature["warnings"] = [
        {
            "code": w.code,
            "message": w.message,
            "report": str(w.earlier.code) if w.earlier is not None else None,
        }
        for w in warnings
    ]
    return (201 if result.created else 200), feature


def _lang_en() -> bool:
    return (get_language() or "sv").startswith("en")


def _parse_when(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """A date ("until=<date>" means the whole of that day) or an ISO 8601 time, in
    samsyn.lib.dates' range; a 422 naming the field otherwise."""
    if not value:
        return None
    try:
        return parse_when(value, end=end)
    except ValueError as exc:
        raise FieldError(field, str(exc)) from exc


def _parse_bbox(value: str) -> tuple[float, float, float, float]:
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        parts = []
    if (
        len(parts) != 4
        or not all(math.isfinite(p) for p in parts)
        or parts[0] > parts[2]
        or parts[1] > parts[3]
    ):
        raise FieldError("bbox", _("Give minlon,minlat,maxlon,maxlat."))
    return parts[0], parts[1], parts[2], parts[3]


def _encode_cursor(report: Report) -> str:
    raw = f"{report.occurred_at.isoformat()}|{report.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        ts, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        parsed = datetime.fromisoformat(ts)
        return parsed, int(pk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FieldError("cursor", _("Invalid cursor.")) from exc


@router.get("/reports", response={200: FeatureCollection, 422: ErrorOut})
def list_reports(
    request: HttpRequest,
    bbox: str = "",
    since: str = "",
    until: str = "",
    category: str = "",
    area: str = "",
    organisation: str = "",
    limit: int = 0,
    cursor: str = "",
) -> dict[str, Any]:
    """Reports you may see, newest first, as GeoJSON. `category` takes one or more
    codes separated by commas; `area` an area code (a district includes its areas);
    `area=outside` the reports outside every area;
    `since`/`until` a date or ISO time (until is exclusive; a date means the whole day).
    Follow the `next` link for more."""
    access = api_access(request)
    qs = Report.objects.visible_to(access).select_related(
        "category", "organisation", "area"
    )
    qs = qs.in_period(
        _parse_when(since, "since"), _parse_when(until, "until", end=True)
    )
    if bbox:
        minlon, minlat, maxlon, maxlat = _parse_bbox(bbox)
        qs = qs.filter(
            lon__gte=minlon, lon__lte=maxlon, lat__gte=minlat, lat__lte=maxlat
        )
    if category:
        qs = qs.filter(category__code__in=[c for c in category.split(",") if c])
    if area == "outside":
        qs = qs.filter(area__isnull=True)
    elif area:
        try:
            area_obj = Area.objects.in_collaboration(access.collaboration).get(
                code=UUID(area)
            )
        except (ValueError, Area.DoesNotExist) as exc:
            raise FieldError("area", _("Unknown area.")) from exc
        qs = qs.filter(Q(area=area_obj) | Q(area__parent=area_obj))
    if organisation:
        qs = qs.filter(organisation__slug=organisation)
    page_size = settings.SAMSYN_API_PAGE_SIZE
    limit = page_size if limit <= 0 else min(limit, page_size)
    if cursor:
        ts, pk = _decode_cursor(cursor)
        qs = qs.filter(Q(occurred_at__lt=ts) | Q(occurred_at=ts, pk__lt=pk))
    rows = list(qs.order_by("-occurred_at", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    lang_en = _lang_en()
    links: list[dict[str, str]] = []
    if more:
        params = request.GET.copy()
        params["cursor"] = _encode_cursor(rows[-1])
        params["limit"] = str(limit)
        links.append(
            {
                "rel": "next",
                "href": request.build_absolute_uri(f"?{params.urlencode()}"),
            }
        )
    return {
        "type": "FeatureCollection",
        "features": [r.as_feature(lang_en=lang_en) for r in rows],
        "numberReturned": len(rows),
        "links": links,
    }


@router.get("/reports/{code}", response=Feature)
def get_report(request: HttpRequest, code: UUID) -> dict[str, Any]:
    access = api_access(request)
    report = get_object_or_404(
        Report.objects.visible_to(access).select_related(
            "category", "organisation", "area"
        ),
        code=code,
    )
    if report.restricted:
        record(request.user, "report.viewed_restricted", report, request=request)
    return report.as_feature(lang_en=_lang_en())


@router.post(
    "/reports/{code}/status", response={200: Feature, 403: ErrorOut, 422: ErrorOut}
)
def post_status(request: HttpRequest, code: UUID, payload: StatusIn) -> Any:
    """Change the status of a physical-environment report."""
    access = api_access(request)
    report = get_object_or_404(
        Report.objects.visible_to(access).select_related("category", "organisation"),
        code=code,
    )
    if not report.status or not access.can_change_status(report.owner_id):
        raise HttpError(403, _("You cannot change the status of this report."))
    form = StatusForm(data=payload.dict(), report=report)
    if not form.is_valid():
        return field_errors({k: [str(m) for m in v] for k, v in form.errors.items()})
    try:
        change_status(
            report,
            by=request.user,  # type: ignore[arg-type]
            status=form.cleaned_data["status"],
            owner=form.owners.get(form.cleaned_data.get("owner") or ""),
            note=form.cleaned_data["note"],
        )
    except TransitionNotAllowed:
        return field_errors({"owner": [_("Choose the organisation to assign it to.")]})
    return 200, report.as_feature(lang_en=_lang_en())


@router.get("/ping", include_in_schema=True, summary="Authenticated no-op")
def ping(request: HttpRequest) -> dict[str, bool]:
    """Answers without touching the database beyond authentication (used by the
    benchmark as the framework's ceiling)."""
    return {"ok": True}


__all__ = ["api", "router"]
