"""The iCalendar feeds: one forum's coming meetings, or a person's meetings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from samsyn.lib.weeks import localtime
from samsyn.meetings.models import Forum, Meeting

FEED_PAST_DAYS = 30  # recent meetings stay in the feed, so a calendar keeps them
FEED_MAX = 200  # meetings per forum


def forum_calendar(forum: Forum, base_url: str) -> Calendar:
    """One forum's meetings (the signed-in feed on the forum page)."""
    return meetings_calendar([forum], base_url, forum.name)


def meetings_calendar(forums: Iterable[Forum], base_url: str, name: str) -> Calendar:
    """The meetings of ``forums`` from FEED_PAST_DAYS ago on, named ``name``.

    The caller decides which forums a person may see (the feed adds none).
    """
    cal = Calendar()
    cal.add("prodid", "-//Samsyn//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    for forum in forums:
        meetings = Meeting.objects.filter(forum=forum, starts_at__gte=since).order_by(
            "starts_at"
        )
        for m in meetings[:FEED_MAX]:
            cal.add_component(_event(forum, m, base_url))
    cal.add_missing_timezones()
    return cal


def _event(forum: Forum, m: Meeting, base_url: str) -> Event:
    ev = Event()
    ev.add("uid", f"{m.code}@samsyn")
    ev.add("summary", forum.name)
    # Local wall-clock times with their zone; calendars convert as needed.
    ev.add("dtstart", localtime(m.starts_at))
    ev.add("dtend", localtime(m.ends_at))
    ev.add("dtstamp", m.updated)
    if forum.location:
        ev.add("location", forum.location)
    ev.add("url", f"{base_url.rstrip('/')}/meetings/{m.code}/")
    if m.status == Meeting.Status.CANCELLED:
        ev.add("status", "CANCELLED")
    else:
        ev.add("status", "CONFIRMED")
    return ev
