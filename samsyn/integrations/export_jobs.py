"""Large exports as jobs: built by a worker, stored, downloaded when done.

An export of more than ``SAMSYN_EXPORT_JOB_ROWS`` rows is queued as a ``Job``
owned by the member who asked for it. The worker rebuilds the member's access
from the database (so it exports exactly what the member may see at that moment),
writes the file to storage with progress per row, and audits it like an immediate
export. The job's subject carries the member, the kind, the format, the filters
and a fingerprint of the member's rights; the download finds the job by the same
subject, so a file built under other rights is never handed out.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_noop
from django_tasks import task

from samsyn.integrations.actions import export_table
from samsyn.jobs.files import access_key, save_result
from samsyn.jobs.models import Job
from samsyn.jobs.runner import job_progress
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration

DEFAULT_JOB_ROWS = 5000


def job_rows() -> int:
    """Exports with more rows than this run as a job."""
    return int(getattr(settings, "SAMSYN_EXPORT_JOB_ROWS", DEFAULT_JOB_ROWS))


def export_subject(access: Access, kind: str, fmt: str, params: dict[str, Any]) -> str:
    filters = json.dumps(params, sort_keys=True)
    digest = hashlib.sha256(filters.encode()).hexdigest()[:16]
    user_id = access.user.pk if access.user is not None else 0
    return f"export:{user_id}:{kind}:{fmt}:{access_key(access)}:{digest}"


def queue_export(
    access: Access, kind: str, fmt: str, query: dict[str, list[str]]
) -> Job:
    """The unfinished job for this export, or a new one queued for the member."""
    assert access.collaboration is not None and access.user is not None  # noqa: S101
    job, created = Job.queue(
        Job.Kind.EXPORT,
        collaboration=access.collaboration,
        owner=access.user,
        subject=export_subject(access, kind, fmt, query),
        label=f"{kind} ({fmt})",
    )
    if created:
        job.result_url = reverse("integrations:export_download", args=[job.code])
        job.save(update_fields=["result_url"])
        build_export.enqueue(
            access.user.pk, access.collaboration.pk, kind, fmt, query, job.pk
        )
        job.refresh_from_db()
    return job


@task()
def build_export(
    user_id: int,
    collaboration_id: int,
    kind: str,
    fmt: str,
    query: dict[str, list[str]],
    job_id: int | None = None,
) -> int:
    """Build the export as the member, store it under the job; returns the row count."""
    from samsyn.integrations.forms import ExportForm
    from samsyn.reports.views import _filtered

    user = get_user_model().objects.get(pk=user_id)
    collaboration = Collaboration.objects.get(pk=collaboration_id)
    with job_progress(job_id, label=f"{kind} ({fmt})") as progress:
        access = Access.for_user(user, collaboration)
        if not access.can(Cap.VIEW_REPORTS):
            raise PermissionError("no longer a member")
        data = QueryDict(mutable=True)
        for key, values in query.items():
            data.setlist(key, values)
        form = ExportForm(data, access=access)
        if not form.is_valid():
            raise ValueError("invalid export")
        qs, params = _filtered(access, form)
        job = progress.job
        export = export_table(
            access,
            kind,
            fmt,
            by=user,
            filters=params if kind == "reports" else {},
            reports=qs if kind == "reports" else None,
            progress=progress,
            audit={"job": str(job.code)} if isinstance(job, Job) else None,
            layout=form.cleaned_data.get("layout") or "machine",
        )
        if isinstance(job, Job):
            progress.stage(gettext_noop("Saving the file"))
            save_result(job, export.filename, export.content)
        return export.count
