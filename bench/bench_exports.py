"""Benchmark: exporting every report of the demo as CSV.

A fresh SQLite database is seeded with the demo (``seed_demo --reports N``) and a child
process measures, on all reports of the demo collaboration:

* ours: ``exports.reports_table`` (plain column values from one joined query) and
  ``exports.to_csv``;
* reference: the same table built from model instances with ``select_related`` (the
  ORM's usual path, and what the export did before), then the same ``to_csv``.

Both files must be identical byte for byte. And the XLSX of the same table: ours (openpyxl's write-only mode) against openpyxl's
default mode, which keeps every cell as an object.
The database file is always removed afterwards.
"""

from __future__ import annotations

import sys

from bench.bench_picture import run_on_demo

CHILD = r"""
import json, sys, time
import django
django.setup()
from samsyn.integrations import exports
from samsyn.reports.models import Report

def reference_table(qs):
    table = exports.Table("reports", exports.REPORT_COLUMNS)
    rows = qs.select_related("category", "organisation", "area", "owner").order_by(
        "occurred_at", "id")
    for r in rows.iterator(chunk_size=2000):
        table.rows.append({
            "code": str(r.code), "occurred_at": exports._local(r.occurred_at),
            "received_at": exports._local(r.created), "category": r.category.code,
            "category_name": r.category.name_sv, "group": r.category.group,
            "organisation": r.organisation.name,
            "area_ref": r.area.ref if r.area_id else "",
            "area": r.area.name if r.area_id else "", "lat": r.lat, "lon": r.lon,
            "place_type": r.place_type, "people_count": r.people_count,
            "severity": r.severity, "status": r.status,
            "owner": r.owner.name if r.owner_id else "", "restricted": r.restricted,
            "description": r.description})
        table.geometries.append({"type": "Point", "coordinates": [r.lon, r.lat]})
    return table

def reference_xlsx(table):
    import io
    from openpyxl import Workbook
    wb = Workbook(); ws = wb.active; ws.title = table.name[:31]
    ws.append(table.columns)
    for row in table.rows:
        ws.append([v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v is not None
                   and not isinstance(v, str) else v
                   for v in (row.get(c) for c in table.columns)])
    ws.freeze_panes = "A2"
    buf = io.BytesIO(); wb.save(buf); return buf.getvalue()

qs = Report.objects.all()
repeats = int(sys.argv[1])
ours = ref = float("inf")
for _ in range(repeats):
    t0 = time.perf_counter(); a = exports.to_csv(exports.reports_table(qs))
    ours = min(ours, time.perf_counter() - t0)
    t0 = time.perf_counter(); b = exports.to_csv(reference_table(qs))
    ref = min(ref, time.perf_counter() - t0)
table = exports.reports_table(qs)
t0 = time.perf_counter(); x = exports.to_xlsx(table); xlsx = time.perf_counter() - t0
t0 = time.perf_counter(); y = reference_xlsx(table); xlsx_ref = time.perf_counter() - t0
import io
from openpyxl import load_workbook
def cells(data):
    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [row for row in ws.iter_rows(values_only=True)]
xlsx_equal = cells(x) == cells(y)
print(json.dumps({"ours_s": ours, "ref_s": ref, "equal": a == b, "rows": len(table.rows),
                  "bytes": len(a), "xlsx_s": xlsx, "xlsx_ref_s": xlsx_ref,
                  "xlsx_equal": xlsx_equal}))
"""


def run(quick: bool = False) -> list[dict]:
    n = 20_000 if quick else 60_000
    repeats = 2 if quick else 3
    r, seed_s = run_on_demo("samsyn-bench-exports-", n, CHILD, str(repeats))
    ratio = r["ours_s"] / r["ref_s"]
    return [
        {
            "benchmark": f"export all reports as CSV, {r['rows']:,} reports (SQLite)",
            "ours_s": round(r["ours_s"], 3),
            "reference": "the same table from model instances with select_related",
            "reference_s": round(r["ref_s"], 3),
            "ratio": round(ratio, 3),
            "target": "ratio < 0.5 and identical files",
            "ok": ratio < 0.5 and r["equal"],
            "note": (
                f"identical={r['equal']}; {r['bytes'] / 1e6:.1f} MB; "
                f"seed + migrate {seed_s:.0f} s"
            ),
        },
        {
            "benchmark": f"write the same {r['rows']:,} reports as XLSX",
            "ours_s": round(r["xlsx_s"], 3),
            "reference": "openpyxl's default mode (every cell an object)",
            "reference_s": round(r["xlsx_ref_s"], 3),
            "ratio": round(r["xlsx_s"] / r["xlsx_ref_s"], 3),
            "target": "ratio < 1 and the same cell values",
            "ok": r["xlsx_s"] < r["xlsx_ref_s"] and r["xlsx_equal"],
            "note": f"same cell values={r['xlsx_equal']} (both read back)",
        },
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
