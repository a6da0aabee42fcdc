"""Create the meetings of every active forum's schedule up to a date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from samsyn.meetings.actions import plan_meetings
from samsyn.meetings.models import Forum


class Command(BaseCommand):
    help = "Create meetings from each active forum's schedule (safe to re-run)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--until", help="Last date (YYYY-MM-DD); default 13 weeks")
        parser.add_argument("--collaboration", help="Only this collaboration (slug)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            until = (
                date.fromisoformat(opts["until"])
                if opts["until"]
                else timezone.localdate() + timedelta(weeks=13)
            )
        except ValueError as exc:
            raise CommandError("--until must be YYYY-MM-DD") from exc
        forums = Forum.objects.active().select_related("collaboration")
        if opts["collaboration"]:
            forums = forums.filter(collaboration__slug=opts["collaboration"])
        total = 0
        for forum in forums:
            new = plan_meetings(forum, until)
            total += len(new)
            if new:
                self.stdout.write(
                    f"{forum.collaboration.slug}/{forum.name}: {len(new)}"
                )
        self.stdout.write(f"planned {total} new meetings until {until.isoformat()}")
