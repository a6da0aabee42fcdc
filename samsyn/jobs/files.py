"""A job's result file: written once to the default storage, read back on download.

A file lives under ``jobs/<job code>/<name>``; the job code is a random UUID and
the file is served only by views that first find the job through
``Job.objects.visible_to(access)`` and re-check the reader's rights.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from samsyn.jobs.models import Job
from samsyn.organisations.access import Access

FOLDER = "jobs"


def _folder(job: Job) -> str:
    return f"{FOLDER}/{job.code}"


def save_result(job: Job, name: str, data: bytes) -> str:
    """Store the job's file (replacing an earlier one); returns the storage path."""
    delete_result(job)
    return default_storage.save(f"{_folder(job)}/{name}", ContentFile(data))


def _files(job: Job) -> list[str]:
    try:
        _dirs, files = default_storage.listdir(_folder(job))
    except FileNotFoundError:
        return []
    return sorted(files)


def open_result(job: Job) -> tuple[str, bytes] | None:
    """The job's file name and bytes, or None when there is none."""
    files = _files(job)
    if not files:
        return None
    with default_storage.open(f"{_folder(job)}/{files[0]}", "rb") as fh:
        return files[0], fh.read()


def result_size(job: Job) -> int | None:
    """The total size of the job's files in bytes, or None when it has none."""
    files = _files(job)
    if not files:
        return None
    return sum(default_storage.size(f"{_folder(job)}/{name}") for name in files)


def delete_result(job: Job) -> None:
    for name in _files(job):
        default_storage.delete(f"{_folder(job)}/{name}")


def access_key(access: Access) -> str:
    """A short fingerprint of what the reader may see (roles, organisations).

    A job's subject carries it, so a result built under other rights (a role
    removed since) is not handed out: the download then finds no job.
    """
    text = (
        ",".join(sorted(access.roles))
        + "|"
        + ",".join(str(i) for i in sorted(access.organisation_ids))
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]
