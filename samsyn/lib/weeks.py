"""Weeks, periods and local time: the one place Samsyn turns instants into days.

Times are stored in UTC; every time a person sees, and every day, week and period,
is in ``settings.TIME_ZONE`` (Europe/Stockholm). Use :func:`local_tz`,
:func:`localtime`, :func:`local_today` and :func:`local_midnight` rather than a zone
of your own, and the week and period helpers here rather than date arithmetic of
your own (decision 0008).

Weeks are ISO weeks (Monday first; week 1 holds the year's first Thursday), so the
days around New Year can belong to week 53 of the year before or week 1 of the
next: 2027-01-01 is in week 53 of 2026, 2024-12-30 in week 1 of 2025. The year shown
with a week is therefore the ISO week-year, not the calendar year of the day.
"Vecka 47" in Swedish, "week 47" in English.

A week starts at local midnight on Monday, so across the daylight-saving changes a
week is an hour shorter or longer in UTC.

Periods (:class:`Period`) are [start, end) in local dates: ISO weeks, months,
quarters, tertials (January–April, May–August, September–December) and years. A
period that has not ended yet is cut at the last complete week with
:meth:`Period.so_far`: figures of a running period never name or use a future week,
and comparisons with earlier periods use the same part of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext


def local_tz() -> ZoneInfo:
    """The zone every person reads times in (``settings.TIME_ZONE``)."""
    return ZoneInfo(settings.TIME_ZONE)


def localtime(value: datetime | None = None) -> datetime:
    """An aware datetime (now if None) in local time."""
    return timezone.localtime(value, local_tz())


def local_today() -> date:
    """Today's local date."""
    return localtime().date()


def local_midnight(day: date) -> datetime:
    """00:00 local time on ``day``, aware."""
    return datetime.combine(day, time.min, local_tz())


def monday(day: date) -> date:
    """The Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def week_start(iso_year: int, iso_week: int) -> date:
    """Monday of an ISO week (ValueError for a week that does not exist)."""
    return date.fromisocalendar(iso_year, iso_week, 1)


def week_bounds(iso_year: int, iso_week: int) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of an ISO week in local time, aware."""
    first = week_start(iso_year, iso_week)
    return local_midnight(first), local_midnight(first + timedelta(days=7))


def last_complete_week(now: datetime | None = None) -> tuple[int, int]:
    """(ISO week-year, week) of the last week that has ended (local time): the week
    before the current one."""
    today = localtime(now).date() if now is not None else local_today()
    iso = (monday(today) - timedelta(days=7)).isocalendar()
    return iso[0], iso[1]


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
        day = localtime(value).date() if timezone.is_aware(value) else value
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


# --------------------------------------------------------------------- periods
KINDS = ("week", "month", "quarter", "tertial", "year")
_MONTHS_PER = {"quarter": 3, "tertial": 4}
_LETTER = {"quarter": "Q", "tertial": "T"}


