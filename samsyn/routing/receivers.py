"""Keep the cached routing index honest, and tell reporters when a fix is done.

- Any saved or deleted rule or property bumps the collaboration's RoutingVersion
  (bulk imports bump it themselves).
- A physical-environment report marked fixed or closed: its own reporter gets an
  in-app notice (and, if they want it, a line in their daily e-mail digest).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from samsyn.reports.models import Report, ReportStatusChange


def on_rule_or_property(
    sender: Any, instance: Any, raw: bool = False, **kw: Any
) -> None:
    if raw:
        return
    from samsyn.routing.models import RoutingVersion

    RoutingVersion.bump(instance.collaboration)


def on_status_change(
    sender: Any,
    instance: ReportStatusChange,
    created: bool,
    raw: bool = False,
    **kw: Any,
) -> None:
    done = (Report.Status.FIXED, Report.Status.CLOSED_NOT_FIXED)
    if not created or raw or instance.status not in done:
        return
    pk = instance.pk

    def run() -> None:
        from samsyn.routing.actions import notify_reporter

        notify_reporter(
            ReportStatusChange.objects.select_related(
                "report__category", "report__reporter", "report__collaboration"
            ).get(pk=pk)
        )

    transaction.on_commit(run)


def connect() -> None:
    from samsyn.routing.models import Property, RoutingRule

    for model in (RoutingRule, Property):
        post_save.connect(
            on_rule_or_property, sender=model, dispatch_uid=f"routing.bump.save.{model}"
        )
        post_delete.connect(
            on_rule_or_property, sender=model, dispatch_uid=f"routing.bump.del.{model}"
        )
    post_save.connect(
        on_status_change,
        sender=ReportStatusChange,
        dispatch_uid="routing.reporter_notice",
    )
