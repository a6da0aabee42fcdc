from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samsyn.notifications.actions import send_due_reminders


class Command(BaseCommand):
    help = (
        "E-mail owners (and partners) of decisions and interventions that are due "
        "within a few days or overdue. Safe to run often: each reminder is sent once "
        "per due date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days-ahead",
            type=int,
            default=None,
            help="remind this many days before (default SAMSYN_REMINDER_DAYS_AHEAD=3)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        counts = send_due_reminders(days_ahead=opts["days_ahead"])
        self.stdout.write(
            f"queued {counts['decisions']} decision and "
            f"{counts['interventions']} intervention reminders"
        )
