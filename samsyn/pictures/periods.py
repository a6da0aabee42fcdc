"""Calendar periods of pictures: ISO weeks, months, quarters, tertials, years.

A period is [start, end) in local dates: an ISO week runs Monday to the next Monday,
a tertial is January–April, May–August or September–December.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from samsyn.organisations.models import Collaboration

KINDS = ("week", "month", "quarter", "tertial", "year")
_MONTHS_PER = {"quarter": 3, "tertial": 4}
_LETTER = {"quarter": "Q", "tertial": "T"}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive
    label: str

    def previous(self) -> Period:
        return period_for(self.kind, self.start - timedelta(days=1))

    def shifted_years(self, years: int) -> Period:
        """The same period `years` earlier (same ISO week number for weeks)."""
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            target = y - years
            w = min(w, date(target, 12, 28).isocalendar()[1])
            return period_for("week", date.fromisocalendar(target, w, 1))
        return period_for(self.kind, self.start.replace(year=self.start.year - years))

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


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def period_for(
    kind: str, day: date, collaboration: Collaboration | None = None
) -> Period:
    """The period of `kind` that contains `day`."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
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
