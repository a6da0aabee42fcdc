"""Jobs: the list of one's jobs, one job's page, and its polled progress part."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from samsyn.jobs.models import Job
from samsyn.organisations.middleware import get_access


def _job(request: HttpRequest, code: Any) -> Job:
    access = get_access(request)
    if not access.is_member:
        raise Http404
    return get_object_or_404(Job.objects.visible_to(access), code=code)


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    access = get_access(request)
    if not access.is_member:
        raise Http404
    jobs = Job.objects.visible_to(access)[:50]
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
@require_GET
def detail(request: HttpRequest, code: Any) -> HttpResponse:
    return render(request, "jobs/detail.html", {"job": _job(request, code)})


@login_required
@require_GET
def progress(request: HttpRequest, code: Any) -> HttpResponse:
    """The progress part alone; it polls itself every second while the job runs.

    A job whose result is a page (a generated picture) sends the polling page on to
    it when done (htmx follows ``HX-Redirect``)."""
    job = _job(request, code)
    response = render(request, "jobs/_progress.html", {"job": job})
    response["Cache-Control"] = "no-store"
    if (
        job.kind in OPENS_WHEN_DONE
        and job.status == Job.Status.DONE
        and job.result_url
        and request.headers.get("HX-Request")
    ):
        response["HX-Redirect"] = job.result_url
    return response


# Jobs that make a page rather than a file: the page opens when they are done.
OPENS_WHEN_DONE = {Job.Kind.PICTURE}
