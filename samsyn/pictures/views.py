"""Pages of situation pictures: list, picture, edits, approval, PDF, traced reports."""

from __future__ import annotations

from typing import Any

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
from samsyn.jobs.models import Job
from samsyn.lib.svgchart import map_svg, sparkline
from samsyn.lib.weeks import Period, parse_period, period_for
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access
from samsyn.pictures import briefing
from samsyn.pictures.actions import (
    PersonalDataFound,
    PictureError,
    approve_picture,
    save_assessment,
    set_area_ability,
    set_area_colours,
)
from samsyn.pictures.figures import COLOURS, visible_trace
from samsyn.pictures.forms import PictureForm
from samsyn.pictures.models import AreaAbility, SituationPicture, current_abilities
from samsyn.pictures.priority import priority_notes, priority_rows, rule_text
from samsyn.pictures.tasks import queue_picture
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
    return _list_page(request, access, None)


def _list_page(
    request: HttpRequest, access: Access, form: PictureForm | None, status: int = 200
) -> HttpResponse:
    can_generate = access.can(Cap.APPROVE_PICTURE)
    if can_generate and form is None:
        form = PictureForm(
            collaboration=access.collaboration, today=timezone.localdate()
        )
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
    return render(
        request,
        "pictures/list.html",
        {"pictures": pictures, "can_generate": can_generate, "form": form},
        status=status,
    )


def _open_or_queue(
    request: HttpRequest,
    collab: Any,
    period: Period,
    scope: Area | None,
    *,
    new_version: bool = False,
) -> HttpResponse:
    """The picture's page if it exists (or was just made), else the job's progress."""
    if not new_version:
        existing = (
            SituationPicture.objects.filter(
                collaboration=collab,
                kind=period.kind,
                scope=scope,
                period_start=period.start,
            )
            .order_by("-version")
            .first()
        )
        if existing is not None:
            return redirect("pictures:detail", code=existing.code)
    job = queue_picture(collab, period, scope, by=request.user, new_version=new_version)
    if job.status == Job.Status.DONE and job.result_url:
        return redirect(job.result_url)
    return redirect("pictures:generating", code=job.code)


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.APPROVE_PICTURE)
    data = request.POST.copy()
    # The start page's one-button form names the period as "period".
    kind = data.get("kind", "")
    if data.get("period") and kind and not data.get(kind):
        data[kind] = data["period"]
    form = PictureForm(
        data, collaboration=access.collaboration, today=timezone.localdate()
    )
    if not form.is_valid():
        return _list_page(request, access, form, status=400)
    chosen = form.cleaned_data
    return _open_or_queue(
        request, access.collaboration, chosen["period"], chosen["scope"]
    )


@login_required
def generating(request: HttpRequest, code: Any) -> HttpResponse:
    """A picture being generated: its progress, polled; it ends on the picture."""
    access = require_access(request, Cap.APPROVE_PICTURE)
    job = get_object_or_404(
        Job.objects.visible_to(access).filter(kind=Job.Kind.PICTURE), code=code
    )
    if job.status == Job.Status.DONE and job.result_url:
        return redirect(job.result_url)
    return render(request, "pictures/generating.html", {"job": job})


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
    map_areas = [{**a, "fill": shown.get(a["code"], "")} for a in m.get("areas", [])]
    cells = m.get("cells", []) + extra_cells
    view = hotspot_view(m.get("cells", []))
    svg = map_svg(
        areas=map_areas,
        points=m.get("points", []),
        cells=cells,
        point_colours=POINT_COLOURS,
        label=(
            _("Map of the hotspots and the reports around them, %(p)s")
            if view
            else _("Map of reports and hotspot cells, %(p)s")
        )
        % {"p": picture.label},
        view=view,
    )
    overview = (
        map_svg(
            areas=map_areas,
            cells=cells,
            width=220,
            margin=4,
            frame=view,
            decorative=True,
        )
        if view
        else ""
    )
    deviations = {d["trace"]: d for d in fig.get("deviations", [])}
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
        "priority": priority_context(picture, fig),
        "recurring": recurring_context(picture, fig),
        "categories": categories,
        "area_statuses": statuses,
        "map_svg": mark_safe(svg),  # noqa: S308 (escaped in svgchart)
        "overview_svg": mark_safe(overview),  # noqa: S308 (escaped in svgchart)
        "legend": legend,
        "colours": COLOURS,
        # A deviation named in the summary offers its intervention right there.
        "headlines": [
            {**h, "deviation": deviations.get(h.get("trace"))}
            for h in (fig.get("summary") or {}).get("headlines", [])
        ],
        "changes": briefing.changes(fig),
        "status_counts": briefing.status_counts(statuses),
        "new_hotspots": len(briefing.new_hotspots(fig)),
    }


