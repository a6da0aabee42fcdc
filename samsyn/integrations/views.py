"""Pages and operational endpoints of the integrations app."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from samsyn.integrations import checks, export_jobs, exports, metrics
from samsyn.integrations.actions import (
    Export,
    delete_webhook,
    export_table,
    rotate_webhook_secret,
    save_webhook,
    send_test_delivery,
    set_webhook_active,
)
from samsyn.integrations.forms import ExportForm, WebhookForm
from samsyn.integrations.models import Webhook, WebhookDelivery
from samsyn.jobs.files import access_key, open_result
from samsyn.jobs.models import Job
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access
from samsyn.organisations.models import record
from samsyn.reports.views import _filtered


def download(export: Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Export-Count"] = str(export.count)
    return response


def run_export(
    request: HttpRequest,
    access: Access,
    kind: str,
    fmt: str,
    form: ExportForm,
    default_layout: str = "machine",
) -> Export:
    """Filters apply to reports (as on the map page); other kinds export everything
    the member may see. Without a chosen layout the file has ``default_layout``."""
    qs, params = _filtered(access, form)
    return export_table(
        access,
        kind,
        fmt,
        by=request.user,
        filters=params if kind == "reports" else {},
        reports=qs if kind == "reports" else None,
        request=request,
        layout=form.cleaned_data.get("layout") or default_layout,
    )


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    if "format" in request.GET:
        form = ExportForm(request.GET, access=access)
        if form.is_valid():
            data = form.cleaned_data
            kind, fmt = data["kind"], data["format"]
            qs, _params = _filtered(access, form)
            rows = exports.count_rows(access, kind, qs if kind == "reports" else None)
            # On the page the readable layout is the default; the API's is machine.
            layout = data.get("layout") or "readable"
            if rows > export_jobs.job_rows():
                query = {k: request.GET.getlist(k) for k in sorted(request.GET)}
                query["layout"] = [layout]
                job = export_jobs.queue_export(access, kind, fmt, query)
                return render(
                    request,
                    "integrations/export_pending.html",
                    {"job": job, "rows": rows, "retry": request.get_full_path()},
                )
            return download(run_export(request, access, kind, fmt, form, layout))
        status = 400
    else:
        form = ExportForm(access=access, initial={"layout": "readable"})
        status = 200
    return render(request, "integrations/export.html", {"form": form}, status=status)


@login_required
@require_GET
def export_download(request: HttpRequest, code: Any) -> HttpResponse:
    """A queued export's file, for the member who asked, while their rights are the
    ones it was built under; every download is audited."""
    access = require_access(request, Cap.VIEW_REPORTS)
    job = get_object_or_404(
        Job.objects.visible_to(access).filter(kind=Job.Kind.EXPORT, owner=request.user),
        code=code,
    )
    _export, user_id, kind, fmt, key, _digest = job.subject.split(":")
    if user_id != str(request.user.pk) or key != access_key(access):
        raise Http404
    stored = open_result(job) if job.status == Job.Status.DONE else None
    if stored is None:
        return render(
            request,
            "integrations/export_pending.html",
            {"job": job, "retry": reverse("integrations:export")},
        )
    name, content = stored
    record(
        request.user,
        "export.download",
        None,
        collaboration=access.collaboration,
        data={"job": str(job.code), "kind": kind, "format": fmt},
        request=request,
    )
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


SECRET_SESSION_KEY = "webhook_secret_once"  # noqa: S105 - a session key name


def _hooks_access(request: HttpRequest) -> Access:
    return require_access(request, Cap.MANAGE_WEBHOOKS)


def _hook(request: HttpRequest, code: Any) -> tuple[Access, Webhook]:
    access = _hooks_access(request)
    hook = get_object_or_404(
        Webhook.objects.visible_to(access).select_related("collaboration"), code=code
    )
    return access, hook


def _show_secret_once(request: HttpRequest, hook: Webhook, secret: str) -> None:
    request.session[SECRET_SESSION_KEY] = {"code": str(hook.code), "secret": secret}


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    """Coordinators' and administrators' list of the collaboration's webhooks."""
    access = _hooks_access(request)
    hooks = (
        Webhook.objects.visible_to(access)
        .prefetch_related("categories")
        .annotate(
            failed=Count(
                "deliveries",
                filter=Q(deliveries__status=WebhookDelivery.Status.FAILED),
            ),
            last_delivery=Max("deliveries__created"),
        )
    )
    deliveries = (
        WebhookDelivery.objects.visible_to(access)
        .select_related("webhook")
        .order_by("-created", "-id")[:20]
    )
    return render(
        request,
        "integrations/webhooks.html",
        {"hooks": hooks, "deliveries": deliveries},
    )


