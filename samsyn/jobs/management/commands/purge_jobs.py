"""Retention for jobs: remove old job files and rows (run daily).

    samsyn purge_jobs [--dry-run] [--file-days N] [--keep-days N]

Cron, e.g. every night at 02:45:
    45 2 * * *  cd /srv/samsyn && .venv/bin/python manage.py purge_jobs
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from samsyn.jobs.cleanup import purge_jobs


class Command(BaseCommand):
    help = (
        "Remove the files of jobs finished more than SAMSYN_JOB_FILE_DAYS days ago and "
        "the jobs created more than SAMSYN_JOB_KEEP_DAYS days ago."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be removed."
        )
        parser.add_argument(
            "--file-days",
            type=int,
            default=settings.SAMSYN_JOB_FILE_DAYS,
            help="Keep finished jobs' files this many days (default %(default)s).",
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            default=settings.SAMSYN_JOB_KEEP_DAYS,
            help="Keep finished jobs this many days (default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file_days"] < 0 or options["keep_days"] < 0:
            raise CommandError("--file-days and --keep-days must be 0 or more.")
        result = purge_jobs(
            file_days=options["file_days"],
            keep_days=options["keep_days"],
            dry_run=options["dry_run"],
        )
        verb = "would remove" if options["dry_run"] else "removed"
        self.stdout.write(
            f"{verb} {result.files} job files ({result.bytes:,} bytes), "
            f"{result.rows} old jobs and {result.orphans} folders with no job"
        )
