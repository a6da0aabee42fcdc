from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration
from samsyn.surveys.actions import (
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
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        progress = for_command(self, label="survey")
        progress.stage("checking rows")
        plan = plan_survey_import(collab, raw, mapping, path.name)
        for line, reason in plan.skipped:
            self.stdout.write(f"skipped line {line}: {reason}")
        for line, reason in plan.errors:
            self.stderr.write(f"error line {line}: {reason}")
        summary = (
            f"{plan.count('create')} new, {plan.count('update')} updated, "
            f"{plan.count('unchanged')} unchanged, {len(plan.skipped)} skipped"
        )
        if not plan.ok:
            progress.fail("nothing was imported")
            raise CommandError(
                f"{len(plan.errors)} error(s); nothing was imported ({summary})."
            )
        if opts["dry_run"]:
            progress.finish()
            self.stdout.write(f"Dry run, nothing written: {summary}.")
            return
        progress.stage("writing")
        apply_survey_import(plan, by=None)
        progress.finish()
        self.stdout.write(f"Imported {summary}.")
