from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.organisations.actions import create_collaboration
from samsyn.organisations.models import Collaboration


class Command(BaseCommand):
    help = "Create a collaboration (one EST) with the standard checklist."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--municipality-code", default="")
        parser.add_argument("--municipality-name", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        if Collaboration.objects.filter(slug=opts["slug"]).exists():
            raise CommandError(f"A collaboration '{opts['slug']}' already exists.")
        collab = create_collaboration(
            slug=opts["slug"],
            name=opts["name"],
            municipality_code=opts["municipality_code"],
            municipality_name=opts["municipality_name"],
        )
        self.stdout.write(
            f"created {collab.slug} with {collab.categories.count()} categories"
        )
