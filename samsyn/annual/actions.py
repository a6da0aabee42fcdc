"""State changes of annual reports. Each leaves an audit entry and an
AnnualReportEvent (the report's own append-only history)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.accounts.models import User
from samsyn.annual.figures import compute_figures, default_follow_up
from samsyn.annual.models import ActionPlanItem, AnnualReport, AnnualReportEvent
from samsyn.interventions.models import Intervention
from samsyn.lib.personal_data import find_personal_data
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration, Organisation, record


class AnnualError(Exception):
    """A change that is not allowed (approved report, personal data, rights)."""


class ReadOnly(AnnualError):
    pass


class PersonalDataFound(AnnualError):
    def __init__(self, kinds: list[str]) -> None:
        super().__init__("The text seems to contain personal data: " + ", ".join(kinds))
        self.kinds = kinds


def _event(
    report: AnnualReport, kind: str, by: User | None, data: dict[str, Any]
) -> None:
    AnnualReportEvent.objects.create(report=report, kind=kind, actor=by, data=data)
    record(by, f"annual.{kind}", report, data={"year": report.year, **data})


def _check_text(*texts: str) -> None:
    found = [f for t in texts for f in find_personal_data(t)]
    if found:
        raise PersonalDataFound(sorted({f.kind for f in found}))


def _locked_draft(report: AnnualReport) -> AnnualReport:
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.is_approved:
        raise ReadOnly(_("An approved annual report is read-only."))
    return report


def _touch(report: AnnualReport) -> None:
    report.updated = timezone.now()
    report.save(update_fields=["updated"])


@transaction.atomic
def create_report(
    collab: Collaboration, year: int, *, by: User | None, new_version: bool = False
) -> AnnualReport:
    """The latest version of the year's report, or a new one with frozen figures.

    A new version copies the texts and the action plan of the latest one, so the
    work carries over; the earlier version stays as it was.
    """
    existing = AnnualReport.objects.filter(collaboration=collab, year=year)
    latest_v = existing.aggregate(v=Max("version"))["v"]
    if latest_v and not new_version:
        return existing.get(version=latest_v)
    previous = existing.get(version=latest_v) if latest_v else None
    report = AnnualReport.objects.create(
        collaboration=collab,
        year=year,
        version=(latest_v or 0) + 1,
        figures=compute_figures(collab, year),
        follow_up_on=previous.follow_up_on if previous else default_follow_up(year),
        created_by=by,
    )
    if previous is not None:
        for name in AnnualReport.TEXT_FIELDS:
            setattr(report, name, getattr(previous, name))
        report.measures_needed = previous.measures_needed
        report.save()
        ActionPlanItem.objects.bulk_create(
            ActionPlanItem(
                report=report,
                goal=i.goal,
                measure=i.measure,
                owner_id=i.owner_id,
                indicator=i.indicator,
                intervention_id=i.intervention_id,
                follow_up_on=i.follow_up_on,
                created=i.created,
            )
            for i in previous.items.all()
        )
    kind = (
        AnnualReportEvent.Kind.NEW_VERSION
        if previous
        else AnnualReportEvent.Kind.CREATED
    )
    _event(report, kind, by, {"version": report.version})
    return report


@transaction.atomic
def save_texts(
    report: AnnualReport,
    texts: dict[str, str],
    *,
    measures_needed: bool | None = None,
    follow_up_on: date | None = None,
    by: User,
) -> AnnualReport:
    """Save the given text fields (only those in TEXT_FIELDS) and the plan's
    conclusion and follow-up date."""
    report = _locked_draft(report)
    clean = {k: v.strip() for k, v in texts.items() if k in AnnualReport.TEXT_FIELDS}
    _check_text(*clean.values())
    for k, v in clean.items():
        setattr(report, k, v)
    changed = list(clean)
    if measures_needed is not None:
        report.measures_needed = measures_needed
        changed.append("measures_needed")
    if follow_up_on is not None:
        report.follow_up_on = follow_up_on
        changed.append("follow_up_on")
    report.updated = timezone.now()
    report.save(update_fields=[*changed, "updated"])
    _event(report, AnnualReportEvent.Kind.EDITED, by, {"fields": changed})
    return report


def _check_item(report: AnnualReport, values: dict[str, Any]) -> None:
    owner: Organisation = values["owner"]
    if owner.collaboration_id != report.collaboration_id:
        raise AnnualError(_("The owner belongs to another collaboration."))
    iv: Intervention | None = values.get("intervention")
    if iv is not None and iv.collaboration_id != report.collaboration_id:
        raise AnnualError(_("The intervention belongs to another collaboration."))
    _check_text(values["goal"], values["measure"], values.get("indicator", ""))


@transaction.atomic
def add_item(
    report: AnnualReport, values: dict[str, Any], *, by: User
) -> ActionPlanItem:
    report = _locked_draft(report)
    _check_item(report, values)
    item = ActionPlanItem.objects.create(report=report, **values)
    _touch(report)
    _event(report, AnnualReportEvent.Kind.ITEM_ADDED, by, {"item": item.pk})
    return item


@transaction.atomic
def change_item(
    item: ActionPlanItem, values: dict[str, Any], *, by: User
) -> ActionPlanItem:
    report = _locked_draft(item.report)
    _check_item(report, values)
    for k, v in values.items():
        setattr(item, k, v)
    item.save()
    _touch(report)
    _event(report, AnnualReportEvent.Kind.ITEM_CHANGED, by, {"item": item.pk})
    return item


@transaction.atomic
def remove_item(item: ActionPlanItem, *, by: User) -> None:
    report = _locked_draft(item.report)
    data = {"item": item.pk, "goal": item.goal}
    item.delete()
    _touch(report)
    _event(report, AnnualReportEvent.Kind.ITEM_REMOVED, by, data)


@transaction.atomic
def approve_report(report: AnnualReport, access: Access, *, by: User) -> AnnualReport:
    if not access.can(Cap.APPROVE_PICTURE):
        raise AnnualError(_("Only coordinators approve the annual report."))
    if (
        access.collaboration is None
        or access.collaboration.pk != report.collaboration_id
    ):
        raise AnnualError(_("Another collaboration's report."))
    report = _locked_draft(report)
    report.status = AnnualReport.Status.APPROVED
    report.approved_by = by
    report.approved_at = timezone.now()
    report.updated = report.approved_at
    report.save(update_fields=["status", "approved_by", "approved_at", "updated"])
    _event(report, AnnualReportEvent.Kind.APPROVED, by, {"version": report.version})
    return report
