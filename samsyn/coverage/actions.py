"""Check-ins, coverage settings and reminders: every change leaves an audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.areas.models import Area
from samsyn.coverage.models import CheckIn, Coverage, ReminderLog
from samsyn.organisations.access import Access
from samsyn.organisations.models import (
    Collaboration,
    Membership,
    Organisation,
    record,
)
from samsyn.reports.models import Category


class CheckInRefused(Exception):
    """The user may not check in this area for this organisation."""


@transaction.atomic
def check_in(
    access: Access,
    organisation: Organisation,
    area: Area,
    iso_year: int,
    iso_week: int,
    status: str,
    categories: Iterable[str] = (),
    *,
    by: Any,
) -> CheckIn:
    """Record (or correct) an organisation's check-in for one area and week.

    Only members with CREATE_REPORT in the organisation may check in, and only the
    areas the organisation covers. A correction appends a new current row.
    """
    if (
        access.collaboration is None
        or organisation.collaboration_id != access.collaboration.pk
        or not access.can_report_for(organisation.pk)
    ):
        raise CheckInRefused(_("You cannot check in for this organisation."))
    if not Coverage.objects.active().filter(organisation=organisation, area=area):
        raise CheckInRefused(_("This organisation does not cover that area."))
    if status not in CheckIn.Status.values:
        raise CheckInRefused(_("Unknown status."))
    codes: list[str] = []
    if status == CheckIn.Status.ITEMS_SEEN:
        known = set(
            Category.objects.filter(
                collaboration=organisation.collaboration, active=True
            ).values_list("code", flat=True)
        )
        codes = sorted({c for c in categories if c in known})
    CheckIn.objects.select_for_update().filter(
        organisation=organisation,
        area=area,
        iso_year=iso_year,
        iso_week=iso_week,
        is_current=True,
    ).update(is_current=False)
    checkin = CheckIn.objects.create(
        collaboration=organisation.collaboration,
        organisation=organisation,
        area=area,
        iso_year=iso_year,
        iso_week=iso_week,
        status=status,
        categories=codes,
        by=by,
    )
    record(
        by,
        "checkin.recorded",
        checkin,
        data={
            "organisation": organisation.slug,
            "area": area.ref,
            "week": f"{iso_year}-W{iso_week:02d}",
            "status": status,
            "categories": codes,
        },
    )
    return checkin


@transaction.atomic
def set_coverage(
    organisation: Organisation, areas: Iterable[Area], *, by: Any
) -> list[str]:
    """Make ``areas`` exactly the organisation's active coverage; returns area refs."""
    wanted = {
        a.pk: a for a in areas if a.collaboration_id == organisation.collaboration_id
    }
    existing = {
        c.area_id: c for c in Coverage.objects.filter(organisation=organisation)
    }
    for area_id, row in existing.items():
        active = area_id in wanted
        if row.active != active:
            row.active = active
            row.save(update_fields=["active"])
    for area_id in wanted.keys() - existing.keys():
        Coverage.objects.create(
            collaboration=organisation.collaboration,
            organisation=organisation,
            area_id=area_id,
        )
    refs = sorted(a.ref for a in wanted.values())
    record(
        by,
        "coverage.changed",
        organisation,
        data={"organisation": organisation.slug, "areas": refs},
    )
    return refs


# ---------------------------------------------------------------- reminders


def next_deadline(collab: Collaboration, now: datetime) -> datetime:
    """When check-ins are due: the next meeting of the weekly EST forum, else the
    coming Monday 09:00 (local time)."""
    from samsyn.meetings.models import Forum, Meeting

    meeting = (
        Meeting.objects.filter(
            collaboration=collab,
            forum__kind=Forum.Kind.WEEKLY,
            forum__active=True,
            status=Meeting.Status.PLANNED,
            starts_at__gt=now,
        )
        .order_by("starts_at")
        .first()
    )
    candidates = [meeting.starts_at] if meeting else []
    today = timezone.localdate(now)
    for forum in Forum.objects.filter(
        collaboration=collab, kind=Forum.Kind.WEEKLY, active=True
    ):
        for d in forum.meeting_dates(today, today + timedelta(days=35)):
            start = forum.start_of(d)
            if start > now:
                candidates.append(start)
                break
    if candidates:
        return min(candidates)
    tz = timezone.get_current_timezone()
    monday = today + timedelta(days=(7 - today.weekday()) % 7)
    deadline = datetime.combine(monday, time(9, 0), tz)
    if deadline <= now:
        deadline = datetime.combine(monday + timedelta(days=7), time(9, 0), tz)
    return deadline


