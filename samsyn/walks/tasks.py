"""Build a safety walk's report PDF as a job, with the picture PDF's stages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language
from django_tasks import task

from samsyn.jobs.files import access_key
from samsyn.jobs.models import Job
from samsyn.jobs.pdf import (
    content_digest,
    keep_as_job_result,
    queue_pdf_job,
    run_pdf_job,
)
from samsyn.organisations.access import Access
from samsyn.walks.models import Walk
from samsyn.walks.report import walk_html, walk_observations, walk_pdf


def walk_pdf_subject(walk: Walk, access: Access) -> str:
    """The reader, the walk and the reader's rights: a job is one reader's. The
    queued job's subject adds the language and a digest of the content."""
    user_id = access.user.pk if access.user is not None else 0
    return f"{Job.subject_for(walk)}:pdf:{user_id}:{access_key(access)}"


def queue_walk_pdf(walk: Walk, access: Access, base_url: str) -> Job:
    """The reader's PDF of the walk as it is now, in the reader's language: a done
    job when one made the same file, else the unfinished one, else a new one."""
    url = reverse("walks:pdf", args=[walk.code])
    language = get_language() or "sv"
    digest = content_digest(walk_html(walk, walk_observations(walk)))
    return queue_pdf_job(
        Job.Kind.OTHER,
        collaboration=walk.collaboration,
        owner=access.user,
        subject=f"{walk_pdf_subject(walk, access)}:{language}:{digest}",
        label=f"{walk.title} {walk.date}".strip(),
        result_url=lambda job: f"{url}?job={job.code}",
        enqueue=lambda job: build_walk_pdf.enqueue(walk.pk, base_url, job.pk, language),
        reuse_done=True,
    )


@task()
def build_walk_pdf(
    walk_id: int, base_url: str, job_id: int | None = None, language: str = ""
) -> None:
    walk = Walk.objects.select_related("collaboration", "area").get(pk=walk_id)
    run_pdf_job(
        job_id,
        label=str(walk.date),
        collect=lambda: walk_observations(walk),
        lay_out=lambda observations: walk_pdf(walk, observations, base_url),
        store=lambda _observations, data, job: keep_as_job_result(
            job, f"walk-{walk.date}.pdf", data
        ),
        language=language or None,
    )
