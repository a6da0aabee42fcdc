"""Safety walk pages: list, plan, one walk, the phone page for observations,
follow-ups, the report PDF and observation photos."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samsyn.jobs.files import open_result
from samsyn.jobs.models import Job
from samsyn.lib.limits import max_body
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.middleware import get_access
from samsyn.reports.views import _map_settings
from samsyn.walks.actions import (
    CannotConvert,
    finish_walk,
    observation_to_intervention,
    observation_to_report,
    plan_walk,
    record_observation,
)
from samsyn.walks.forms import (
    MAX_PHOTO_BYTES,
    FollowUpForm,
    ObservationForm,
    WalkForm,
)
from samsyn.walks.models import Walk, WalkObservation, photo_type
from samsyn.walks.report import route_svg


def _access(request: HttpRequest, cap: Cap) -> Access:
    access = get_access(request)
    if not access.can(cap):
        raise Http404
    return access


def _walk(access: Access, code: str) -> Walk:
    return get_object_or_404(
        Walk.objects.visible_to(access).select_related("area"), code=code
    )


def _observation(access: Access, code: str) -> WalkObservation:
    return get_object_or_404(
        WalkObservation.objects.filter(
            walk__in=Walk.objects.visible_to(access)
        ).select_related("walk", "category", "report__owner", "intervention"),
        code=code,
    )


@login_required
def walk_list(request: HttpRequest) -> HttpResponse:
    access = _access(request, Cap.VIEW_REPORTS)
    walks = Walk.objects.visible_to(access).select_related("area")
    return render(
        request,
        "walks/list.html",
        {"walks": walks, "can_plan": access.can(Cap.MANAGE_INTERVENTIONS)},
    )


@login_required
def walk_new(request: HttpRequest) -> HttpResponse:
    access = _access(request, Cap.MANAGE_INTERVENTIONS)
    collab = access.collaboration
    assert collab is not None  # noqa: S101
    form = WalkForm(request.POST or None, collaboration=collab)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["organisations"] = list(data["organisations"])
        walk = plan_walk(collab, data, by=request.user)
        return redirect("walks:detail", code=walk.code)
    return render(
        request,
        "walks/new.html",
        {"form": form, "map": _map_settings()},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def walk_detail(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request, Cap.VIEW_REPORTS)
    walk = _walk(access, code)
    observations = list(
        walk.observations.select_related("category", "report__owner", "intervention")
    )
    return render(
        request,
        "walks/detail.html",
        {
            "walk": walk,
            "observations": observations,
            "svg": route_svg(walk, observations),
            "organisations": list(walk.organisations.all()),
            "can_manage": access.can(Cap.MANAGE_INTERVENTIONS),
            "can_observe": access.can(Cap.CREATE_REPORT),
            "follow_up": FollowUpForm(collaboration=walk.collaboration),
        },
    )


@max_body(MAX_PHOTO_BYTES)
@login_required
def walk_observe(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request, Cap.CREATE_REPORT)
    walk = _walk(access, code)
    form = ObservationForm(
        request.POST or None, request.FILES or None, collaboration=walk.collaboration
    )
    if request.method == "POST" and form.is_valid():
        record_observation(walk, form.cleaned_data, by=request.user)
        messages.success(request, _("Observation saved. Next one?"))
        return redirect("walks:observe", code=walk.code)
    return render(
        request,
        "walks/observe.html",
        {
            "walk": walk,
            "form": form,
            "map": _map_settings(),
            "route": json.dumps(walk.route_points),
            "count": walk.observations.count(),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def walk_finish(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request, Cap.MANAGE_INTERVENTIONS)
    finish_walk(_walk(access, code), by=request.user)
    return redirect("walks:detail", code=code)


def _follow_up(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    access = _access(request, Cap.MANAGE_INTERVENTIONS)
    obs = _observation(access, code)
    form = FollowUpForm(request.POST, collaboration=obs.collaboration)
    if not form.is_valid():
        messages.error(request, _("Choose the responsible organisation."))
        return redirect("walks:detail", code=obs.walk.code)
    owner = form.cleaned_data["owner"]
    try:
        if kind == "report":
            observation_to_report(obs, access, owner=owner, by=request.user)
            messages.success(request, _("A report was made, with an owner."))
        else:
            observation_to_intervention(obs, owner=owner, by=request.user)
            messages.success(request, _("A proposed intervention was registered."))
    except CannotConvert:
        messages.error(request, _("This observation cannot become a report."))
    return redirect("walks:detail", code=obs.walk.code)


@login_required
@require_POST
def observation_report(request: HttpRequest, code: str) -> HttpResponse:
    return _follow_up(request, code, "report")


@login_required
@require_POST
def observation_intervention(request: HttpRequest, code: str) -> HttpResponse:
    return _follow_up(request, code, "intervention")


@login_required
def observation_photo(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request, Cap.VIEW_REPORTS)
    obs = _observation(access, code)
    if not obs.photo:
        raise Http404
    with obs.photo.open("rb") as f:
        data = f.read()
    # The type read from the bytes, never from the stored name; anything that is
    # not an accepted image (stored before the check) is only a download.
    found = photo_type(data)
    if found is None:
        response = HttpResponse(data, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{obs.code}"'
    else:
        content_type, suffix = found
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{obs.code}.{suffix}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def walk_report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The walk's report PDF, built as a job: the pending page shows its progress,
    and ``?job=<code>`` serves the finished file to the reader who asked for it."""
    from samsyn.walks.tasks import queue_walk_pdf, walk_pdf_subject

    access = _access(request, Cap.VIEW_REPORTS)
    walk = _walk(access, code)
    job = None
    if request.GET.get("job"):
        job = _job(access, request.GET["job"], walk_pdf_subject(walk, access))
    if job is None:
        job = queue_walk_pdf(walk, access, request.build_absolute_uri("/"))
    stored = open_result(job) if job.status == Job.Status.DONE else None
    if stored is None:
        return render(request, "walks/pdf_pending.html", {"walk": walk, "job": job})
    name, data = stored
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _job(access: Access, code: str, subject: str) -> Job:
    """The reader's own job for this walk (under the same rights; any language or
    state of the walk it was made for), or 404."""
    try:
        uuid.UUID(code)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        Job.objects.visible_to(access).filter(
            owner=access.user, subject__startswith=f"{subject}:"
        ),
        code=code,
    )
