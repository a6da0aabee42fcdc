from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from samsyn.lib.backup import BackupError, restore
from samsyn.lib.progress import for_command


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup made by `samsyn backup`. "
        "Stop the site first: everything written since the backup is lost."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask for confirmation"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        db = settings.DATABASES[opts["database"]]
        if not opts["yes"] and opts.get("interactive", True):
            answer = input(f"Replace the contents of {db['NAME']}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Restore cancelled.")
        connections[opts["database"]].close()
        progress = for_command(self, label="restore", unit="pages")
        try:
            restore(db, Path(opts["file"]), progress)
        except BackupError as exc:
            progress.fail(str(exc))
            raise CommandError(str(exc)) from exc
        progress.finish()
        self.stdout.write(f"restored {db['NAME']} from {opts['file']}")
