"""Build the feedback summary's PDF as a job, with the picture PDF's stages."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django_tasks import task

from samsyn.feedback.summary import build_summary, parse_period
from samsyn.jobs.files import access_key
from samsyn.jobs.models import Job
from samsyn.jobs.pdf import html_to_pdf, keep_as_job_result, queue_pdf_job, run_pdf_job
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration


def summary_pdf_subject(access: Access, period_key: str) -> str:
    """The collaboration, the period, the reader and the reader's rights."""
    assert access.collaboration is not None  # noqa: S101 - members only
    user_id = access.user.pk if access.user is not None else 0
    return (
        f"feedback.summary:{access.collaboration.pk}:{period_key}:pdf:"
        f"{user_id}:{access_key(access)}"
    )


def queue_summary_pdf(access: Access, period_key: str) -> Job:
    """The reader's unfinished job for this summary's PDF, or a new one queued."""
    collaboration = access.collaboration
    assert collaboration is not None  # noqa: S101 - members only
    url = reverse("feedback:summary_pdf")
    return queue_pdf_job(
        Job.Kind.OTHER,
        collaboration=collaboration,
        owner=access.user,
        subject=summary_pdf_subject(access, period_key),
        label=period_key,
        result_url=lambda job: (
            f"{url}?{urlencode({'period': period_key, 'job': job.code})}"
        ),
        enqueue=lambda job: build_summary_pdf.enqueue(
            collaboration.pk,
            period_key,
            access.can(Cap.VIEW_RESTRICTED),
            job.pk,
        ),
    )


def render_summary_pdf(ctx: dict) -> bytes:
    return html_to_pdf(render_to_string("feedback/summary_print.html", ctx))


@task()
def build_summary_pdf(
    collaboration_id: int,
    period_key: str,
    include_restricted: bool,
    job_id: int | None = None,
) -> None:
    collaboration = Collaboration.objects.get(pk=collaboration_id)

    def collect() -> dict[str, Any]:
        period = parse_period(period_key)
        return build_summary(
            collaboration, period, include_restricted=include_restricted
        )

    def store(ctx: dict[str, Any], data: bytes, job: Job | None) -> None:
        name = f"feedback-{collaboration.slug}-{ctx['period'].key}.pdf"
        keep_as_job_result(job, name, data)

    run_pdf_job(
        job_id,
        label=period_key,
        collect=collect,
        lay_out=render_summary_pdf,
        store=store,
    )
