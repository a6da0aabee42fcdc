"""Sending notifications: once per (person, event), honouring each person's settings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from samsyn.accounts.models import User
from samsyn.notifications.models import Kind, Notification, NotificationPreference
from samsyn.organisations.access import Access, Cap
from samsyn.organisations.models import Collaboration, Membership, Organisation, record

# Why a notification was not sent, stored in English and translated when shown
# ({% translate n.error %} in the log).
SKIPPED_OFF = gettext_noop("turned off in the settings")
SKIPPED_NO_ADDRESS = gettext_noop("no e-mail address")

Role = Membership.Role
# Who in an organisation hears about its work: the ones who act on it.
STAFF_ROLES = (Role.ORG_LEAD, Role.COORDINATOR)


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def staff_of(organisations: Iterable[Organisation]) -> list[User]:
    ids = [o.pk for o in organisations]
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=ids,
            memberships__active=True,
            memberships__role__in=STAFF_ROLES,
        )
        .distinct()
        .order_by("pk")
    )


def members_of(collaboration: Collaboration) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation__collaboration=collaboration,
            memberships__active=True,
        )
        .distinct()
        .order_by("pk")
    )


def render_mail(kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject (first line) and body of ``notifications/email/<kind>.txt``."""
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"notifications/email/{kind}.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip()[:200], body.strip() + "\n"


def notify(
    user: User,
    kind: str,
    key: str,
    context: dict[str, Any],
    *,
    collaboration: Collaboration | None = None,
) -> Notification | None:
    """Log and (after the commit) send one notification; None if already logged."""
    if Notification.objects.filter(user=user, key=key).exists():
        return None
    subject, body = render_mail(kind, {**context, "user": user})
    status, error = Notification.Status.PENDING, ""
    if not NotificationPreference.wants(user, kind):
        status, error = Notification.Status.SKIPPED, SKIPPED_OFF
    elif not user.email:
        status, error = Notification.Status.SKIPPED, SKIPPED_NO_ADDRESS
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                collaboration=collaboration,
                user=user,
                kind=kind,
                key=key,
                subject=subject,
                body=body,
                status=status,
                error=error,
            )
    except IntegrityError:
        return None
    if status == Notification.Status.PENDING:
        from samsyn.notifications.tasks import send_notification

        transaction.on_commit(lambda: send_notification.enqueue(note.pk))
    return note


def deliver(note: Notification) -> Notification:
    """Send one pending notification by e-mail; record sent or failed."""
    if note.status != Notification.Status.PENDING:
        return note
    try:
        send_mail(
            note.subject,
            note.body,
            settings.DEFAULT_FROM_EMAIL,
            [note.user.email],
            fail_silently=False,
        )
    except Exception as exc:  # noqa: BLE001 - any backend failure is logged
        note.status = Notification.Status.FAILED
        note.error = f"{type(exc).__name__}: {exc}"[:500]
    else:
        note.status = Notification.Status.SENT
        note.sent_at = timezone.now()
    note.save(update_fields=["status", "error", "sent_at"])
    return note


def save_preferences(user: User, enabled: set[str], *, by: User) -> None:
    with transaction.atomic():
        for kind in Kind.values:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"enabled": kind in enabled}
            )
        record(
            by,
            "notifications.preferences_changed",
            None,
            data={"enabled": sorted(enabled)},
        )


# --- the events ----------------------------------------------------------------------


def notify_report_assigned(change: Any) -> int:
    """Tell the owner organisation's leads and coordinators about an assignment."""
    from samsyn.reports.models import Report

    report = change.report
    owner = change.owner
    if owner is None:
        return 0
    sent = 0
    for user in staff_of([owner]):
        access = Access.for_user(user, report.collaboration)
        if not Report.objects.visible_to(access).filter(pk=report.pk).exists():
            continue  # restricted and not theirs to see
        note = notify(
            user,
            Kind.REPORT_ASSIGNED,
            f"report_assigned:{report.code}:{change.pk}",
            {
                "report": report,
                "owner": owner,
                "note": change.note,
                "url": site_url(f"/reports/{report.code}/"),
            },
            collaboration=report.collaboration,
        )
        sent += note is not None
    return sent


def notify_picture_approved(picture: Any) -> int:
    """The weekly digest: every member hears that the week's picture is approved."""
    if picture.kind != "week" or picture.scope_id is not None:
        return 0
    sent = 0
    for user in members_of(picture.collaboration):
        access = Access.for_user(user, picture.collaboration)
        if not access.can(Cap.VIEW_REPORTS):
            continue
        # As the picture's page shows it to this person: no restricted details.
        summary = picture.figures_for(access).get("summary", {})
        note = notify(
            user,
            Kind.PICTURE_DIGEST,
            f"picture_digest:{picture.collaboration_id}:{picture.label}",
            {
                "picture": picture,
                "summary": summary,
                "headlines": [h.get("text", "") for h in summary.get("headlines", [])],
                "url": site_url(f"/pictures/{picture.code}/"),
            },
            collaboration=picture.collaboration,
        )
        sent += note is not None
    return sent


def send_due_reminders(
    today: date | None = None, days_ahead: int | None = None
) -> dict:
    """Decisions due and interventions ending within ``days_ahead`` days (or overdue).

    Idempotent: each (person, item, due date) is logged once, so the command can run
    every hour; a new due date means a new reminder.
    """
    today = today or timezone.localdate()
    if days_ahead is None:
        days_ahead = int(getattr(settings, "SAMSYN_REMINDER_DAYS_AHEAD", 3))
    horizon = today + timedelta(days=days_ahead)
    counts = {"decisions": 0, "interventions": 0}
    if apps.is_installed("samsyn.meetings"):
        from samsyn.meetings.models import Decision

        decisions = (
            Decision.objects.open()
            .filter(due__isnull=False, due__lte=horizon)
            .select_related("owner", "collaboration", "meeting")
        )
        for d in decisions:
            for user in staff_of([d.owner]):
                counts["decisions"] += (
                    notify(
                        user,
                        Kind.DECISION_DUE,
                        f"decision_due:{d.code}:{d.due.isoformat()}",
                        {
                            "decision": d,
                            "overdue": d.due < today,
                            "url": site_url(f"/meetings/{d.meeting.code}/"),
                        },
                        collaboration=d.collaboration,
                    )
                    is not None
                )
    if apps.is_installed("samsyn.interventions"):
        from samsyn.interventions.models import Intervention, Partnership

        running = [Intervention.Status.DECIDED, Intervention.Status.ONGOING]
        items = (
            Intervention.objects.filter(
                status__in=running, ends_on__isnull=False, ends_on__lte=horizon
            )
            .select_related("owner", "collaboration")
            .prefetch_related("partnerships__organisation")
        )
        for i in items:
            orgs = [i.owner] + [
                p.organisation
                for p in i.partnerships.all()
                if p.status != Partnership.Status.DECLINED
            ]
            for user in staff_of(orgs):
                counts["interventions"] += (
                    notify(
                        user,
                        Kind.INTERVENTION_DUE,
                        f"intervention_due:{i.code}:{i.ends_on.isoformat()}",
                        {
                            "intervention": i,
                            "overdue": i.ends_on < today,
                            "url": site_url(f"/interventions/{i.code}/"),
                        },
                        collaboration=i.collaboration,
                    )
                    is not None
                )
    return counts
