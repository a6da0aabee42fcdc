"""Build a picture's PDF with WeasyPrint from the same templates as the page."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django_tasks import task

from samsyn.jobs.models import Job
from samsyn.jobs.pdf import (
    html_to_pdf,
    keep_on_document,
    queue_document_pdf,
    run_pdf_job,
)
from samsyn.jobs.runner import job_progress
from samsyn.organisations.access import Access
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
