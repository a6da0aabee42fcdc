"""A forum's own overdue rule, and the secret calendar links for calendar apps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from samsyn.meetings.actions import (
    generate_agenda,
    plan_meetings,
    revoke_calendar_link,
    rotate_calendar_link,
)
from samsyn.meetings.models import CalendarLink, Forum, Meeting
from samsyn.organisations.models import AuditEvent, Membership
from samsyn.tests.support import make_report

NOW = datetime(2026, 3, 21, tzinfo=UTC)


@pytest.fixture
def forum(north, north_org, north_police):  # type: ignore[no-untyped-def]
    f = Forum.objects.create(
        collaboration=north,
        name="EST weekly",
        kind=Forum.Kind.WEEKLY,
        weekday=Forum.Weekday.TUESDAY,
        start_time=time(9, 0),
        starts_on=date(2026, 3, 1),
    )
    f.organisations.set([north_org, north_police])
    plan_meetings(f, date(2026, 4, 8), since=date(2026, 3, 20))
    return f


@pytest.fixture
def south_forum(south, south_org):  # type: ignore[no-untyped-def]
    f = Forum.objects.create(
        collaboration=south,
        name="South weekly",
        kind="weekly",
        starts_on=date(2026, 3, 1),
    )
    plan_meetings(f, date(2026, 4, 8), since=date(2026, 3, 20))
    return f


# ------------------------------------------------------------------ overdue rule
def _meeting_tomorrow(forum: Forum) -> Meeting:
    return Meeting.objects.create(
        collaboration=forum.collaboration,
        forum=forum,
        starts_at=forum.start_of(timezone.localdate() + timedelta(days=1)),
    )


def test_a_new_forum_keeps_the_14_day_rule(forum):  # type: ignore[no-untyped-def]
    assert Forum.objects.get(pk=forum.pk).overdue_days == 14


def test_each_forum_sets_when_an_issue_is_overdue(forum, alice, north_org):  # type: ignore[no-untyped-def]
    ten_days = make_report(
        north_org,
        category="unsafe_lighting",
        owner=north_org,
        created=timezone.now() - timedelta(days=10),
    )
    make_report(  # 3 days: overdue for neither
        north_org,
        category="unsafe_lighting",
        owner=north_org,
        created=timezone.now() - timedelta(days=3),
    )
    m = _meeting_tomorrow(forum)
    agenda = generate_agenda(m, by=alice).agenda
    assert agenda["overdue_days"] == 14 and agenda["issues"] == []
    forum.overdue_days = 7
    forum.save()
    m.refresh_from_db()
    agenda = generate_agenda(m, by=alice).agenda
    assert agenda["overdue_days"] == 7
    assert [i["code"] for i in agenda["issues"]] == [str(ten_days.code)]
    # An explicit value still wins (a one-off agenda).
    agenda = generate_agenda(m, by=alice, overdue_days=2).agenda
    assert len(agenda["issues"]) == 2
    c = Client()
    c.force_login(alice)
    body = c.get(f"/meetings/{m.code}/").content.decode()
    assert "open for more than 2 days" in body


def test_the_coordinator_edits_the_rule_on_the_forum(forum, alice):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(alice)
    url = f"/meetings/forums/{forum.code}/edit/"
    assert 'name="overdue_days"' in c.get(url).content.decode()
    data = {
        "name": forum.name, "kind": "weekly", "weekday": 1, "start_time": "09:00",
        "duration_minutes": 60, "recurrence": "weekly", "starts_on": "2026-03-01",
        "active": "on",
    }  # fmt: skip
    assert c.post(url, {**data, "overdue_days": 0}).status_code == 422
    assert c.post(url, {**data, "overdue_days": 400}).status_code == 422
    assert c.post(url, {**data, "overdue_days": 21}).status_code == 302
    forum.refresh_from_db()
    assert forum.overdue_days == 21
    assert "after 21 days" in c.get(f"/meetings/forums/{forum.code}/").content.decode()


# ----------------------------------------------------------------- calendar links
def _feed(link: CalendarLink | str, query: str = "") -> object:
    token = link if isinstance(link, str) else link.token
    with time_machine.travel(NOW, tick=False):
        return Client().get(f"/meetings/calendar/{token}.ics{query}")


def _summaries(response) -> list[str]:  # type: ignore[no-untyped-def]
    cal = icalendar.Calendar.from_ical(response.content)
    return [str(e["summary"]) for e in cal.walk("VEVENT")]


def test_a_member_makes_a_link_and_sees_it_on_the_page(forum, bob):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(bob)
    assert 'id="calendar-url"' not in c.get("/meetings/").content.decode()
    r = c.post("/meetings/calendar/link/", {"action": "rotate", "next": "/meetings/"})
    assert r.status_code == 302 and r["Location"] == "/meetings/"
    link = CalendarLink.objects.get(user=bob)
    page = c.get("/meetings/").content.decode()
    assert f"/meetings/calendar/{link.token}.ics" in page
    page = c.get(f"/meetings/forums/{forum.code}/").content.decode()
    assert f"/meetings/calendar/{link.token}.ics?forum={forum.code}" in page
    # The key alone (what the database holds) is not the link.
    assert link.key.hex in link.token and len(link.token) > 60
    assert _feed(link.key.hex).status_code == 404
    assert AuditEvent.objects.filter(action="calendar_link.created", actor=bob).exists()


def test_the_feed_needs_no_session_and_shows_what_its_owner_may_see(
    forum, south_forum, bob, carl
):  # type: ignore[no-untyped-def]
    mine = rotate_calendar_link(bob, forum.collaboration)
    r = _feed(mine)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/calendar")
    assert _summaries(r) == ["EST weekly"] * 3
    # One forum only, and never another collaboration's forum.
    assert _summaries(_feed(mine, f"?forum={forum.code}")) == ["EST weekly"] * 3
    assert _feed(mine, f"?forum={south_forum.code}").status_code == 404
    assert _feed(mine, "?forum=nonsense").status_code == 404
    theirs = rotate_calendar_link(carl, south_forum.collaboration)
    assert _summaries(_feed(theirs)) == ["South weekly"] * 3
    CalendarLink.objects.filter(pk=mine.pk).update(last_used=None)
    _feed(mine)
    mine.refresh_from_db()
    assert mine.last_used is not None


def test_a_rotated_or_revoked_link_is_a_404(forum, alice):  # type: ignore[no-untyped-def]
    old = rotate_calendar_link(alice, forum.collaboration)
    old_token = old.token
    new = rotate_calendar_link(alice, forum.collaboration)
    assert new.pk == old.pk and new.token != old_token
    assert _feed(old_token).status_code == 404
    assert _feed(new).status_code == 200
    forged = new.token[:-1] + ("0" if new.token[-1] != "0" else "1")
    assert _feed(forged).status_code == 404
    assert revoke_calendar_link(alice, forum.collaboration) is True
    assert _feed(new).status_code == 404
    assert revoke_calendar_link(alice, forum.collaboration) is False
    actions = list(
        AuditEvent.objects.filter(action__startswith="calendar_link.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "calendar_link.created",
        "calendar_link.rotated",
        "calendar_link.revoked",
    ]


def test_revoking_from_the_page(forum, alice):  # type: ignore[no-untyped-def]
    link = rotate_calendar_link(alice, forum.collaboration)
    c = Client()
    c.force_login(alice)
    nxt = f"/meetings/forums/{forum.code}/"
    r = c.post("/meetings/calendar/link/", {"action": "revoke", "next": nxt})
    assert r.status_code == 302 and r["Location"] == nxt
    assert not CalendarLink.objects.exists()
    assert _feed(link).status_code == 404
    bad = c.post("/meetings/calendar/link/", {"action": "share"})
    assert bad.status_code == 422
    # Only our own pages as the way back.
    r = c.post("/meetings/calendar/link/", {"action": "rotate", "next": "//evil"})
    assert r["Location"] == "/meetings/"


def test_a_link_dies_with_the_membership_or_the_account(forum, bob):  # type: ignore[no-untyped-def]
    link = rotate_calendar_link(bob, forum.collaboration)
    Membership.objects.filter(user=bob).update(active=False)
    assert _feed(link).status_code == 404
    Membership.objects.filter(user=bob).update(active=True)
    assert _feed(link).status_code == 200
    bob.is_active = False
    bob.save()
    assert _feed(link).status_code == 404
