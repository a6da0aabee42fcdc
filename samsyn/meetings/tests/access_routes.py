"""The meetings app's URLs in the access matrix (see organisations/tests/test_isolation).

The world has one north forum with a meeting and a decision owned by the north police:
coordinators manage everything; every member sees forums, meetings and decisions; the
police (petra) may mark its own decision done, others 403; carl (south) gets 404.
Alice has a secret calendar link: the feed behind it answers anyone who has the
link (a calendar app has no session), and every member may make or rotate their own.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from samsyn.meetings.actions import add_decision, rotate_calendar_link
from samsyn.meetings.models import Forum, Meeting


def build(world: Any, kit: Any) -> None:
    north = world.orgs["kommun"].collaboration
    forum = Forum.objects.create(collaboration=north, name="EST weekly", kind="weekly")
    forum.organisations.set([world.orgs["kommun"], world.orgs["police"]])
    meeting = Meeting.objects.create(
        collaboration=north, forum=forum, starts_at=timezone.now() + timedelta(days=1)
    )
    world.extra["forum"] = forum
    world.extra["meeting"] = meeting
    world.extra["calendar_link"] = rotate_calendar_link(world.users["alice"], north)


def _decision(w: Any) -> str:
    d = add_decision(
        w.extra["meeting"],
        by=w.users["alice"],
        text="Fix the lights",
        owner=w.orgs["police"],
        due=date.today() + timedelta(days=7),
    )
    return str(d.code)


def routes(kit: Any) -> dict[str, Any]:
    R, everyone = kit.Route, kit.everyone
    seen = everyone(200, **{kit.CARL: 404})
    manage = everyone(404, **{kit.ALICE: 200, kit.CARL: 200})
    manage_north = everyone(404, **{kit.ALICE: 302})
    return {
        "meetings:forums": R("GET", lambda w: "/meetings/", everyone(200)),
        "meetings:forum_new": R("GET", lambda w: "/meetings/forums/new/", manage),
        "meetings:forum": R(
            "GET", lambda w: f"/meetings/forums/{w.extra['forum'].code}/", seen
        ),
        "meetings:forum_edit": R(
            "GET",
            lambda w: f"/meetings/forums/{w.extra['forum'].code}/edit/",
            everyone(404, **{kit.ALICE: 200}),
        ),
        "meetings:forum_plan": R(
            "POST",
            lambda w: f"/meetings/forums/{w.extra['forum'].code}/plan/",
            manage_north,
        ),
        "meetings:forum_calendar": R(
            "GET",
            lambda w: f"/meetings/forums/{w.extra['forum'].code}/calendar.ics",
            seen,
        ),
        "meetings:calendar_link": R(
            "POST",
            lambda w: "/meetings/calendar/link/",
            everyone(302),
            data=lambda w: {"action": "rotate"},
        ),
        "meetings:calendar_feed": R(
            "GET",
            lambda w: f"/meetings/calendar/{w.extra['calendar_link'].token}.ics",
            everyone(200, anonymous=200),
        ),
        "meetings:decisions": R("GET", lambda w: "/meetings/decisions/", everyone(200)),
        "meetings:decision_status": R(
            "POST",
            lambda w: f"/meetings/decisions/{_decision(w)}/status/",
            everyone(403, **{kit.ALICE: 302, kit.PETRA: 302, kit.CARL: 404}),
            data=lambda w: {"status": "done"},
        ),
        "meetings:meeting": R(
            "GET", lambda w: f"/meetings/{w.extra['meeting'].code}/", seen
        ),
        "meetings:meeting_agenda": R(
            "POST",
            lambda w: f"/meetings/{w.extra['meeting'].code}/agenda/",
            manage_north,
        ),
        "meetings:meeting_minutes": R(
            "POST",
            lambda w: f"/meetings/{w.extra['meeting'].code}/minutes/",
            manage_north,
            data=lambda w: {"minutes": "Talked about the lights."},
        ),
        "meetings:meeting_status": R(
            "POST",
            lambda w: f"/meetings/{w.extra['meeting'].code}/status/",
            manage_north,
            data=lambda w: {"status": "held"},
        ),
        "meetings:decision_add": R(
            "POST",
            lambda w: f"/meetings/{w.extra['meeting'].code}/decisions/",
            manage_north,
            data=lambda w: {"text": "Walk the area", "owner": "north-police"},
        ),
        "api:list_meetings": R(
            "GET", lambda w: "/api/v1/meetings", everyone(200, anonymous=401)
        ),
        "api:list_decisions": R(
            "GET",
            lambda w: "/api/v1/meetings/decisions?status=open",
            everyone(200, anonymous=401),
        ),
    }


def restricted_routes(kit: Any) -> dict[str, Any]:
    # No restricted-report angle here: the same expectations, checked once more.
    names = [
        "meetings:forum",
        "meetings:forum_edit",
        "meetings:forum_plan",
        "meetings:forum_calendar",
        "meetings:decision_status",
        "meetings:meeting",
        "meetings:meeting_agenda",
        "meetings:meeting_minutes",
        "meetings:meeting_status",
        "meetings:decision_add",
    ]
    every = routes(kit)
    return {n: every[n] for n in names}
