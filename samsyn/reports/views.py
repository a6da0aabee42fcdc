"""Web pages for reports: the phone-first form, the map and list, one report."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db.models import Avg, BigIntegerField, Count, Q, Value
from django.db.models.functions import Cast, Floor
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samsyn.areas.naming import describe_point, point_from_query
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access
from samsyn.organisations.models import record
from samsyn.reports.actions import (
    IdempotencyConflict,
    ReportWarning,
    TransitionNotAllowed,
    change_status,
    report_warnings,
    save_category,
    submit_report,
)
from samsyn.reports.forms import (
    OUTSIDE_AREAS,
    CategoryForm,
    ReportFilterForm,
    ReportForm,
    StatusForm,
)
from samsyn.reports.models import Category, Report, ReportQuerySet


def _map_settings() -> dict[str, str]:
    return {
        "tile_url": settings.SAMSYN_TILE_URL,
        "tile_attribution": settings.SAMSYN_TILE_ATTRIBUTION,
    }


@login_required
def where(request: HttpRequest) -> JsonResponse:
    """Where a position is, in words: the nearest named place and the area, for the
    reporting form's confirmation ("Vid Stortorget (område Centrum 1)")."""
    access = require_access(request, Cap.CREATE_REPORT)
    point = point_from_query(request.GET)
    if point is None:
        return JsonResponse({"error": _("Give lat and lon as numbers.")}, status=400)
    lon, lat = point
    assert access.collaboration is not None  # noqa: S101 - require_access checks it
    return JsonResponse(describe_point(access.collaboration, lon, lat))


@login_required
def new_report(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.CREATE_REPORT)
    warnings: list[ReportWarning] = []
    if request.method == "POST":
        form = ReportForm(request.POST, access=access)
        key = request.POST.get("idempotency_key") or None
        if form.is_valid():
            # A position outside every area and a likely duplicate are asked about
            # first; "Send anyway" posts the same form with the codes it confirms.
            confirmed = set(",".join(request.POST.getlist("confirm")).split(","))
            warnings = [
                w
                for w in report_warnings(
                    access, form.cleaned_data, by=request.user, idempotency_key=key
                )
                if w.code not in confirmed
            ]
        if form.is_valid() and not warnings:
            try:
                result = submit_report(
                    access, form.cleaned_data, by=request.user, idempotency_key=key
                )
            except IdempotencyConflict:
                # This form was sent before and then changed (Back to a kept page):
                # a new report, so a new key, checked again before it is sent.
                form.add_error(
                    None,
                    _(
                        "This form was already sent once. Check the report and "
                        "send it again to make a new report."
                    ),
                )
                key = None
            else:
                if result.created:
                    messages.success(
                        request,
                        _("Thank you! Your report (%(category)s) was received.")
                        % {"category": result.report.category.name},
                    )
                else:
                    messages.info(
                        request,
                        _(
                            "This report (%(category)s) was already received: "
                            "it was not sent twice."
                        )
                        % {"category": result.report.category.name},
                    )
                return redirect("reports:new")
        status = 200 if warnings else 422
    else:
        form = ReportForm(access=access)
        key = None
        status = 200
    categories = list(form.categories.values())
    response = render(
        request,
        "reports/new.html",
        {
            "form": form,
            "categories": categories,
            "warnings": warnings,
            "confirm": ",".join(w.code for w in warnings),
            "idempotency_key": key or uuid.uuid4(),
            "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "map": _map_settings(),
            "areas_url": "/api/v1/areas?level=area",
        },
        status=status,
    )
    # Back after "Thank you" must not bring back a filled-in form with a new key (a
    # second report): the browser may not keep this page, so Back loads a fresh, empty
    # form; a page kept whole (back/forward cache) keeps its key, which the server
    # recognises. The form also has autocomplete="off" so no field is restored.
    response["Cache-Control"] = "no-store"
    return response


