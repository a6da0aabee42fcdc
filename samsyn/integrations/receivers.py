"""Signal handlers of the integrations app (connected in apps.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from samsyn.integrations.signals import report_submitted
from samsyn.reports.models import Report


def on_report_submitted(sender: Any, report: Report, **kwargs: Any) -> None:
    from samsyn.integrations.actions import queue_report_webhooks

    queue_report_webhooks(report)


def on_report_saved(
    sender: Any, instance: Report, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    # Fallback until submit_report sends report_submitted: every new row.
    if created and not raw:
        from samsyn.integrations.actions import queue_report_webhooks

        queue_report_webhooks(instance)


def connect() -> None:
    report_submitted.connect(on_report_submitted, dispatch_uid="integrations.webhooks")
    post_save.connect(
        on_report_saved, sender=Report, dispatch_uid="integrations.webhooks.fallback"
    )
