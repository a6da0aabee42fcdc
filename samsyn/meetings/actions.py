"""Verbs of the meeting cycle: plan, generate the agenda, minute, decide, follow up."""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from samsyn.analysis import engine
from samsyn.lib.weeks import localtime
from samsyn.meetings.models import (
    DEFAULT_OVERDUE_DAYS,
    CalendarLink,
    Decision,
    DecisionEvent,
    Forum,
    Meeting,
)
from samsyn.organisations.models import Collaboration, Organisation, record
from samsyn.reports.models import Report

log = logging.getLogger(__name__)

# A physical-environment issue still reported/assigned this many days after it came
# in is "overdue" on the agenda: each forum sets its own (Forum.overdue_days).
OVERDUE_DAYS = DEFAULT_OVERDUE_DAYS


class NotAllowed(Exception):
    pass


@transaction.atomic
def save_forum(
    forum: Forum, *, by: Any, organisations: Any = None, members: Any = None
) -> Forum:
    created = forum.pk is None
    forum.save()
    if organisations is not None:
        forum.organisations.set(organisations)
    if members is not None:
        forum.members.set(members)
    record(
        by,
        "forum.created" if created else "forum.changed",
        forum,
        data={"name": forum.name, "kind": forum.kind},
    )
    return forum


@transaction.atomic
def plan_meetings(
    forum: Forum, until: date, *, since: date | None = None, by: Any = None
) -> list[Meeting]:
    """Create the schedule's meetings from ``since`` (today) to ``until``.

    Safe to run again: a slot that already has a meeting is left alone (also a
    cancelled one, so a cancellation is not undone). Returns the new meetings.
    """
    since = since or timezone.localdate()
    existing = set(
        forum.meetings.filter(
            starts_at__gte=forum.start_of(since) - timedelta(days=1)
        ).values_list("starts_at", flat=True)
    )
    new: list[Meeting] = []
    for d in forum.meeting_dates(since, until):
        starts_at = forum.start_of(d)
        if starts_at in existing:
            continue
        new.append(
            Meeting.objects.create(
                collaboration=forum.collaboration,
                forum=forum,
                starts_at=starts_at,
                duration_minutes=forum.duration_minutes,
            )
        )
    if new:
        record(
            by,
            "forum.meetings_planned",
            forum,
            data={"count": len(new), "until": until.isoformat()},
        )
    return new


def _current_picture(meeting: Meeting) -> Any:
    """The weekly picture the meeting should look at: last complete week's, if any."""
    from samsyn.pictures.models import SituationPicture

    day = localtime(meeting.starts_at).date()
    for on in (day - timedelta(days=7), day):
        picture = SituationPicture.objects.current(
            meeting.collaboration, SituationPicture.Kind.WEEK, on=on
        )
        if picture is not None:
            return picture
    return None


