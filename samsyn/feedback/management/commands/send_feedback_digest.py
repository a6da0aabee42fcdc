from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.feedback.actions import send_feedback_digest
from samsyn.feedback.summary import parse_period
from samsyn.organisations.cli import collaborations_named


class Command(BaseCommand):
    help = (
        "E-mail the feedback summary to the members of a collaboration (default: of "
        "every collaboration)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--collaboration", help="its short name (default: every collaboration)"
        )
        parser.add_argument(
            "--period", help="2026-W47 or 2026-11 (default: last complete week)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        collabs = collaborations_named(options["collaboration"])
        try:
            period = parse_period(options.get("period"))
        except ValueError:
            raise CommandError("Period must look like 2026-W47 or 2026-11") from None
        for collab in collabs:
            sent = send_feedback_digest(collab, period)
            self.stdout.write(
                f"{collab.slug}: sent the {period.key} digest to {sent} recipient(s)."
            )
