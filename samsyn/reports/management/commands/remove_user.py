"""GDPR erasure: deactivate and anonymise a user; their reports' facts stay.

samsyn remove_user USERNAME [--yes]
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from samsyn.lib.retention import remove_user


class Command(BaseCommand):
    help = "Deactivate and anonymise a user account, keeping their reports' facts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not options["yes"] and options.get("interactive", True):
            answer = input(f"Anonymise {user.get_username()} for good? [y/N] ")
            if answer.strip().lower() not in ("y", "yes", "j", "ja"):
                raise CommandError("Nothing was changed.")
        log = remove_user(user)
        self.stdout.write(
            f"Removed: account is now {user.get_username()}; {log.count} reports kept "
            "without a reporter."
        )
