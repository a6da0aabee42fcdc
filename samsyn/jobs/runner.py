"""Run work under a ``Job``: the bridge between tasks and ``samsyn.lib.progress``."""

from __future__ import annotations

from typing import Any, TextIO

from samsyn.jobs.models import Job
from samsyn.lib.progress import Progress


def job_progress(
    job_id: int | None,
    *,
    label: str = "",
    stream: TextIO | None = None,
    **kwargs: Any,
) -> Progress:
    """A reporter persisting to the job ``job_id`` (none: only the stream, if any).

    A job id that no longer exists (the row was deleted) is not an error: the
    work still runs, unobserved.
    """
    job = Job.objects.filter(pk=job_id).first() if job_id else None
    return Progress(job=job, label=label, stream=stream, **kwargs)
