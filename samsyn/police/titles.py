"""When a police event happened, read from its title.

The events feed's `datetime` is when the Police Authority published the event; the
time it happened opens the title: "15 augusti 23.09, Trafikolycka, personskada,
Stockholm" (also written "23:09", or a day without a time). The title gives no year:
it is the year, of the publication's year and the years either side, that puts the
event nearest the publication, so "31 december 23.50" published 2027-01-01 00:20 is
31 December 2026. Titles are Swedish local time (settings.TIME_ZONE). Rules and limits
in docs/decisions/0006.

Pure functions, no database: also used by the migration that dated the stored events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings

MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ),
        start=1,
    )
}

# "15 augusti 23.09," / "5 augusti 7:02," / "15 augusti," (a day, no time).
TITLE_TIME_RE = re.compile(
    r"^\s*(\d{1,2})\s+([^\W\d_]+)(?:\s+(?:kl\.?\s*)?(\d{1,2})[.:](\d{2}))?\s*(?:,|$)",
    re.IGNORECASE,
)

# Where the stored time comes from (PoliceEvent.time_source).
SOURCE_TITLE = "title"  # day and time of day from the title
SOURCE_TITLE_DAY = "title_day"  # day from the title; no time of day in it
SOURCE_PUBLISHED = "published"  # the title has no usable date: publication time

# A day without a time of day is kept at midday, or at the publication when that was
# earlier the same day, so it stays on its day in every time zone rule we apply.
DAY_ONLY_AT = time(12, 0)


@dataclass(frozen=True)
class EventTime:
    at: datetime  # aware, UTC
    source: str


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def event_time(title: str, published: datetime) -> EventTime:
    """When the event in ``title`` happened (UTC), and where that comes from.

    ``published`` is the feed's aware publication time. A title whose opening is not
    a Swedish date ("15 augusti 23.09") gives the publication time, flagged
    ``published``. A time that does not exist locally (the hour skipped when summer
    time starts) is read with the offset before the change; a time that occurs twice
    (the hour repeated when it ends) is the first of the two.
    """
    m = TITLE_TIME_RE.match(title or "")
    month = MONTHS.get(m.group(2).casefold()) if m else None
    if m is None or month is None:
        return EventTime(published.astimezone(UTC), SOURCE_PUBLISHED)
    day = int(m.group(1))
    has_time = m.group(3) is not None
    hour, minute = (int(m.group(3)), int(m.group(4))) if has_time else (0, 0)
    if hour > 23 or minute > 59:
        return EventTime(published.astimezone(UTC), SOURCE_PUBLISHED)
    zone = local_zone()
    year = published.astimezone(zone).year
    candidates = []
    for y in (year - 1, year, year + 1):
        try:
            local = datetime(y, month, day, hour, minute, tzinfo=zone)
        except ValueError:  # 31 april, 29 februari in a common year
            continue
        if not has_time:
            noon = datetime.combine(local.date(), DAY_ONLY_AT, tzinfo=zone)
            local = published.astimezone(zone) if local <= published < noon else noon
        candidates.append(local.astimezone(UTC))
    if not candidates:
        return EventTime(published.astimezone(UTC), SOURCE_PUBLISHED)
    nearest = min(candidates, key=lambda c: abs((c - published).total_seconds()))
    return EventTime(nearest, SOURCE_TITLE if has_time else SOURCE_TITLE_DAY)
