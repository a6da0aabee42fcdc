"""samsyn generate_picture --collaboration SLUG --week 2026-W47 [--kind ...]."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.areas.models import Area
from samsyn.lib.progress import for_command
from samsyn.lib.weeks import KINDS, parse_period, period_for
from samsyn.organisations.models import Collaboration
from samsyn.pictures.actions import generate_picture


class Command(BaseCommand):
    help = (
        "Generate (or open) the situation picture of a period and print its code; "
        "--new-version freezes a new version from the current data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collaboration", required=True, help="short name")
        parser.add_argument("--kind", choices=KINDS, default="week")
        parser.add_argument("--week", help="ISO week, e.g. 2026-W47")
        parser.add_argument(
            "--period", help="2026-11 (month), 2026-Q4, 2026-T3, 2026 (year)"
        )
        parser.add_argument("--area", help="reference code of a district or area")
        parser.add_argument("--new-version", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        collab = Collaboration.objects.filter(slug=opts["collaboration"]).first()
        if collab is None:
            raise CommandError(f"No collaboration {opts['collaboration']!r}.")
        kind = opts["kind"]
        text = opts["period"] or (opts["week"] if kind == "week" else None)
        try:
            if text:
                period = parse_period(kind, text)
            else:
                from django.utils import timezone

                period = period_for(kind, timezone.localdate(), collab)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        scope = None
        if opts["area"]:
            scope = (
                Area.objects.in_collaboration(collab).filter(ref=opts["area"]).first()
            )
            if scope is None:
                raise CommandError(f"No area {opts['area']!r}.")
        started = time.perf_counter()
        with for_command(self, label="picture") as progress:
            progress.stage(f"generating {kind} {text or 'current period'}")
            picture = generate_picture(
                collab, kind, period, scope, by=None, new_version=opts["new_version"]
            )
        self.stdout.write(
            f"{picture.label} version {picture.version} ({picture.status}): "
            f"{picture.code} in {time.perf_counter() - started:.2f} s"
        )