def _deviation_rows(figures: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Flagged rows from a picture's frozen figures (None when it has none)."""
    rows = figures.get("deviations")
    if isinstance(rows, dict):
        rows = rows.get("rows")
    if rows is None and isinstance(figures.get("weekly"), dict):
        rows = figures["weekly"].get("rows")
    if not isinstance(rows, list):
        return None
    return [
        r for r in rows if isinstance(r, dict) and r.get("status", "high") == "high"
    ]


def _in_scope(row: dict[str, Any], forum: Forum) -> bool:
    area = forum.area
    if area is None:
        return True
    if row.get("area_code"):  # a picture's row names its area by code
        return row["area_code"] == str(area.code)
    return area.ref in (row.get("area"), row.get("district"))


def _normalise(row: dict[str, Any], from_picture: bool) -> dict[str, Any]:
    """One agenda row from an engine row or a picture's deviation item."""
    if from_picture:
        area_name, category_name = row.get("area"), row.get("category")
    else:
        area_name, category_name = row.get("area_name"), row.get("category_name")
    return {
        "level": row.get("level"),
        "area_name": area_name,
        "category_name": category_name,
        "observed": row.get("observed"),
        "expected": row.get("expected"),
        "last_week": row.get("last_week"),
        "mean_4_weeks": row.get("mean_4_weeks"),
        "reason": row.get("reason", ""),
    }


def _deviations(meeting: Meeting) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    picture = _current_picture(meeting)
    meeting.picture = picture
    rows = _deviation_rows(picture.figures) if picture is not None else None
    from_picture = picture is not None and rows is not None
    if from_picture:
        source = {
            "kind": "picture",
            "code": str(picture.code),
            "label": picture.label,
            "version": picture.version,
        }
    else:
        day = localtime(meeting.starts_at).date() - timedelta(days=7)
        year, week, _ = day.isocalendar()
        try:
            weekly = engine.weekly(meeting.collaboration, year, week)
        except Exception:  # noqa: BLE001 - an agenda is still useful without it
            log.exception("weekly deviations failed for the agenda")
            weekly = {"rows": []}
        rows = [r for r in weekly.get("rows", []) if r.get("status") == "high"]
        source = {"kind": "analysis", "label": f"{year}-W{week:02d}"}
    keep = [
        _normalise(r, from_picture) for r in rows or [] if _in_scope(r, meeting.forum)
    ]
    return keep, source


def _overdue_issues(meeting: Meeting, days: int) -> list[dict[str, Any]]:
    qs = (
        Report.objects.filter(collaboration=meeting.collaboration)
        .open_issues()
        .filter(created__lt=meeting.starts_at - timedelta(days=days))
        .select_related("category", "area", "owner")
        .order_by("created")
    )
    area = meeting.forum.area
    if area is not None:
        qs = qs.filter(Q(area=area) | Q(area__parent=area))
    # Codes of restricted reports are stored too; the page shows them only to
    # those who may see the report (Meeting.agenda_for).
    return [
        {
            "code": str(r.code),
            "category": r.category.name,
            "area": r.area.name if r.area else "",
            "owner": r.owner.name if r.owner else "",
            "status": r.status,
            "reported": localtime(r.created).date().isoformat(),
            "days_open": (meeting.starts_at - r.created).days,
            "restricted": r.restricted,
        }
        for r in qs[:100]
    ]


def build_agenda(meeting: Meeting, *, overdue_days: int | None = None) -> dict:
    """The agenda's content; issues are overdue after the forum's ``overdue_days``
    unless ``overdue_days`` is given."""
    if overdue_days is None:
        overdue_days = meeting.forum.overdue_days
    deviations, source = _deviations(meeting)
    local_day = localtime(meeting.starts_at).date()
    return {
        "generated": timezone.now().isoformat(),
        "source": source,
        "deviations": deviations,
        "overdue_days": overdue_days,
        "issues": _overdue_issues(meeting, overdue_days),
        "decisions": [
            {**d.as_dict(), "overdue": d.is_overdue(local_day)}
            for d in Decision.objects.carried_to(meeting).select_related(
                "owner", "meeting__forum"
            )
        ],
    }


@transaction.atomic
def generate_agenda(
    meeting: Meeting, *, by: Any, overdue_days: int | None = None
) -> Meeting:
    """(Re)generate the agenda from the current picture; free items are kept."""
    meeting.agenda = build_agenda(meeting, overdue_days=overdue_days)
    meeting.save(update_fields=["agenda", "picture", "updated"])
    record(
        by,
        "meeting.agenda_generated",
        meeting,
        data={
            "source": meeting.agenda["source"],
            "deviations": len(meeting.agenda["deviations"]),
            "issues": len(meeting.agenda["issues"]),
            "overdue_days": meeting.agenda["overdue_days"],
            "decisions": len(meeting.agenda["decisions"]),
        },
    )
    return meeting


@transaction.atomic
def record_minutes(
    meeting: Meeting,
    *,
    by: Any,
    minutes: str,
    agenda_notes: str,
    attendees: Any,
    organisations: Any,
) -> Meeting:
    meeting.minutes = minutes
    meeting.agenda_notes = agenda_notes
    meeting.save(update_fields=["minutes", "agenda_notes", "updated"])
    meeting.attendees.set(attendees)
    meeting.attending_organisations.set(organisations)
    record(
        by,
        "meeting.minutes_recorded",
        meeting,
        data={
            "attendees": len(attendees),
            "organisations": [o.slug for o in organisations],
            "minutes_chars": len(minutes),
        },
    )
    return meeting


@transaction.atomic
def set_meeting_status(meeting: Meeting, status: str, *, by: Any) -> Meeting:
    if status not in Meeting.Status.values:
        raise NotAllowed(status)
    old = meeting.status
    meeting.status = status
    meeting.save(update_fields=["status", "updated"])
    record(by, "meeting.status", meeting, data={"from": old, "to": status})
    return meeting


@transaction.atomic
def add_decision(
    meeting: Meeting,
    *,
    by: Any,
    text: str,
    owner: Organisation,
    due: date | None = None,
    categories: Any = (),
    areas: Any = (),
    places: Any = (),
) -> Decision:
    if owner.collaboration_id != meeting.collaboration_id:
        raise NotAllowed("owner")
    decision = Decision.objects.create(
        collaboration=meeting.collaboration,
        meeting=meeting,
        text=text,
        owner=owner,
        due=due,
        created_by=by if getattr(by, "pk", None) else None,
    )
    if categories:
        decision.categories.set(categories)
    if areas:
        decision.areas.set(areas)
    if places:
        decision.places.set(places)
    DecisionEvent.objects.create(
        decision=decision,
        kind=DecisionEvent.Kind.CREATED,
        status=decision.status,
        by=by,
    )
    record(
        by,
        "decision.made",
        decision,
        data={
            "meeting": str(meeting.code),
            "owner": owner.slug,
            "due": due.isoformat() if due else None,
        },
    )
    return decision


@transaction.atomic
def change_decision_status(
    decision: Decision, status: str, *, by: Any, note: str = ""
) -> Decision:
    """A new status is a new history row; the decision keeps the latest value."""
    if status not in Decision.Status.values:
        raise NotAllowed(status)
    # Lock the row so two people marking it done at once make one coherent history.
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    old = locked.status
    DecisionEvent.objects.create(
        decision=decision,
        kind=DecisionEvent.Kind.STATUS if status != old else DecisionEvent.Kind.NOTE,
        status=status,
        note=note,
        by=by,
    )
    if status != old:
        decision.status = status
        decision.save(update_fields=["status", "updated"])
    record(
        by,
        "decision.status",
        decision,
        data={"from": old, "to": status, "note": bool(note)},
    )
    return decision


# ---------------------------------------------------------------- calendar links
@transaction.atomic
def rotate_calendar_link(user: Any, collaboration: Collaboration) -> CalendarLink:
    """Give the person a new secret calendar link (the old one stops working)."""
    link = (
        CalendarLink.objects.select_for_update()
        .filter(user=user, collaboration=collaboration)
        .first()
    )
    created = link is None
    if link is None:
        link = CalendarLink(user=user, collaboration=collaboration)
    else:
        link.key = uuid.uuid4()
        link.created = timezone.now()
        link.last_used = None
    link.save()
    record(
        user,
        "calendar_link.created" if created else "calendar_link.rotated",
        collaboration,
        data={"user": user.pk},
    )
    return link


@transaction.atomic
def revoke_calendar_link(user: Any, collaboration: Collaboration) -> bool:
    """Turn the person's calendar link off; False when there was none."""
    deleted, _ = CalendarLink.objects.filter(
        user=user, collaboration=collaboration
    ).delete()
    if deleted:
        record(user, "calendar_link.revoked", collaboration, data={"user": user.pk})
    return bool(deleted)


def touch_calendar_link(link: CalendarLink, now: Any = None) -> None:
    """Note when a calendar app last fetched the link (at most once an hour)."""
    now = now or timezone.now()
    if link.last_used is None or now - link.last_used > timedelta(hours=1):
        CalendarLink.objects.filter(pk=link.pk).update(last_used=now)
