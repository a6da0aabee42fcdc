"""Exports: reports, interventions and situation pictures as CSV, XLSX and GeoJSON.

The rows come only from querysets already scoped by ``visible_to(access)``, so an
export never shows more than the pages do. CSV is written for Swedish Excel: UTF-8 with
a byte-order mark (so å, ä, ö open correctly) and ``;`` as separator (Swedish Excel's
list separator, since the comma is the decimal sign). Numbers keep a decimal point so
that the same file stays machine-readable; XLSX stores real numbers and dates.

Two layouts, chosen explicitly: ``readable`` (the export page's default) has column
headings and coded values (a status, a kind, yes/no) in the reader's language, for
people; ``machine`` keeps the stable keys and codes, for integrations (the API's
default, and always for GeoJSON). See docs/decisions/0015-names-police-demo-exports.md.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samsyn.lib.progress import Progress, null
from samsyn.organisations.access import Access
from samsyn.reports.models import ReportQuerySet

FORMATS = ("csv", "xlsx", "geojson")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
CSV_DELIMITER = ";"
LAYOUTS = ("readable", "machine")


@dataclass
class Table:
    """Rows to export: named columns, plain values, an optional geometry per row."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    geometries: list[dict[str, Any] | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


REPORT_COLUMNS = [
    "code",
    "occurred_at",
    "received_at",
    "category",
    "category_name",
    "group",
    "organisation",
    "area_ref",
    "area",
    "lat",
    "lon",
    "place_type",
    "people_count",
    "severity",
    "status",
    "owner",
    "restricted",
    "description",
]


def reports_table(qs: ReportQuerySet, progress: Progress | None = None) -> Table:
    progress = progress or null()
    table = Table("reports", REPORT_COLUMNS)
    # Plain values, not model instances: a report and four related rows per line
    # would be built and thrown away (a 60,000-row export took twice as long).
    rows = qs.order_by("occurred_at", "id").values_list(
        "code",
        "occurred_at",
        "created",
        "category__code",
        "category__name_sv",
        "category__group",
        "organisation__name",
        "area__ref",
        "area__name",
        "lat",
        "lon",
        "place_type",
        "people_count",
        "severity",
        "status",
        "owner__name",
        "restricted",
        "description",
    )
    for (
        code,
        occurred_at,
        created,
        category,
        category_name,
        group,
        organisation,
        area_ref,
        area,
        lat,
        lon,
        place_type,
        people_count,
        severity,
        status,
        owner,
        restricted,
        description,
    ) in rows.iterator(chunk_size=2000):
        table.rows.append(
            {
                "code": str(code),
                "occurred_at": _local(occurred_at),
                "received_at": _local(created),
                "category": category,
                "category_name": category_name,
                "group": group,
                "organisation": organisation,
                "area_ref": area_ref or "",
                "area": area or "",
                "lat": lat,
                "lon": lon,
                "place_type": place_type,
                "people_count": people_count,
                "severity": severity,
                "status": status,
                "owner": owner or "",
                "restricted": restricted,
                "description": description,
            }
        )
        table.geometries.append({"type": "Point", "coordinates": [lon, lat]})
        progress.advance()
    return table


INTERVENTION_COLUMNS = [
    "code",
    "title",
    "kind",
    "status",
    "owner",
    "partners",
    "categories",
    "areas",
    "starts_on",
    "ends_on",
    "lat",
    "lon",
    "planned_hours",
    "spent_hours",
    "planned_cost",
    "spent_cost",
    "goal",
]


def interventions_available() -> bool:
    return apps.is_installed("samsyn.interventions")


def pictures_available() -> bool:
    return apps.is_installed("samsyn.pictures")


def interventions_table(access: Access, progress: Progress | None = None) -> Table:
    from samsyn.interventions.models import Intervention

    progress = progress or null()
    table = Table("interventions", INTERVENTION_COLUMNS)
    qs = (
        Intervention.objects.visible_to(access)
        .select_related("owner")
        .prefetch_related("categories", "areas", "partnerships__organisation")
        .order_by("starts_on", "id")
    )
    for i in qs:
        table.rows.append(
            {
                "code": str(i.code),
                "title": i.title,
                "kind": i.kind,
                "status": i.status,
                "owner": i.owner.name,
                "partners": ", ".join(
                    p.organisation.name for p in i.partnerships.all()
                ),
                "categories": ", ".join(c.code for c in i.categories.all()),
                "areas": ", ".join(a.name for a in i.areas.all()),
                "starts_on": i.starts_on,
                "ends_on": i.ends_on,
                "lat": i.lat,
                "lon": i.lon,
                "planned_hours": i.planned_hours,
                "spent_hours": i.spent_hours,
                "planned_cost": i.planned_cost,
                "spent_cost": i.spent_cost,
                "goal": i.goal,
            }
        )
        point = (
            {"type": "Point", "coordinates": [i.lon, i.lat]}
            if i.lon is not None and i.lat is not None
            else None
        )
        table.geometries.append(point)
        progress.advance()
    return table


