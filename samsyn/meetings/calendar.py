"""The iCalendar feed of a forum's coming meetings."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from samsyn.meetings.models import TZ, Forum, Meeting

FEED_PAST_DAYS = 30  # recent meetings stay in the feed, so a calendar keeps them


def forum_calendar(forum: Forum, base_url: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Samsyn//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", forum.name)
    cal.add("x-wr-timezone", "Europe/Stockholm")
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    meetings = Meeting.objects.filter(forum=forum, starts_at__gte=since).order_by(
        "starts_at"
    )
    for m in meetings[:200]:
        ev = Event()
        ev.add("uid", f"{m.code}@samsyn")
        ev.add("summary", forum.name)
        # Local wall-clock times with their zone; calendars convert as needed.
        ev.add("dtstart", timezone.localtime(m.starts_at, TZ))
        ev.add("dtend", timezone.localtime(m.ends_at, TZ))
        ev.add("dtstamp", m.updated)
        if forum.location:
            ev.add("location", forum.location)
        ev.add("url", f"{base_url.rstrip('/')}/meetings/{m.code}/")
        if m.status == Meeting.Status.CANCELLED:
            ev.add("status", "CANCELLED")
        else:
            ev.add("status", "CONFIRMED")
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal
