"""Find personal data in free text before it is saved.

Reports must not identify anyone. This finds Swedish personal identity numbers
(personnummer) and coordination numbers (samordningsnummer) with their check digit
(Luhn), phone numbers, e-mail addresses, vehicle registration plates and people's names
in context, so the reporter can be told exactly what to remove.

It is deliberately cautious, because a false alarm blocks an honest report: a date or a
count alone is not flagged, a ten-digit number with a valid check digit and a valid date
is; a capitalised word is a name only when it is a common first name followed by a
common surname ("Anna Berg", not "Kungsgatan" or "Olof Palmes gata") or a first name
after words such as "heter" or "kallas". Precision and recall per kind are measured on a
labelled corpus (samsyn/lib/tests/data/personal_data_corpus.jsonl; docs/privacy.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

KINDS = (
    "personal_number",
    "coordination_number",
    "phone",
    "email",
    "plate",
    "name",
)


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
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
# Swedish plates: three letters (never I, Q, V, Å, Ä, Ö), two digits, then a digit or
# (since 2019) a letter other than O. Upper case only: "abc 123" is rarely a plate, and
# lower-case three-letter words followed by numbers are common ("kl. 123", "nr 12").
_PLATE = re.compile(
    r"(?<![\w-])([A-HJ-PR-UW-Z]{3})[ -]?(\d{2}[0-9A-HJ-NPR-UW-Z])(?![\w-])"
)
# Three-letter upper-case abbreviations that are followed by numbers in ordinary text.
_NOT_PLATES = frozenset(
    "SOS SMS LSS GPS USB PDF EST BRA SCB SKR MSB SFS SOU LVU LVM LPT HVB SFB "
    "ABF KFM NKI BNP MHF TEL FAX NUM REF SAK DNR".split()
)
_WORD = r"[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?"
# "Firstname Lastname", optionally genitive ("Anna Bergs"); the surname part is checked
# against the list or common surname endings below.
_PAIR = re.compile(rf"(?<![\wÅÄÖåäö-])({_WORD})\s+({_WORD})(?![\wåäö-])")
# A first name after words that introduce one.
_CONTEXT = re.compile(
    rf"(?i:\b(?:heter|hette|kallas|kallades|kallad|känd som|kända som|"
    rf"kallade honom|kallade henne|kallar honom|kallar henne|"
    rf"namnet|namn|vid namn|nämnd som|signaturen)\b)[\s:,\"“”']+({_WORD})"
)
# Surnames not in the list are still recognised by their typical endings.
_SURNAME_ENDING = re.compile(
    r"(?:sson|son|berg|ström|strom|qvist|kvist|gren|lund|holm|blad|stedt|stad|"
    r"dahl|mark|man|ell|én|ius|ander|vall|sjö|bäck|by|ing)$"
)
# Names of streets, squares and institutions: "Olof Palmes gata", "Anna Lindhs plats".
_PLACE_WORDS = frozenset(
    "gata gatan väg vägen plats platsen torg torget park parken allé allén backe "
    "backen stig stigen gränd gränden skola skolan gymnasium gymnasiet kyrka kyrkan "
    "plan bro bron hus huset gård gården äng ängen hage hagen center centrum "
    "stiftelse stiftelsen fond skolväg led leden".split()
)
# After "heter"/"kallas", a word that is not a listed first name is still taken as a
# name when a person is what is being named ("grannen heter Dino"), not a place
# ("platsen kallas Tunneln").
_PERSON_BEFORE = re.compile(
    r"(?i:\b(?:han|hon|hen|honom|henne|man|mannen|kvinna|kvinnan|killen|kille|tjejen|"
    r"tjej|pojken|pojke|flickan|flicka|grannen|ungdomen|personen|person|ledaren|"
    r"yngsta|äldsta|mamman|pappan|brodern|systern|kompisen|vakten|ägaren)\b)"
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


@cache
def names() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames) from samsyn/lib/data/names_sv.txt."""
    first: set[str] = set()
    last: set[str] = set()
    section = first
    path = Path(__file__).parent / "data" / "names_sv.txt"
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line == "[first]":
            section = first
        elif line == "[surname]":
            section = last
        else:
            section.add(line)
    return frozenset(first), frozenset(last)


def _is_first_name(word: str) -> bool:
    first, _last = names()
    return word in first or all(p in first for p in word.split("-"))


def _is_surname(word: str) -> bool:
    _first, last = names()
    if word in last or all(p in last for p in word.split("-")):
        return True
    return len(word) >= 5 and bool(_SURNAME_ENDING.search(word))


def _place_like(word: str) -> bool:
    lower = word.lower()
    return any(lower.endswith(w) for w in _PLACE_WORDS)


def _next_word(text: str, end: int) -> str:
    m = re.match(r"\s+([\wåäöÅÄÖ]+)", text[end:])
    return m.group(1).lower() if m else ""


def _names(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _CONTEXT.finditer(text):
        word = m.group(1)
        person = _PERSON_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if _is_first_name(word) or (person and not _place_like(word)):
            # "heter Anna Berg": take the surname too when there is one.
            pair = _PAIR.match(text, m.start(1))
            if pair and _is_surname(pair.group(2).removesuffix("s")):
                spans.append((pair.start(), pair.end()))
            else:
                spans.append(m.span(1))
    pos = 0
    while True:
        m = _PAIR.search(text, pos)
        if m is None:
            break
        first, last = m.group(1), m.group(2)
        genitive = last.endswith("s") and not _is_surname(last)
        bare = last[:-1] if genitive else last
        ok = (
            _is_first_name(first)
            and _is_surname(bare)
            # "Karl Johan" is two first names, not a first name and a surname
            # ("Ali", "Ahmed" are both and are taken from the surname list).
            and (bare in names()[1] or not _is_first_name(bare))
        )
        if ok and (genitive or last.endswith("s")):
            # "Olof Palmes gata", "Anna Lindhs plats" name a place, not a person.
            nxt = _next_word(text, m.end())
            if nxt in _PLACE_WORDS or any(nxt.endswith(w) for w in ("gatan", "vägen")):
                ok = False
        if ok:
            spans.append(m.span())
            pos = m.end()
        else:
            # The second word may start the next pair ("med Anna Berg").
            pos = m.start(2)
    return spans


def find_personal_data(text: str) -> list[Finding]:
    """All personal data found in ``text``, in order of appearance."""
    if not text:
        return []
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(Finding(kind, text[start:end].strip(), start, end))

    for m in _EMAIL.finditer(text):
        add("email", *m.span())
    for m in _PNR.finditer(text):
        datepart, _sep, tail = m.groups()
        century = datepart[:2] if len(datepart) == 8 else None
        short = datepart[-6:]
        ok_date, coordination = _valid_date(short, century)
        if ok_date and luhn_ok(short + tail):
            kind = "coordination_number" if coordination else "personal_number"
            add(kind, *m.span())
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 8 <= len(digits) <= 13:
            add("phone", *m.span())
    for m in _PLATE.finditer(text):
        if m.group(1) not in _NOT_PLATES:
            add("plate", *m.span())
    for start, end in _names(text):
        add("name", start, end)
    return sorted(found, key=lambda f: f.start)