@dataclass(frozen=True)
class Period:
    """[start, end) in local dates. ``full_end`` is set when the period is running
    and has been cut to its elapsed part (:meth:`so_far`): then ``end`` is the day
    after the last complete week, ``full_end`` the end of the whole period."""

    kind: str
    start: date
    end: date  # exclusive
    label: str
    full_end: date | None = None

    @property
    def running(self) -> bool:
        """Cut to the part that has elapsed: the figures say "so far"."""
        return self.full_end is not None

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def _cut_like(self, whole: Period) -> Period:
        """``whole`` cut to as many days from its start as this period has."""
        if not self.running:
            return whole
        end = min(whole.end, whole.start + (self.end - self.start))
        return replace(whole, end=end, full_end=whole.end)

    def previous(self) -> Period:
        """The period before, cut to the same elapsed part if this one is running."""
        return self._cut_like(period_for(self.kind, self.start - timedelta(days=1)))

    def shifted_years(self, years: int) -> Period:
        """The same period `years` earlier (same ISO week number for weeks), cut to
        the same days if this one is running."""
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            target = y - years
            w = min(w, date(target, 12, 28).isocalendar()[1])
            whole = period_for("week", date.fromisocalendar(target, w, 1))
        else:
            whole = period_for(
                self.kind, self.start.replace(year=self.start.year - years)
            )
        return self._cut_like(whole)

    def so_far(self, today: date | None = None) -> Period:
        """The part of the period that has elapsed by ``today`` (local), ending
        with the last complete week: the period itself once it has ended.

        A running period ends on the Monday of the current week, so no figure
        uses a week that has not ended; if no whole week of the period has ended
        yet, it ends today (the days before today).
        """
        today = today or local_today()
        whole_end = self.full_end or self.end
        if today >= whole_end:
            return replace(self, end=whole_end, full_end=None)
        cut = monday(today)
        if cut <= self.start:
            cut = max(today, self.start)
        return replace(self, end=cut, full_end=whole_end)

    @property
    def last_week(self) -> tuple[int, int]:
        """(ISO week-year, week) of the last complete ISO week that ends by
        ``end``: the week the deviations and coverage of the period are about."""
        iso = (monday(self.end) - timedelta(days=7)).isocalendar()
        return iso[0], iso[1]

    @property
    def year(self) -> int:
        """The year the period belongs to: a week's ISO year (2026-W53 ends on
        3 January 2027 and is still 2026's), otherwise its calendar year."""
        if self.kind == "week":
            return self.start.isocalendar()[0]
        return self.start.year

    @property
    def weeks(self) -> int:
        return max(1, -(-(self.end - self.start).days // 7))

    def span_text(self) -> str:
        """ "1 sep–6 dec 2026": the days the figures cover, in the reader's
        language."""
        last = self.last_day
        start = short_day(self.start, with_year=self.start.year != last.year)
        return f"{start}–{short_day(last)} {last.year}"

    def so_far_text(self) -> str:
        """For a running period: "So far: 1 sep–6 dec 2026, against the same days
        of 2025." ("" for a period that has ended)."""
        if not self.running:
            return ""
        return gettext(
            "So far: %(span)s against the same days of %(previous)s; earlier "
            "periods are compared over the same number of days."
        ) % {"span": self.span_text(), "previous": self.last_day.year - 1}


def period_name(period: Period) -> str:
    """A period as people say it: "vecka 49, 2026", "december 2026",
    "tertial 3, 2026", "2026"."""
    from django.utils.dateformat import format as date_format

    if period.kind == "week":
        return week_label(period.start, with_year=True)
    if period.kind == "month":
        return date_format(period.start, "F Y")
    n, year = period.label[-1], period.start.year
    if period.kind == "tertial":
        return gettext("tertial %(n)s, %(year)s") % {"n": n, "year": year}
    if period.kind == "quarter":
        return gettext("quarter %(n)s, %(year)s") % {"n": n, "year": year}
    return period.label


def short_day(day: date, *, with_year: bool = False) -> str:
    """ "6 dec" ("6 Dec" in English), with " 2026" if asked."""
    from django.utils.dateformat import format as date_format
    from django.utils.translation import get_language

    letters = "j b" if (get_language() or "sv").startswith("sv") else "j M"
    return date_format(day, letters + (" Y" if with_year else ""))


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def period_for(kind: str, day: date, collaboration: Any = None) -> Period:
    """The period of `kind` that contains `day` (the whole period)."""
    if kind == "week":
        start = monday(day)
        y, w, _ = start.isocalendar()
        return Period(kind, start, start + timedelta(days=7), f"{y}-W{w:02d}")
    if kind == "month":
        start = day.replace(day=1)
        return Period(kind, start, _add_months(start, 1), f"{start:%Y-%m}")
    if kind in _MONTHS_PER:
        n = _MONTHS_PER[kind]
        idx = (day.month - 1) // n
        start = date(day.year, idx * n + 1, 1)
        label = f"{day.year}-{_LETTER[kind]}{idx + 1}"
        return Period(kind, start, _add_months(start, n), label)
    if kind == "year":
        return Period(
            kind, date(day.year, 1, 1), date(day.year + 1, 1, 1), str(day.year)
        )
    raise ValueError(f"Unknown period kind: {kind}")


_PATTERNS = {
    "week": re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I),
    "month": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarter": re.compile(r"^(\d{4})-?Q([1-4])$", re.I),
    "tertial": re.compile(r"^(\d{4})-?T([1-3])$", re.I),
    "year": re.compile(r"^(\d{4})$"),
}


def parse_period(kind: str, text: str) -> Period:
    """'2026-W47', '2026-11', '2026-Q4', '2026-T3', '2026' → Period (ValueError if bad)."""
    m = _PATTERNS.get(kind, re.compile("$^")).match(text.strip())
    if not m:
        raise ValueError(f"Not a {kind}: {text!r}")
    year = int(m.group(1))
    if kind == "week":
        return period_for(kind, date.fromisocalendar(year, int(m.group(2)), 1))
    if kind == "month":
        return period_for(kind, date(year, int(m.group(2)), 1))
    if kind in _MONTHS_PER:
        return period_for(
            kind, date(year, (int(m.group(2)) - 1) * _MONTHS_PER[kind] + 1, 1)
        )
    return period_for(kind, date(year, 1, 1))
