"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over Samsyn reports.

Services are the collaboration's physical-environment categories; service requests
are physical-environment reports. The jurisdiction is the collaboration's short name
(``jurisdiction_id``), needed when the installation has more than one.

What is shown to whom:
- Restricted reports never appear.
- Reading requests without a key is off unless SAMSYN_OPEN311_PUBLIC is true (a
  public-facing municipality may want it; the default keeps reports inside the EST).
  Anonymous readers, when allowed, get positions, category, status, dates and the responsible
  organisation; ``description`` and ``status_notes`` are empty.
- A request with a valid ``api_key`` of the same collaboration also gets the
  description and status notes (the key's organisation is a member of the EST).
- The key goes in the ``X-Api-Key`` header, or as the ``api_key`` parameter the
  GeoReport v2 specification names (a query parameter is masked in Samsyn's logs,
  but a proxy in front may log it: prefer the header).
- Posting needs an ``api_key``; the report is made for the key's organisation with
  the same validation as the web form (no personal data in the description).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from samsyn.integrations.models import Open311Key
from samsyn.lib.dates import DateRangeError, parse_when
from samsyn.organisations.models import Collaboration
from samsyn.reports.actions import submit_report
from samsyn.reports.forms import ReportForm
from samsyn.reports.models import Category, Report, ReportStatusChange

CLOSED = {Report.Status.FIXED, Report.Status.CLOSED_NOT_FIXED}
DEFAULT_DAYS = 90
MAX_REQUESTS = 1000


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering -----------------------------------------------------------------------


def _xml(root_tag: str, item_tag: str, items: list[dict[str, Any]]) -> bytes:
    root = ET.Element(root_tag)
    for item in items:
        el = ET.SubElement(root, item_tag)
        for key, value in item.items():
            child = ET.SubElement(el, key)
            if isinstance(value, list):
                for v in value:
                    ET.SubElement(child, "value").text = str(v)
            elif isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def respond(
    fmt: str, root: str, item: str, items: list[dict[str, Any]], status: int = 200
) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            _xml(root, item, items),
            content_type="text/xml; charset=utf-8",
            status=status,
        )
    return JsonResponse(
        items, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
    )


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(
        fmt, "errors", "error", [{"code": status, "description": description}], status
    )


def _w3c(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


# --- lookups -------------------------------------------------------------------------


def _key(request: HttpRequest) -> Open311Key | None:
    """The key from the ``X-Api-Key`` header (preferred: headers are not written
    to access logs), a posted ``api_key`` field, or the ``api_key`` parameter of
    GeoReport v2 (masked in Samsyn's logs, but proxies may log it)."""
    raw = request.headers.get("X-Api-Key")
    if not raw and request.method == "POST":
        raw = request.POST.get("api_key")
    raw = raw or request.GET.get("api_key") or ""
    return Open311Key.objects.for_raw(raw)


def _jurisdiction(request: HttpRequest, key: Open311Key | None) -> Collaboration:
    slug = (
        request.POST.get("jurisdiction_id") if request.method == "POST" else None
    ) or (request.GET.get("jurisdiction_id"))
    if slug:
        collab = Collaboration.objects.filter(slug=slug).first()
        if collab is None:
            raise Open311Error(404, _("Unknown jurisdiction_id."))
        return collab
    if key is not None:
        return key.collaboration
    only = list(Collaboration.objects.all()[:2])
    if len(only) == 1:
        return only[0]
    raise Open311Error(
        400, _("jurisdiction_id is required: give the collaboration's short name.")
    )


def _services(collab: Collaboration) -> dict[str, Category]:
    qs = (
        Category.objects.in_collaboration(collab)
        .active()
        .filter(physical_environment=True)
    )
    return {c.code: c for c in qs}


def service_item(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name_sv,
        "description": category.name_en,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(k for k in (category.code, category.group) if k),
        "group": category.group,
    }


def service_notice(report: Report) -> str:
    owner = report.owner.name if report.owner_id else ""
    if report.status in CLOSED:
        return _("Closed.")
    if owner:
        return _("Received; %(owner)s is responsible.") % {"owner": owner}
    return _("Received.")


def _promised(report: Report) -> datetime | None:
    """When the owner promised to fix it (routing's promise), while it is open."""
    assignment = getattr(report, "assignment", None)
    if assignment is None or report.status != Report.Status.ASSIGNED:
        return None
    return assignment.due_at


def request_item(report: Report, *, full: bool) -> dict[str, Any]:
    changes = list(report.status_changes.all())
    last = changes[-1] if changes else None
    updated = max(
        [report.created] + [c.created for c in changes if c.created is not None]
    )
    return {
        "service_request_id": str(report.code),
        "status": "closed" if report.status in CLOSED else "open",
        "status_notes": (last.note if last and full else "") or None,
        "service_name": report.category.name_sv,
        "service_code": report.category.code,
        "description": report.description if full else None,
        "agency_responsible": report.owner.name if report.owner_id else None,
        "service_notice": service_notice(report),
        "requested_datetime": _w3c(report.created),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(_promised(report)),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        "media_url": None,
    }


def _requests_qs(collab: Collaboration) -> Any:
    return (
        Report.objects.filter(
            collaboration=collab, category__physical_environment=True, restricted=False
        )
        .select_related("category", "owner", "assignment")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=ReportStatusChange.objects.order_by("created"),
            )
        )
    )


