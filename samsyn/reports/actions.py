"""State changes on reports. HTML views and the API both call these."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.accounts.models import User
from samsyn.areas.models import Area
from samsyn.lib.geo import to_sweref
from samsyn.organisations.access import Access
from samsyn.organisations.models import Organisation, record
from samsyn.reports.models import Report, ReportStatusChange
from samsyn.routing.actions import audit_data, decide, route_report


class IdempotencyConflict(Exception):
    """The same Idempotency-Key was sent earlier with a different report."""

    def __init__(self, report: Report) -> None:
        super().__init__("Idempotency-Key reused with different content")
        self.report = report


@dataclass
class Submitted:
    report: Report
    created: bool  # False when an earlier submission with the same key was returned


def _fingerprint(data: dict[str, Any]) -> str:
    keys = (
        "category",
        "lat",
        "lon",
        "description",
        "severity",
        "people_count",
        "place",
        "place_type",
        "restricted",
        "organisation",
    )
    payload = {k: data.get(k) for k in keys}
    # occurred_at is left out: a client that omits it gets "now", which differs
    # between a request and its retry.
    raw = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def submit_report(
    access: Access,
    data: dict[str, Any],
    *,
    by: User,
    idempotency_key: str | None = None,
    source: str = Report.Source.WEB,
) -> Submitted:
    """Save a validated report (``ReportForm.cleaned_data``) exactly once.

    With an idempotency key, a retry returns the report the first request created,
    also when both requests race: the unique constraint decides, and the loser reads
    the winner's row.
    """
    if idempotency_key:
        existing = _existing(by, idempotency_key)
        if existing is not None:
            return _replay(existing, data)
    category = data["category_obj"]
    collab = access.collaboration
    assert collab is not None  # noqa: S101 - form validation guarantees a member
    lon, lat = float(data["lon"]), float(data["lat"])
    x, y = to_sweref(lon, lat)
    place = data.get("place_obj")
    report = Report(
        collaboration=collab,
        organisation=data["organisation_obj"],
        reporter=by,
        category=category,
        occurred_at=data["occurred_at"],
        lon=round(lon, 7),
        lat=round(lat, 7),
        x=round(float(x), 2),
        y=round(float(y), 2),
        area_id=Area.locate_id(collab, lon, lat),
        place=place,
        place_type=data.get("place_type") or (place.place_type if place else ""),
        people_count=data.get("people_count"),
        severity=data.get("severity") or 1,
        description=data.get("description") or "",
        restricted=bool(data.get("restricted")),
        source=source,
        idempotency_key=idempotency_key or None,
        idempotency_fingerprint=_fingerprint(data) if idempotency_key else "",
    )
    decision = None
    if category.physical_environment:
        report.status = Report.Status.REPORTED
        report.owner = category.default_owner
        # Routing rules (samsyn.routing) choose the owner as the report is stored.
        decision = decide(report)
        if decision is not None:
            report.status = Report.Status.ASSIGNED
            report.owner_id = decision.owner_id
    try:
        with transaction.atomic():
            report.save()
            if category.physical_environment:
                ReportStatusChange.objects.create(
                    report=report,
                    collaboration=collab,
                    status=Report.Status.REPORTED,
                    owner=category.default_owner,
                    changed_by=by,
                )
            audit: dict[str, Any] = {"source": source}
            if decision is not None:
                route_report(report, by=by, decision=decision, audit=False)
                audit["routing"] = audit_data(decision)
            record(by, "report.submitted", report, data=audit)
    except IntegrityError:
        if not idempotency_key:
            raise
        existing = _existing(by, idempotency_key)
        if existing is None:
            raise
        return _replay(existing, data)
    return Submitted(report=report, created=True)


def _existing(by: User, key: str) -> Report | None:
    # Nearly every key is new: ask the unique index alone first, and build the
    # joined query only for a retry.
    mine = Report.objects.filter(reporter=by, idempotency_key=key)
    if not mine.values_list("pk", flat=True)[:1]:
        return None
    return mine.select_related("category", "organisation", "area").first()


def _replay(existing: Report, data: dict[str, Any]) -> Submitted:
    if existing.idempotency_fingerprint != _fingerprint(data):
        raise IdempotencyConflict(existing)
    return Submitted(report=existing, created=False)


# A report this close to an earlier one of the same reporter and category, in place
# and in the time it happened, is probably the same event sent twice.
DUPLICATE_DISTANCE_M = 50.0
DUPLICATE_WINDOW = timedelta(minutes=10)


@dataclass
class ReportWarning:
    """Something the reporter should confirm before a report is kept (not an error)."""

    OUTSIDE_AREAS = "outside_areas"
    LIKELY_DUPLICATE = "likely_duplicate"

    code: str
    message: str
    earlier: Report | None = None
    # The earlier report's sending time, local (HH:MM), for a likely duplicate.
    time: str = ""


def report_warnings(
    access: Access,
    data: dict[str, Any],
    *,
    by: User,
    idempotency_key: str | None = None,
) -> list[ReportWarning]:
    """What to ask before keeping a valid report (``ReportForm.cleaned_data``).

    The position outside every area of the collaboration, and a likely duplicate: the
    same reporter and category, within DUPLICATE_DISTANCE_M and DUPLICATE_WINDOW of
    when it happened. A retry with the same idempotency key is not its own duplicate.
    """
    collab = access.collaboration
    assert collab is not None  # noqa: S101 - form validation guarantees a member
    lon, lat = float(data["lon"]), float(data["lat"])
    warnings: list[ReportWarning] = []
    if (
        Area.locate_id(collab, lon, lat) is None
        and Area.objects.in_collaboration(collab).exists()
    ):
        warnings.append(
            ReportWarning(
                ReportWarning.OUTSIDE_AREAS,
                _(
                    "The position is outside every area of the collaboration: "
                    "check it on the map."
                ),
            )
        )
    x, y = (float(v) for v in to_sweref(lon, lat))
    when = data["occurred_at"]
    near = (
        Report.objects.filter(
            collaboration=collab,
            reporter=by,
            category=data["category_obj"],
            occurred_at__gte=when - DUPLICATE_WINDOW,
            occurred_at__lte=when + DUPLICATE_WINDOW,
            x__gte=x - DUPLICATE_DISTANCE_M,
            x__lte=x + DUPLICATE_DISTANCE_M,
            y__gte=y - DUPLICATE_DISTANCE_M,
            y__lte=y + DUPLICATE_DISTANCE_M,
        )
        .select_related("category")
        .order_by("-created", "-pk")
    )
    if idempotency_key:
        near = near.exclude(idempotency_key=idempotency_key)
    for earlier in near[:20]:
        if (earlier.x - x) ** 2 + (earlier.y - y) ** 2 <= DUPLICATE_DISTANCE_M**2:
            sent = timezone.localtime(earlier.created).strftime("%H:%M")
            warnings.append(
                ReportWarning(
                    ReportWarning.LIKELY_DUPLICATE,
                    _("You sent a similar report at %(time)s (report %(code)s).")
                    % {"time": sent, "code": earlier.code},
                    earlier=earlier,
                    time=sent,
                )
            )
            break
    return warnings


class TransitionNotAllowed(Exception):
    pass


@transaction.atomic
def change_status(
    report: Report,
    *,
    by: User,
    status: str,
    owner: Organisation | None = None,
    note: str = "",
) -> ReportStatusChange:
    """Move a physical-environment report along reported → assigned → fixed/closed."""
    # Lock the row so two people changing the status at once are serialised.
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if status not in locked.allowed_transitions():
        raise TransitionNotAllowed(status)
    if status == Report.Status.ASSIGNED and owner is None and locked.owner_id is None:
        raise TransitionNotAllowed("assigned needs an owner")
    locked.status = status
    if owner is not None:
        locked.owner = owner
    locked.save(update_fields=["status", "owner", "updated"])
    change = ReportStatusChange.objects.create(
        report=locked,
        collaboration=locked.collaboration,
        status=status,
        owner=locked.owner,
        note=note,
        changed_by=by,
    )
    record(
        by,
        "report.status_changed",
        locked,
        data={"status": status, "owner": locked.owner.slug if locked.owner else None},
    )
    report.status, report.owner = locked.status, locked.owner
    return change


def save_category(form: Any, *, by: User) -> Any:
    """Create or change a checklist category from a valid ``CategoryForm``."""
    category = form.save(commit=False)
    created = category.pk is None
    category.collaboration = form.collaboration
    category.save()
    record(
        by,
        "category.created" if created else "category.changed",
        category,
        data={"code": category.code, "fields": sorted(form.changed_data)},
    )
    return category