PICTURE_COLUMNS = [
    "picture",
    "kind",
    "period",
    "covers_until",
    "version",
    "status",
    "approved_at",
    "row",
    "area_ref",
    "name",
    "count",
    "count_last",
    "mean4",
    "change_pct",
    "flags",
    "colour",
]


def pictures_table(access: Access, progress: Progress | None = None) -> Table:
    """One summary row per picture and one row per area of its area status table."""
    from samsyn.areas.models import Area
    from samsyn.pictures.models import SituationPicture

    progress = progress or null()
    table = Table("pictures", PICTURE_COLUMNS)
    pictures = list(
        SituationPicture.objects.visible_to(access).order_by("period_start", "version")
    )
    codes = {
        a["code"]
        for p in pictures
        for a in (p.figures or {}).get("area_status", [])
        if a.get("code")
    }
    areas = {
        str(a.code): a
        for a in Area.objects.filter(collaboration=access.collaboration, code__in=codes)
    }
    for p in pictures:
        figures = p.figures or {}
        summary = figures.get("summary", {})
        base = {
            "picture": str(p.code),
            "kind": p.kind,
            "period": p.label,
            # The last day the figures cover: before the period's end while it
            # was still running when the figures were frozen ("so far").
            "covers_until": _covers_until(p, figures),
            "version": p.version,
            "status": p.status,
            "approved_at": _local(p.approved_at),
        }
        table.rows.append(
            {
                **base,
                "row": "summary",
                "area_ref": "",
                "name": p.scope.name if p.scope_id else "",
                "count": summary.get("n_reports"),
                "count_last": summary.get("n_last"),
                "mean4": summary.get("mean4"),
                "change_pct": summary.get("change_pct"),
                "flags": summary.get("deviations"),
                "colour": "",
            }
        )
        table.geometries.append(None)
        for a in figures.get("area_status", []):
            area = areas.get(a.get("code", ""))
            table.rows.append(
                {
                    **base,
                    "row": "area",
                    "area_ref": area.ref if area else "",
                    "name": a.get("name", ""),
                    "count": a.get("this"),
                    "count_last": None,
                    "mean4": a.get("mean4"),
                    "change_pct": None,
                    "flags": a.get("flags"),
                    "colour": (p.area_colours or {}).get(a.get("code"))
                    or a.get("suggested", ""),
                }
            )
            table.geometries.append(area.geometry if area else None)
        progress.advance()
    return table


def _covers_until(picture: Any, figures: dict[str, Any]) -> date:
    end = figures.get("figures_end")
    if end:
        return date.fromisoformat(end) - timedelta(days=1)
    return picture.last_day


def _plain(value: Any) -> Any:
    """A value for CSV and GeoJSON: ISO dates, plain numbers, text."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_csv(table: Table, progress: Progress | None = None) -> bytes:
    progress = progress or null()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(
            [
                "" if row.get(c) is None else _csv_cell(_plain(row.get(c)))
                for c in table.columns
            ]
        )
        progress.advance()
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> Any:
    # A cell starting with = + - @ is a formula to Excel: neutralise it (CSV injection).
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_xlsx(table: Table, progress: Progress | None = None) -> bytes:
    """The table as a workbook, written row by row (openpyxl's write-only mode keeps
    no cell objects, about three times faster on a big export)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    progress = progress or null()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(table.name[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for row in table.rows:
        values = []
        for c in table.columns:
            v = row.get(c)
            if isinstance(v, datetime):
                v = v.replace(tzinfo=None)  # already local time; Excel has no zones
            elif isinstance(v, Decimal):
                v = float(v)
            elif isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
                v = "'" + v
            values.append(v)
        ws.append(values)
        progress.advance()
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_geojson(table: Table, progress: Progress | None = None) -> bytes:
    progress = progress or null()
    features = []
    for row, geometry in zip(table.rows, table.geometries, strict=True):
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {c: _plain(row.get(c)) for c in table.columns},
            }
        )
        progress.advance()
    doc = {"type": "FeatureCollection", "name": table.name, "features": features}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "geojson": to_geojson}


def render(
    table: Table, fmt: str, progress: Progress | None = None, layout: str = "machine"
) -> bytes:
    if layout == "readable" and fmt != "geojson":
        table = readable(table)
    return WRITERS[fmt](table, progress)