def _filtered(access: Access, form: ReportFilterForm) -> tuple[ReportQuerySet, dict]:
    qs = Report.objects.visible_to(access).select_related(
        "category", "organisation", "area", "owner"
    )
    params: dict[str, str] = {}
    data = form.cleaned_data if form.is_valid() else {}
    tz = timezone.get_current_timezone()
    since = data.get("since")
    until = data.get("until")
    if since:
        qs = qs.filter(occurred_at__gte=datetime.combine(since, time.min, tz))
        params["since"] = since.isoformat()
    if until:
        end = datetime.combine(until, time.min, tz) + timedelta(days=1)
        qs = qs.filter(occurred_at__lt=end)
        params["until"] = until.isoformat()
    if data.get("category"):
        qs = qs.filter(category__code=data["category"])
        params["category"] = data["category"]
    if data.get("area") == OUTSIDE_AREAS:
        qs = qs.filter(area__isnull=True)
        params["area"] = OUTSIDE_AREAS
    elif data.get("area"):
        qs = qs.filter(Q(area__code=data["area"]) | Q(area__parent__code=data["area"]))
        params["area"] = data["area"]
    if data.get("organisation"):
        qs = qs.filter(organisation__slug=data["organisation"])
        params["organisation"] = data["organisation"]
    status = data.get("status")
    if status == "open":
        qs = qs.open_issues()
    elif status:
        qs = qs.filter(status=status)
    if status:
        params["status"] = status
    return qs, params


def _map_filter_form(request: HttpRequest, access: Access) -> ReportFilterForm:
    data = request.GET.copy()
    if not any(data.get(k) for k in ("since", "until")):
        # Default view: the last four weeks, which is what a weekly meeting looks at.
        data.setdefault(
            "since", (timezone.localdate() - timedelta(days=27)).isoformat()
        )
    return ReportFilterForm(data, access=access)


@login_required
def report_map(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    form = _map_filter_form(request, access)
    qs, params = _filtered(access, form)
    page = Paginator(qs.order_by("-occurred_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        # The map draws the same selection as the list, from the same filter code.
        "api_url": reverse("reports:map_data") + "?" + urlencode(params),
        "areas_url": "/api/v1/areas",
        "map": _map_settings(),
        "query": urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    }
    if request.GET.get("residents"):
        # Residents' reports: a separate layer and list, only on request.
        from samsyn.residents.summary import accepted_for_map

        filters = form.cleaned_data if form.is_valid() else {}
        context["residents"] = accepted_for_map(access, filters)
    template = "reports/map.html"
    if request.htmx and request.htmx.target == "report-list":
        template = "reports/map.html#report-list"
    return render(request, template, context)


def _map_cells(qs: ReportQuerySet, cell_m: int) -> list[dict[str, Any]]:
    """Report counts per square of ``cell_m`` metres on the stored SWEREF 99 TM x/y,
    grouped in the database (integer division of the floored coordinates), each with
    the mean position of its reports."""
    cell = Value(cell_m)
    return list(
        qs.order_by()
        .annotate(
            gx=Cast(Floor("x"), BigIntegerField()) / cell,
            gy=Cast(Floor("y"), BigIntegerField()) / cell,
        )
        .values("gx", "gy")
        .annotate(n=Count("pk"), lon=Avg("lon"), lat=Avg("lat"))
        .order_by("gx", "gy")
    )


@login_required
def map_data(request: HttpRequest) -> JsonResponse:
    """Every report of the map page's filter, as GeoJSON: one point per report up to
    SAMSYN_MAP_MAX_POINTS, above it counts per grid square (the square grows until
    there are at most that many). Each feature has a ``count``; their sum is ``total``,
    the list's total for the same filter."""
    access = require_access(request, Cap.VIEW_REPORTS)
    qs, _params = _filtered(access, _map_filter_form(request, access))
    total = qs.count()
    limit = settings.SAMSYN_MAP_MAX_POINTS
    features: list[dict[str, Any]] = []
    cell_m: int | None = None
    if total <= limit:
        en = (get_language() or "sv").startswith("en")
        rows = qs.order_by("-occurred_at", "-pk").values_list(
            "code",
            "lon",
            "lat",
            "occurred_at",
            "restricted",
            "category__name_en" if en else "category__name_sv",
            "area__name",
        )
        for code, lon, lat, occurred_at, restricted, category, area in rows:
            features.append(
                {
                    "type": "Feature",
                    "id": str(code),
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {
                        "count": 1,
                        "code": str(code),
                        "category_name": category,
                        "occurred_at": occurred_at.isoformat(),
                        "area_name": area,
                        "restricted": restricted,
                    },
                }
            )
    else:
        cell_m = settings.SAMSYN_MAP_CELL_M
        cells = _map_cells(qs, cell_m)
        while len(cells) > limit:
            cell_m *= 2
            cells = _map_cells(qs, cell_m)
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
                "properties": {"count": c["n"], "cell_m": cell_m},
            }
            for c in cells
        ]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "total": total,
            "aggregated": cell_m is not None,
            "cell_m": cell_m,
            "features": features,
        }
    )


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.CREATE_REPORT)
    qs = (
        Report.objects.visible_to(access)
        .filter(reporter=request.user)
        .select_related("category", "area", "owner")
        .order_by("-created")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "reports/mine.html", {"page": page})


