"""Importing reported crimes (anmälda brott) from the local police's CSV/XLSX extract.

A `ColumnMapping` says which column holds what; one is suggested from the header names.
Every row is checked first; a row that cannot be used is skipped with its row number and
the reason. Rows whose case number is already stored are unchanged (re-importing the
same file changes nothing); the rest are written in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samsyn.areas.models import Area
from samsyn.lib.geo import in_sweden, to_sweref, to_wgs84
from samsyn.lib.weeks import local_tz
from samsyn.organisations.models import Collaboration, record
from samsyn.police.actions import ImportSummary, Progress, finish_batch
from samsyn.police.models import ColumnMapping, ImportBatch, ReportedCrime
from samsyn.police.skips import Skip
from samsyn.police.tabular import FileProblem, Table
from samsyn.reports.models import Category

PROGRESS_EVERY = 200
PREVIEW_ROWS = 20

MAPPING_FIELDS = (
    "time_column",
    "time_format",
    "clock_column",
    "case_column",
    "code_column",
    "type_column",
    "x_column",
    "y_column",
    "crs",
    "category_map",
)
COLUMN_FIELDS = (
    "time_column",
    "clock_column",
    "case_column",
    "code_column",
    "type_column",
    "x_column",
    "y_column",
)

# Header names (case and punctuation ignored) that suggest each column.
HEADER_HINTS: dict[str, tuple[str, ...]] = {
    "time_column": (
        "brottsdatum",
        "brottsdatumochtid",
        "brottstidpunkt",
        "handelsedatum",
        "tidpunkt",
        "datum",
        "fromdatum",
        "brottsdatumfrom",
        "date",
        "datetime",
        "occurredat",
    ),
    "clock_column": ("klockslag", "klocka", "tid", "brottstid", "kl", "time"),
    "case_column": (
        "arendenummer",
        "arendenr",
        "diarienummer",
        "anmalningsnummer",
        "knummer",
        "casenumber",
        "case",
    ),
    "code_column": ("brottskod", "kod", "crimecode", "code"),
    "type_column": (
        "brottsbenamning",
        "brottstyp",
        "benamning",
        "brott",
        "crimetype",
        "type",
    ),
    "x_column": ("x", "xkoordinat", "swerefx", "easting", "ost", "e"),
    "y_column": ("y", "ykoordinat", "swerefy", "northing", "nord", "n"),
}
LON_HINTS = ("lon", "long", "longitud", "longitude", "lng")
LAT_HINTS = ("lat", "latitud", "latitude")

DATE_TIME_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$"
)
COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2})(\d{2})(\d{2})?)?$")
DMY_RE = re.compile(
    r"^(\d{1,2})([/.])(\d{1,2})[/.](\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$"
)
# 03/05/2024: day or month first? Decided for the whole column (decide_date_order).
# With dots (03.05.2024) the day always comes first, as in Swedish and European use.
SLASH_DATE_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/\d{4}")
DATE_ORDERS = ("dmy", "mdy")
CLOCK_RE = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")
CLOCK_COMPACT_RE = re.compile(r"^(\d{3,4})$")

MAX_LENGTHS = {
    "case": ReportedCrime._meta.get_field("case_number").max_length or 50,
    "code": ReportedCrime._meta.get_field("crime_code").max_length or 20,
    "type": ReportedCrime._meta.get_field("crime_type").max_length or 200,
}


def _fold(name: str) -> str:
    table = str.maketrans("åäöéü", "aaoeu")
    return re.sub(r"[^a-z0-9]", "", name.casefold().translate(table))


def suggest_mapping(header: list[str]) -> ColumnMapping:
    """An unsaved mapping guessed from the header names (Swedish or English)."""
    folded = {_fold(h): h for h in header if h}
    found: dict[str, str] = {}
    for field_name, hints in HEADER_HINTS.items():
        for hint in hints:
            column = folded.get(hint)
            if column and column not in found.values():
                found[field_name] = column
                break
    crs = ColumnMapping.Crs.SWEREF99TM
    if "x_column" not in found or "y_column" not in found:
        lon = next((folded[h] for h in LON_HINTS if h in folded), "")
        lat = next((folded[h] for h in LAT_HINTS if h in folded), "")
        if lon and lat:
            found["x_column"], found["y_column"] = lon, lat
            crs = ColumnMapping.Crs.WGS84
    return ColumnMapping(name="", crs=crs, category_map={}, **found)


def mapping_snapshot(mapping: ColumnMapping) -> dict[str, Any]:
    return {"name": mapping.name, **{f: getattr(mapping, f) for f in MAPPING_FIELDS}}


def mapping_from_snapshot(data: dict[str, Any]) -> ColumnMapping:
    return ColumnMapping(
        **{k: v for k, v in data.items() if k in {"name", *MAPPING_FIELDS}}
    )


def check_mapping(mapping: ColumnMapping, header: list[str]) -> dict[str, int]:
    """Column indexes for the mapping's columns, or FileProblem naming what is missing."""
    if not mapping.time_column:
        raise FileProblem(_("The mapping names no date column."))
    if bool(mapping.x_column) != bool(mapping.y_column):
        raise FileProblem(
            _("The mapping names only one of the two coordinate columns.")
        )
    index = {h.casefold(): i for i, h in enumerate(header) if h}
    positions: dict[str, int] = {}
    missing = []
    for field_name in COLUMN_FIELDS:
        column = getattr(mapping, field_name)
        if not column:
            continue
        if column.casefold() not in index:
            missing.append(column)
        else:
            positions[field_name] = index[column.casefold()]
    if missing:
        raise FileProblem(
            _(
                "Column(s) missing from the file: %(missing)s. The header has: %(header)s."
            )
            % {
                "missing": ", ".join(repr(m) for m in missing),
                "header": ", ".join(repr(h) for h in header if h),
            }
        )
    return positions


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_number(value: Any, column: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError as exc:  # an XLSX integer with hundreds of digits
            raise Skip(
                gettext_noop("%(column)s: the number is too large"), {"column": column}
            ) from exc
    else:
        text = _text(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = float(text)
        except ValueError as exc:
            raise Skip(
                gettext_noop("%(column)s: %(value)s is not a number"),
                {"column": column, "value": repr(_text(value))},
            ) from exc
    if not math.isfinite(number):
        raise Skip(
            gettext_noop("%(column)s: %(value)s is not a number"),
            {"column": column, "value": repr(_text(value))},
        )
    return number


def _aware(d: datetime) -> datetime:
    if d.tzinfo is not None:
        return d
    return d.replace(tzinfo=local_tz())


def _build(
    groups: tuple[str | None, ...], order: str, raw: str, column: str
) -> datetime:
    if order == "dmy":
        d, mo, y, h, mi, s = groups
    elif order == "mdy":
        mo, d, y, h, mi, s = groups
    else:
        y, mo, d, h, mi, s = groups
    try:
        return datetime(
            int(y or 0),
            int(mo or 0),
            int(d or 0),
            int(h or 0),
            int(mi or 0),
            int(s or 0),
        )
    except ValueError as exc:
        raise Skip(
            gettext_noop("%(column)s: %(value)s is not a valid date (%(error)s)"),
            {"column": column, "value": repr(raw), "error": exc},
        ) from exc


def decide_date_order(values: Any, column: str, given: str = "") -> str:
    """ "dmy" or "mdy" for the slash dates of a column, decided from all its values.

    ISO dates (2024-05-03) need no decision and are read as such whatever this says.
    A value whose first number is over 12 can only be day first; one whose second is
    over 12 only month first. If no value decides and some could be read both ways
    (03/05/2024), FileProblem asks for the order instead of guessing; so does a column
    where values decide both ways.
    """
    if given:
        return given
    day_first = month_first = 0
    ambiguous = ""
    seen = False
    for value in values:
        m = SLASH_DATE_RE.match(value) if isinstance(value, str) else None
        if m is None:
            continue
        seen = True
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12:
            day_first += 1
        elif b > 12:
            month_first += 1
        elif a != b and not ambiguous:
            ambiguous = value.strip()
    if day_first and month_first:
        raise AmbiguousDates(
            _(
                "The column %(column)s has dates written day first and dates written "
                "month first. Choose the date order: day first (dmy) or month first "
                "(mdy); dates that do not fit it are skipped."
            )
            % {"column": column}
        )
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    if ambiguous:
        raise AmbiguousDates(
            _(
                "The column %(column)s has dates like %(example)s that can be read day "
                "first or month first, and no date in it decides which. Choose the "
                "date order: day first (dmy) or month first (mdy)."
            )
            % {"column": column, "example": ambiguous}
        )
    return "dmy" if seen else ""


class AmbiguousDates(FileProblem):
    """The date order of a column cannot be told from its values; ask for it."""


def parse_when(
    value: Any, column: str, fmt: str = "", order: str = "dmy"
) -> tuple[datetime, bool]:
    """(naive local datetime, whether a time of day was given). ``order`` is how
    slash dates are read ("dmy" or "mdy"); ISO dates are always year first."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), True
    if isinstance(value, date):
        return datetime.combine(value, time()), False
    raw = _text(value)
    if not raw:
        raise Skip(gettext_noop("%(column)s: missing"), {"column": column})
    if fmt:
        try:
            parsed = datetime.strptime(raw, fmt)
        except ValueError as exc:
            raise Skip(
                gettext_noop(
                    "%(column)s: %(value)s does not match the format %(format)s"
                ),
                {"column": column, "value": repr(raw), "format": fmt},
            ) from exc
        return parsed, any(c in fmt for c in ("%H", "%I", "%M"))
    for pattern in (DATE_TIME_RE, COMPACT_RE):
        m = pattern.match(raw)
        if m:
            return _build(m.groups(), "ymd", raw, column), m.group(4) is not None
    m = DMY_RE.match(raw)
    if m:
        first, separator, *rest = m.groups()
        groups = (first, *rest)
        slash_order = order if separator == "/" else "dmy"
        return _build(groups, slash_order, raw, column), m.group(5) is not None
    raise Skip(
        gettext_noop("%(column)s: %(value)s is not a date like 2026-08-22 19:51"),
        {"column": column, "value": repr(raw)},
    )


def parse_clock(value: Any, column: str) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    raw = _text(value)
    m = CLOCK_RE.match(raw)
    if m:
        h, mi, s = m.groups()
    else:
        m = CLOCK_COMPACT_RE.match(raw)
        if not m:
            raise Skip(
                gettext_noop("%(column)s: %(value)s is not a time like 19:51"),
                {"column": column, "value": repr(raw)},
            )
        h, mi, s = raw[:-2], raw[-2:], None
    try:
        return time(int(h), int(mi), int(s or 0))
    except ValueError as exc:
        raise Skip(
            gettext_noop("%(column)s: %(value)s is not a valid time (%(error)s)"),
            {"column": column, "value": repr(raw), "error": exc},
        ) from exc


@dataclass
class Context:
    collaboration: Collaboration
    mapping: ColumnMapping
    positions: dict[str, int]
    categories: dict[str, int]  # folded crime type or code → category id
    category_names: dict[int, str]
    date_order: str = "dmy"


def _cell(cells: list[Any], ctx: Context, field_name: str) -> Any:
    i = ctx.positions.get(field_name)
    if i is None or i >= len(cells):
        return None
    return cells[i]


def _limited(value: Any, key: str, column: str) -> str:
    text = _text(value)
    if len(text) > MAX_LENGTHS[key]:
        raise Skip(
            gettext_noop("%(column)s: longer than %(max)s characters"),
            {"column": column, "max": MAX_LENGTHS[key]},
        )
    return text


def _outside(m: ColumnMapping, x_raw: Any, y_raw: Any) -> Skip:
    return Skip(
        gettext_noop(
            "%(x)s/%(y)s: (%(a)s, %(b)s) is outside Sweden; is the coordinate system "
            "right?"
        ),
        {"x": m.x_column, "y": m.y_column, "a": _text(x_raw), "b": _text(y_raw)},
    )


def _coordinates(x_raw: Any, y_raw: Any, ctx: Context) -> dict[str, Any] | None:
    m = ctx.mapping
    if _text(x_raw) == "" and _text(y_raw) == "":
        return None
    if _text(x_raw) == "" or _text(y_raw) == "":
        raise Skip(
            gettext_noop("%(x)s/%(y)s: only one coordinate given"),
            {"x": m.x_column, "y": m.y_column},
        )
    a = parse_number(x_raw, m.x_column)
    b = parse_number(y_raw, m.y_column)
    if m.crs == ColumnMapping.Crs.WGS84:
        lon, lat = (
            (b, a) if a > 50 and b < 30 else (a, b)
        )  # lat/lon given the other way
        if not in_sweden(lon, lat):
            raise _outside(m, x_raw, y_raw)
        x, y = to_sweref(lon, lat)
    else:
        # Swedish practice often calls the northing X: metres > 1,000 km are northings.
        x, y = (b, a) if a > 1_000_000 > b else (a, b)
        lon, lat = to_wgs84(x, y)
        if not in_sweden(lon, lat):
            raise _outside(m, x_raw, y_raw)
    area_id = Area.locate_id(ctx.collaboration, lon, lat)
    return {
        "x": round(float(x), 2),
        "y": round(float(y), 2),
        "lon": round(float(lon), 7),
        "lat": round(float(lat), 7),
        "area_id": area_id,
        "outside": area_id is None,
        "precision": str(ReportedCrime.Precision.POINT),
    }


def row_values(cells: list[Any], ctx: Context) -> dict[str, Any]:
    """The stored values of one row, or Skip with the first problem found."""
    m = ctx.mapping
    when, has_time = parse_when(
        _cell(cells, ctx, "time_column"), m.time_column, m.time_format, ctx.date_order
    )
    if m.clock_column:
        clock = parse_clock(_cell(cells, ctx, "clock_column"), m.clock_column)
        if clock is not None:
            when = datetime.combine(when.date(), clock)
    occurred_at = _aware(when)
    if occurred_at > dj_timezone.now() + timedelta(days=1):
        raise Skip(
            gettext_noop("%(column)s: %(date)s is in the future"),
            {"column": m.time_column, "date": f"{occurred_at:%Y-%m-%d}"},
        )
    case = _limited(_cell(cells, ctx, "case_column"), "case", m.case_column)
    code = _limited(_cell(cells, ctx, "code_column"), "code", m.code_column)
    crime_type = _limited(_cell(cells, ctx, "type_column"), "type", m.type_column)
    if not code and not crime_type:
        raise Skip(gettext_noop("crime: neither a crime code nor a crime type"))
    place = _coordinates(
        _cell(cells, ctx, "x_column"), _cell(cells, ctx, "y_column"), ctx
    )
    if place is None:
        place = {
            "x": None,
            "y": None,
            "lon": None,
            "lat": None,
            "area_id": None,
            "outside": False,
            "precision": str(ReportedCrime.Precision.MUNICIPALITY),
        }
    category_id = ctx.categories.get(_fold(code)) if code else None
    if category_id is None and crime_type:
        category_id = ctx.categories.get(_fold(crime_type))
    values = {
        "case_number": case,
        "occurred_at": occurred_at,
        "crime_code": code,
        "crime_type": crime_type,
        "category_id": category_id,
        **place,
    }
    values["content_hash"] = content_hash(values)
    return values


def content_hash(values: dict[str, Any]) -> str:
    canonical = {
        k: (v.astimezone(local_tz()).isoformat() if isinstance(v, datetime) else v)
        for k, v in values.items()
        if k not in ("content_hash", "area_id", "outside", "category_id")
    }
    blob = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def category_lookup(
    collaboration: Collaboration, mapping: ColumnMapping
) -> tuple[dict[str, int], dict[int, str]]:
    cats = {c.code: c for c in Category.objects.in_collaboration(collaboration)}
    lookup: dict[str, int] = {}
    unknown = []
    for police_value, code in (mapping.category_map or {}).items():
        cat = cats.get(str(code).strip())
        if cat is None:
            unknown.append(str(code))
            continue
        lookup[_fold(str(police_value))] = cat.pk
    if unknown:
        raise FileProblem(
            _("The mapping names categories not in the checklist: %(codes)s.")
            % {"codes": ", ".join(sorted(set(unknown)))}
        )
    return lookup, {c.pk: c.name for c in cats.values()}


@dataclass
class CrimeSummary(ImportSummary):
    police_category: int = 0  # rows kept with the police's own category (not mapped)
    outside: int = 0
    municipality_level: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)
    # How dates like 03/05/2024 were read ("dmy", "mdy"; "" when there were none).
    date_order: str = ""


def _preview_row(
    number: int, values: dict[str, Any], ctx: Context, state: str
) -> dict[str, Any]:
    local = values["occurred_at"].astimezone(local_tz())
    return {
        "row": number,
        "state": state,
        "case_number": values["case_number"],
        "occurred_at": local.strftime("%Y-%m-%d %H:%M"),
        "crime_code": values["crime_code"],
        "crime_type": values["crime_type"],
        "category": ctx.category_names.get(values["category_id"] or 0, ""),
        "x": values["x"],
        "y": values["y"],
        "precision": values["precision"],
        "outside": values["outside"],
    }


def import_crimes(
    collaboration: Collaboration,
    table: Table,
    mapping: ColumnMapping,
    *,
    dry_run: bool = False,
    by: Any = None,
    file_name: str = "",
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
    date_order: str = "",
) -> CrimeSummary:
    """Check every row, then write the new ones in one transaction (unless dry run).

    Raises FileProblem (nothing written) when the file as a whole does not fit the
    mapping, and AmbiguousDates when the date order must be given (``date_order``,
    "dmy" or "mdy"); rows that cannot be used are skipped with their row number and
    reason (summarised by reason).
    """
    positions = check_mapping(mapping, table.header)
    lookup, names = category_lookup(collaboration, mapping)
    order = ""
    if not mapping.time_format:
        time_at = positions["time_column"]
        order = decide_date_order(
            (cells[time_at] for _, cells in table.rows if time_at < len(cells)),
            mapping.time_column,
            date_order,
        )
    ctx = Context(collaboration, mapping, positions, lookup, names, order or "dmy")
    summary = CrimeSummary(dry_run=dry_run, date_order=order)
    total = len(table.rows)
    rows: list[tuple[int, dict[str, Any]]] = []
    seen_case: dict[str, int] = {}
    seen_hash: dict[str, int] = {}
    for i, (number, cells) in enumerate(table.rows, start=1):
        try:
            values = row_values(cells, ctx)
            case = values["case_number"]
            if case and case in seen_case:
                raise Skip(
                    gettext_noop("%(column)s: %(case)s also on row %(row)s"),
                    {
                        "column": mapping.case_column,
                        "case": case,
                        "row": seen_case[case],
                    },
                )
            if not case and values["content_hash"] in seen_hash:
                raise Skip(
                    gettext_noop("identical to row %(row)s"),
                    {"row": seen_hash[values["content_hash"]]},
                )
        except Skip as exc:
            summary.skipped.append((number, exc.reason))
        else:
            if case:
                seen_case[case] = number
            else:
                seen_hash[values["content_hash"]] = number
            rows.append((number, values))
        if progress and (i % PROGRESS_EVERY == 0 or i == total):
            progress("checked", i, total)

    existing_cases = _existing(collaboration, "case_number", list(seen_case))
    existing_hashes = _existing(collaboration, "content_hash", list(seen_hash))
    to_create: list[tuple[int, dict[str, Any]]] = []
    for number, values in rows:
        if values["case_number"]:
            known = values["case_number"] in existing_cases
        else:
            known = values["content_hash"] in existing_hashes
        if known:
            summary.unchanged += 1
        else:
            to_create.append((number, values))
            summary.police_category += values["category_id"] is None
            summary.outside += values["outside"]
            summary.municipality_level += (
                values["precision"] == ReportedCrime.Precision.MUNICIPALITY
            )
        if len(summary.preview) < PREVIEW_ROWS:
            summary.preview.append(
                _preview_row(number, values, ctx, "unchanged" if known else "new")
            )
    summary.new = len(to_create)
    if dry_run:
        return summary

    with transaction.atomic():
        if batch is None:
            batch = ImportBatch.objects.create(
                collaboration=collaboration,
                kind=ImportBatch.Kind.CRIMES,
                file_name=file_name,
                created_by=by if getattr(by, "pk", None) else None,
            )
        now = dj_timezone.now()
        ReportedCrime.objects.bulk_create(
            [
                ReportedCrime(
                    collaboration=collaboration, batch=batch, imported_at=now, **values
                )
                for _, values in to_create
            ],
            batch_size=500,
        )
        finish_batch(batch, summary)
        record(
            by,
            "police.crimes_imported",
            batch,
            data={
                "file": file_name or batch.file_name,
                "mapping": mapping.name,
                "new": summary.new,
                "unchanged": summary.unchanged,
                "skipped": len(summary.skipped),
            },
        )
    return summary


def _existing(collaboration: Collaboration, column: str, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(
            ReportedCrime.objects.filter(
                collaboration=collaboration,
                **{f"{column}__in": keys[start : start + 500]},
            ).values_list(column, flat=True)
        )
    return found
