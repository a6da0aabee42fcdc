"""Importing survey results: check every row first, then write all or nothing.

A file is read with the police importer's CSV reader (UTF-8, or Windows-1252 when
nothing in it is UTF-8, a mix refused with its lines; `;`, `,` or tab). Each row must name an area of the collaboration by its reference code, a
sane year and a value within the mapping's scale. If any row is wrong nothing is
written and every problem is listed by line. Identical repeated rows are skipped with
a reason; the same area and year twice with different values is an error.
Re-importing updates the existing (area, year, source, indicator) rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samsyn.areas.models import Area
from samsyn.organisations.models import Collaboration, record
from samsyn.police.tabular import FileProblem, read_csv
from samsyn.surveys.models import SurveyImport, SurveyMapping, SurveyResult

MIN_YEAR = 1990
# A file with thousands of bad lines is listed by its first few, then counted.
LINES_SHOWN = 20
# The upload page takes 5 MB; the command line 20 MB. Survey results are one row per
# area and year: even every DeSO of Sweden over decades stays far below either.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_COMMAND_BYTES = 20 * 1024 * 1024
# More than anyone could have asked in one area (and within the database column).
MAX_RESPONDENTS = 10_000_000


class ImportRefused(Exception):
    """The plan has errors; nothing was written."""


def default_mapping(collab: Collaboration) -> SurveyMapping:
    """The mapping used when none is chosen: the collaboration's only saved one, or
    a built-in one for the police survey's problem index (columns area, year, value,
    respondents; scale 0–6)."""
    saved = list(SurveyMapping.objects.filter(collaboration=collab)[:2])
    if len(saved) == 1:
        return saved[0]
    return SurveyMapping(
        collaboration=collab,
        name="standard",
        area_column="area",
        year_column="year",
        value_column="value",
        respondents_column="respondents",
        source="Polisens trygghetsmätning",
        indicator="problem index",
        scale_min=0,
        scale_max=6,
        higher_is_worse=True,
    )


@dataclass
class PlannedRow:
    line: int
    area: Area
    year: int
    value: float
    respondents: int | None
    action: str = "create"  # create, update or unchanged


@dataclass
class ImportPlan:
    collaboration: Collaboration
    mapping: SurveyMapping
    file_name: str = ""
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def errors_shown(self) -> list[tuple[int, str]]:
        return self.errors[:LINES_SHOWN]

    @property
    def errors_more(self) -> int:
        return max(0, len(self.errors) - LINES_SHOWN)

    @property
    def skipped_shown(self) -> list[tuple[int, str]]:
        return self.skipped[:LINES_SHOWN]

    @property
    def skipped_more(self) -> int:
        return max(0, len(self.skipped) - LINES_SHOWN)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "skipped": [{"line": n, "reason": r} for n, r in self.skipped],
            "errors": [{"line": n, "reason": r} for n, r in self.errors],
        }


def _number(text: str) -> float:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _column(header: list[str], name: str) -> int | None:
    wanted = name.strip().casefold()
    for i, h in enumerate(header):
        if h.strip().casefold() == wanted:
            return i
    return None


def plan_survey_import(
    collab: Collaboration, raw: bytes, mapping: SurveyMapping, file_name: str = ""
) -> ImportPlan:
    plan = ImportPlan(collaboration=collab, mapping=mapping, file_name=file_name)
    try:
        table = read_csv(raw)
    except FileProblem as exc:
        plan.errors.append((0, str(exc)))
        return plan
    plan.encoding, plan.delimiter = table.encoding, table.delimiter
    cols: dict[str, int | None] = {}
    for key, name in (
        ("area", mapping.area_column),
        ("year", mapping.year_column),
        ("value", mapping.value_column),
    ):
        cols[key] = _column(table.header, name)
        if cols[key] is None:
            plan.errors.append(
                (
                    1,
                    _("Column “%(name)s” is missing; the file has: %(cols)s.")
                    % {"name": name, "cols": ", ".join(table.header)},
                )
            )
    cols["respondents"] = (
        _column(table.header, mapping.respondents_column)
        if mapping.respondents_column
        else None
    )
    if plan.errors:
        return plan
    areas: dict[str, Area] = {}
    # Leaf areas win over districts that happen to share a reference code.
    for a in Area.objects.in_collaboration(collab).order_by("-level"):
        areas.setdefault(a.ref.strip().casefold(), a)
    this_year = timezone.localdate().year
    seen: dict[tuple[int, int], PlannedRow] = {}

    def cell(cells: list[Any], key: str) -> str:
        i = cols[key]
        return str(cells[i]).strip() if i is not None and i < len(cells) else ""

    for line, cells in table.rows:
        problems = []
        ref = cell(cells, "area")
        area = areas.get(ref.casefold())
        if area is None:
            problems.append(_("unknown area code “%(ref)s”") % {"ref": ref})
        try:
            year = int(cell(cells, "year"))
            if not MIN_YEAR <= year <= this_year:
                raise ValueError
        except ValueError:
            year = 0
            problems.append(
                _("year “%(y)s” is not between %(lo)s and %(hi)s")
                % {"y": cell(cells, "year"), "lo": MIN_YEAR, "hi": this_year}
            )
        try:
            value = _number(cell(cells, "value"))
            if not mapping.scale_min <= value <= mapping.scale_max:
                problems.append(
                    _("value %(v)s is outside the scale %(lo)g–%(hi)g")
                    % {
                        "v": cell(cells, "value"),
                        "lo": mapping.scale_min,
                        "hi": mapping.scale_max,
                    }
                )
        except ValueError:
            value = 0.0
            problems.append(
                _("value “%(v)s” is not a number") % {"v": cell(cells, "value")}
            )
        respondents: int | None = None
        raw_resp = cell(cells, "respondents")
        if raw_resp:
            try:
                number = _number(raw_resp)
                if number < 0 or not number.is_integer():
                    raise ValueError
                if number > MAX_RESPONDENTS:
                    problems.append(
                        _("respondents “%(v)s” is more than %(max)s")
                        % {"v": raw_resp, "max": MAX_RESPONDENTS}
                    )
                else:
                    respondents = int(number)
            except ValueError:
                problems.append(
                    _("respondents “%(v)s” is not a whole number") % {"v": raw_resp}
                )
        if problems:
            plan.errors.append((line, "; ".join(problems)))
            continue
        assert area is not None  # noqa: S101 - checked above
        row = PlannedRow(line, area, year, value, respondents)
        earlier = seen.get((area.pk, year))
        if earlier is not None:
            if (earlier.value, earlier.respondents) == (value, respondents):
                plan.skipped.append(
                    (line, _("duplicate of line %(n)s") % {"n": earlier.line})
                )
            else:
                plan.errors.append(
                    (
                        line,
                        _("same area and year as line %(n)s with a different value")
                        % {"n": earlier.line},
                    )
                )
            continue
        seen[(area.pk, year)] = row
        plan.rows.append(row)

    existing = {
        (r.area_id, r.year): r
        for r in SurveyResult.objects.filter(
            collaboration=collab, source=mapping.source, indicator=mapping.indicator
        )
    }
    for row in plan.rows:
        old = existing.get((row.area.pk, row.year))
        if old is None:
            row.action = "create"
        elif (old.value, old.respondents) == (row.value, row.respondents):
            row.action = "unchanged"
        else:
            row.action = "update"
    if not plan.rows and not plan.errors:
        plan.errors.append((0, _("The file has no data rows.")))
    return plan


@transaction.atomic
def apply_survey_import(plan: ImportPlan, *, by: Any) -> SurveyImport:
    """Write a checked plan. Raises ImportRefused (and writes nothing) on errors."""
    if not plan.ok:
        raise ImportRefused(_("The file has errors; nothing was imported."))
    m = plan.mapping
    for row in plan.rows:
        if row.action == "unchanged":
            continue
        SurveyResult.objects.update_or_create(
            area=row.area,
            year=row.year,
            source=m.source,
            indicator=m.indicator,
            defaults={
                "collaboration": plan.collaboration,
                "value": row.value,
                "respondents": row.respondents,
                "scale_min": m.scale_min,
                "scale_max": m.scale_max,
                "higher_is_worse": m.higher_is_worse,
            },
        )
    imp = SurveyImport.objects.create(
        collaboration=plan.collaboration,
        file_name=plan.file_name[:255],
        mapping_name=m.name,
        created_count=plan.count("create"),
        updated_count=plan.count("update"),
        unchanged_count=plan.count("unchanged"),
        skipped_count=len(plan.skipped),
        by=by if getattr(by, "pk", None) else None,
    )
    record(
        by,
        "survey.imported",
        imp,
        data={
            "file": plan.file_name,
            "mapping": m.name,
            "source": m.source,
            "indicator": m.indicator,
            "created": imp.created_count,
            "updated": imp.updated_count,
            "unchanged": imp.unchanged_count,
            "skipped": imp.skipped_count,
        },
    )
    return imp


@transaction.atomic
def save_mapping(mapping: SurveyMapping, *, by: Any) -> SurveyMapping:
    created = mapping.pk is None
    mapping.save()
    record(
        by,
        "survey.mapping_created" if created else "survey.mapping_changed",
        mapping,
        data={"name": mapping.name},
    )
    return mapping
