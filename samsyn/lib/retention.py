"""Keeping personal data no longer than needed, and giving it back or removing it.

- purge_free_text(): the scheduled retention task. Reports older than their
  collaboration's ``retention_days`` lose their free text (description, status notes),
  their reporter and their idempotency key; every fact that counts (category, time,
  place, area, people, severity, status, organisation) stays, so counts per category
  and area are the same before and after. One DeletionLog row and one audit entry per
  collaboration and run.
- export_user_data(): everything Samsyn holds about one person (GDPR right of access).
- remove_user(): deactivates and anonymises an account (GDPR erasure) while their
  reports' facts stay, with the reporter set to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from samsyn.lib.progress import Progress, null
from samsyn.organisations.models import AuditEvent, Collaboration, record
from samsyn.reports.models import DeletionLog, Report, ReportStatusChange

if TYPE_CHECKING:
    from samsyn.accounts.models import User


@dataclass(frozen=True)
class PurgeResult:
    collaboration: Collaboration
    cutoff: datetime
    reports: int  # reports whose free text or reporter was removed
    notes: int  # status-change notes emptied
    log: DeletionLog | None  # None on a dry run


def _purgeable(collaboration: Collaboration, cutoff: datetime) -> Any:
    return Report.objects.filter(
        collaboration=collaboration, created__lt=cutoff
    ).filter(
        ~Q(description="")
        | Q(reporter__isnull=False)
        | Q(idempotency_key__isnull=False)
    )


def purge_free_text(
    *,
    collaborations: Any = None,
    now: datetime | None = None,
    dry_run: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
) -> list[PurgeResult]:
    """Remove free text and reporter identity of reports past their retention period.

    Age is counted from when Samsyn received the report (``created``).
    """
    now = now or timezone.now()
    results = []
    progress = progress or null()
    collabs = list(collaborations or Collaboration.objects.order_by("slug"))
    progress.stage("purging", total=len(collabs))
    for collab in collabs:
        progress.note(collab.slug)
        cutoff = now - timedelta(days=collab.retention_days)
        with transaction.atomic():
            reports = _purgeable(collab, cutoff)
            notes = ReportStatusChange.objects.filter(
                collaboration=collab, report__created__lt=cutoff
            ).exclude(note="")
            n_reports, n_notes = reports.count(), notes.count()
            log = None
            if not dry_run:
                ids = list(reports.values_list("pk", flat=True))
                Report.objects.filter(pk__in=ids).update(
                    description="",
                    reporter=None,
                    idempotency_key=None,
                    idempotency_fingerprint="",
                )
                notes.update(note="")
                log = DeletionLog.objects.create(
                    collaboration=collab,
                    kind=DeletionLog.Kind.FREE_TEXT,
                    count=n_reports,
                    cutoff=cutoff,
                    data={"notes": n_notes, "retention_days": collab.retention_days},
                    by=by,
                    created=now,
                )
                record(
                    by,
                    "reports.free_text_purged",
                    collaboration=collab,
                    data={
                        "reports": n_reports,
                        "notes": n_notes,
                        "cutoff": cutoff.isoformat(),
                    },
                )
        results.append(PurgeResult(collab, cutoff, n_reports, n_notes, log))
        progress.advance()
    return results


def _audit_about(user: User) -> Any:
    return AuditEvent.objects.filter(
        Q(actor=user) | Q(target_type="accounts.user", target_code=str(user.code))
    ).order_by("created", "id")


def export_user_data(user: User) -> dict[str, Any]:
    """Everything held about ``user``, JSON-ready (the GDPR right of access)."""

    def when(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    reports = (
        Report.objects.filter(reporter=user)
        .select_related("collaboration", "organisation", "category", "area", "place")
        .order_by("created", "id")
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "user": {
            "code": str(user.code),
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": user.is_active,
            "date_joined": when(user.date_joined),
            "last_login": when(user.last_login),
        },
        "memberships": [
            {
                "collaboration": m.organisation.collaboration.slug,
                "organisation": m.organisation.slug,
                "role": m.role,
                "active": m.active,
                "since": when(m.created),
            }
            for m in user.memberships.select_related(
                "organisation__collaboration"
            ).order_by("created", "id")
        ],
        "api_tokens": [
            {
                "name": t.name,
                "hint": t.hint,
                "read_only": t.read_only,
                "created": when(t.created),
                "last_used": when(t.last_used),
                "revoked_at": when(t.revoked_at),
            }
            for t in user.api_tokens.order_by("created", "id")
        ],
        "reports": [
            {
                "code": str(r.code),
                "collaboration": r.collaboration.slug,
                "organisation": r.organisation.slug,
                "category": r.category.code,
                "occurred_at": when(r.occurred_at),
                "received_at": when(r.created),
                "lat": r.lat,
                "lon": r.lon,
                "area": r.area.name if r.area_id else None,
                "place": r.place.name if r.place_id else None,
                "people_count": r.people_count,
                "severity": r.severity,
                "description": r.description,
                "restricted": r.restricted,
                "status": r.status or None,
            }
            for r in reports
        ],
        "audit_events": [
            {
                "when": when(e.created),
                "action": e.action,
                "by_this_user": e.actor_id == user.pk,
                "target_type": e.target_type,
                "target_code": e.target_code,
                "data": e.data,
                "ip": e.ip,
            }
            for e in _audit_about(user)
        ],
    }


def remove_user(user: User, *, by: User | None = None) -> DeletionLog:
    """Deactivate and anonymise ``user``; their reports keep every fact, reporter NULL.

    The account row stays (renamed) so that the append-only audit log still points at
    one actor; nothing in it identifies the person any more.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        collabs = list(
            Collaboration.objects.filter(
                organisations__memberships__user=user
            ).distinct()
        )
        n_reports = Report.objects.filter(reporter=user).update(
            reporter=None, idempotency_key=None, idempotency_fingerprint=""
        )
        user.memberships.update(active=False)
        user.api_tokens.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        TOTPDevice.objects.filter(user=user).delete()
        user.username = f"removed-{user.code.hex[:12]}"
        user.email = ""
        user.first_name = ""
        user.last_name = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()  # also ends every session of the user
        user.save()
        log = DeletionLog.objects.create(
            collaboration=collabs[0] if len(collabs) == 1 else None,
            kind=DeletionLog.Kind.USER,
            count=n_reports,
            data={
                "user": str(user.code),
                "collaborations": [c.slug for c in collabs],
            },
            by=by,
        )
        for collab in collabs or [None]:
            record(
                by,
                "accounts.user_removed",
                user,
                collaboration=collab,
                data={"reports_kept": n_reports},
            )
    return log
