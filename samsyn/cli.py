"""The `samsyn` command: Django's management commands under one name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samsyn.settings")
    from django.core.management import execute_from_command_line

    args = list(argv if argv is not None else sys.argv)
    args[0] = "samsyn"
    execute_from_command_line(args)
    return 0
