from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.integrations.actions import create_open311_key
from samsyn.organisations.models import Organisation


class Command(BaseCommand):
    help = "Create an Open311 api_key for an organisation; the key is shown only once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organisation", help="organisation short name")
        parser.add_argument("--collaboration", required=True, help="collaboration slug")
        parser.add_argument("--label", default="", help="what the key is for")

    def handle(self, *args: Any, **opts: Any) -> None:
        org = Organisation.objects.filter(
            collaboration__slug=opts["collaboration"], slug=opts["organisation"]
        ).first()
        if org is None:
            raise CommandError(
                f"No organisation '{opts['organisation']}' in "
                f"'{opts['collaboration']}'."
            )
        _key, raw = create_open311_key(org, label=opts["label"])
        self.stdout.write(raw)
        self.stderr.write(
            f"Open311 key for {org.name}. Store it now; it cannot be shown again. "
            f"Jurisdiction: {org.collaboration.slug}"
        )
