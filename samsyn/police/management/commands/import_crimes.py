from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration
from samsyn.police.crimes import import_crimes, suggest_mapping
from samsyn.police.models import ColumnMapping
from samsyn.police.tabular import FileProblem, read_table


class Command(BaseCommand):
    help = (
        "Import reported crimes (anmälda brott) from the local police's CSV or XLSX "
        "extract, with a saved column mapping or one suggested from the header. "
        "Re-importing the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--collaboration", required=True, help="collaboration slug")
        parser.add_argument(
            "--mapping", default=None, help="name of a saved column mapping"
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            collab = Collaboration.objects.get(slug=opts["collaboration"])
        except Collaboration.DoesNotExist as exc:
            raise CommandError(f"No collaboration '{opts['collaboration']}'.") from exc
        path = Path(opts["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from exc
        try:
            table = read_table(raw, path.name)
            if opts["mapping"]:
                try:
                    mapping = ColumnMapping.objects.get(
                        collaboration=collab, name=opts["mapping"]
                    )
                except ColumnMapping.DoesNotExist as exc:
                    names = ", ".join(
                        collab.column_mappings.values_list("name", flat=True)
                    )
                    raise CommandError(
                        f"No mapping '{opts['mapping']}' in {collab.slug} "
                        f"(saved: {names or 'none'})."
                    ) from exc
            else:
                mapping = suggest_mapping(table.header)
                self.stderr.write(
                    "mapping suggested from the header: "
                    + ", ".join(
                        f"{f}={getattr(mapping, f)!r}"
                        for f in ("time_column", "case_column", "code_column")
                        + ("type_column", "x_column", "y_column", "crs")
                        if getattr(mapping, f)
                    )
                )

            progress = for_command(self, unit="rows")
            summary = import_crimes(
                collab,
                table,
                mapping,
                dry_run=opts["dry_run"],
                file_name=path.name,
                progress=progress,
            )
        except FileProblem as exc:
            raise CommandError(f"{path}: nothing was imported: {exc}") from exc
        progress.finish()
        for line in summary.skipped.lines(_("rows")):
            self.stdout.write(line)
        if summary.police_category:
            self.stdout.write(
                f"{summary.police_category} kept with the police's own category "
                "(no checklist category mapped)"
            )
        if summary.outside:
            self.stdout.write(f"{summary.outside} outside the collaboration's areas")
        if summary.municipality_level:
            self.stdout.write(
                f"{summary.municipality_level} without coordinates (municipality level)"
            )
        self.stdout.write(summary.line)