@login_required
def webhook_new(request: HttpRequest) -> HttpResponse:
    access = _hooks_access(request)
    assert access.collaboration is not None  # noqa: S101 - members only
    hook = Webhook(collaboration=access.collaboration)
    form = WebhookForm(request.POST or None, instance=hook, access=access)
    if request.method == "POST" and form.is_valid():
        hook = save_webhook(
            form.save(commit=False),
            form.cleaned_data["categories"],
            by=request.user,
            request=request,
        )
        _show_secret_once(request, hook, hook.secret)
        messages.success(request, _("The webhook is created."))
        return redirect("integrations:webhook", code=hook.code)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "integrations/webhook_form.html", {"form": form}, status=status
    )


@login_required
def webhook_detail(request: HttpRequest, code: Any) -> HttpResponse:
    access, hook = _hook(request, code)
    once = request.session.get(SECRET_SESSION_KEY)
    secret = None
    if once and once.get("code") == str(hook.code):
        secret = once["secret"]
        del request.session[SECRET_SESSION_KEY]
    status = request.GET.get("status", "")
    deliveries = hook.deliveries.order_by("-created", "-id")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    counts = dict(
        hook.deliveries.values_list("status").annotate(n=Count("id")).order_by()
    )
    response = render(
        request,
        "integrations/webhook_detail.html",
        {
            "hook": hook,
            "categories": list(hook.categories.all()),
            "secret": secret,
            "deliveries": deliveries[:100],
            "status": status,
            "statuses": [
                (value, label, counts.get(value, 0))
                for value, label in WebhookDelivery.Status.choices
            ],
        },
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
def webhook_edit(request: HttpRequest, code: Any) -> HttpResponse:
    access, hook = _hook(request, code)
    form = WebhookForm(request.POST or None, instance=hook, access=access)
    if request.method == "POST" and form.is_valid():
        save_webhook(
            form.save(commit=False),
            form.cleaned_data["categories"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("The webhook is saved."))
        return redirect("integrations:webhook", code=hook.code)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "integrations/webhook_form.html",
        {"form": form, "hook": hook},
        status=status,
    )


@login_required
@require_POST
def webhook_toggle(request: HttpRequest, code: Any) -> HttpResponse:
    access, hook = _hook(request, code)
    set_webhook_active(hook, not hook.active, by=request.user, request=request)
    if hook.active:
        messages.success(request, _("The webhook is resumed."))
    else:
        messages.success(request, _("The webhook is paused: nothing is sent to it."))
    return redirect("integrations:webhook", code=hook.code)


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, code: Any) -> HttpResponse:
    access, hook = _hook(request, code)
    secret = rotate_webhook_secret(hook, by=request.user, request=request)
    _show_secret_once(request, hook, secret)
    messages.success(
        request, _("A new secret is made; the old one no longer signs anything.")
    )
    return redirect("integrations:webhook", code=hook.code)


@login_required
@require_POST
def webhook_test(request: HttpRequest, code: Any) -> HttpResponse:
    access, hook = _hook(request, code)
    send_test_delivery(hook, by=request.user, request=request)
    messages.success(
        request, _("A test delivery is sent; its result is in the log below.")
    )
    return redirect("integrations:webhook", code=hook.code)


@login_required
def webhook_delete(request: HttpRequest, code: Any) -> HttpResponse:
    access, hook = _hook(request, code)
    if request.method == "POST":
        delete_webhook(hook, by=request.user, request=request)
        messages.success(request, _("The webhook is deleted."))
        return redirect("integrations:webhooks")
    return render(request, "integrations/webhook_delete.html", {"hook": hook})


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
