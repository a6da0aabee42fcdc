from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.accounts.models import ApiToken, User
from samsyn.organisations.models import record


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--read-only", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = User.objects.get(username=opts["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user '{opts['username']}'.") from exc
        token, raw = ApiToken.issue(
            user, name=opts["name"], read_only=opts["read_only"]
        )
        record(None, "api_token.created", token, data={"user": user.get_username()})
        self.stdout.write(raw)
