"""docs/deploy.md stays true to the code: every command its cron table runs exists and
accepts the arguments given there, so an operator who copies it gets no failing job."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def cron_commands() -> list[list[str]]:
    text = DEPLOY.read_text(encoding="utf-8")
    block = re.search(r"```cron\n(.*?)```", text, re.S)
    assert block, "docs/deploy.md has no ```cron block"
    found = []
    for line in block.group(1).splitlines():
        if ".venv/bin/samsyn " in line:
            found.append(shlex.split(line.split(".venv/bin/samsyn ", 1)[1]))
    return found


def test_the_cron_table_lists_the_scheduled_commands() -> None:
    names = {args[0] for args in cron_commands()}
    # Every command that is meant to run on a schedule is in the table.
    assert {
        "send_due_reminders",
        "send_checkin_reminders",
        "send_feedback_digest",
        "evaluate_interventions",
        "plan_meetings",
        "purge_free_text",
        "purge_jobs",
        "backup",
    } <= names


@pytest.mark.parametrize("args", cron_commands(), ids=lambda a: a[0])
def test_each_cron_line_names_a_command_and_valid_arguments(args: list[str]) -> None:
    name, *rest = args
    commands = get_commands()
    assert name in commands, f"no command {name!r}"
    command = load_command_class(commands[name], name)
    parser = command.create_parser("samsyn", name)
    parser.parse_args(rest)  # exits (SystemExit) on a missing or unknown argument
