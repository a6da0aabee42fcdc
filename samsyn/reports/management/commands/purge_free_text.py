"""Retention: remove free text and reporter identity of old reports (run daily).

    samsyn purge_free_text [--dry-run] [--collaboration SLUG]

Cron, e.g. every night at 03:15:
    15 3 * * *  cd /srv/samsyn && .venv/bin/python manage.py purge_free_text
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from samsyn.lib.progress import for_command
from samsyn.lib.retention import purge_free_text
from samsyn.organisations.models import Collaboration


class Command(BaseCommand):
    help = "Purge description text and reporter of reports older than retention_days."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be purged."
        )
        parser.add_argument("--collaboration", help="Only this collaboration (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        collabs = None
        if options["collaboration"]:
            collabs = list(Collaboration.objects.filter(slug=options["collaboration"]))
            if not collabs:
                raise CommandError(f"No collaboration {options['collaboration']!r}.")
        with for_command(self, label="retention", unit="collaborations") as progress:
            results = purge_free_text(
                collaborations=collabs, dry_run=options["dry_run"], progress=progress
            )
        verb = "would purge" if options["dry_run"] else "purged"
        for r in results:
            self.stdout.write(
                f"{r.collaboration.slug}: {verb} {r.reports} reports and {r.notes} "
                f"notes received before {r.cutoff:%Y-%m-%d %H:%M}"
            )
