"""Every time a person sees is in settings.TIME_ZONE: an event at 07:09 local time
reads 07:09 on every screen, in winter (UTC+1) and in summer (UTC+2)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import icalendar
import pytest
import time_machine
from django.core import mail
from django.test import Client

from samsyn.jobs.models import Job
from samsyn.lib.weeks import local_tz
from samsyn.meetings.models import CalendarLink, Forum, Meeting
from samsyn.organisations.models import record
from samsyn.tests.support import make_report

pytestmark = pytest.mark.django_db

# Tuesdays at 07:09 local time: 06:09 UTC in winter, 05:09 UTC in summer.
DAYS = {"winter": date(2026, 12, 8), "summer": date(2026, 6, 9)}


@pytest.fixture(params=sorted(DAYS))
def at(request: pytest.FixtureRequest) -> datetime:
    return datetime.combine(DAYS[request.param], time(7, 9), local_tz())


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def meeting(north, north_org, at):  # type: ignore[no-untyped-def]
    forum = Forum.objects.create(
        collaboration=north,
        name="EST weekly",
        kind=Forum.Kind.WEEKLY,
        weekday=Forum.Weekday.TUESDAY,
        start_time=time(7, 9),
        duration_minutes=60,
        starts_on=at.date() - timedelta(days=60),
    )
    forum.organisations.set([north_org])
    return Meeting.objects.create(
        collaboration=north,
        forum=forum,
        starts_at=forum.start_of(at.date()),
    )


def test_the_forum_list_shows_the_next_meeting_in_local_time(meeting, at, alice):
    with time_machine.travel(at - timedelta(days=1), tick=False):
        html = _client(alice).get("/meetings/").content.decode()
    assert "07:09" in html
    assert "06:09" not in html and "05:09" not in html


def test_the_meeting_page_shows_local_time(meeting, at, alice):
    with time_machine.travel(at - timedelta(days=1), tick=False):
        html = _client(alice).get(f"/meetings/{meeting.code}/").content.decode()
    assert "07:09–08:09" in html


def test_past_meetings_show_local_time(meeting, at, alice):
    with time_machine.travel(at + timedelta(days=3), tick=False):
        html = _client(alice).get(f"/meetings/forums/{meeting.forum.code}/")
    html = html.content.decode()
    assert "07:09" in html
    assert "06:09" not in html and "05:09" not in html


def test_the_calendar_feed_and_link_show_local_time(meeting, north, at, alice):
    with time_machine.travel(at - timedelta(days=1), tick=False):
        feed = _client(alice).get(f"/meetings/forums/{meeting.forum.code}/calendar.ics")
    event = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")[0]
    assert event.decoded("dtstart").astimezone(local_tz()).time() == time(7, 9)
    assert "DTSTART;TZID=Europe/Stockholm:" in feed.content.decode()

    meeting.delete()
    with time_machine.travel(at, tick=False):
        CalendarLink.objects.create(user=alice, collaboration=north)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        page = _client(alice).get("/meetings/").content.decode()
    assert "07:09" in page
    assert "06:09" not in page and "05:09" not in page


def test_the_admin_start_page_shows_the_audit_in_local_time(north, at, adam):
    with time_machine.travel(at, tick=False):
        record(adam, "export.reports", collaboration=north)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        html = _client(adam).get("/").content.decode()
    assert "export.reports" in html
    assert "07:09" in html
    assert "06:09" not in html and "05:09" not in html


def test_the_job_list_and_page_show_local_time(north, at, alice):
    with time_machine.travel(at, tick=False):
        job = Job.objects.create(
            collaboration=north, owner=alice, kind=Job.Kind.EXPORT, label="Export"
        )
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        c = _client(alice)
        listed = c.get("/jobs/").content.decode()
        page = c.get(f"/jobs/{job.code}/").content.decode()
    for html in (listed, page):
        assert "07:09" in html
        assert "06:09" not in html and "05:09" not in html


def test_the_assignment_email_shows_local_time(
    north_org, north_housing, alice, at, settings, django_capture_on_commit_callbacks
):
    from samsyn.reports.actions import change_status
    from samsyn.tests.support import member

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lead = member(north_housing, "org_lead", "hl")
    lead.email = "hl@bostad.example.se"
    lead.save()
    report = make_report(north_org, category="unsafe_lighting", occurred_at=at)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(report, by=alice, status="assigned", owner=north_housing)
    assert len(mail.outbox) == 1
    assert f"{at:%Y-%m-%d} 07:09" in mail.outbox[0].body


def test_the_picture_says_when_its_figures_were_frozen_in_local_time(
    north, north_org, west_area, east_area, at, alice
):
    from samsyn.lib.weeks import period_for
    from samsyn.pictures.actions import generate_picture

    # Just after midnight local time: still the day before in UTC.
    make_report(
        north_org, category="unsafe_lighting", occurred_at=at.replace(hour=0, minute=30)
    )
    period = period_for("week", at.date())
    frozen = datetime.combine(period.end, time(7, 9), local_tz())
    with time_machine.travel(frozen, tick=False):
        picture = generate_picture(north, "week", period, by=alice)
    assert localtime_hm(picture.created) == "07:09"
    with time_machine.travel(frozen + timedelta(days=1), tick=False):
        html = _client(alice).get(f"/pictures/{picture.code}/").content.decode()
    assert f"{period.end:%Y-%m-%d} 07:09" in html
    # The open issue's day is its local day, not the UTC one.
    issue = next(i for i in picture.figures["open_issues"])
    assert issue["occurred"] == at.date().isoformat()


def test_the_report_export_carries_local_times(north_org, at):
    from samsyn.integrations.exports import reports_table, to_csv
    from samsyn.reports.models import Report

    make_report(north_org, occurred_at=at)
    csv = to_csv(reports_table(Report.objects.all())).decode()
    assert f"{at:%Y-%m-%d}T07:09:00" in csv


def localtime_hm(value: datetime) -> str:
    return f"{value.astimezone(local_tz()):%H:%M}"


def test_names_in_lists_and_the_django_admin_use_local_time(north, north_org, at, adam):
    report = make_report(north_org, occurred_at=at)
    with time_machine.travel(at, tick=False):
        event = record(adam, "export.reports", collaboration=north)
    assert "07:09" in str(report)
    assert "07:09" in str(event)