# The zoomed map shows at least this many metres across, with this margin around
# the hotspots, so a single cell is seen with its streets' neighbourhood.
ZOOM_MIN_SPAN = 2500.0
ZOOM_MARGIN = 500.0
ZOOM_CELLS = 6


def hotspot_view(
    cells: list[dict[str, Any]],
) -> tuple[float, float, float, float] | None:
    """The window around the busiest hotspot cells (None: no hotspot, show all)."""
    top = sorted(cells, key=lambda c: -c.get("count", 0))[:ZOOM_CELLS]
    if not top:
        return None
    x0 = min(c["x0"] for c in top) - ZOOM_MARGIN
    y0 = min(c["y0"] for c in top) - ZOOM_MARGIN
    x1 = max(c["x1"] for c in top) + ZOOM_MARGIN
    y1 = max(c["y1"] for c in top) + ZOOM_MARGIN
    grow_x = max(0.0, ZOOM_MIN_SPAN - (x1 - x0)) / 2
    grow_y = max(0.0, ZOOM_MIN_SPAN - (y1 - y0)) / 2
    return (x0 - grow_x, y0 - grow_y, x1 + grow_x, y1 + grow_y)


def recurring_context(
    picture: SituationPicture, fig: dict[str, Any]
) -> list[dict[str, Any]]:
    """The picture's proposals for a "fördjupad analys", with any started one."""
    from samsyn.problems.models import started_for

    found = fig.get("recurring") or []
    if not found:
        return []
    started = started_for(picture.collaboration, picture.kind, picture.label)
    return [
        {**p, "picture": picture, "analysis": started.get((p["area"], p["category"]))}
        for p in found
    ]


def priority_context(picture: SituationPicture, fig: dict[str, Any]) -> dict | None:
    """The prioritisation as shown: frozen need, the forum's current ability."""
    prio = (fig.get("analysis") or {}).get("priority")
    if not prio:
        return None
    rows = priority_rows(
        prio.get("rows", []), current_abilities(picture), prio.get("suggestions")
    )
    codes = dict(
        Area.objects.in_collaboration(picture.collaboration)
        .filter(ref__in=[r["area"] for r in rows])
        .order_by("-level")  # an area's own row before a district with its ref
        .values_list("ref", "code")
    )
    for r in rows:
        r["code"] = codes.get(r["area"])
    return {
        "rows": rows,
        "rule": rule_text(),
        "notes": priority_notes(prio.get("rows", [])),
        "levels": AreaAbility.Level.choices,
        "history": picture.abilities.select_related("area", "set_by").order_by(
            "-created", "-id"
        )[:30],
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
            "can_start_analysis": access.can(Cap.MANAGE_INTERVENTIONS),
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
    return _open_or_queue(
        request, picture.collaboration, period, picture.scope, new_version=True
    )


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


def traced_reports(access: Access, codes: list[str]) -> Any:
    """The reports behind a figure that `access` may see, newest first."""
    return (
        Report.objects.visible_to(access)
        .filter(code__in=codes)
        .select_related("category", "area", "organisation")
        .order_by("-occurred_at")[:500]
    )


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
    reports = traced_reports(access, codes)
    return render(
        request,
        "pictures/trace.html",
        {"picture": picture, "reports": reports, "key": key, "total": len(codes)},
    )


@login_required
@require_POST
def ability(request: HttpRequest, code: Any) -> HttpResponse:
    """The forum's ability to influence for one area (a new, audited row)."""
    access, picture = _picture(request, code, Cap.APPROVE_PICTURE)
    area = (
        Area.objects.in_collaboration(access.collaboration)
        .filter(code=_uuid_or_none(request.POST.get("area")))
        .first()
    )
    if area is None:
        messages.error(request, _("Choose an area from the list."))
        return redirect(reverse("pictures:detail", args=[picture.code]) + "#priority")
    try:
        set_area_ability(
            picture,
            area,
            request.POST.get("level", ""),
            request.POST.get("reason", ""),
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(
            request,
            _("Ability to influence saved for %(area)s.") % {"area": area.name},
        )
    except PersonalDataFound:
        messages.error(
            request,
            _(
                "The reason seems to contain personal data (a personal identity "
                "number, phone number or e-mail address). Remove it and save again."
            ),
        )
    except PictureError as exc:
        messages.error(request, str(exc))
    return redirect(
        reverse("pictures:detail", args=[picture.code]) + f"#ability-{area.code}"
    )


def _uuid_or_none(value: Any) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None
