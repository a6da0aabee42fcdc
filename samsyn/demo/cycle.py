"""The demo's EST cycle: a weekly forum with its meetings, the last weeks' approved
situation pictures, last week's meeting with agenda, minutes and decisions, the
next meeting's agenda, and a draft annual report with an action plan.

So a newcomer running ``make demo`` opens a collaboration in the middle of its
work, not an empty one. Everything is made through the same actions the pages use
(frozen figures, history rows and audit entries included).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from samsyn.accounts.models import User
from samsyn.annual.actions import add_item, create_report, save_texts
from samsyn.interventions.models import Intervention
from samsyn.lib.weeks import period_for
from samsyn.meetings import actions as meetings
from samsyn.meetings.models import Forum, Meeting
from samsyn.organisations.access import Access
from samsyn.organisations.models import Collaboration, Membership, Organisation
from samsyn.pictures.actions import approve_picture, generate_picture, save_assessment

# Pictures of this many complete weeks before the demo's "now" are made and approved.
WEEKS = 2


def _user(collab: Collaboration, role: str) -> User:
    return (
        User.objects.filter(
            memberships__organisation__collaboration=collab, memberships__role=role
        )
        .order_by("pk")
        .first()
    )


def _org(collab: Collaboration, kind: str) -> Organisation:
    return (
        Organisation.objects.filter(collaboration=collab, kind=kind)
        .order_by("pk")
        .first()
    )


def add_cycle(collab: Collaboration, now: datetime) -> dict[str, Any]:
    """Add the cycle's forum, meetings, pictures, decisions and annual report."""
    coordinator = _user(collab, Membership.Role.COORDINATOR)
    access = Access.for_user(coordinator, collab)
    today = timezone.localdate(now)
    kommun = _org(collab, "municipality")
    police = _org(collab, "police")

    pictures = []
    for back in range(WEEKS, 0, -1):
        period = period_for("week", today - timedelta(weeks=back), collab)
        picture = generate_picture(collab, "week", period, by=coordinator)
        save_assessment(
            picture,
            "Lugnt i stort. Fortsatt samling av ungdomar kvällstid vid resecentrum; "
            "klotter ökar i norra delarna.",
            by=coordinator,
        )
        pictures.append(approve_picture(picture, access, by=coordinator))

    forum = meetings.save_forum(
        Forum(
            collaboration=collab,
            name="Veckomöte EST",
            kind=Forum.Kind.WEEKLY,
            weekday=Forum.Weekday.TUESDAY,
            start_time=time(9, 0),
            duration_minutes=60,
            starts_on=today - timedelta(weeks=WEEKS + 1),
            location="Stadshuset, rum 3",
        ),
        by=coordinator,
        organisations=list(Organisation.objects.filter(collaboration=collab)),
        members=list(
            User.objects.filter(memberships__organisation__collaboration=collab)
            .exclude(memberships__role=Membership.Role.ADMIN)
            .distinct()
        ),
    )
    planned = meetings.plan_meetings(
        forum, today + timedelta(weeks=8), since=today - timedelta(days=7), by=None
    )
    past = [m for m in planned if m.starts_at < now]
    upcoming = [m for m in planned if m.starts_at >= now]
    decisions = []
    if past:
        held = past[-1]
        meetings.generate_agenda(held, by=coordinator)
        meetings.record_minutes(
            held,
            by=coordinator,
            minutes=(
                "Lägesbilden gicks igenom. Polisen och vaktbolaget ökar närvaron vid "
                "resecentrum fredag–lördag kväll. Fastighetsbolaget sanerar klotter "
                "inom en vecka."
            ),
            agenda_notes="",
            attendees=list(forum.members.all()[:5]),
            organisations=list(forum.organisations.all()),
        )
        meetings.set_meeting_status(held, Meeting.Status.HELD, by=coordinator)
        decisions.append(
            meetings.add_decision(
                held,
                by=coordinator,
                text="Ökad närvaro vid resecentrum fredag och lördag kväll",
                owner=police or kommun,
                due=today + timedelta(days=6),
            )
        )
        decisions.append(
            meetings.add_decision(
                held,
                by=coordinator,
                text="Följ upp belysningen i gångtunneln efter åtgärden",
                owner=kommun,
                due=today - timedelta(days=1),
            )
        )
    if upcoming:
        meetings.generate_agenda(upcoming[0], by=coordinator)

    annual = create_report(collab, today.year - 1, by=coordinator)
    save_texts(
        annual,
        {
            "situation_text": (
                "Otryggheten är koncentrerad till ett fåtal platser: resecentrum, "
                "centrala torg och två bostadsområden. Klotter och skadegörelse är "
                "de vanligaste rapporterna."
            ),
            "analysis_text": (
                "Tre platser är bestående hot spots. En ny har vuxit fram under "
                "hösten. Insatsen i gångtunneln minskade händelserna där men flyttade "
                "en del till omgivningen."
            ),
            "conclusion_text": "Åtgärder behövs på de bestående platserna.",
        },
        measures_needed=True,
        follow_up_on=date(today.year, 6, 30),
        by=coordinator,
    )
    for iv in Intervention.objects.filter(collaboration=collab).order_by("pk")[:2]:
        add_item(
            annual,
            {
                "goal": f"Färre händelser: {iv.title}"[:300],
                "measure": iv.title,
                "owner": iv.owner,
                "indicator": "Rapporter per vecka i målområdet",
                "intervention": iv,
                "follow_up_on": date(today.year, 6, 30),
            },
            by=coordinator,
        )
    return {
        "pictures": [p.label for p in pictures],
        "forum": forum.name,
        "meetings": len(planned),
        "decisions": len(decisions),
        "annual_report": annual.year,
    }
