from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.demo.load import DEMO_PASSWORD, DEMO_USERS, SLUG, load_demo, remove_demo
from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration


class Command(BaseCommand):
    help = (
        "Build the demo collaboration (Örebro, real DeSO boundaries, three years of "
        "synthetic reports with planted patterns), deterministically from --seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--reports", type=int, default=60_000)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="replace an existing demo collaboration",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if Collaboration.objects.filter(slug=SLUG).exists():
            if not opts["reset"]:
                self.stdout.write(f"demo collaboration '{SLUG}' exists (use --reset)")
                return
            remove_demo()
        started = time.monotonic()
        try:
            with for_command(self, label="demo") as progress:
                result = load_demo(
                    seed=opts["seed"],
                    n_reports=opts["reports"],
                    progress=lambda s: progress.stage(s, total=None),
                    rows_progress=progress,
                )
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        took = time.monotonic() - started
        self.stdout.write(
            f"demo ready: {result.reports} reports in {took:.1f} s; planted truths in "
            f"{result.truths_path}"
        )
        self.stdout.write(
            "demo-only users (password '"
            + DEMO_PASSWORD
            + "'): "
            + ", ".join(DEMO_USERS)
        )
