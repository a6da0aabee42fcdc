"""Retention for jobs: their files go after a few days, their rows after a few months.

A job's file can be an export with report texts or a PDF for one reader; it is only
meant to be fetched soon after it was made. ``purge_jobs`` (run daily by
``samsyn purge_jobs``) removes

* the file of every finished job (done or failed) that finished more than
  ``SAMSYN_JOB_FILE_DAYS`` days ago, marking the job ``result_removed`` so its page
  says so and offers no link;
* the rows (and any file left) of finished jobs created more than
  ``SAMSYN_JOB_KEEP_DAYS`` days ago;
* folders under ``jobs/`` that belong to no job any more (a row removed by hand, a
  collaboration deleted).

Jobs still queued or running are never touched.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from samsyn.jobs.files import FOLDER, delete_result, result_size
from samsyn.jobs.models import Job

FINISHED = (Job.Status.DONE, Job.Status.FAILED)


@dataclass
class JobPurge:
    files: int = 0  # job files removed (or that would be)
    rows: int = 0  # job rows deleted
    orphans: int = 0  # folders with no job
    bytes: int = 0  # size of the files removed


def purge_jobs(
    *,
    now: datetime | None = None,
    file_days: int | None = None,
    keep_days: int | None = None,
    dry_run: bool = False,
) -> JobPurge:
    """Remove old job files and rows; returns what was (or would be) removed."""
    now = now or timezone.now()
    file_days = settings.SAMSYN_JOB_FILE_DAYS if file_days is None else file_days
    keep_days = settings.SAMSYN_JOB_KEEP_DAYS if keep_days is None else keep_days
    result = JobPurge()

    finished = Job.objects.filter(status__in=FINISHED)
    old_rows = finished.filter(created__lt=now - timedelta(days=keep_days))
    for job in old_rows.iterator():
        _drop_file(job, result, dry_run=dry_run)
    result.rows = old_rows.count()
    if not dry_run:
        old_rows.delete()

    expired = finished.filter(
        Q(finished__lt=now - timedelta(days=file_days)), result_removed__isnull=True
    )
    for job in expired.iterator():
        if _drop_file(job, result, dry_run=dry_run) and not dry_run:
            Job.objects.filter(pk=job.pk).update(result_removed=now, result_url="")

    result.orphans = _orphans(dry_run=dry_run)
    return result


def _drop_file(job: Job, result: JobPurge, *, dry_run: bool) -> bool:
    """Remove the job's file (unless a dry run) and count it; False: it had none."""
    size = result_size(job)
    if size is None:
        return False
    result.files += 1
    result.bytes += size
    if not dry_run:
        delete_result(job)
        _remove_empty_folder(f"{FOLDER}/{job.code}")
    return True


def _orphans(*, dry_run: bool) -> int:
    try:
        folders, _files = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return 0
    codes = {}
    for name in folders:
        try:
            codes[uuid.UUID(name)] = name
        except ValueError:
            continue  # not ours: leave it
    known = set(Job.objects.filter(code__in=list(codes)).values_list("code", flat=True))
    removed = 0
    for code, name in codes.items():
        if code in known:
            continue
        removed += 1
        if not dry_run:
            _sub, files = default_storage.listdir(f"{FOLDER}/{name}")
            for file in files:
                default_storage.delete(f"{FOLDER}/{name}/{file}")
            _remove_empty_folder(f"{FOLDER}/{name}")
    return removed


def _remove_empty_folder(path: str) -> None:
    """File system storage keeps empty folders; other storages have none."""
    try:
        full = default_storage.path(path)
    except NotImplementedError:
        return
    with contextlib.suppress(OSError):
        os.rmdir(full)
