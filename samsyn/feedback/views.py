"""Feedback pages: the public page for residents (and its embeddable variant), the
periodic summary for members (page, PDF), a reporter's own reports, the settings."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.clickjacking import xframe_options_exempt

from samsyn.feedback import figures
from samsyn.feedback.actions import save_public_settings, settings_for
from samsyn.feedback.forms import PublicSettingsForm
from samsyn.feedback.models import PublicFeedbackSettings
from samsyn.feedback.summary import build_summary, parse_period
from samsyn.interventions.models import Intervention
from samsyn.lib.weeks import localtime
from samsyn.organisations.access import Cap
from samsyn.organisations.middleware import require_access
from samsyn.reports.models import Report

PUBLIC_MAX_AGE = 3600  # figures move a week at a time; an hour's cache is plenty


# ----------------------------------------------------------------- public pages


def _public_settings(slug: str) -> PublicFeedbackSettings:
    """The settings of a collaboration whose public page is on; else 404."""
    return get_object_or_404(
        PublicFeedbackSettings.objects.select_related("collaboration"),
        collaboration__slug=slug,
        enabled=True,
    )


def _public(
    request: HttpRequest, slug: str, code: uuid.UUID | None, *, embed: bool
) -> HttpResponse:
    ps = _public_settings(slug)
    data = figures.public_figures(ps)
    area = None
    if code is not None:
        area = next((a for a in data.areas if a.code == code), None)
        if area is None:
            raise Http404
    rows: list[Any] = data.area_rows()
    none_reported: list[str] = []
    if area is not None:
        # Categories without reports are named in one line, not a row each.
        rows = [(c, f) for c, f in data.category_rows(area) if f.value != 0]
        none_reported = [c.name for c, f in data.category_rows(area) if f.value == 0]
    # The chart leaves out categories with no reports (they stay zero in tables).
    chart_rows = [(c.name, f) for c, f in data.category_rows(area) if f.value != 0]
    ctx: dict[str, Any] = {
        "ps": ps,
        "collaboration": ps.collaboration,
        "data": data,
        "area": area,
        "rows": rows,
        "none_reported": none_reported,
        "total": data.total(area),
        "chart": figures.bar_chart(
            chart_rows,
            label=_("Reports per category"),
            hidden_label=pgettext("a figure on the public page", "hidden"),
        )
        # A chart whose every value is hidden would show bars without lengths: the
        # table below says the same in words.
        if any(not f.suppressed for _n, f in chart_rows)
        else "",
        # A hidden figure may be large (complementary suppression), so the page
        # explains the mark instead of calling it small.
        "any_hidden": data.total(area).suppressed
        or any(f.suppressed for _c, f in rows)
        or any(f.suppressed for _n, f in chart_rows),
        "interventions": figures.published_interventions(ps, area),
        "minimum": ps.collaboration.min_public_count,
        "embed": embed,
    }
    template = "feedback/embed.html" if embed else "feedback/public.html"
    response = render(request, template, ctx)
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    if embed:
        # Frameable only by the sites the collaboration named (any site if none):
        # the page is read-only, public and has no forms.
        response._csp_replace = {"frame-ancestors": ps.origins() or ["*"]}  # type: ignore[attr-defined]
    return response


def public(request: HttpRequest, slug: str) -> HttpResponse:
    return _public(request, slug, None, embed=False)


def public_area(request: HttpRequest, slug: str, code: uuid.UUID) -> HttpResponse:
    return _public(request, slug, code, embed=False)


@xframe_options_exempt
def public_embed(request: HttpRequest, slug: str) -> HttpResponse:
    return _public(request, slug, None, embed=True)


@xframe_options_exempt
def public_area_embed(request: HttpRequest, slug: str, code: uuid.UUID) -> HttpResponse:
    return _public(request, slug, code, embed=True)


# ----------------------------------------------------------------- settings


@login_required
def public_settings(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.PUBLISH_FEEDBACK)
    collab = access.collaboration
    assert collab is not None  # noqa: S101 - can() implies a collaboration
    current = settings_for(collab)
    if request.method == "POST":
        form = PublicSettingsForm(request.POST, instance=current, collaboration=collab)
        if form.is_valid():
            save_public_settings(collab, form.cleaned_data, by=request.user)
            messages.success(request, _("The public page settings were saved."))
            return redirect("feedback:settings")
        status = 422
    else:
        form = PublicSettingsForm(instance=current, collaboration=collab)
        status = 200
    public_url = request.build_absolute_uri(
        reverse("feedback:public", args=[collab.slug])
    )
    embed_url = request.build_absolute_uri(
        reverse("feedback:public_embed", args=[collab.slug])
    )
    snippet = (
        f'<iframe src="{embed_url}" title="{collab.name}" '
        'style="width:100%;min-height:640px;border:0" loading="lazy"></iframe>'
    )
    return render(
        request,
        "feedback/settings.html",
        {
            "form": form,
            "current": current,
            "public_url": public_url,
            "embed_url": embed_url,
            "snippet": snippet,
        },
        status=status,
    )


# ----------------------------------------------------------------- summary


def _summary_ctx(request: HttpRequest) -> dict[str, Any]:
    access = require_access(request, Cap.VIEW_REPORTS)
    try:
        period = parse_period(request.GET.get("period"))
    except ValueError:
        raise Http404 from None
    ctx = build_summary(
        access.collaboration,  # type: ignore[arg-type]
        period,
        include_restricted=access.can(Cap.VIEW_RESTRICTED),
    )
    ctx["previous"], ctx["next"] = _neighbours(period.key)
    return ctx


def _neighbours(key: str) -> tuple[str, str]:
    from datetime import timedelta

    p = parse_period(key)
    if "W" in key:
        before = p.start - timedelta(weeks=1)
        after = p.end
        fmt = "{0}-W{1:02d}"
        return (
            fmt.format(*before.isocalendar()[:2]),
            fmt.format(*after.isocalendar()[:2]),
        )
    before = p.start - timedelta(days=1)
    return f"{before:%Y-%m}", f"{p.end:%Y-%m}"


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/summary.html", _summary_ctx(request))


@login_required
def summary_pdf(request: HttpRequest) -> HttpResponse:
    """The summary's PDF, built as a job: the pending page shows its progress, and
    ``?job=<code>`` serves the finished file to the reader who asked for it."""
    from samsyn.feedback.tasks import queue_summary_pdf, summary_pdf_subject
    from samsyn.jobs.files import open_result
    from samsyn.jobs.models import Job

    access = require_access(request, Cap.VIEW_REPORTS)
    try:
        period = parse_period(request.GET.get("period"))
    except ValueError:
        raise Http404 from None
    code = request.GET.get("job")
    if code:
        try:
            uuid.UUID(code)
        except ValueError:
            raise Http404 from None
        job = get_object_or_404(
            Job.objects.visible_to(access).filter(
                owner=request.user,
                subject__startswith=f"{summary_pdf_subject(access, period.key)}:",
            ),
            code=code,
        )
    else:
        job = queue_summary_pdf(access, period.key)
    stored = open_result(job) if job.status == Job.Status.DONE else None
    if stored is None:
        ctx = {"job": job, "period": period}
        return render(request, "feedback/pdf_pending.html", ctx)
    name, data = stored
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# ----------------------------------------------------------------- my reports


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """What happened to the signed-in user's own reports: status history and the
    interventions whose area or place covers them."""
    access = require_access(request, Cap.VIEW_REPORTS)
    reports = list(
        Report.objects.visible_to(access)
        .filter(reporter=request.user)
        .select_related("category", "area", "place", "owner")
        .prefetch_related("status_changes")
        .order_by("-occurred_at")[:100]
    )
    area_ids = {r.area_id for r in reports if r.area_id}
    place_ids = {r.place_id for r in reports if r.place_id}
    ivs = (
        Intervention.objects.visible_to(access)
        .exclude(status=Intervention.Status.CANCELLED)
        .filter(models_q(area_ids, place_ids))
        .prefetch_related("areas", "places")
        .distinct()
    )
    by_area: dict[int, list[Intervention]] = {}
    by_place: dict[int, list[Intervention]] = {}
    for iv in ivs:
        for a in iv.areas.all():
            by_area.setdefault(a.pk, []).append(iv)
        for p in iv.places.all():
            by_place.setdefault(p.pk, []).append(iv)
    items = []
    for r in reports:
        related = {iv.pk: iv for iv in by_place.get(r.place_id, [])}
        for iv in by_area.get(r.area_id, []):
            if iv.ends_on is None or iv.ends_on >= localtime(r.occurred_at).date():
                related.setdefault(iv.pk, iv)
        items.append({"report": r, "interventions": list(related.values())})
    return render(request, "feedback/mine.html", {"items": items})


def models_q(area_ids: set[int], place_ids: set[int]) -> Any:
    from django.db.models import Q

    return Q(areas__in=area_ids) | Q(places__in=place_ids)
