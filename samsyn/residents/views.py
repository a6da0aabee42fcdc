"""The public residents' page, the moderation queue and the page settings."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from samsyn.areas.models import Area
from samsyn.areas.naming import describe_point, point_from_query
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Report
from samsyn.reports.views import _map_settings
from samsyn.residents import guard
from samsyn.residents.actions import (
    NotPending,
    accept_resident_report,
    merge_resident_report,
    reject_resident_report,
    submit_resident_report,
)
from samsyn.residents.forms import ModerationForm, ResidentReportForm, SettingsForm
from samsyn.residents.models import ResidentReport, ResidentSettings
from samsyn.residents.summary import duplicate_candidates

REFUSALS = {
    "honeypot": gettext_lazy("The report could not be sent. Please try again."),
    "tampered": gettext_lazy("The report could not be sent. Please try again."),
    "too_fast": gettext_lazy(
        "That was very fast. Please check your report and press Send again."
    ),
    "expired": gettext_lazy(
        "The page was open for a long time. Please press Send again."
    ),
    "rate_limited": gettext_lazy(
        "Many reports have been sent from here in the last hour. Please try again "
        "later, or call the municipality."
    ),
}


def _open_page(slug: str) -> tuple[Collaboration, ResidentSettings]:
    collab = get_object_or_404(Collaboration, slug=slug)
    page = ResidentSettings.objects.filter(collaboration=collab, enabled=True).first()
    if page is None:
        raise Http404
    return collab, page


@require_GET
def public_where(request: HttpRequest, slug: str) -> JsonResponse:
    """Where a chosen position is, for the public page's confirmation: the nearest of
    the places the page already lists, and the area. Nothing else is said."""
    collab, _page = _open_page(slug)
    point = point_from_query(request.GET)
    if point is None:
        return JsonResponse({"error": _("Give lat and lon as numbers.")}, status=400)
    lon, lat = point
    found = describe_point(collab, lon, lat)
    return JsonResponse({"text": found["text"], "area": found["area"]})


def public_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The public, anonymous page (no login). Works without JavaScript."""
    collab, page = _open_page(slug)
    status, refusal = 200, None
    if request.method == "POST":
        form = ResidentReportForm(request.POST, collaboration=collab, page=page)
        try:
            if request.POST.get(guard.HONEYPOT):
                raise guard.Refused("honeypot")
            digest = guard.check_token(
                collab, request.POST.get("token", ""), page.min_seconds
            )
            if form.is_valid():
                done = ResidentReport.objects.filter(form_digest=digest).first()
                if done is None:
                    guard.check_rate(request, collab)
                    done, _created = submit_resident_report(
                        collab, form.cleaned_data, form_digest=digest
                    )
                return render(
                    request,
                    "residents/thanks.html",
                    {"collaboration": collab, "report": done},
                )
            status = 422
        except guard.Refused as exc:
            refusal = REFUSALS[exc.reason]
            status = 429 if exc.reason == "rate_limited" else 400
    else:
        form = ResidentReportForm(
            collaboration=collab,
            page=page,
            initial={"area": request.GET.get("area", "")},
        )
    area = form.areas.get(str(form["area"].value() or ""))
    return render(
        request,
        "residents/report.html",
        {
            "collaboration": collab,
            "page": page,
            "form": form,
            "token": guard.make_token(collab),
            "honeypot": guard.HONEYPOT,
            "refusal": refusal,
            "area": area,
            "map": _map_settings(),
            "bounds": _bounds(collab, area),
            "outlines": _outlines(collab, area),
        },
        status=status,
    )


def _outlines(collab: Collaboration, area: Area | None) -> list[dict[str, Any]]:
    """Area outlines drawn on the map, so residents see where the page applies."""
    areas = [area] if area else list(Area.objects.in_collaboration(collab).leaves())
    return [
        {"type": "Feature", "geometry": a.geometry, "properties": {"name": a.name}}
        for a in areas
    ]


def _bounds(collab: Collaboration, area: Area | None) -> str:
    areas = [area] if area else list(Area.objects.in_collaboration(collab))
    if not areas:
        return ""
    return ",".join(
        str(v)
        for v in (
            min(a.min_lat for a in areas),
            min(a.min_lon for a in areas),
            max(a.max_lat for a in areas),
            max(a.max_lon for a in areas),
        )
    )


def _resolve_target(
    access: Access, report: ResidentReport, into: str
) -> ResidentReport | Report | None:
    kind, _sep, code = into.partition(":")
    try:
        if kind == "resident":
            return (
                ResidentReport.objects.moderatable_by(access)
                .accepted()
                .exclude(pk=report.pk)
                .get(code=code)
            )
        if kind == "report":
            return Report.objects.visible_to(access).get(code=code)
    except (ResidentReport.DoesNotExist, Report.DoesNotExist, ValueError):
        return None
    return None


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.MODERATE_RESIDENTS)
    base = ResidentReport.objects.moderatable_by(access).select_related(
        "category", "area", "place"
    )
    pending = list(base.pending().order_by("created"))
    for r in pending:
        r.candidates = duplicate_candidates(r, access)
    recent = base.exclude(status=ResidentReport.Status.PENDING).prefetch_related(
        "events__by"
    )[:20]
    return render(
        request,
        "residents/queue.html",
        {"pending": pending, "recent": recent, "form": ModerationForm()},
    )


@login_required
@require_POST
def moderate(request: HttpRequest, code: str) -> HttpResponse:
    access = require_access(request, Cap.MODERATE_RESIDENTS)
    report = get_object_or_404(ResidentReport.objects.moderatable_by(access), code=code)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("residents:queue")
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            accept_resident_report(report, by=request.user)
        elif data["decision"] == "reject":
            reject_resident_report(report, by=request.user, reason=data["reason"])
        else:
            target = _resolve_target(access, report, data["into"])
            if target is None:
                raise Http404
            merge_resident_report(report, target, by=request.user)
    except NotPending:
        messages.error(request, _("This report has already been moderated."))
        return redirect("residents:queue")
    messages.success(
        request,
        _("Report %(ref)s: %(status)s.")
        % {"ref": report.reference, "status": report.get_status_display()},
    )
    return redirect("residents:queue")


def _qr(url: str, title: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=5, title=title)
    return mark_safe(svg)  # noqa: S308 - generated by segno from our own URL


@login_required
def page_settings(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.MODERATE_RESIDENTS)
    collab = access.collaboration
    assert collab is not None  # noqa: S101 - a member has a collaboration
    page, _created = ResidentSettings.objects.get_or_create(collaboration=collab)
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=page, collaboration=collab)
        if form.is_valid():
            from samsyn.organisations.models import record

            form.save()
            record(
                request.user,
                "resident_settings.changed",
                page,
                collaboration=collab,
                data={"fields": sorted(form.changed_data)},
            )
            messages.success(request, _("Saved."))
            return redirect("residents:settings")
    else:
        form = SettingsForm(instance=page, collaboration=collab)
    path = reverse("residents:report", args=[collab.slug])
    areas = list(Area.objects.in_collaboration(collab).leaves().order_by("name"))
    chosen = next((a for a in areas if str(a.code) == request.GET.get("area")), None)
    if chosen is not None:
        path += "?" + urlencode({"area": str(chosen.code)})
    url = request.build_absolute_uri(path)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "url": url,
        "qr": _qr(url, chosen.name if chosen else collab.name),
        "areas": areas,
        "chosen": chosen,
    }
    return render(request, "residents/settings.html", context)
