"""A PDF built as a job: queued once per subject, then three stages with progress.

Every PDF job (situation picture, annual report, walk report, feedback summary)
shows the same stages: "Collecting the figures", "Laying out the PDF" and
"Saving the PDF". Each module says what to collect, how to lay it out and where
to keep the file; :func:`run_pdf_job` does the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from samsyn.jobs.files import result_size, save_result
from samsyn.jobs.models import Job
from samsyn.jobs.runner import job_progress
from samsyn.organisations.models import Collaboration

T = TypeVar("T")


def version_label(label: Any, version: Any) -> str:
    """A job label naming a document's version ("v2" reads as a week in Swedish)."""
    return gettext("%(label)s, version %(version)s") % {
        "label": label,
        "version": version,
    }


def queue_pdf_job(
    kind: str,
    *,
    collaboration: Collaboration,
    subject: str,
    label: str,
    enqueue: Callable[[Job], Any],
    owner: Any = None,
    result_url: str | Callable[[Job], str] = "",
    reuse_done: bool = False,
) -> Job:
    """The unfinished job for ``subject``, or a new one handed to ``enqueue``.

    ``result_url`` may depend on the new job (a per-reader download names it).
    With ``reuse_done``, a finished job for the same subject whose file is still
    kept is returned as it is: the subject then names everything the PDF shows
    (a digest of its content and its language), so the same subject is the same
    file.
    """
    if reuse_done and subject:
        done = (
            Job.objects.filter(
                collaboration=collaboration,
                subject=subject,
                status=Job.Status.DONE,
                result_removed__isnull=True,
            )
            .order_by("-finished", "-pk")
            .first()
        )
        if done is not None and result_size(done) is not None:
            return done
    job, created = Job.queue(
        kind,
        collaboration=collaboration,
        owner=owner,
        subject=subject,
        label=label,
        result_url=result_url if isinstance(result_url, str) else "",
    )
    if created:
        if callable(result_url):
            job.result_url = result_url(job)
            job.save(update_fields=["result_url"])
        enqueue(job)
        job.refresh_from_db()
    return job


def queue_document_pdf(
    document: Any, kind: str, *, label: Any, url_name: str, build: Any
) -> Job:
    """The job building a versioned document's shared PDF (picture, annual report).

    One job per version (the subject carries the document's last change); the
    ``build`` task is called with the document's and the job's ids.
    """
    return queue_pdf_job(
        kind,
        collaboration=document.collaboration,
        subject=Job.subject_for(document, document.updated.timestamp()),
        label=version_label(label, document.version),
        result_url=reverse(url_name, args=[document.code]),
        enqueue=lambda job: build.enqueue(document.pk, job.pk),
    )


def run_pdf_job(
    job_id: int | None,
    *,
    label: str,
    collect: Callable[[], T],
    lay_out: Callable[[T], bytes],
    store: Callable[[T, bytes, Job | None], None],
    language: str | None = None,
) -> None:
    """Collect, lay out and store a PDF, reporting each stage to the job.

    ``store`` gets what was collected, the PDF and the job (None when the work
    runs without one).

    Collecting and laying out run in ``language`` (the reader's, passed on by the
    task), else in the current language (Swedish when none is active): the file is
    one document in one language.
    """
    with job_progress(job_id, label=label) as progress:
        progress.total = 3
        language = language or translation.get_language() or "sv"
        progress.stage(gettext_noop("Collecting the figures"))
        with translation.override(language):
            collected = collect()
        progress.advance()
        progress.stage(gettext_noop("Laying out the PDF"))
        with translation.override(language):
            data = lay_out(collected)
        progress.advance()
        progress.stage(gettext_noop("Saving the PDF"))
        job = progress.job if isinstance(progress.job, Job) else None
        store(collected, data, job)
        progress.advance()


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """A tagged PDF (PDF/UA-1): headings, tables and lists carry their structure, the
    document its language and title, so screen readers can read it (the
    accessibility law covers documents a public body publishes, not only its pages).
    """
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")


def keep_as_job_result(job: Job | None, name: str, data: bytes) -> None:
    """Store the PDF as the job's result file (work run without a job keeps none)."""
    if job is not None:
        save_result(job, name, data)


def keep_on_document(document: models.Model, name: str, data: bytes) -> None:
    """Store the PDF on a document's ``pdf`` field, marked as built for this version."""
    document.pdf.save(name, ContentFile(data), save=False)  # type: ignore[attr-defined]
    document.pdf_built_for = document.updated  # type: ignore[attr-defined]
    document.save(update_fields=["pdf", "pdf_built_for"])


def content_digest(html: str) -> str:
    """A short fingerprint of what a PDF will show (its HTML)."""
    import hashlib

    return hashlib.sha256(html.encode()).hexdigest()[:16]
