"""Pages of problem analyses: proposals, an analysis, its traced reports, and an
intervention made from it."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samsyn.areas.models import Area
from samsyn.interventions import actions as iv_actions
from samsyn.interventions.forms import QuickForm
from samsyn.interventions.models import Intervention
from samsyn.lib.weeks import parse_period
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import require_access
from samsyn.pictures.figures import visible_trace
from samsyn.pictures.models import SituationPicture
from samsyn.pictures.views import traced_reports
from samsyn.problems import actions
from samsyn.problems.models import TEXT_FIELDS_ALL, ProblemAnalysis, started_for
from samsyn.reports.models import Category

TRIGGER = "problem_analysis"


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _analysis(
    request: HttpRequest, code: Any, cap: Cap = Cap.VIEW_REPORTS
) -> tuple[Access, ProblemAnalysis]:
    access = require_access(request, cap)
    qs = ProblemAnalysis.objects.visible_to(access).select_related(
        "area", "category", "picture", "created_by"
    )
    return access, get_object_or_404(qs, code=code)


def open_proposals(access: Access, limit: int = 6) -> list[dict[str, Any]]:
    """Proposals of the latest whole-collaboration picture that has them, with the
    analysis already started for each, if any."""
    pic = (
        SituationPicture.objects.visible_to(access)
        .filter(scope__isnull=True, figures__has_key="recurring")
        .exclude(figures__recurring=[])
        .order_by("-created", "-pk")
        .first()
    )
    if pic is None:
        return []
    started = started_for(pic.collaboration, pic.kind, pic.label)
    return [
        {
            **p,
            "picture": pic,
            "analysis": started.get((p["area"], p["category"])),
        }
        for p in pic.figures["recurring"][:limit]
    ]


@login_required
def analysis_list(request: HttpRequest) -> HttpResponse:
    access = require_access(request, Cap.VIEW_REPORTS)
    return render(
        request,
        "problems/list.html",
        {
            "proposals": open_proposals(access, limit=50),
            "analyses": ProblemAnalysis.objects.visible_to(access).select_related(
                "area", "category"
            )[:200],
            "can_start": access.can(Cap.MANAGE_INTERVENTIONS),
        },
    )


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start the analysis a picture proposes (only a proposal it really holds)."""
    access = require_access(request, Cap.MANAGE_INTERVENTIONS)
    picture = (
        SituationPicture.objects.visible_to(access)
        .filter(code=_uuid(request.POST.get("picture")))
        .first()
    )
    if picture is None:
        raise Http404
    area_code, category = request.POST.get("area", ""), request.POST.get("category", "")
    proposal = next(
        (
            p
            for p in picture.figures.get("recurring", [])
            if p["area"] == area_code and p["category"] == category
        ),
        None,
    )
    if proposal is None:
        messages.error(request, _("The picture does not propose that analysis."))
        return redirect("pictures:detail", code=picture.code)
    collab = picture.collaboration
    area = get_object_or_404(
        Area.objects.in_collaboration(collab), code=_uuid(area_code)
    )
    cat = get_object_or_404(Category.objects.in_collaboration(collab), code=category)
    analysis = actions.start_analysis(
        collab,
        area,
        cat,
        parse_period(picture.kind, picture.label),
        proposal["flagged"],
        by=request.user,  # type: ignore[arg-type]
        picture=picture,
    )
    return redirect("problems:detail", code=analysis.code)


WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


