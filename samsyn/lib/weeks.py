"""ISO-8601 week numbers as people read them: "vecka 47" in Swedish, "week 47" in
English.

Weeks are ISO weeks (Monday first; week 1 holds the year's first Thursday), so the
days around New Year can belong to week 53 of the year before or week 1 of the
next: 2027-01-01 is in week 53 of 2026, 2024-12-30 in week 1 of 2025. The year shown
with a week is therefore the ISO week-year, not the calendar year of the day.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext

# "2026-W47", the key the pictures, patrol plans and coverage use in URLs and data.
WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_week(value: date | datetime | str | tuple[int, int]) -> tuple[int, int]:
    """(ISO week-year, week) of a day, an aware datetime (local time), a
    "2026-W47" key or a (year, week) pair. ValueError for anything else."""
    if isinstance(value, tuple):
        year, week = value
    elif isinstance(value, str):
        match = WEEK_KEY.match(value.strip())
        if match is None:
            raise ValueError(f"not a week like 2026-W47: {value!r}")
        year, week = int(match.group(1)), int(match.group(2))
    elif isinstance(value, datetime):
        day = timezone.localtime(value).date() if timezone.is_aware(value) else value
        year, week, _day = day.isocalendar()[:3]
        return year, week
    elif isinstance(value, date):
        year, week, _day = value.isocalendar()
        return year, week
    else:
        raise ValueError(f"not a day or a week: {value!r}")
    date.fromisocalendar(int(year), int(week), 1)  # ValueError if no such week
    return int(year), int(week)


def week_label(
    value: date | datetime | str | tuple[int, int], *, with_year: bool = False
) -> str:
    """ "vecka 47" / "week 47", or with the ISO week-year "vecka 47, 2026"."""
    year, week = iso_week(value)
    if with_year:
        return gettext("week %(week)s, %(year)s") % {"week": week, "year": year}
    return gettext("week %(week)s") % {"week": week}


def week_key(value: date | datetime | str | tuple[int, int]) -> str:
    """The "2026-W47" key of a day or week (for URLs and data, not for reading)."""
    year, week = iso_week(value)
    return f"{year}-W{week:02d}"
