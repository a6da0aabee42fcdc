"""Guard planning pages: plans for the week, the guards' phone page, settings."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import get_access
from samsyn.patrols import wording
from samsyn.patrols.actions import (
    AlreadyPublished,
    generate_patrol_plan,
    publish_patrol_plan,
    report_visit,
    save_patrol_settings,
)
from samsyn.patrols.forms import GenerateForm, SettingsForm, VisitReportForm, next_week
from samsyn.patrols.models import (
    WEEKDAYS,
    PatrolPlan,
    PatrolSettings,
    PatrolVisit,
    guard_reporting_organisation,
    is_guard,
)


def _reader(request: HttpRequest) -> Access:
    """Anyone who may see published plans: readers of reports and guards."""
    access = get_access(request)
    if not (
        access.can(Cap.PLAN_PATROLS) or access.can(Cap.VIEW_REPORTS) or is_guard(access)
    ):
        raise Http404
    return access


def _planner(request: HttpRequest) -> Access:
    access = get_access(request)
    if not access.can(Cap.PLAN_PATROLS):
        raise Http404
    return access


@login_required
def index(request: HttpRequest) -> HttpResponse:
    access = _reader(request)
    plans = PatrolPlan.objects.visible_to(access)[:30]
    year, week = next_week()
    form = GenerateForm(initial={"iso_year": year, "iso_week": week})
    return render(
        request,
        "patrols/index.html",
        {
            "plans": plans,
            "form": form,
            "can_plan": access.can(Cap.PLAN_PATROLS),
            "is_guard": is_guard(access),
        },
    )


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    access = _planner(request)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an existing year and week."))
        return redirect("patrols:index")
    assert access.collaboration is not None  # noqa: S101 - _planner guarantees it
    plan = generate_patrol_plan(
        access.collaboration,
        form.cleaned_data["iso_year"],
        form.cleaned_data["iso_week"],
        by=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, _("A draft plan was made. Check it, then publish it."))
    return redirect("patrols:plan", code=plan.code)


def _days(plan: PatrolPlan) -> list[dict[str, Any]]:
    """Visits by team, then by day (every day of the week, empty ones too)."""
    visits = list(
        plan.visits.select_related("visit_report").order_by("team", "starts_at")
    )
    teams = plan.inputs.get("teams") or max((v.team for v in visits), default=1)
    tz = timezone.get_current_timezone()
    out = []
    for team in range(1, teams + 1):
        mine = [v for v in visits if v.team == team]
        by_day = {
            k: list(g)
            for k, g in groupby(
                mine, key=lambda v: v.starts_at.astimezone(tz).weekday()
            )
        }
        out.append(
            {
                "team": team,
                "count": len(mine),
                "days": [
                    {"name": WEEKDAYS[d], "visits": by_day.get(d, [])} for d in range(7)
                ],
            }
        )
    return out


@login_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    access = _reader(request)
    plan = get_object_or_404(PatrolPlan.objects.visible_to(access), code=code)
    monday = date.fromisocalendar(plan.iso_year, plan.iso_week, 1)
    return render(
        request,
        "patrols/plan.html",
        {
            "plan": plan,
            "teams": _days(plan),
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "can_plan": access.can(Cap.PLAN_PATROLS),
            "ranking": [
                {**r, "location": wording.location_label(r, r.get("location", ""))}
                for r in plan.ranking[:15]
            ]
            if access.can(Cap.PLAN_PATROLS)
            else [],
            "weekdays": WEEKDAYS,
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    access = _planner(request)
    plan = get_object_or_404(PatrolPlan.objects.visible_to(access), code=code)
    try:
        publish_patrol_plan(plan, by=request.user)  # type: ignore[arg-type]
    except AlreadyPublished:
        messages.info(request, _("The plan was already published."))
    else:
        messages.success(request, _("Published: the guards now see the plan."))
    return redirect("patrols:plan", code=plan.code)


def _current_plan(access: Access) -> PatrolPlan | None:
    year, week, _ = timezone.localdate().isocalendar()
    return (
        PatrolPlan.objects.visible_to(access)
        .filter(status=PatrolPlan.Status.PUBLISHED, iso_year=year, iso_week=week)
        .order_by("-published_at", "-created")
        .first()
    )


def _guard_or_planner(request: HttpRequest) -> Access:
    access = get_access(request)
    if not (is_guard(access) or access.can(Cap.PLAN_PATROLS)):
        raise Http404
    return access


@login_required
def today(request: HttpRequest) -> HttpResponse:
    access = _guard_or_planner(request)
    plan = _current_plan(access)
    teams = plan.inputs.get("teams", 1) if plan else 0
    try:
        team = int(request.GET.get("team") or request.session.get("patrol_team") or 1)
    except ValueError:
        team = 1
    team = min(max(team, 1), max(teams, 1))
    request.session["patrol_team"] = team
    day = timezone.localdate()
    visits: list[PatrolVisit] = []
    if plan:
        visits = list(
            plan.visits.select_related("visit_report")
            .filter(team=team, starts_at__date=day)
            .order_by("starts_at")
        )
    return render(
        request,
        "patrols/today.html",
        {
            "plan": plan,
            "team": team,
            "team_numbers": range(1, teams + 1),
            "visits": visits,
            "day": day,
            "can_report": guard_reporting_organisation(access) is not None,
        },
    )


@login_required
def visit_report(request: HttpRequest, code: str) -> HttpResponse:
    access = _guard_or_planner(request)
    visit = get_object_or_404(
        PatrolVisit.objects.select_related("plan", "place").filter(
            plan__in=PatrolPlan.objects.visible_to(access).filter(
                status=PatrolPlan.Status.PUBLISHED
            )
        ),
        code=code,
    )
    organisation = guard_reporting_organisation(access)
    if organisation is None:
        raise Http404  # only guards report visits
    done = getattr(visit, "visit_report", None)
    form = VisitReportForm(request.POST or None, collaboration=visit.plan.collaboration)
    if request.method == "POST" and done is None and form.is_valid():
        data = form.cleaned_data
        result = report_visit(
            access,
            visit,
            by=request.user,  # type: ignore[arg-type]
            organisation=organisation,
            outcome=data["outcome"],
            note=data["note"],
            people_count=data["people_count"],
            category=data["category_obj"],
        )
        if result.created:
            messages.success(request, _("Saved. Thank you!"))
        return redirect(f"{_today_url()}?team={visit.team}")
    if request.method == "POST" and done is not None:
        return redirect(f"{_today_url()}?team={visit.team}")
    return render(
        request,
        "patrols/visit.html",
        {"visit": visit, "form": form, "done": done},
        status=422 if request.method == "POST" else 200,
    )


def _today_url() -> str:
    return reverse("patrols:today")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    access = _planner(request)
    assert access.collaboration is not None  # noqa: S101
    instance = PatrolSettings.for_collaboration(access.collaboration)
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        save_patrol_settings(form.save(commit=False), by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Settings saved."))
        return redirect("patrols:settings")
    return render(request, "patrols/settings.html", {"form": form})
