"""State changes on residents' reports: submit (public) and moderate (coordinators)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from samsyn.areas.models import Area
from samsyn.lib.geo import to_sweref
from samsyn.organisations.models import Collaboration, record
from samsyn.reports.models import Report
from samsyn.residents.models import ModerationEvent, ResidentReport

if TYPE_CHECKING:
    from samsyn.accounts.models import User

Status = ResidentReport.Status


class NotPending(Exception):
    """Only reports waiting for moderation can be moderated."""


def submit_resident_report(
    collaboration: Collaboration, data: dict[str, Any], *, form_digest: str
) -> tuple[ResidentReport, bool]:
    """Save a validated report once per form; a resubmitted form returns the first."""
    existing = ResidentReport.objects.filter(form_digest=form_digest).first()
    if existing is not None:
        return existing, False
    lon, lat = float(data["lon"]), float(data["lat"])
    x, y = to_sweref(lon, lat)
    area = data.get("area_obj")
    area_id = Area.locate_id(collaboration, lon, lat) or (area.pk if area else None)
    report = ResidentReport(
        collaboration=collaboration,
        category=data["category_obj"],
        occurred_at=timezone.now(),
        lon=round(lon, 6),
        lat=round(lat, 6),
        x=round(float(x), 1),
        y=round(float(y), 1),
        area_id=area_id,
        place=data.get("place_obj"),
        text=data.get("text") or "",
        form_digest=form_digest,
    )
    try:
        with transaction.atomic():
            report.save()
            ModerationEvent.objects.create(
                report=report, collaboration=collaboration, status=Status.PENDING
            )
            # No actor: the public page is anonymous by design.
            record(None, "resident_report.submitted", report)
    except IntegrityError:
        existing = ResidentReport.objects.filter(form_digest=form_digest).first()
        if existing is None:
            raise
        return existing, False
    return report, True


def _moderate(
    report: ResidentReport,
    *,
    by: User,
    status: str,
    reason: str = "",
    into: ResidentReport | Report | None = None,
) -> ResidentReport:
    locked = ResidentReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != Status.PENDING:
        raise NotPending(locked.status)
    locked.status = status
    fields = ["status"]
    if isinstance(into, ResidentReport):
        locked.merged_into = into
        fields.append("merged_into")
    elif isinstance(into, Report):
        locked.merged_into_report = into
        fields.append("merged_into_report")
    locked.save(update_fields=fields)
    ModerationEvent.objects.create(
        report=locked,
        collaboration=locked.collaboration,
        status=status,
        reason=reason,
        merged_into=str(into.code) if into is not None else "",
        by=by,
    )
    record(
        by,
        f"resident_report.{status}",
        locked,
        data={"into": str(into.code)} if into is not None else None,
    )
    report.status = locked.status
    report.merged_into_id = locked.merged_into_id
    report.merged_into_report_id = locked.merged_into_report_id
    return report


@transaction.atomic
def accept_resident_report(report: ResidentReport, *, by: User) -> ResidentReport:
    return _moderate(report, by=by, status=Status.ACCEPTED)


@transaction.atomic
def reject_resident_report(
    report: ResidentReport, *, by: User, reason: str
) -> ResidentReport:
    return _moderate(report, by=by, status=Status.REJECTED, reason=reason)


@transaction.atomic
def merge_resident_report(
    report: ResidentReport, into: ResidentReport | Report, *, by: User
) -> ResidentReport:
    """A duplicate of ``into``: it is kept, linked, and does not count on its own."""
    if into.collaboration_id != report.collaboration_id or into == report:
        raise ValueError("merge target must be another report of the collaboration")
    return _moderate(report, by=by, status=Status.MERGED, into=into)
