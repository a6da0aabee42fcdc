from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from samsyn.coverage.actions import send_checkin_reminders
from samsyn.organisations.cli import collaborations_named


class Command(BaseCommand):
    help = (
        "E-mail organisations (of one collaboration, or of every one) that have not "
        "checked in all their areas for the week "
        "reviewed at the next weekly EST meeting (else Monday 09:00). Sends once per "
        "organisation and week; safe to run every hour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--collaboration", help="its short name (default: every collaboration)"
        )
        parser.add_argument("--before-meeting-hours", type=int, default=24)

    def handle(self, *args: Any, **opts: Any) -> None:
        for collab in collaborations_named(opts["collaboration"]):
            result = send_checkin_reminders(
                collab, before_meeting_hours=opts["before_meeting_hours"]
            )
            deadline = timezone.localtime(result["deadline"]).strftime("%Y-%m-%d %H:%M")
            if not result["due"]:
                self.stdout.write(
                    f"{collab.slug}: week {result['week']}: not due yet "
                    f"(deadline {deadline})."
                )
                continue
            self.stdout.write(
                f"{collab.slug}: week {result['week']} (deadline {deadline}): "
                f"reminded {len(result['sent'])} ({', '.join(result['sent']) or '-'}); "
                f"already reminded {len(result['already'])}; "
                f"complete {len(result['complete'])}."
            )
