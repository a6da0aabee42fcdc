from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samsyn.lib.weeks import local_tz
from samsyn.meetings.actions import (
    add_decision,
    change_decision_status,
    generate_agenda,
    plan_meetings,
)
from samsyn.meetings.models import (
    AppendOnlyError,
    Decision,
    DecisionEvent,
    Forum,
    Meeting,
)
from samsyn.organisations.models import AuditEvent
from samsyn.tests.support import make_report


@pytest.fixture
def forum(north, north_org, north_police):
    f = Forum.objects.create(
        collaboration=north,
        name="EST weekly",
        kind=Forum.Kind.WEEKLY,
        weekday=Forum.Weekday.TUESDAY,
        start_time=time(9, 0),
        duration_minutes=90,
        starts_on=date(2026, 3, 1),
        location="Town hall, room 3",
    )
    f.organisations.set([north_org, north_police])
    return f


def test_it_plans_meetings_across_the_spring_dst_change(forum):
    # Sweden moves to summer time on Sunday 29 March 2026.
    new = plan_meetings(forum, date(2026, 4, 8), since=date(2026, 3, 20))
    assert [timezone.localtime(m.starts_at, local_tz()).date() for m in new] == [
        date(2026, 3, 24),
        date(2026, 3, 31),
        date(2026, 4, 7),
    ]
    # 09:00 local time every week: 08:00 UTC in winter, 07:00 UTC in summer.
    utc = [m.starts_at.astimezone(UTC).hour for m in new]
    assert utc == [8, 7, 7]
    assert all(timezone.localtime(m.starts_at, local_tz()).hour == 9 for m in new)


def test_it_plans_the_autumn_dst_change_and_is_idempotent(forum):
    new = plan_meetings(forum, date(2026, 11, 3), since=date(2026, 10, 20))
    # 20 and 27 October and 3 November; winter time from Sunday 25 October.
    assert [m.starts_at.astimezone(UTC).hour for m in new] == [7, 8, 8]
    assert plan_meetings(forum, date(2026, 11, 3), since=date(2026, 10, 20)) == []
    assert Meeting.objects.filter(forum=forum).count() == 3


def test_it_plans_biweekly_and_monthly_schedules(forum):
    forum.recurrence = Forum.Recurrence.BIWEEKLY
    dates = forum.meeting_dates(date(2026, 3, 9), date(2026, 4, 30))
    # First Tuesday on/after 1 March is 3 March; then every other week.
    assert dates == [
        date(2026, 3, 17),
        date(2026, 3, 31),
        date(2026, 4, 14),
        date(2026, 4, 28),
    ]
    forum.recurrence = Forum.Recurrence.MONTHLY
    forum.starts_on = date(2026, 3, 10)  # the second Tuesday
    dates = forum.meeting_dates(date(2026, 3, 1), date(2026, 6, 30))
    assert dates == [
        date(2026, 3, 10),
        date(2026, 4, 14),
        date(2026, 5, 12),
        date(2026, 6, 9),
    ]


def test_it_plans_from_the_command(forum, capsys):
    call_command("plan_meetings", "--until", "2099-01-01", "--collaboration", "north")
    assert "planned" in capsys.readouterr().out
    assert Meeting.objects.filter(forum=forum).exists()


def _meeting(forum, d):
    return Meeting.objects.create(
        collaboration=forum.collaboration, forum=forum, starts_at=forum.start_of(d)
    )


def test_it_carries_open_decisions_until_done(forum, alice, north_police):
    m1, m2, m3, m4 = (
        _meeting(forum, date(2026, 3, 3) + timedelta(weeks=i)) for i in range(4)
    )
    d = add_decision(
        m1, by=alice, text="Fix the lights", owner=north_police, due=date(2026, 3, 12)
    )
    other = add_decision(m1, by=alice, text="Walk", owner=north_police)
    for m in (m2, m3):
        agenda = generate_agenda(m, by=alice).agenda
        assert str(d.code) in {x["code"] for x in agenda["decisions"]}
    # Due 12 March: not yet at the meeting of 10 March, overdue on 17 March.
    overdue = {x["code"]: x["overdue"] for x in m2.agenda["decisions"]}
    assert overdue[str(d.code)] is False
    overdue = {x["code"]: x["overdue"] for x in m3.agenda["decisions"]}
    assert overdue[str(d.code)] is True
    assert str(d.code) not in {
        x["code"] for x in generate_agenda(m1, by=alice).agenda["decisions"]
    }
    change_decision_status(d, Decision.Status.DONE, by=alice)
    codes = {x["code"] for x in generate_agenda(m4, by=alice).agenda["decisions"]}
    assert codes == {str(other.code)}
    # Another forum's agenda never carries them.
    f2 = Forum.objects.create(
        collaboration=forum.collaboration, name="Steering", kind="steering"
    )
    assert (
        generate_agenda(_meeting(f2, date(2026, 4, 1)), by=alice).agenda["decisions"]
        == []
    )


