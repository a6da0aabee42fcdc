"""Actions behind the imports pages: stage a previewed batch, confirm it, save mappings."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.organisations.access import Access
from samsyn.organisations.models import record
from samsyn.police.actions import PoliceImportError, import_police_events
from samsyn.police.crimes import (
    import_crimes,
    mapping_snapshot,
    suggest_mapping,
)
from samsyn.police.models import ColumnMapping, ImportBatch
from samsyn.police.skips import skipped_row
from samsyn.police.tabular import MAX_BYTES, FileProblem, read_table

PREVIEW_ROWS = 20


def parse_events_file(raw: bytes) -> list[Any]:
    """The events of a feed file (a JSON array), or FileProblem saying why not.

    Every way a file can be unusable ends here with a message, never a traceback:
    empty, too large, not UTF-8 (a byte-order mark is allowed), not JSON, nested too
    deeply for the parser (RecursionError), a number with more digits than Python
    converts (ValueError), or not an array.
    """
    if not raw.strip():
        raise FileProblem(_("The file is empty."))
    if len(raw) > MAX_BYTES:
        raise FileProblem(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FileProblem(
            _("Not UTF-8 text (%(reason)s).") % {"reason": exc.reason}
        ) from exc
    except json.JSONDecodeError as exc:
        raise FileProblem(
            _("Not valid JSON (line %(line)s: %(error)s).")
            % {"line": exc.lineno, "error": exc.msg}
        ) from exc
    except RecursionError as exc:
        raise FileProblem(_("The JSON is nested too deeply.")) from exc
    except ValueError as exc:  # e.g. an integer with more than 4300 digits
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FileProblem(
            _("Not usable JSON (%(error)s).") % {"error": first_line}
        ) from exc
    if not isinstance(doc, list):
        raise FileProblem(
            _("Expected a JSON array of events, found a %(type)s.")
            % {"type": type(doc).__name__}
        )
    return doc


def _events_preview(events: list[Any], skipped: set[Any]) -> list[dict[str, Any]]:
    rows = []
    for event in events:
        if not isinstance(event, dict) or event.get("id") in skipped:
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
        skipped=[skipped_row(k, r) for k, r in summary.skipped],
        options={"county": county, "places": places},
        preview=_events_preview(events, {k for k, _ in summary.skipped}),
        progress_total=len(events),
        payload=raw,
    )
    record(access.user, "police.import_previewed", batch, data={"kind": "events"})
    return batch


def stage_crimes(
    access: Access, raw: bytes, file_name: str, mapping: ColumnMapping | None
) -> ImportBatch:
    """A dry run of a crime extract, kept as a `preview` batch to confirm."""
    collab = access.collaboration
    if collab is None:
        raise FileProblem(_("No collaboration chosen."))
    table = read_table(raw, file_name)
    if mapping is None:
        mapping = suggest_mapping(table.header)
    summary = import_crimes(collab, table, mapping, dry_run=True)
    batch = ImportBatch.objects.create(
        collaboration=collab,
        kind=ImportBatch.Kind.CRIMES,
        status=ImportBatch.Status.PREVIEW,
        file_name=file_name[:255],
        created_by=access.user,
        new_count=summary.new,
        unchanged_count=summary.unchanged,
        skipped_count=len(summary.skipped),
        skipped=[skipped_row(k, r) for k, r in summary.skipped],
        options={
            "mapping": mapping_snapshot(mapping),
            "header": table.header,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
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
