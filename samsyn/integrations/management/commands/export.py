"""Export a collaboration's reports, interventions or pictures to a file.

    samsyn export --collaboration north --kind reports --format csv --output r.csv

Restricted reports are left out unless ``--include-restricted`` is given. Progress
goes to stderr (a bar on a terminal, a line every few seconds in a log); the export
is written to the audit log like one made on the web.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.integrations import exports
from samsyn.integrations.actions import export_table
from samsyn.lib.progress import for_command
from samsyn.organisations.access import Access, Role
from samsyn.organisations.models import Collaboration
from samsyn.reports.models import Report


class Command(BaseCommand):
    help = "Export reports, interventions or pictures as CSV, XLSX or GeoJSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collaboration", required=True, help="slug")
        parser.add_argument(
            "--kind",
            choices=["reports", "interventions", "pictures"],
            default="reports",
        )
        parser.add_argument("--format", choices=exports.FORMATS, default="csv")
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument(
            "--include-restricted",
            action="store_true",
            help="also export restricted reports (left out by default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["collaboration"]
        collaboration = Collaboration.objects.filter(slug=slug).first()
        if collaboration is None:
            raise CommandError(f"No collaboration {slug!r}.")
        kind, fmt = options["kind"], options["format"]
        restricted = options["include_restricted"]
        # Steering sees every report but the restricted ones; analysts see those too.
        role = Role.ANALYST if restricted else Role.STEERING
        access = Access(user=None, collaboration=collaboration, roles=frozenset({role}))
        reports = Report.objects.visible_to(access) if kind == "reports" else None
        with for_command(self, label=f"{kind} ({fmt})", unit="rows") as progress:
            export = export_table(
                access,
                kind,
                fmt,
                by=None,
                reports=reports,
                progress=progress,
                audit={"command": True, "include_restricted": restricted},
            )
            Path(options["output"]).write_bytes(export.content)
        self.stdout.write(f"{export.count} rows written to {options['output']}")
