"""Seed the load-test database: one collaboration, one organisation, N reporters with
API tokens. Prints the tokens as JSON on stdout. Run with DATABASE_URL set."""

from __future__ import annotations

import json
import os
import sys


def main(users: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samsyn.settings")
    import django

    django.setup()
    from samsyn.accounts.models import ApiToken, User
    from samsyn.organisations.actions import (
        add_member,
        add_organisation,
        create_collaboration,
    )
    from samsyn.organisations.models import Membership

    collab = create_collaboration(
        slug="loadtest",
        name="Load test EST",
        municipality_code="1880",
        municipality_name="Örebro",
    )
    org = add_organisation(collab, slug="kommun", name="Kommunen", kind="municipality")
    tokens = {}
    for i in range(users):
        user = User.objects.create_user(username=f"reporter{i:03d}", password=None)
        add_member(user, org, Membership.Role.REPORTER)
        _row, raw = ApiToken.issue(user, name="loadtest")
        tokens[user.username] = raw
    sys.stdout.write(json.dumps(tokens))


if __name__ == "__main__":
    main(int(sys.argv[1]))
