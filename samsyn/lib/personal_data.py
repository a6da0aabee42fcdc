"""Find personal data in free text before it is saved.

Reports must not identify anyone. This finds Swedish personal identity numbers
(personnummer) and coordination numbers (samordningsnummer) with their check digit
(Luhn), phone numbers and e-mail addresses, so the reporter can be told exactly what to
remove. It is deliberately cautious about numbers: a date or a count alone is not
flagged, a ten-digit number with a valid check digit and a valid date is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Finding:
    kind: str  # "personal_number", "coordination_number", "phone", "email"
    text: str
    start: int
    end: int


# YYMMDD or YYYYMMDD, optional separator (- or + for 100+ years), 4 digits.
_PNR = re.compile(r"(?<![\d])((?:19|20)?\d{6})\s?([-+]?)\s?(\d{4})(?![\d])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
# Swedish numbers: +46 or 0 first, then 7–10 more digits with spaces/dashes between.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+46|0046|0)[\s-]?\(?\d{1,3}\)?(?:[\s-]?\d){5,9}(?!\d)"
)


def luhn_ok(digits: str) -> bool:
    """Luhn check over the 10-digit form (YYMMDDNNNC)."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _valid_date(yymmdd: str, century_hint: str | None) -> tuple[bool, bool]:
    """(is a valid date, is a coordination number) for the date part."""
    month = int(yymmdd[2:4])
    day = int(yymmdd[4:6])
    coordination = day > 60
    if coordination:
        day -= 60
    years = (
        [int(century_hint + yymmdd[:2])]
        if century_hint
        else [
            1900 + int(yymmdd[:2]),
            2000 + int(yymmdd[:2]),
        ]
    )
    for year in years:
        try:
            date(year, month, day)
            return True, coordination
        except ValueError:
            continue
    return False, coordination


def find_personal_data(text: str) -> list[Finding]:
    """All personal data found in ``text``, in order of appearance."""
    if not text:
        return []
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, m: re.Match[str]) -> None:
        start, end = m.span()
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(Finding(kind, m.group(0).strip(), start, end))

    for m in _EMAIL.finditer(text):
        add("email", m)
    for m in _PNR.finditer(text):
        datepart, _sep, tail = m.groups()
        century = datepart[:2] if len(datepart) == 8 else None
        short = datepart[-6:]
        ok_date, coordination = _valid_date(short, century)
        if ok_date and luhn_ok(short + tail):
            add("coordination_number" if coordination else "personal_number", m)
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 8 <= len(digits) <= 13:
            add("phone", m)
    return sorted(found, key=lambda f: f.start)
