from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration
from samsyn.police.tabular import too_large
from samsyn.surveys.actions import (
    MAX_COMMAND_BYTES,
    apply_survey_import,
    default_mapping,
    plan_survey_import,
)
from samsyn.surveys.models import SurveyMapping


class Command(BaseCommand):
    help = (
        "Import resident safety survey results (CSV) per area and year. All rows are "
        "checked first; if any is wrong nothing is imported. Re-importing updates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--collaboration", required=True, help="slug")
        parser.add_argument("--mapping", help="name of a saved survey mapping")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        collab = Collaboration.objects.filter(slug=opts["collaboration"]).first()
        if collab is None:
            raise CommandError(f"No collaboration {opts['collaboration']!r}.")
        if opts["mapping"]:
            mapping = SurveyMapping.objects.filter(
                collaboration=collab, name=opts["mapping"]
            ).first()
            if mapping is None:
                raise CommandError(f"No survey mapping {opts['mapping']!r}.")
        else:
            mapping = default_mapping(collab)
        path = Path(opts["file"])
        started = time.monotonic()
        try:
            if path.stat().st_size > MAX_COMMAND_BYTES:
                raise CommandError(
                    _("%(file)s: nothing was imported: %(error)s")
                    % {"file": path, "error": too_large(MAX_COMMAND_BYTES)}
                )
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("%(source)s: cannot be read (%(error)s).")
                % {"source": path, "error": exc.strerror}
            ) from exc
        progress = for_command(self, label="survey")
        progress.stage("checking rows")
        plan = plan_survey_import(collab, raw, mapping, path.name)
        # The first few lines of each kind, then a count: a file with 100,000 bad
        # lines must not print 100,000 lines.
        for line, reason in plan.skipped_shown:
            self.stdout.write(
                _("skipped line %(line)s: %(reason)s")
                % {"line": line, "reason": reason}
            )
        if plan.skipped_more:
            self.stdout.write(
                _("… and %(n)s more skipped lines") % {"n": plan.skipped_more}
            )
        for line, reason in plan.errors_shown:
            self.stderr.write(
                _("error line %(line)s: %(reason)s") % {"line": line, "reason": reason}
            )
        if plan.errors_more:
            self.stderr.write(
                _("… and %(n)s more lines with errors") % {"n": plan.errors_more}
            )
        if plan.encoding:
            self.stderr.write(
                _(
                    "Read %(mb)s MB, %(rows)s lines (%(encoding)s, columns separated "
                    "by %(delimiter)s) in %(seconds)s s."
                )
                % {
                    "mb": f"{len(raw) / (1024 * 1024):.1f}",
                    "rows": len(plan.rows) + len(plan.skipped) + len(plan.errors),
                    "encoding": plan.encoding,
                    "delimiter": repr(plan.delimiter),
                    "seconds": f"{time.monotonic() - started:.1f}",
                }
            )
        if not plan.ok:
            progress.fail(_("nothing was imported"))
            # No "0 new, 1 updated" here: nothing was imported, so nothing is counted.
            raise CommandError(
                _("%(n)s line(s) with errors; nothing was imported.")
                % {"n": len(plan.errors)}
            )
        summary = _(
            "%(new)s new, %(updated)s updated, %(unchanged)s unchanged, "
            "%(skipped)s skipped"
        ) % {
            "new": plan.count("create"),
            "updated": plan.count("update"),
            "unchanged": plan.count("unchanged"),
            "skipped": len(plan.skipped),
        }
        if opts["dry_run"]:
            progress.finish()
            self.stdout.write(
                _("Dry run, nothing written: %(summary)s.") % {"summary": summary}
            )
            return
        progress.stage("writing")
        apply_survey_import(plan, by=None)
        progress.finish()
        self.stdout.write(_("Imported %(summary)s.") % {"summary": summary})