def test_it_lists_overdue_issues_and_hides_restricted_ones(
    forum, alice, bob, north_org, north_police, west_area
):
    old = timezone.now() - timedelta(days=30)
    issue = make_report(
        north_org, category="unsafe_lighting", owner=north_org, created=old
    )
    secret = make_report(
        north_police,
        category="unsafe_lighting",
        owner=north_org,
        created=old,
        restricted=True,
    )
    make_report(north_org, category="unsafe_lighting")  # new: not overdue
    m = _meeting(forum, timezone.localdate() + timedelta(days=1))
    agenda = generate_agenda(m, by=alice).agenda
    assert {i["code"] for i in agenda["issues"]} == {str(issue.code), str(secret.code)}
    assert agenda["source"]["kind"] in ("analysis", "picture")
    c = Client()
    c.force_login(bob)
    body = c.get(f"/meetings/{m.code}/").content.decode()
    assert str(issue.code) in body
    assert str(secret.code) not in body
    assert "1 restricted issue" in body


def test_it_keeps_decision_history_append_only(forum, alice, north_police):
    m = _meeting(forum, date(2026, 3, 3))
    d = add_decision(m, by=alice, text="Fix", owner=north_police)
    change_decision_status(d, Decision.Status.DONE, by=alice, note="fixed")
    change_decision_status(d, Decision.Status.OPEN, by=alice, note="broken again")
    events = list(d.events.all())
    assert [(e.kind, e.status) for e in events] == [
        ("created", "open"),
        ("status", "done"),
        ("status", "open"),
    ]
    with pytest.raises(AppendOnlyError):
        events[0].save()
    with pytest.raises(AppendOnlyError):
        events[0].delete()
    with pytest.raises(AppendOnlyError):
        DecisionEvent.objects.filter(decision=d).update(note="x")
    with pytest.raises(AppendOnlyError):
        DecisionEvent.objects.filter(decision=d).delete()
    assert AuditEvent.objects.filter(action="decision.status").count() == 2