def _when(value: str, name: str) -> datetime:
    try:
        return parse_when(value)
    except DateRangeError as exc:
        raise Open311Error(400, f"{name}: {exc}") from exc
    except ValueError as exc:
        raise Open311Error(
            400,
            _("%(name)s must be a w3 datetime, e.g. 2026-01-01T00:00:00Z.")
            % {"name": name},
        ) from exc


def _codes(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


# --- views ---------------------------------------------------------------------------


@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        collab = _jurisdiction(request, _key(request))
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)
    items = [service_item(c) for c in _services(collab).values()]
    return respond(fmt, "services", "service", items)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    key = _key(request)
    try:
        collab = _jurisdiction(request, key)
        if request.method == "POST":
            return _post_request(request, fmt, collab, key)
        return _list_requests(request, fmt, collab, key)
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)


def _may_read(collab: Collaboration, key: Open311Key | None) -> None:
    if key is not None and key.collaboration_id == collab.pk:
        return
    if not getattr(settings, "SAMSYN_OPEN311_PUBLIC", False):
        raise Open311Error(403, _("A valid api_key is required to read requests."))


def _list_requests(
    request: HttpRequest, fmt: str, collab: Collaboration, key: Open311Key | None
) -> HttpResponse:
    _may_read(collab, key)
    qs = _requests_qs(collab)
    ids = _codes(request.GET.get("service_request_id", ""))
    if ids:
        valid = [i for i in ids if _is_uuid(i)]
        qs = qs.filter(code__in=valid)
    else:
        if request.GET.get("service_code"):
            qs = qs.filter(category__code__in=_codes(request.GET["service_code"]))
        end = (
            _when(request.GET["end_date"], "end_date")
            if request.GET.get("end_date")
            else None
        )
        start = (
            _when(request.GET["start_date"], "start_date")
            if request.GET.get("start_date")
            else None
        )
        if start is None and end is None:
            start = timezone.now() - timedelta(days=DEFAULT_DAYS)
        if start is not None:
            qs = qs.filter(created__gte=start)
        if end is not None:
            qs = qs.filter(created__lte=end)
        wanted = set(_codes(request.GET.get("status", "")))
        if wanted - {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed."))
        if wanted == {"open"}:
            qs = qs.exclude(status__in=CLOSED)
        elif wanted == {"closed"}:
            qs = qs.filter(status__in=CLOSED)
    full = key is not None and key.collaboration_id == collab.pk
    rows = qs.order_by("-created", "-id")[:MAX_REQUESTS]
    items = [request_item(r, full=full) for r in rows]
    return respond(fmt, "service_requests", "request", items)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _post_request(
    request: HttpRequest, fmt: str, collab: Collaboration, key: Open311Key | None
) -> HttpResponse:
    if key is None:
        raise Open311Error(403, _("A valid api_key is required to post requests."))
    if key.collaboration_id != collab.pk:
        raise Open311Error(403, _("This api_key does not belong to this jurisdiction."))
    post = request.POST
    code = post.get("service_code", "")
    if code not in _services(collab):
        raise Open311Error(404, _("Unknown service_code."))
    if not post.get("lat") or not post.get("long"):
        raise Open311Error(
            400, _("lat and long are required (addresses are not looked up).")
        )
    access = key.access()
    form = ReportForm(
        {
            "category": code,
            "lat": post.get("lat"),
            "lon": post.get("long"),
            "description": post.get("description", ""),
            "organisation": key.organisation.slug,
        },
        access=access,
    )
    if not form.is_valid():
        messages = [
            f"{field}: {msg}" if field != "__all__" else str(msg)
            for field, errs in form.errors.items()
            for msg in errs
        ]
        raise Open311Error(400, " ".join(messages))
    result = submit_report(access, form.cleaned_data, by=None, source=Report.Source.API)  # type: ignore[arg-type]
    Open311Key.objects.filter(pk=key.pk).update(last_used=timezone.now())
    report = result.report
    item = {
        "service_request_id": str(report.code),
        "service_notice": service_notice(report),
        "account_id": None,
    }
    return respond(fmt, "service_requests", "request", [item])


@require_GET
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    key = _key(request)
    try:
        collab = _jurisdiction(request, key)
        _may_read(collab, key)
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)
    report = (
        _requests_qs(collab).filter(code=request_id).first()
        if _is_uuid(request_id)
        else None
    )
    if report is None:
        return error(fmt, 404, _("No such service request."))
    full = key is not None and key.collaboration_id == collab.pk
    return respond(
        fmt, "service_requests", "request", [request_item(report, full=full)]
    )