def _bars(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    top = max((i["count"] for i in items), default=0)
    return [{**i, "pct": round(100 * i["count"] / top) if top else 0} for i in items]


@login_required
def detail(request: HttpRequest, code: Any) -> HttpResponse:
    access, analysis = _analysis(request, code)
    can_edit = access.can(Cap.MANAGE_INTERVENTIONS)
    error = None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        try:
            actions.save_text(analysis, request.POST, by=request.user)  # type: ignore[arg-type]
            messages.success(request, _("The analysis was saved."))
            return redirect("problems:detail", code=analysis.code)
        except actions.AnalysisError as exc:
            error = str(exc)
            for name in TEXT_FIELDS_ALL:
                setattr(analysis, name, request.POST.get(name, ""))
    fig = analysis.figures_for(access)
    from samsyn.interventions.followup import verdict

    tried = []
    for iv in actions.tried(analysis):
        evs = sorted(iv.evaluations.all(), key=lambda e: (e.created, e.pk))
        tried.append(
            {
                "iv": iv,
                "from_here": analysis.interventions.filter(pk=iv.pk).exists(),
                "verdict": verdict(evs[-1]).sentences if evs else None,
            }
        )
    weekdays = _bars(fig.get("weekdays", []))
    for w in weekdays:
        w["name"] = WEEKDAYS[w["day"]]
    return render(
        request,
        "problems/detail.html",
        {
            "analysis": analysis,
            "fig": fig,
            "periods": _bars(fig.get("by_period", [])),
            "weekdays": weekdays,
            "hours": _bars(fig.get("hours", [])),
            "tried": tried,
            "can_edit": can_edit,
            "error": error,
            "fields": [
                (name, ProblemAnalysis._meta.get_field(name).verbose_name)
                for name in TEXT_FIELDS_ALL
            ],
        },
        status=422 if error else 200,
    )


@login_required
def trace(request: HttpRequest, code: Any, key: str) -> HttpResponse:
    access, analysis = _analysis(request, code)
    if key not in analysis.trace:
        raise Http404
    codes = visible_trace(analysis.trace[key], access)
    reports = traced_reports(access, codes)
    return render(
        request,
        "problems/trace.html",
        {"analysis": analysis, "reports": reports, "total": len(codes)},
    )


@login_required
def intervention(request: HttpRequest, code: Any) -> HttpResponse:
    """Record an intervention from the analysis, prefilled and linked to it."""
    access, analysis = _analysis(request, code, Cap.MANAGE_INTERVENTIONS)
    places = analysis.figures.get("places") or []
    top_place = None
    if places:
        pid = places[0]["trace"].split(":", 1)[1]
        top_place = (
            analysis.area.places.filter(pk=pid).first() if pid.isdigit() else None
        )
    problem = analysis.conclusion or _(
        "%(category)s in %(area)s: flagged in %(n)s of the last %(m)s periods."
    ) % {
        "category": analysis.category.name,
        "area": analysis.area.name,
        "n": len(analysis.flagged),
        "m": len(analysis.periods),
    }
    initial = {
        "title": f"{analysis.category.name} – {analysis.area.name}"[:200],
        "problem": problem[:2000],
        "area": analysis.area.pk,
        "category": analysis.category.pk,
        "place": top_place.pk if top_place else None,
        "starts_on": timezone.localdate(),
        "status": Intervention.Status.PROPOSED,
        "owner": min(access.organisation_ids, default=None),
        "trigger_text": (
            _("In-depth analysis: %(category)s in %(area)s")
            % {"category": analysis.category.name, "area": analysis.area.name}
        )[:300],
    }
    form = QuickForm(
        request.POST or None, initial=initial, collaboration=access.collaboration
    )
    if request.method == "POST" and form.is_valid():
        data = form.intervention_data()
        data["trigger_type"] = TRIGGER
        data["trigger_code"] = str(analysis.code)
        iv = iv_actions.register_intervention(
            access.collaboration,  # type: ignore[arg-type]
            data,
            by=request.user,  # type: ignore[arg-type]
        )
        actions.link_intervention(analysis, iv, by=request.user)  # type: ignore[arg-type]
        messages.success(
            request,
            _("The intervention “%(title)s” was recorded.") % {"title": iv.title},
        )
        return redirect("problems:detail", code=analysis.code)
    return render(
        request,
        "problems/intervention.html",
        {"form": form, "analysis": analysis},
        status=422 if request.method == "POST" else 200,
    )
