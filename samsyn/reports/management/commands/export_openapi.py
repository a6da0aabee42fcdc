"""Write the API's OpenAPI document, as committed in docs/openapi.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from samsyn.api import api


def openapi_text() -> str:
    """The OpenAPI document, pretty-printed with sorted keys (stable for diffs)."""
    schema = api.get_openapi_schema()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the API's OpenAPI 3 document, or write it to --output FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="file to write (default: stdout)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        text = openapi_text()
        if opts["output"]:
            opts["output"].write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {opts['output']}")
        else:
            self.stdout.write(text, ending="")