# Column headings of the readable layout (the machine layout's keys are the msgids'
# source of truth; a column without a heading here keeps its key).
HEADINGS = {
    "code": gettext_lazy("Code"),
    "occurred_at": gettext_lazy("Occurred"),
    "received_at": gettext_lazy("Received"),
    "category": gettext_lazy("Category code"),
    "category_name": gettext_lazy("Category"),
    "group": gettext_lazy("Group"),
    "organisation": gettext_lazy("Organisation"),
    "area_ref": gettext_lazy("Area code"),
    "area": gettext_lazy("Area"),
    "lat": gettext_lazy("Latitude"),
    "lon": gettext_lazy("Longitude"),
    "place_type": gettext_lazy("Place type"),
    "people_count": gettext_lazy("Number of people"),
    "severity": gettext_lazy("Effect on safety"),
    "status": gettext_lazy("Status"),
    "owner": gettext_lazy("Owner"),
    "restricted": gettext_lazy("Restricted"),
    "description": gettext_lazy("Description"),
    "title": gettext_lazy("Title"),
    "kind": gettext_lazy("Kind"),
    "partners": gettext_lazy("Partners"),
    "categories": gettext_lazy("Categories"),
    "areas": gettext_lazy("Areas"),
    "starts_on": gettext_lazy("Starts"),
    "ends_on": gettext_lazy("Ends"),
    "planned_hours": gettext_lazy("Planned hours"),
    "spent_hours": gettext_lazy("Hours spent"),
    "planned_cost": gettext_lazy("Planned cost (SEK)"),
    "spent_cost": gettext_lazy("Cost spent (SEK)"),
    "goal": gettext_lazy("Goal"),
    "picture": gettext_lazy("Picture"),
    "period": gettext_lazy("Period"),
    "covers_until": gettext_lazy("Figures up to"),
    "version": gettext_lazy("Version"),
    "approved_at": gettext_lazy("Approved"),
    "row": gettext_lazy("Row"),
    "name": gettext_lazy("Name"),
    "count": gettext_lazy("Reports"),
    "count_last": gettext_lazy("Reports the period before"),
    "mean4": gettext_lazy("Mean of the 4 periods before"),
    "change_pct": gettext_lazy("Change (%)"),
    "flags": gettext_lazy("Deviations"),
    "colour": gettext_lazy("Area status"),
}


def _value_labels(table_name: str) -> dict[str, dict[str, str]]:
    """Per column, code → label in the active language."""
    from samsyn.areas.models import PlaceType
    from samsyn.lib.documents import VersionedDocument
    from samsyn.reports.models import Report

    out: dict[str, dict[str, str]] = {}
    if table_name == "reports":
        out["status"] = {k: str(v) for k, v in Report.Status.choices}
        out["place_type"] = {k: str(v) for k, v in PlaceType.choices}
    elif table_name == "interventions":
        from samsyn.interventions.models import Intervention

        out["kind"] = {k: str(v) for k, v in Intervention.Kind.choices}
        out["status"] = {k: str(v) for k, v in Intervention.Status.choices}
    elif table_name == "pictures":
        from samsyn.pictures.models import SituationPicture

        out["kind"] = {k: str(v) for k, v in SituationPicture.Kind.choices}
        out["status"] = {k: str(v) for k, v in VersionedDocument.Status.choices}
        out["colour"] = {k: str(v) for k, v in SituationPicture.Colour.choices}
        out["row"] = {"summary": _("Summary"), "area": _("Area")}
    return out


def readable(table: Table) -> Table:
    """The table with headings and coded values in the active language."""
    labels = _value_labels(table.name)
    yes, no = _("Yes"), _("No")
    rows = []
    for row in table.rows:
        new = dict(row)
        for column, names in labels.items():
            value = new.get(column)
            if isinstance(value, str) and value in names:
                new[column] = names[value]
        for column, value in new.items():
            if isinstance(value, bool):
                new[column] = yes if value else no
        rows.append(new)
    headings = {c: str(HEADINGS.get(c, c)) for c in table.columns}
    return Table(
        table.name,
        [headings[c] for c in table.columns],
        [{headings[c]: r.get(c) for c in table.columns} for r in rows],
        table.geometries,
    )


def count_rows(access: Access, kind: str, reports: Any = None) -> int:
    """About how many rows an export will have (pictures: one per picture, without
    their area rows); it decides whether the export runs as a job."""
    if kind == "reports":
        return reports.count() if reports is not None else 0
    if kind == "interventions":
        from samsyn.interventions.models import Intervention

        return Intervention.objects.visible_to(access).count()
    if kind == "pictures":
        from samsyn.pictures.models import SituationPicture

        return SituationPicture.objects.visible_to(access).count()
    raise ValueError(kind)


def filename(collaboration_slug: str, kind: str, fmt: str) -> str:
    stamp = timezone.localdate().isoformat()
    return f"samsyn-{collaboration_slug}-{kind}-{stamp}.{fmt}"
