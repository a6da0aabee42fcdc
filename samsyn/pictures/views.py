"""Pages of situation pictures: list, picture, edits, approval, PDF, traced reports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samsyn.areas.models import Area
from samsyn.lib.svgchart import map_svg, sparkline
from samsyn.lib.weeks import KINDS, parse_period, period_for
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access
from samsyn.pictures.actions import (
    PersonalDataFound,
    PictureError,
    approve_picture,
    generate_picture,
    save_assessment,
    set_area_colours,
)
from samsyn.pictures.figures import COLOURS, visible_trace
from samsyn.pictures.models import SituationPicture
from samsyn.reports.models import Report

POINT_COLOURS = ["#1a4f8b", "#c0392b", "#16835f", "#8e44ad", "#b9770e", "#2c3e50"]


def _picture(request: HttpRequest, code: Any, cap: Cap = Cap.VIEW_REPORTS) -> tuple:
    access = require_access(request, cap)
    qs = SituationPicture.objects.visible_to(access).select_related(
        "collaboration", "scope", "created_by", "approved_by"
    )
    return access, get_object_or_404(qs.defer("trace"), code=code)


def default_period_text(kind: str, collab: Any) -> str:
    today = timezone.localdate()
    if kind == "week":
        # The weekly meeting looks back on the last complete week.
        return period_for("week", today - timezone.timedelta(days=7)).label
    return period_for(kind, today, collab).label


@login_required
def picture_list(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    collab = access.collaboration
    pictures = list(
        SituationPicture.objects.visible_to(access)
        .select_related("scope", "approved_by")
        .only(
            "code",
            "kind",
            "label",
            "version",
            "status",
            "period_start",
            "scope__name",
            "approved_by__username",
            "approved_at",
            "created",
        )  # fmt: skip
        .order_by("-period_start", "kind", "scope__name", "-version")[:200]
    )
    period_kinds = ["week", "month", collab.period_kind, "year"]
    # A period that was not understood comes back with what was typed (generate).
    typed_kind = request.GET.get("kind", "")
    return render(
        request,
        "pictures/list.html",
        {
            "pictures": pictures,
            "can_generate": access.can(Cap.APPROVE_PICTURE),
            "kinds": [
                (
                    k,
                    request.GET.get("period", "")[:40]
                    if k == typed_kind and request.GET.get("period")
                    else default_period_text(k, collab),
                )
                for k in period_kinds
            ],
            "typed_kind": typed_kind,
            "typed_scope": request.GET.get("scope", ""),
            "areas": Area.objects.in_collaboration(collab).order_by("level", "name"),
        },
    )


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.APPROVE_PICTURE)
    collab = access.collaboration
    kind = request.POST.get("kind", "week")
    if kind not in KINDS:
        raise Http404
    text = request.POST.get("period") or default_period_text(kind, collab)
    try:
        period = parse_period(kind, text)
    except ValueError:
        messages.error(request, _("Not a valid period: %(p)s") % {"p": text})
        # Back to the form with what was typed and chosen (WCAG 3.3.7: nothing
        # entered is asked for again), for the person to correct.
        typed = urlencode(
            {"kind": kind, "period": text, "scope": request.POST.get("scope", "")}
        )
        return redirect(f"{reverse('pictures:list')}?{typed}")
    scope = None
    if request.POST.get("scope"):
        scope = get_object_or_404(
            Area.objects.in_collaboration(collab), code=request.POST["scope"]
        )
    picture = generate_picture(collab, kind, period, scope, by=request.user)
    return redirect("pictures:detail", code=picture.code)


def picture_context(picture: SituationPicture, access: Access) -> dict[str, Any]:
    """Everything the page and the PDF render, from the frozen figures only."""
    fig = picture.figures_for(access)
    labels = fig.get("series_labels", [])
    categories = [
        {
            **row,
            "spark": mark_safe(  # noqa: S308 (built from numbers, escaped labels)
                sparkline(row["series"], label=row["name"], points=labels)
            ),
        }
        for row in fig.get("categories", [])
    ]
    chosen = picture.area_colours or {}
    statuses = [
        {
            **a,
            "chosen": chosen.get(a["code"], ""),
            "shown": chosen.get(a["code"]) or a["suggested"],
        }
        for a in fig.get("area_status", [])
    ]
    shown = {a["code"]: a["shown"] for a in statuses}
    m = fig.get("map") or {}
    extra_cells = [
        {**s, "bin": 1}
        for s in (fig.get("analysis") or {}).get("emerging", {}).get("spots", [])
    ]
    svg = map_svg(
        areas=[{**a, "fill": shown.get(a["code"], "")} for a in m.get("areas", [])],
        points=m.get("points", []),
        cells=m.get("cells", []) + extra_cells,
        point_colours=POINT_COLOURS,
        label=_("Map of reports and hotspot cells, %(p)s") % {"p": picture.label},
    )
    order = fig.get("category_order", [])
    legend = [
        (POINT_COLOURS[i % len(POINT_COLOURS)], row["name"])
        for row in fig.get("categories", [])
        if row["this"] and row["code"] in order
        for i in [order.index(row["code"])]
    ]
    return {
        "picture": picture,
        "fig": fig,
        "categories": categories,
        "area_statuses": statuses,
        "map_svg": mark_safe(svg),  # noqa: S308 (escaped in svgchart)
        "legend": legend,
        "colours": COLOURS,
    }


@login_required
def detail(request: HttpRequest, code: Any) -> HttpResponse:
    access, picture = _picture(request, code)
    ctx = picture_context(picture, access)
    can_edit = access.can(Cap.APPROVE_PICTURE)
    ctx.update(
        {
            "can_edit": can_edit and picture.is_draft,
            "can_approve": can_edit and picture.is_draft,
            "can_regenerate": can_edit,
            "events": picture.events.select_related("actor").order_by("created", "id"),
            "versions": SituationPicture.objects.filter(
                collaboration=picture.collaboration,
                kind=picture.kind,
                scope=picture.scope_id,
                period_start=picture.period_start,
            )
            .only("code", "version", "status")
            .order_by("version"),
            "assessment_error": None,
        }
    )
    return render(request, "pictures/detail.html", ctx)


@login_required
@require_POST
def assessment(request: HttpRequest, code: Any) -> HttpResponse:
    access, picture = _picture(request, code, Cap.APPROVE_PICTURE)
    text = request.POST.get("assessment", "")
    error = None
    try:
        picture = save_assessment(picture, text, by=request.user)
    except PersonalDataFound:
        error = _(
            "The text seems to contain personal data (a personal identity number, "
            "phone number or e-mail address). Remove it and save again."
        )
    except PictureError as exc:
        error = str(exc)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "pictures/_assessment.html",
            {
                "picture": picture,
                "can_edit": picture.is_draft,
                "assessment_error": error,
                "draft_text": text if error else picture.assessment,
                "saved": not error,
            },
            status=422 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Assessment saved."))
    return redirect("pictures:detail", code=picture.code)


@login_required
@require_POST
def colours(request: HttpRequest, code: Any) -> HttpResponse:
    access, picture = _picture(request, code, Cap.APPROVE_PICTURE)
    chosen = {
        a["code"]: request.POST.get(f"colour-{a['code']}", "")
        for a in picture.figures.get("area_status", [])
    }
    try:
        set_area_colours(picture, chosen, by=request.user)
        messages.success(request, _("Area colours saved."))
    except PictureError as exc:
        messages.error(request, str(exc))
    return redirect("pictures:detail", code=picture.code)


@login_required
@require_POST
def approve(request: HttpRequest, code: Any) -> HttpResponse:
    access, picture = _picture(request, code, Cap.APPROVE_PICTURE)
    try:
        approve_picture(picture, access, by=request.user)
        messages.success(request, _("The picture is approved and now read-only."))
    except PictureError as exc:
        messages.error(request, str(exc))
    return redirect("pictures:detail", code=picture.code)


@login_required
@require_POST
def new_version(request: HttpRequest, code: Any) -> HttpResponse:
    access, picture = _picture(request, code, Cap.APPROVE_PICTURE)
    period = parse_period(picture.kind, picture.label)
    new = generate_picture(
        picture.collaboration,
        picture.kind,
        period,
        picture.scope,
        by=request.user,
        new_version=True,
    )
    messages.success(request, _("Version %(v)s generated.") % {"v": new.version})
    return redirect("pictures:detail", code=new.code)


@login_required
def pdf(request: HttpRequest, code: Any) -> HttpResponse:
    from samsyn.pictures.tasks import queue_picture_pdf

    access, picture = _picture(request, code)
    job = None
    if not picture.pdf or picture.pdf_built_for != picture.updated:
        job = queue_picture_pdf(picture, by=request.user)
        picture.refresh_from_db(fields=["pdf", "pdf_built_for", "updated"])
    if not picture.pdf or picture.pdf_built_for != picture.updated:
        ctx = {"picture": picture, "job": job}
        return render(request, "pictures/pdf_pending.html", ctx)
    filename = f"lagesbild-{picture.label}-v{picture.version}.pdf"
    # A plain response (PDFs are small), so middleware and tests can read the body.
    with picture.pdf.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def trace(request: HttpRequest, code: Any, key: str) -> HttpResponse:
    access, picture = _picture(request, code)
    stored = (
        SituationPicture.objects.filter(pk=picture.pk)
        .values_list("trace", flat=True)
        .first()
    ) or {}
    if key not in stored:
        raise Http404
    codes = visible_trace(stored[key], access)
    reports = (
        Report.objects.visible_to(access)
        .filter(code__in=codes)
        .select_related("category", "area", "organisation")
        .order_by("-occurred_at")[:500]
    )
    return render(
        request,
        "pictures/trace.html",
        {"picture": picture, "reports": reports, "key": key, "total": len(codes)},
    )
