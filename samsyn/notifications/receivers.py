"""Signal handlers: which events send notifications (connected in apps.ready).

- A physical-environment report assigned: post_save of ReportStatusChange with status
  ``assigned`` (the status history is append-only, so a new row is the event).
- A week's picture approved: post_save of PictureEvent with kind ``approved``.
Both act after the commit, so a rolled-back change sends nothing.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

from samsyn.reports.models import Report, ReportStatusChange


def on_status_change(
    sender: Any,
    instance: ReportStatusChange,
    created: bool,
    raw: bool = False,
    **kw: Any,
) -> None:
    if not created or raw or instance.status != Report.Status.ASSIGNED:
        return
    from samsyn.notifications.actions import notify_report_assigned

    pk = instance.pk
    transaction.on_commit(
        lambda: notify_report_assigned(
            ReportStatusChange.objects.select_related(
                "report__category", "report__area", "report__collaboration", "owner"
            ).get(pk=pk)
        )
    )


def on_picture_event(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any
) -> None:
    if not created or raw or instance.kind != "approved":
        return
    from samsyn.notifications.actions import notify_picture_approved

    picture_id = instance.picture_id

    def run() -> None:
        from samsyn.pictures.models import SituationPicture

        notify_picture_approved(
            SituationPicture.objects.select_related("collaboration").get(pk=picture_id)
        )

    transaction.on_commit(run)


def connect() -> None:
    post_save.connect(
        on_status_change,
        sender=ReportStatusChange,
        dispatch_uid="notifications.report_assigned",
    )
    if apps.is_installed("samsyn.pictures"):
        from samsyn.pictures.models import PictureEvent

        post_save.connect(
            on_picture_event,
            sender=PictureEvent,
            dispatch_uid="notifications.picture_approved",
        )
