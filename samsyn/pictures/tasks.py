"""Background work of pictures: generating one (as a job with progress, since a
tertial takes seconds), and building its PDF with WeasyPrint from the same templates
as the page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from samsyn.jobs.models import Job
from samsyn.jobs.pdf import (
    html_to_pdf,
    keep_on_document,
    queue_document_pdf,
    run_pdf_job,
)
from samsyn.jobs.runner import job_progress
from samsyn.lib.weeks import Period, parse_period
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration
from samsyn.pictures.models import PictureEvent, SituationPicture


def print_html(picture: SituationPicture) -> str:
    from samsyn.pictures.views import picture_context

    # The stored PDF is one file for every reader, so it is built as a reader
    # without VIEW_RESTRICTED would see the page: no restricted details.
    ctx = picture_context(picture, Access(user=None, collaboration=None))
    ctx["print"] = True
    return render_to_string("pictures/print.html", ctx)


def queue_picture_pdf(picture: SituationPicture, *, by: Any = None) -> Job:
    """The job building this version's PDF: the running one, or a new one queued."""
    return queue_document_pdf(
        picture,
        Job.Kind.PICTURE_PDF,
        label=picture.label,
        url_name="pictures:pdf",
        build=build_picture_pdf,
    )


@task()
def build_picture_pdf(picture_id: int, job_id: int | None = None) -> None:
    picture = SituationPicture.objects.select_related(
        "collaboration", "scope", "approved_by", "created_by"
    ).get(pk=picture_id)
    if picture.pdf and picture.pdf_built_for == picture.updated:
        # Run again after its worker died once the file was kept (samsyn/jobs/
        # workers.py): the PDF of this version exists; only the job is left to end.
        with job_progress(job_id, label=picture.label) as progress:
            progress.update(3, 3)
        return

    def store(_html: str, data: bytes, _job: Job | None) -> None:
        name = f"{picture.collaboration.slug}-{picture.label}-v{picture.version}.pdf"
        keep_on_document(picture, name, data)
        PictureEvent.objects.create(
            picture=picture, kind=PictureEvent.Kind.PDF, data={"bytes": len(data)}
        )

    run_pdf_job(
        job_id,
        label=picture.label,
        collect=lambda: print_html(picture),
        lay_out=html_to_pdf,
        store=store,
    )


# The steps compute_figures names (samsyn/pictures/figures.py), for the progress bar.
PICTURE_STEPS = {"week": 5, "month": 5, "quarter": 6, "tertial": 6, "year": 6}


def queue_picture(
    collab: Collaboration,
    period: Period,
    scope: Any,
    *,
    by: Any,
    new_version: bool = False,
) -> Job:
    """The job generating this picture: the running one, or a new one queued.

    With the immediate task backend (tests, a bare install) the job has finished
    when this returns; with a worker the page shows its progress.
    """
    from samsyn.lib.weeks import week_label

    scope_id = scope.pk if scope is not None else None
    subject = ":".join(
        [
            "picture",
            str(collab.pk),
            period.kind,
            period.label,
            str(scope_id or ""),
            "new" if new_version else "",
        ]
    )
    label = (
        week_label(period.start, with_year=True)
        if period.kind == "week"
        else period.label
    )
    job, created = Job.queue(
        Job.Kind.PICTURE,
        collaboration=collab,
        # Shared work: any member who asks for the same picture follows this job.
        owner=None,
        subject=subject,
        label=label + (f" · {scope.name}" if scope is not None else ""),
    )
    if created:
        build_picture.enqueue(
            collab.pk, period.kind, period.label, scope_id, by.pk, new_version, job.pk
        )
        job.refresh_from_db()
    return job


@task()
def build_picture(
    collaboration_id: int,
    kind: str,
    label: str,
    scope_id: int | None,
    user_id: int,
    new_version: bool,
    job_id: int | None = None,
) -> int:
    """Generate (or open) the picture, reporting each step; returns its id."""
    from samsyn.areas.models import Area
    from samsyn.pictures.actions import generate_picture

    collab = Collaboration.objects.get(pk=collaboration_id)
    scope = Area.objects.get(pk=scope_id) if scope_id else None
    user = get_user_model().objects.get(pk=user_id)
    with job_progress(job_id, label=label) as progress:
        progress.total = PICTURE_STEPS.get(kind, 6)

        def stage(name: str) -> None:
            if progress.stage_name:
                progress.advance()
            progress.stage(name)

        picture = generate_picture(
            collab,
            kind,
            parse_period(kind, label),
            scope,
            by=user,
            new_version=new_version,
            stage=stage,
        )
        progress.finish(result_url=reverse("pictures:detail", args=[picture.code]))
    return picture.pk
