from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from samsyn.lib.backup import BackupError, backup, default_filename
from samsyn.lib.progress import for_command


class Command(BaseCommand):
    help = (
        "Back up the database: an online SQLite backup, or pg_dump in custom format "
        "for PostgreSQL. Restore with `samsyn restore FILE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default="", help="backup file (default var/backups/…)"
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **opts: Any) -> None:
        db = settings.DATABASES[opts["database"]]
        output = Path(
            opts["output"]
            or Path(settings.BASE_DIR) / "var" / "backups" / default_filename(db)
        )
        connections[opts["database"]].close()
        progress = for_command(self, label="backup", unit="pages")
        try:
            path = backup(db, output, progress)
        except BackupError as exc:
            progress.fail(str(exc))
            raise CommandError(str(exc)) from exc
        progress.finish()
        self.stdout.write(f"backed up to {path} ({path.stat().st_size} bytes)")
