"""GDPR right of access: everything Samsyn holds about one user, as JSON.

samsyn export_user_data USERNAME [--output FILE]
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from samsyn.lib.retention import export_user_data
from samsyn.organisations.models import record


class Command(BaseCommand):
    help = "Export a user's account, memberships, reports and audit events as JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--output", help="Write to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        text = json.dumps(export_user_data(user), ensure_ascii=False, indent=2)
        record(None, "accounts.user_data_exported", user, data={"via": "command"})
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as f:
                f.write(text + "\n")
            self.stderr.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text)
