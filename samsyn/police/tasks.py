"""The import, run as a task once a coordinator confirms a previewed batch."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from samsyn.police.models import ImportBatch

log = logging.getLogger(__name__)


def _progress(batch_id: int):  # type: ignore[no-untyped-def]
    def progress(stage: str, done: int, total: int) -> None:
        # Written outside the import's transaction, so a page polling it sees it.
        if transaction.get_connection().in_atomic_block:
            return
        ImportBatch.objects.filter(pk=batch_id).update(
            progress_done=done, progress_total=total
        )

    return progress


@task()
def run_import(batch_id: int) -> None:
    """Run a confirmed import batch to `done` (or `failed`, with the error kept)."""
    from samsyn.police.actions import PoliceImportError, import_police_events
    from samsyn.police.batches import parse_events_file
    from samsyn.police.crimes import import_crimes, mapping_from_snapshot
    from samsyn.police.tabular import FileProblem, read_table

    batch = ImportBatch.objects.select_related("collaboration", "created_by").get(
        pk=batch_id
    )
    if batch.status != ImportBatch.Status.RUNNING:
        return
    raw = bytes(batch.payload)
    options = batch.options or {}
    try:
        if batch.kind == ImportBatch.Kind.EVENTS:
            events = parse_events_file(raw)
            import_police_events(
                batch.collaboration,
                events,
                county_name=options.get("county") or None,
                places=options.get("places", []),
                by=batch.created_by,
                batch=batch,
                progress=_progress(batch.pk),
            )
        else:
            import_crimes(
                batch.collaboration,
                read_table(raw, batch.file_name),
                mapping_from_snapshot(options["mapping"]),
                date_order=options.get("date_order", ""),
                by=batch.created_by,
                batch=batch,
                progress=_progress(batch.pk),
            )
    except (FileProblem, PoliceImportError, ValueError, KeyError) as exc:
        log.warning("import batch %s failed: %s", batch_id, exc)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            error=str(exc),
            finished_at=timezone.now(),
            payload=b"",
        )
