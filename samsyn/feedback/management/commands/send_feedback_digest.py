from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.feedback.actions import send_feedback_digest
from samsyn.feedback.summary import parse_period
from samsyn.organisations.models import Collaboration


class Command(BaseCommand):
    help = "E-mail a collaboration's feedback summary to its members."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collaboration", required=True, help="its short name")
        parser.add_argument(
            "--period", help="2026-W47 or 2026-11 (default: last complete week)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        collab = Collaboration.objects.filter(slug=options["collaboration"]).first()
        if collab is None:
            raise CommandError(f"No collaboration {options['collaboration']!r}")
        try:
            period = parse_period(options.get("period"))
        except ValueError:
            raise CommandError("Period must look like 2026-W47 or 2026-11") from None
        sent = send_feedback_digest(collab, period)
        self.stdout.write(f"Sent the {period.key} digest to {sent} recipient(s).")
