from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration
from samsyn.police.crimes import (
    DATE_ORDERS,
    AmbiguousDates,
    import_crimes,
    suggest_mapping,
)
from samsyn.police.models import ColumnMapping
from samsyn.police.tabular import MAX_BYTES_COMMAND, FileProblem, read_table, too_large


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
        parser.add_argument(
            "--date-order",
            choices=DATE_ORDERS,
            default="",
            help="how to read dates like 03/05/2024 when the file does not show it: "
            "dmy (day first) or mdy (month first)",
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            collab = Collaboration.objects.get(slug=opts["collaboration"])
        except Collaboration.DoesNotExist as exc:
            raise CommandError(f"No collaboration '{opts['collaboration']}'.") from exc
        path = Path(opts["file"])
        started = time.monotonic()
        try:
            if path.stat().st_size > MAX_BYTES_COMMAND:
                raise CommandError(
                    _("%(file)s: nothing was imported: %(error)s")
                    % {"file": path, "error": too_large(MAX_BYTES_COMMAND)}
                )
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("%(source)s: cannot be read (%(error)s).")
                % {"source": path, "error": exc.strerror}
            ) from exc
        try:
            table = read_table(raw, path.name, max_bytes=MAX_BYTES_COMMAND)
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
                date_order=opts["date_order"],
            )
        except AmbiguousDates as exc:
            raise CommandError(
                _("%(file)s: nothing was imported: %(error)s")
                % {"file": path, "error": exc}
                + " (--date-order dmy|mdy)"
            ) from exc
        except FileProblem as exc:
            raise CommandError(
                _("%(file)s: nothing was imported: %(error)s")
                % {"file": path, "error": exc}
            ) from exc
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
        if summary.date_order:
            self.stderr.write(
                _("Dates like 03/05/2024 read day first.")
                if summary.date_order == "dmy"
                else _("Dates like 03/05/2024 read month first.")
            )
        self.stderr.write(used_line(table, len(raw), time.monotonic() - started))
        self.stdout.write(summary.line)


def used_line(table: Any, size: int, seconds: float) -> str:
    """What an import of a table read: size, rows, encoding, delimiter, time."""
    if table.encoding == "xlsx":
        read_as = _("an XLSX workbook")
    else:
        read_as = _("%(encoding)s text, columns separated by %(delimiter)s") % {
            "encoding": table.encoding,
            "delimiter": repr(table.delimiter),
        }
    return _("Read %(mb)s MB, %(rows)s rows (%(read_as)s) in %(seconds)s s.") % {
        "mb": f"{size / (1024 * 1024):.1f}",
        "rows": len(table.rows),
        "read_as": read_as,
        "seconds": f"{seconds:.1f}",
    }
