"""Actions behind the imports pages: stage a previewed batch, confirm it, save mappings."""

from __future__ import annotations

import io
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samsyn.lib.jsonstream import JsonArrayReader, JsonStreamError
from samsyn.lib.limits import megabytes
from samsyn.organisations.access import Access
from samsyn.organisations.models import record
from samsyn.police.actions import (
    PoliceImportError,
    event_values,
    import_police_events,
)
from samsyn.police.crimes import (
    import_crimes,
    mapping_snapshot,
    suggest_mapping,
)
from samsyn.police.models import ColumnMapping, ImportBatch
from samsyn.police.skips import Skip
from samsyn.police.tabular import MAX_BYTES, FileProblem, read_table

PREVIEW_ROWS = 20


# The largest events file the imports page takes (it is kept in the batch between
# preview and confirmation). The command line streams files of any size.
EVENTS_WEB_MAX_BYTES = MAX_BYTES


# What to do with an archive larger than the page takes.
EVENTS_TOO_LARGE_ADVICE = gettext_lazy(
    "Import it with the command `samsyn import_police_events FILE "
    "--collaboration SLUG`, which reads files of any size."
)


def events_too_large(size: int) -> str:
    """The page's refusal of a file of ``size`` bytes, with the advice."""
    return _("The file is larger than %(mb)s MB. %(advice)s") % {
        "mb": megabytes(EVENTS_WEB_MAX_BYTES),
        "advice": EVENTS_TOO_LARGE_ADVICE,
    }


def read_events(stream: IO[bytes]) -> JsonArrayReader:
    """The events of a feed file as a stream; iterating raises FileProblem (via
    JsonStreamError) when the file turns out not to be a JSON array."""
    return JsonArrayReader(stream)


def parse_events_file(raw: bytes) -> list[Any]:
    """The events of a feed file (a JSON array), or FileProblem saying why not.

    Every way a file can be unusable ends here with a message, never a traceback:
    empty, not UTF-8 (a byte-order mark is allowed), not JSON, nested too deeply for
    the parser, a number with more digits than Python converts, or not an array.
    The imports page takes files up to EVENTS_WEB_MAX_BYTES.
    """
    if len(raw) > EVENTS_WEB_MAX_BYTES:
        raise FileProblem(events_too_large(len(raw)))
    try:
        return list(read_events(io.BytesIO(raw)))
    except JsonStreamError as exc:
        raise FileProblem(str(exc)) from exc


def _events_preview(
    events: list[Any], *, municipality: str, county: str | None, places: list[str]
) -> list[dict[str, Any]]:
    """The first events the import will keep, as the preview shows them."""
    rows = []
    for event in events:
        try:
            event_values(event, municipality=municipality, county=county, places=places)
        except Skip:
            continue
        rows.append(
            {
                "id": event.get("id"),
                "datetime": event.get("datetime"),
                "type": event.get("type"),
                "name": event.get("name"),
            }
        )
        if len(rows) >= PREVIEW_ROWS:
            break
    return rows


def stage_events(
    access: Access, raw: bytes, file_name: str, *, county: str, places: list[str]
) -> ImportBatch:
    """A dry run of a feed file, kept as a `preview` batch to confirm."""
    collab = access.collaboration
    if collab is None:
        raise FileProblem(_("No collaboration chosen."))
    events = parse_events_file(raw)
    try:
        summary = import_police_events(
            collab, events, county_name=county or None, places=places, dry_run=True
        )
    except PoliceImportError as exc:
        raise FileProblem(str(exc)) from exc
    batch = ImportBatch.objects.create(
        collaboration=collab,
        kind=ImportBatch.Kind.EVENTS,
        status=ImportBatch.Status.PREVIEW,
        file_name=file_name[:255],
        created_by=access.user,
        new_count=summary.new,
        updated_count=summary.updated,
        unchanged_count=summary.unchanged,
        skipped_count=len(summary.skipped),
        skipped=summary.skipped.stored(),
        options={"county": county, "places": places, "removed": summary.removed},
        preview=_events_preview(
            events,
            municipality=collab.municipality_name.strip(),
            county=county or None,
            places=places,
        ),
        progress_total=len(events),
        payload=raw,
    )
    record(access.user, "police.import_previewed", batch, data={"kind": "events"})
    return batch


def stage_crimes(
    access: Access,
    raw: bytes,
    file_name: str,
    mapping: ColumnMapping | None,
    date_order: str = "",
) -> ImportBatch:
    """A dry run of a crime extract, kept as a `preview` batch to confirm."""
    collab = access.collaboration
    if collab is None:
        raise FileProblem(_("No collaboration chosen."))
    table = read_table(raw, file_name)
    if mapping is None:
        mapping = suggest_mapping(table.header)
    summary = import_crimes(collab, table, mapping, dry_run=True, date_order=date_order)
    batch = ImportBatch.objects.create(
        collaboration=collab,
        kind=ImportBatch.Kind.CRIMES,
        status=ImportBatch.Status.PREVIEW,
        file_name=file_name[:255],
        created_by=access.user,
        new_count=summary.new,
        unchanged_count=summary.unchanged,
        skipped_count=len(summary.skipped),
        skipped=summary.skipped.stored(),
        options={
            "mapping": mapping_snapshot(mapping),
            "header": table.header,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "date_order": summary.date_order,
            "police_category": summary.police_category,
            "outside": summary.outside,
            "municipality_level": summary.municipality_level,
        },
        preview=summary.preview,
        progress_total=len(table.rows),
        payload=raw,
    )
    record(access.user, "police.import_previewed", batch, data={"kind": "crimes"})
    return batch


def confirm_batch(access: Access, batch: ImportBatch) -> None:
    """Start the import of a previewed batch as a task (inline with the test backend)."""
    from samsyn.police.tasks import run_import

    updated = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportBatch.Status.PREVIEW
    ).update(
        status=ImportBatch.Status.RUNNING,
        created_at=timezone.now(),
        progress_done=0,
        created_by=access.user,
    )
    if not updated:
        return  # already confirmed (double submit)
    record(access.user, "police.import_confirmed", batch)
    run_import.enqueue(batch.pk)


def save_mapping(access: Access, mapping: ColumnMapping) -> ColumnMapping:
    created = mapping.pk is None
    mapping.collaboration = access.collaboration  # type: ignore[assignment]
    mapping.updated = timezone.now()
    mapping.save()
    record(
        access.user,
        "police.mapping_saved",
        mapping,
        data={"name": mapping.name, "created": created},
    )
    return mapping
