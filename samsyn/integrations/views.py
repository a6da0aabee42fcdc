"""Pages and operational endpoints of the integrations app."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from samsyn.integrations import checks, metrics
from samsyn.integrations.actions import Export, export_table
from samsyn.integrations.forms import ExportForm
from samsyn.integrations.models import Webhook, WebhookDelivery
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import get_access
from samsyn.reports.views import _filtered


def _member_access(request: HttpRequest, cap: Cap) -> Access:
    access = get_access(request)
    if not access.can(cap):
        raise Http404
    return access


def download(export: Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Export-Count"] = str(export.count)
    return response


def run_export(
    request: HttpRequest, access: Access, kind: str, fmt: str, form: ExportForm
) -> Export:
    """Filters apply to reports (as on the map page); other kinds export everything
    the member may see."""
    qs, params = _filtered(access, form)
    return export_table(
        access,
        kind,
        fmt,
        by=request.user,
        filters=params if kind == "reports" else {},
        reports=qs if kind == "reports" else None,
        request=request,
    )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    access = _member_access(request, Cap.VIEW_REPORTS)
    if "format" in request.GET:
        form = ExportForm(request.GET, access=access)
        if form.is_valid():
            data = form.cleaned_data
            return download(
                run_export(request, access, data["kind"], data["format"], form)
            )
        status = 400
    else:
        form = ExportForm(access=access)
        status = 200
    return render(request, "integrations/export.html", {"form": form}, status=status)


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    """Administrators' view of the collaboration's webhooks and delivery log."""
    access = _member_access(request, Cap.VIEW_AUDIT)
    hooks = Webhook.objects.visible_to(access).prefetch_related("categories")
    deliveries = (
        WebhookDelivery.objects.visible_to(access)
        .select_related("webhook")
        .order_by("-created", "-id")[:100]
    )
    return render(
        request,
        "integrations/webhooks.html",
        {"hooks": hooks, "deliveries": deliveries},
    )


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Readiness: database, migrations, task backend, media directory. 503 if any fails."""
    results = checks.readiness()
    ok = all(c.ok for c in results)
    body: dict[str, Any] = {
        "status": "ok" if ok else "fail",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in results},
    }
    return JsonResponse(body, status=200 if ok else 503)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; needs ``Authorization: Bearer <SAMSYN_METRICS_TOKEN>``."""
    token = getattr(settings, "SAMSYN_METRICS_TOKEN", "")
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        response = HttpResponse("unauthorised\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(
        metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8"
    )
