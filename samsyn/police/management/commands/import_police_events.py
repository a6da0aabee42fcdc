from __future__ import annotations

import io
import time
from pathlib import Path
from typing import IO, Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samsyn.lib import outbound
from samsyn.lib.jsonstream import JsonStreamError
from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration
from samsyn.police.actions import PoliceImportError, import_police_events
from samsyn.police.batches import read_events

USER_AGENT = "Samsyn/1.0 (EST police events import)"
TIMEOUT_SECONDS = 30
# The live feed answers with its latest 500 events (well under 1 MB); an archive
# is read from a file, which has no size limit.
URL_MAX_BYTES = 50 * 1024 * 1024


def open_source(source: str) -> tuple[IO[bytes], int]:
    """(a binary stream, its size in bytes) for a local file or an https URL
    (through the outbound client: public addresses only, no redirects)."""
    if source.startswith("https://"):
        try:
            response = outbound.request(
                "GET",
                source,
                headers={"User-Agent": USER_AGENT},
                timeout=TIMEOUT_SECONDS,
                # One byte over the limit says the answer is too large.
                max_bytes=URL_MAX_BYTES + 1,
            )
        except (outbound.OutboundRefused, httpx.HTTPError) as exc:
            raise CommandError(
                _("%(source)s: could not be fetched (%(error)s).")
                % {"source": source, "error": exc}
            ) from exc
        if response.status_code != 200:
            raise CommandError(
                _("%(source)s: could not be fetched (HTTP %(status)s).")
                % {"source": source, "status": response.status_code}
            )
        if len(response.content) > URL_MAX_BYTES:
            raise CommandError(
                _(
                    "%(source)s: the answer is larger than %(mb)s MB; save it to a "
                    "file and import the file (files have no size limit)."
                )
                % {"source": source, "mb": URL_MAX_BYTES // (1024 * 1024)}
            )
        return io.BytesIO(response.content), len(response.content)
    if "://" in source:
        raise CommandError(
            _("%(source)s: only https URLs or local files are read.")
            % {"source": source}
        )
    path = Path(source)
    try:
        stream = path.open("rb")
        return stream, path.stat().st_size
    except OSError as exc:
        raise CommandError(
            _("%(source)s: cannot be read (%(error)s).")
            % {"source": path, "error": exc.strerror}
        ) from exc


class Command(BaseCommand):
    help = (
        "Import the Police Authority's public events feed (a JSON array, from a file or "
        "an https URL) for a collaboration's municipality, with county events kept apart "
        "as context. Files of any size are read as a stream. Re-importing the same file "
        "changes nothing; re-importing with other --county/--place options removes the "
        "stored events of that file the new options no longer keep."
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
            raise CommandError(
                _("No collaboration '%(slug)s'.") % {"slug": opts["collaboration"]}
            ) from exc
        source: str = opts["source"]
        started = time.monotonic()
        stream, size = open_source(source)
        progress = for_command(self, unit="bytes")
        try:
            with stream:
                events = read_events(stream)
                summary = import_police_events(
                    collab,
                    events,
                    county_name=opts["county"],
                    places=opts["place"],
                    dry_run=opts["dry_run"],
                    progress=progress,
                    size=size,
                    file_name=Path(source).name if "://" not in source else source,
                )
        except PoliceImportError as exc:
            progress.fail(_("nothing was imported"))
            raise CommandError(
                _("Nothing was imported: %(error)s") % {"error": exc}
            ) from exc
        except JsonStreamError as exc:
            progress.fail(_("nothing was imported"))
            raise CommandError(
                _("%(source)s: %(problem)s Nothing was imported.")
                % {"source": source, "problem": exc}
            ) from exc
        progress.finish()
        for line in summary.skipped.lines(_("events")):
            self.stdout.write(line)
        if summary.removed:
            self.stdout.write(summary.removed_line())
        # What the import used, beside the progress (it varies from run to run).
        self.stderr.write(
            _("Read %(mb)s MB, %(events)s events in %(seconds)s s.")
            % {
                "mb": f"{events.bytes_read / (1024 * 1024):.1f}",
                "events": summary.read,
                "seconds": f"{time.monotonic() - started:.1f}",
            }
        )
        self.stdout.write(summary.line)
