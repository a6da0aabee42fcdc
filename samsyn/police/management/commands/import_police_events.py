from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.lib import outbound
from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration
from samsyn.police.actions import PoliceImportError, import_police_events
from samsyn.police.batches import parse_events_file
from samsyn.police.tabular import MAX_BYTES, FileProblem

USER_AGENT = "Samsyn/1.0 (EST police events import)"
TIMEOUT_SECONDS = 30


def read_source(source: str) -> bytes:
    """The bytes of a local file or an https URL (through the outbound client:
    public addresses only, no redirects)."""
    if source.startswith("https://"):
        try:
            response = outbound.request(
                "GET",
                source,
                headers={"User-Agent": USER_AGENT},
                timeout=TIMEOUT_SECONDS,
                # One byte over the limit is enough for the parser to refuse it.
                max_bytes=MAX_BYTES + 1,
            )
        except (outbound.OutboundRefused, httpx.HTTPError) as exc:
            raise CommandError(f"{source}: could not be fetched ({exc}).") from exc
        if response.status_code != 200:
            raise CommandError(
                f"{source}: could not be fetched (HTTP {response.status_code})."
            )
        return response.content
    if "://" in source:
        raise CommandError(f"{source}: only https URLs or local files are read.")
    path = Path(source)
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from exc


def parse_events(source: str, raw: bytes) -> list[Any]:
    """The feed's events, or CommandError naming the source and the problem."""
    try:
        return parse_events_file(raw)
    except FileProblem as exc:
        text = str(exc)
        text = text[:1].lower() + text[1:]  # it follows "<source>: "
        raise CommandError(f"{source}: {text} Nothing was imported.") from exc


class Command(BaseCommand):
    help = (
        "Import the Police Authority's public events feed (a JSON array, from a file or "
        "an https URL) for a collaboration's municipality, with county events kept apart "
        "as context. Re-importing the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="FILE_OR_URL")
        parser.add_argument("--collaboration", required=True, help="collaboration slug")
        parser.add_argument(
            "--county",
            default=None,
            help="the municipality's county, e.g. 'Örebro län' (keeps county context)",
        )
        parser.add_argument(
            "--place",
            action="append",
            default=[],
            help="a town or place inside the municipality (repeatable)",
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            collab = Collaboration.objects.get(slug=opts["collaboration"])
        except Collaboration.DoesNotExist as exc:
            raise CommandError(f"No collaboration '{opts['collaboration']}'.") from exc
        source: str = opts["source"]
        events = parse_events(source, read_source(source))

        progress = for_command(self, unit="events")
        try:
            summary = import_police_events(
                collab,
                events,
                county_name=opts["county"],
                places=opts["place"],
                dry_run=opts["dry_run"],
                progress=progress,
                file_name=Path(source).name if "://" not in source else source,
            )
        except PoliceImportError as exc:
            progress.fail("nothing was imported")
            raise CommandError(f"Nothing was imported: {exc}") from exc
        progress.finish()
        for key, reason in summary.skipped:
            self.stdout.write(f"skipped {key}: {reason}")
        self.stdout.write(summary.line)
