"""Build a safety walk's report PDF as a job, with the picture PDF's stages."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from samsyn.jobs.files import access_key
from samsyn.jobs.models import Job
from samsyn.jobs.pdf import keep_as_job_result, queue_pdf_job, run_pdf_job
from samsyn.organisations.access import Access
from samsyn.walks.models import Walk, WalkObservation
from samsyn.walks.report import walk_pdf


def walk_pdf_subject(walk: Walk, access: Access) -> str:
    """The reader, the walk and the reader's rights: a job is one reader's."""
    user_id = access.user.pk if access.user is not None else 0
    return f"{Job.subject_for(walk)}:pdf:{user_id}:{access_key(access)}"


def queue_walk_pdf(walk: Walk, access: Access, base_url: str) -> Job:
    """The reader's unfinished job for this walk's PDF, or a new one queued."""
    url = reverse("walks:pdf", args=[walk.code])
    return queue_pdf_job(
        Job.Kind.OTHER,
        collaboration=walk.collaboration,
        owner=access.user,
        subject=walk_pdf_subject(walk, access),
        label=f"{walk.title} {walk.date}".strip(),
        result_url=lambda job: f"{url}?job={job.code}",
        enqueue=lambda job: build_walk_pdf.enqueue(walk.pk, base_url, job.pk),
    )


@task()
def build_walk_pdf(walk_id: int, base_url: str, job_id: int | None = None) -> None:
    walk = Walk.objects.select_related("collaboration", "area").get(pk=walk_id)

    def collect() -> list[WalkObservation]:
        return list(
            walk.observations.select_related(
                "category", "report__owner", "intervention"
            )
        )

    run_pdf_job(
        job_id,
        label=str(walk.date),
        collect=collect,
        lay_out=lambda observations: walk_pdf(walk, observations, base_url),
        store=lambda _observations, data, job: keep_as_job_result(
            job, f"walk-{walk.date}.pdf", data
        ),
    )
