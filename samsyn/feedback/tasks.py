"""Build the feedback summary's PDF as a job, with the picture PDF's stages."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django_tasks import task

from samsyn.feedback.summary import build_summary, parse_period
from samsyn.jobs.files import access_key
from samsyn.jobs.models import Job
from samsyn.jobs.pdf import (
    content_digest,
    html_to_pdf,
    keep_as_job_result,
    queue_pdf_job,
    run_pdf_job,
)
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
    """The reader's PDF of the summary as it is now, in the reader's language: a
    done job when one made the same file, else the unfinished one, else a new one."""
    collaboration = access.collaboration
    assert collaboration is not None  # noqa: S101 - members only
    url = reverse("feedback:summary_pdf")
    language = get_language() or "sv"
    include_restricted = access.can(Cap.VIEW_RESTRICTED)
    html = summary_html(
        build_summary(
            collaboration,
            parse_period(period_key),
            include_restricted=include_restricted,
        )
    )
    return queue_pdf_job(
        Job.Kind.OTHER,
        collaboration=collaboration,
        owner=access.user,
        subject=f"{summary_pdf_subject(access, period_key)}:{language}:"
        f"{content_digest(html)}",
        label=period_key,
        result_url=lambda job: (
            f"{url}?{urlencode({'period': period_key, 'job': job.code})}"
        ),
        enqueue=lambda job: build_summary_pdf.enqueue(
            collaboration.pk, period_key, include_restricted, job.pk, language
        ),
        reuse_done=True,
    )


def summary_html(ctx: dict) -> str:
    return render_to_string("feedback/summary_print.html", ctx)


def render_summary_pdf(ctx: dict) -> bytes:
    return html_to_pdf(summary_html(ctx))


@task()
def build_summary_pdf(
    collaboration_id: int,
    period_key: str,
    include_restricted: bool,
    job_id: int | None = None,
    language: str = "",
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
        language=language or None,
    )
