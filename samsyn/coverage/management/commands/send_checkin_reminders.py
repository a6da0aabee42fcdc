from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from samsyn.coverage.actions import send_checkin_reminders
from samsyn.organisations.models import Collaboration


class Command(BaseCommand):
    help = (
        "E-mail organisations that have not checked in all their areas for the week "
        "reviewed at the next weekly EST meeting (else Monday 09:00). Sends once per "
        "organisation and week; safe to run every hour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collaboration", required=True, help="slug")
        parser.add_argument("--before-meeting-hours", type=int, default=24)

    def handle(self, *args: Any, **opts: Any) -> None:
        collab = Collaboration.objects.filter(slug=opts["collaboration"]).first()
        if collab is None:
            raise CommandError(f"No collaboration {opts['collaboration']!r}.")
        result = send_checkin_reminders(
            collab, before_meeting_hours=opts["before_meeting_hours"]
        )
        deadline = timezone.localtime(result["deadline"]).strftime("%Y-%m-%d %H:%M")
        if not result["due"]:
            self.stdout.write(
                f"Week {result['week']}: not due yet (deadline {deadline})."
            )
            return
        self.stdout.write(
            f"Week {result['week']} (deadline {deadline}): reminded "
            f"{len(result['sent'])} ({', '.join(result['sent']) or '-'}); "
            f"already reminded {len(result['already'])}; "
            f"complete {len(result['complete'])}."
        )