def reviewed_week(deadline: datetime) -> tuple[int, int]:
    """The ISO week a deadline is for: the week before the deadline's own week
    (a Monday 09:00 or Tuesday meeting reviews the week that just ended)."""
    local = timezone.localdate(deadline)
    iso = (local - timedelta(days=7)).isocalendar()
    return iso.year, iso.week


def _recipients(organisation: Organisation) -> list[str]:
    """The organisation's coordinators and leads; its reporters if it has none."""
    members = Membership.objects.filter(
        organisation=organisation, active=True, user__is_active=True
    ).select_related("user")
    leads = [
        m.user.email
        for m in members
        if m.role in (Membership.Role.COORDINATOR, Membership.Role.ORG_LEAD)
        and m.user.email
    ]
    if leads:
        return sorted(set(leads))
    return sorted(
        {
            m.user.email
            for m in members
            if m.role == Membership.Role.REPORTER and m.user.email
        }
    )


def missing_areas(
    organisation: Organisation, iso_year: int, iso_week: int
) -> list[Area]:
    covered = Coverage.objects.active().filter(organisation=organisation)
    done = set(
        CheckIn.objects.current()
        .in_week(iso_year, iso_week)
        .filter(organisation=organisation)
        .values_list("area_id", flat=True)
    )
    return [
        c.area
        for c in covered.select_related("area").order_by("area__name")
        if c.area_id not in done
    ]


def send_checkin_reminders(
    collab: Collaboration,
    *,
    now: datetime | None = None,
    before_meeting_hours: int = 24,
) -> dict[str, Any]:
    """E-mail every organisation that has not checked in all its areas.

    Sends only within ``before_meeting_hours`` before the deadline, and at most once
    per organisation and week (ReminderLog), so it can run from cron every hour.
    """
    now = now or timezone.now()
    deadline = next_deadline(collab, now)
    iso_year, iso_week = reviewed_week(deadline)
    result: dict[str, Any] = {
        "deadline": deadline,
        "week": f"{iso_year}-W{iso_week:02d}",
        "sent": [],
        "already": [],
        "complete": [],
        "due": now >= deadline - timedelta(hours=before_meeting_hours),
    }
    if not result["due"]:
        return result
    link = (
        settings.SITE_URL.rstrip("/")
        + f"/coverage/checkin/?week={iso_year}-W{iso_week:02d}"
    )
    for org in Organisation.objects.filter(collaboration=collab, active=True):
        missing = missing_areas(org, iso_year, iso_week)
        if not missing:
            if Coverage.objects.active().filter(organisation=org).exists():
                result["complete"].append(org.slug)
            continue
        if ReminderLog.objects.filter(
            organisation=org, iso_year=iso_year, iso_week=iso_week
        ).exists():
            result["already"].append(org.slug)
            continue
        to = _recipients(org)
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    collaboration=collab,
                    organisation=org,
                    iso_year=iso_year,
                    iso_week=iso_week,
                    recipients=len(to),
                    deadline=deadline,
                )
                record(
                    None,
                    "checkin.reminder_sent",
                    org,
                    collaboration=collab,
                    data={"week": result["week"], "recipients": len(to)},
                )
        except IntegrityError:  # another run got there first
            result["already"].append(org.slug)
            continue
        if to:
            local = timezone.localtime(deadline)
            names = ", ".join(a.name for a in missing)
            send_mail(
                _("Weekly check-in for week %(week)s") % {"week": iso_week},
                _(
                    "%(org)s has not yet checked in these areas for week %(week)s: "
                    "%(areas)s.\n\nPlease confirm each area before %(deadline)s — "
                    'one tap per area, "Nothing to report" counts too:\n%(link)s\n'
                )
                % {
                    "org": org.name,
                    "week": iso_week,
                    "areas": names,
                    "deadline": local.strftime("%Y-%m-%d %H:%M"),
                    "link": link,
                },
                settings.DEFAULT_FROM_EMAIL,
                to,
            )
        result["sent"].append(org.slug)
    return result