@login_required
def detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    report = get_object_or_404(
        Report.objects.visible_to(access).select_related(
            "category", "organisation", "area", "place", "owner", "reporter"
        ),
        code=code,
    )
    if report.restricted:
        record(request.user, "report.viewed_restricted", report, request=request)
    can_change = bool(report.status) and access.can_change_status(report.owner_id)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "history": report.status_changes.select_related("owner", "changed_by"),
            "status_form": StatusForm(report=report) if can_change else None,
            "map": _map_settings(),
        },
    )


@login_required
@require_POST
def update_status(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    report = get_object_or_404(
        Report.objects.visible_to(access).select_related("category"), code=code
    )
    if not report.status or not access.can_change_status(report.owner_id):
        raise Http404
    form = StatusForm(request.POST, report=report)
    if form.is_valid():
        try:
            change_status(
                report,
                by=request.user,
                status=form.cleaned_data["status"],
                owner=form.owners.get(form.cleaned_data.get("owner") or ""),
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("The status was changed."))
        except TransitionNotAllowed:
            messages.error(request, _("Choose the organisation to assign it to."))
    else:
        messages.error(request, _("The status could not be changed."))
    return redirect("reports:detail", code=report.code)


@login_required
def checklist(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.MANAGE_CHECKLIST)
    categories = Category.objects.in_collaboration(access.collaboration).select_related(
        "default_owner"
    )
    return render(request, "reports/checklist.html", {"categories": categories})


@login_required
def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    access = require_access(request, Cap.MANAGE_CHECKLIST)
    instance = None
    if pk is not None:
        instance = get_object_or_404(
            Category.objects.in_collaboration(access.collaboration), pk=pk
        )
    form = CategoryForm(
        request.POST or None, instance=instance, collaboration=access.collaboration
    )
    if request.method == "POST" and form.is_valid():
        save_category(form, by=request.user)
        messages.success(request, _("The checklist was saved."))
        return redirect("reports:checklist")
    return render(
        request,
        "reports/category_form.html",
        {"form": form, "category": instance},
        status=422 if request.method == "POST" else 200,
    )


# The offline reporting app: a service worker scoped to /reports/ (it covers
# /reports/new/) and a web app manifest. Both are served by views, not as static
# files, so that the worker may control /reports/ and knows the (hashed) static URLs.
OFFLINE_STATIC = [
    "css/site.css",
    "js/report-form.js",
    "js/outbox.js",
    "js/map-common.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/htmx/htmx.min.js",
    "icons/samsyn-192.png",
    "icons/samsyn-512.png",
]


def _static_text(name: str) -> str:
    path = finders.find(name)
    if not path:
        raise Http404
    with open(path, encoding="utf-8") as f:
        return f.read()


def _static_urls(names: list[str]) -> list[str]:
    urls = []
    for name in names:
        try:
            urls.append(static(name))
        except ValueError:  # not collected (a vendor file missing): skip it
            continue
    return urls


def service_worker(request: HttpRequest) -> HttpResponse:
    shell = {
        "page": reverse("reports:new"),
        "outbox": static("js/outbox.js"),
        "static": _static_urls(OFFLINE_STATIC),
        # A new static set (a deploy) makes a new cache and drops the old one.
        "version": hashlib.sha256(
            "|".join(_static_urls(OFFLINE_STATIC)).encode()
            + _static_text("sw.js").encode()
        ).hexdigest()[:12],
    }
    body = _static_text("sw.js").replace(
        "self.SAMSYN_SHELL = {};", "self.SAMSYN_SHELL = " + json.dumps(shell) + ";"
    )
    response = HttpResponse(body, content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    return response


def web_manifest(request: HttpRequest) -> HttpResponse:
    data = json.loads(_static_text("manifest.webmanifest"))
    data["start_url"] = reverse("reports:new")
    data["scope"] = reverse("reports:map")
    for icon in data.get("icons", []):
        icon["src"] = static(icon["src"])
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")