def test_only_coordinators_create_and_owner_org_marks_done(
    forum, alice, bob, petra, sam, carl, north_police
):
    m = _meeting(forum, timezone.localdate() + timedelta(days=1))
    url = f"/meetings/{m.code}/decisions/"
    data = {"text": "Light the path", "owner": "north-police", "due": "2026-12-01"}
    for user, expected in ((bob, 404), (petra, 404), (sam, 404), (carl, 404)):
        c = Client()
        c.force_login(user)
        assert c.post(url, data).status_code == expected
    c = Client()
    c.force_login(alice)
    # htmx: the decisions fragment comes back with the new decision in it.
    r = c.post(url, data, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "Light the path" in r.content.decode()
    assert "<html" not in r.content.decode()
    d = Decision.objects.get()
    assert d.owner == north_police and d.due == date(2026, 12, 1)
    done = f"/meetings/decisions/{d.code}/status/"
    for user, expected in ((bob, 403), (sam, 403), (carl, 404)):
        c = Client()
        c.force_login(user)
        assert c.post(done, {"status": "done"}).status_code == expected
    d.refresh_from_db()
    assert d.status == "open"
    c = Client()
    c.force_login(petra)
    assert c.post(done, {"status": "done"}).status_code == 302
    d.refresh_from_db()
    assert d.status == "done"


def test_it_refuses_personal_data_in_minutes_and_decisions(forum, alice):
    m = _meeting(forum, timezone.localdate() + timedelta(days=1))
    c = Client()
    c.force_login(alice)
    r = c.post(f"/meetings/{m.code}/minutes/", {"minutes": "Ring 070-123 45 67"})
    assert r.status_code == 422
    r = c.post(
        f"/meetings/{m.code}/decisions/",
        {"text": "Mail a@b.se", "owner": "north-police"},
    )
    assert r.status_code == 422
    assert not Decision.objects.exists()
    r = c.post(
        f"/meetings/{m.code}/minutes/",
        {
            "minutes": "Lights discussed.",
            "organisations": [forum.organisations.first().pk],
        },
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.minutes == "Lights discussed."
    assert m.attending_organisations.count() == 1


def test_it_serves_an_icalendar_feed(forum, bob, carl):
    plan_meetings(forum, date(2026, 4, 8), since=date(2026, 3, 20))
    c = Client()
    c.force_login(bob)
    # Only meetings from 30 days back are in the feed: look from March 2026.
    with_now = datetime(2026, 3, 21, tzinfo=UTC)

    with time_machine.travel(with_now, tick=False):
        r = c.get(f"/meetings/forums/{forum.code}/calendar.ics")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    events = list(cal.walk("VEVENT"))
    starts = [e.decoded("dtstart") for e in events]
    assert [s.astimezone(UTC) for s in starts] == [
        datetime(2026, 3, 24, 8, tzinfo=UTC),
        datetime(2026, 3, 31, 7, tzinfo=UTC),
        datetime(2026, 4, 7, 7, tzinfo=UTC),
    ]
    assert all(s.astimezone(local_tz()).hour == 9 for s in starts)
    assert events[0].decoded("dtend") - starts[0] == timedelta(minutes=90)
    assert str(events[0]["location"]) == "Town hall, room 3"
    assert cal.walk("VTIMEZONE")
    c.force_login(carl)
    assert c.get(f"/meetings/forums/{forum.code}/calendar.ics").status_code == 404


def test_it_scopes_lists_and_api_to_the_collaboration(
    forum, alice, carl, north_police, south_org
):
    m = _meeting(forum, timezone.localdate() + timedelta(days=1))
    d = add_decision(
        m,
        by=alice,
        text="Byt lysrören i tunneln",
        owner=north_police,
        due=timezone.localdate() - timedelta(days=1),
    )
    c = Client()
    c.force_login(alice)
    api = c.get("/api/v1/meetings/decisions?status=open").json()
    assert [x["code"] for x in api] == [str(d.code)]
    assert api[0]["overdue"] is True and api[0]["owner"] == "north-police"
    assert c.get("/api/v1/meetings/decisions?status=overdue").json()[0]["code"] == str(
        d.code
    )
    assert c.get("/api/v1/meetings/decisions?status=bogus").status_code == 422
    assert [x["code"] for x in c.get("/api/v1/meetings").json()] == [str(m.code)]
    page = c.get("/meetings/decisions/?status=overdue&owner=north-police")
    assert "Byt lysrören i tunneln" in page.content.decode()
    c.force_login(carl)
    assert c.get("/api/v1/meetings/decisions").json() == []
    assert c.get("/api/v1/meetings").json() == []
    assert (
        "Byt lysrören i tunneln"
        not in c.get("/meetings/decisions/?status=all").content.decode()
    )
    assert c.get(f"/meetings/{m.code}/").status_code == 404


def test_an_org_lead_sees_what_is_asked_of_their_organisation(
    forum, alice, petra, north_org, north_police
):
    m = _meeting(forum, timezone.localdate() + timedelta(days=1))
    add_decision(m, by=alice, text="Police patrols", owner=north_police)
    add_decision(m, by=alice, text="Municipal lights", owner=north_org)
    c = Client()
    c.force_login(petra)
    body = c.get("/meetings/decisions/?mine=on").content.decode()
    assert "Police patrols" in body and "Municipal lights" not in body
    assert "Mark done" in body


def test_coordinator_creates_forum_and_plans(alice, bob, north_org):
    c = Client()
    c.force_login(bob)
    assert c.get("/meetings/forums/new/").status_code == 404
    c.force_login(alice)
    r = c.post(
        "/meetings/forums/new/",
        {
            "name": "Local group Väster",
            "kind": "local",
            "weekday": 2,
            "start_time": "13:00",
            "duration_minutes": 60,
            "recurrence": "monthly",
            "starts_on": "2026-01-07",
            "organisations": [north_org.pk],
            "active": "on",
        },
    )
    assert r.status_code == 302
    f = Forum.objects.get(name="Local group Väster")
    r = c.post(f"/meetings/forums/{f.code}/plan/")
    assert r.status_code == 302
    assert Meeting.objects.filter(forum=f).count() >= 2
    assert c.get(f"/meetings/forums/{f.code}/").status_code == 200


def test_an_overdue_decision_shows_the_same_status_everywhere(
    forum, alice, north_police
):
    m = _meeting(forum, timezone.localdate() + timedelta(days=1))
    late = add_decision(
        m,
        by=alice,
        text="Byt lamporna i gångtunneln",
        owner=north_police,
        due=timezone.localdate() - timedelta(days=1),
    )
    add_decision(
        m,
        by=alice,
        text="Klipp buskarna",
        owner=north_police,
        due=timezone.localdate() + timedelta(days=3),
    )
    assert late.shown_status()[0] == "overdue"
    c = Client(headers={"accept-language": "sv"})
    c.force_login(alice)
    home = c.get("/").content.decode()
    page = c.get("/meetings/decisions/").content.decode()
    meeting = c.get(f"/meetings/{m.code}/").content.decode()
    for body in (home, page):
        assert "Försenad" in body
    for body in (page, meeting):
        # The late one is badged "Försenad", never "Öppen"; the other one is open.
        assert body.count('badge-decision-overdue">Försenad<') == 1
        assert body.count('badge-decision-open">Öppen<') == 1
