"""Evaluate interventions whose period has ended and that have no evaluation yet.

Run it daily (cron, a systemd timer) or with ``--loop`` as a long-running process,
healthchecks-style: each pass finds what is due in the database, so a missed run is
simply caught up by the next one.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samsyn.interventions.actions import evaluate_due
from samsyn.lib.progress import for_command


class Command(BaseCommand):
    help = "Evaluate interventions whose period ended and that have no evaluation yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Run every --every s.")
        parser.add_argument("--every", type=int, default=3600)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            with for_command(self, label="evaluate", unit="interventions") as progress:
                done = evaluate_due(progress=progress)
            for iv, outcome in done:
                self.stdout.write(
                    f"{iv.collaboration.slug} {iv.code} {iv.title}: {outcome}"
                )
            self.stdout.write(f"{len(done)} intervention(s) processed.")
            if not options["loop"]:
                return
            time.sleep(options["every"])
