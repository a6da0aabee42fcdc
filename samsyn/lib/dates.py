"""Dates and times given as parameters: one way to read them, in a sane range.

Python's dates run from year 1 to 9999, so a filter "until 9999-12-31" (the whole
day, so up to the next midnight) or "since 0001-01-01T00:00:00+14:00" (before year 1
in UTC) overflows when it is turned into the bounds of a query, and the request
ends in a 500. Samsyn's data lies between 1900 and 2100, so every date parameter,
in the API, Open311 and the web filters, is read here and refused outside that
range: 422 in the API, 400 in Open311, a form error on a page.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext, gettext_lazy

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


class DateRangeError(ValueError):
    """A well-formed date or week outside EARLIEST..LATEST."""


def range_message() -> str:
    return gettext("Give a date from %(earliest)s to %(latest)s.") % {
        "earliest": EARLIEST.isoformat(),
        "latest": LATEST.isoformat(),
    }


def in_range(day: date) -> date:
    """``day``, or DateRangeError when it lies outside EARLIEST..LATEST."""
    if isinstance(day, datetime):
        day = day.date()
    if not EARLIEST <= day <= LATEST:
        raise DateRangeError(range_message())
    return day


def parse_day(value: str) -> date:
    """A YYYY-MM-DD date in range. ValueError (with a message) otherwise; a
    DateRangeError when the date exists but lies outside the range."""
    try:
        day = parse_date(value.strip())
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        day = None
    if day is None:
        raise ValueError(gettext("Not a date (YYYY-MM-DD)."))
    return in_range(day)


def parse_when(value: str, *, end: bool = False) -> datetime:
    """A date (YYYY-MM-DD) or an ISO 8601 time, as an aware datetime in range.

    A date means its first moment; with ``end`` the moment after its last (the
    next midnight), so that "until=<date>" takes in the whole day. A time without
    an offset is local time (settings.TIME_ZONE). ValueError with a message."""
    text = value.strip()
    try:
        day = parse_date(text)
        moment = None if day is not None else parse_datetime(text)
    except ValueError:  # well-formed but impossible, e.g. 2026-13-45
        day, moment = None, None
    if day is not None:
        in_range(day)
        start = datetime.combine(day, time.min)
        moment = start + timedelta(days=1) if end else start
    if moment is None:
        raise ValueError(gettext("Not a date (YYYY-MM-DD) or an ISO 8601 time."))
    in_range(moment.date())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def check_week(year: int, week: int) -> tuple[int, int]:
    """(ISO week-year, week) when such a week exists and lies in range."""
    date.fromisocalendar(year, week, 1)  # ValueError if no such week
    if not EARLIEST.year <= year <= LATEST.year:
        raise DateRangeError(range_message())
    return year, week


class DateField(forms.DateField):
    """Django's DateField that refuses dates outside EARLIEST..LATEST."""

    default_error_messages = {
        "out_of_range": gettext_lazy("Give a date from %(earliest)s to %(latest)s.")
    }

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            )
