"""Many tenants on one PostgreSQL: a week's picture with 100 collaborations beside it.

A fresh database ``samsyn_bench_tenants`` is migrated and given one collaboration with
its checklist, 25 areas over central Örebro, an organisation, a reporter and N reports
spread over two years (made through the ORM). A child process (Django settings are per
process) then

1. generates that collaboration's last complete week's picture while it is alone in the
   database (the reference), best of a few repeats;
2. copies it 99 times in SQL (each copy a collaboration of its own with its own
   checklist, areas, organisation and N reports with new codes, the same rows
   otherwise), runs ANALYZE, and
3. generates the first collaboration's picture again (ours), best of a few repeats.

The ratio is ours / alone: what the other tenants' rows cost one tenant (target ≤ 1.5).
The figures must also be identical (all but the time they were generated). The database is dropped whatever happens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("PG_HOST", "127.0.0.1")
PG_ADMIN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres"
DB_NAME = "samsyn_bench_tenants"
DB_URL = f"postgres://postgres@{PG_HOST}:5432/{DB_NAME}"
TARGET_RATIO = 1.5

CHILD = r"""
import json, random, sys, time, uuid
from datetime import timedelta
import django
django.setup()
from django.db import connection, transaction
from django.utils import timezone
from samsyn.accounts.models import User
from samsyn.lib.geo import to_sweref
from samsyn.lib.weeks import period_for
from samsyn.organisations.actions import create_collaboration
from samsyn.organisations.models import Collaboration, Membership, Organisation
from samsyn.pictures.figures import compute_figures
from samsyn.reports.models import Category, Report
from samsyn.tests.support import make_area

tenants, per_tenant, repeats = (int(a) for a in sys.argv[1:4])
rng = random.Random(7)


def make_tenant(i):
    collab = create_collaboration(slug=f"t{i:03d}", name=f"Tenant {i}")
    org = Organisation.objects.create(
        collaboration=collab, slug=f"t{i:03d}-kommun", name=f"Kommun {i}",
        kind="municipality")
    n = 5
    for a in range(n):
        for b in range(n):
            lon0 = 15.15 + 0.1 * a / n
            lat0 = 59.25 + 0.05 * b / n
            lon1, lat1 = lon0 + 0.1 / n, lat0 + 0.05 / n
            ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1],
                    [lon0, lat0]]
            make_area(collab, ref=f"B{a}{b}", name=f"Område {a}{b}",
                      geometry={"type": "Polygon", "coordinates": [ring]})
    user = User.objects.create_user(f"t{i:03d}-reporter", password=None)
    Membership.objects.create(user=user, organisation=org,
                              role=Membership.Role.REPORTER)
    return collab, org, user


collab, org, user = make_tenant(0)
cats = list(Category.objects.filter(collaboration=collab, active=True))
from samsyn.areas.models import Area
now = timezone.now()
batch = []
for k in range(per_tenant):
    lon, lat = 15.15 + rng.random() * 0.1, 59.25 + rng.random() * 0.05
    x, y = to_sweref(lon, lat)
    when = now - timedelta(seconds=rng.randrange(730 * 86400))
    batch.append(Report(
        collaboration=collab, organisation=org, reporter=user,
        category=rng.choice(cats), occurred_at=when, lon=lon, lat=lat,
        x=float(x), y=float(y), area_id=Area.locate_id(collab, lon, lat),
        severity=1, source="api", created=when))
    if len(batch) == 5000:
        Report.objects.bulk_create(batch); batch = []
Report.objects.bulk_create(batch)
with connection.cursor() as c:
    c.execute("ANALYZE")

period = period_for("week", timezone.localdate() - timedelta(days=7))


def picture_time():
    best = float("inf"); figures = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        figures, _trace = compute_figures(collab, period, None)
        best = min(best, time.perf_counter() - t0)
    return best, figures


alone_s, alone = picture_time()

# The other tenants: their own collaborations, checklists, areas and organisations
# through the app; their reports copied from the first tenant's in SQL, every column
# as it is except the ones that name the tenant (so new columns need no change here).
with connection.cursor() as c:
    c.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'reports_report' ORDER BY ordinal_position")
    columns = [r[0] for r in c.fetchall() if r[0] != "id"]
t0 = time.perf_counter()
for i in range(1, tenants):
    other, other_org, other_user = make_tenant(i)
    replace = {
        "code": "gen_random_uuid()",
        "collaboration_id": "%(collab)s",
        "organisation_id": "%(org)s",
        "reporter_id": "%(user)s",
        "category_id": "oc.id",
        "area_id": "oa.id",
        "idempotency_key": "NULL",
        "owner_id": "NULL",
        "place_id": "NULL",
    }
    select = ", ".join(replace.get(col, f"r.{col}") for col in columns)
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            f"INSERT INTO reports_report ({', '.join(columns)}) "
            f"SELECT {select} FROM reports_report r "
            "JOIN reports_category rc ON rc.id = r.category_id "
            "JOIN reports_category oc ON oc.collaboration_id = %(collab)s "
            "  AND oc.code = rc.code "
            "LEFT JOIN areas_area ra ON ra.id = r.area_id "
            "LEFT JOIN areas_area oa ON oa.collaboration_id = %(collab)s "
            "  AND oa.ref = ra.ref AND oa.level = ra.level "
            "WHERE r.collaboration_id = %(source)s",
            {"collab": other.pk, "org": other_org.pk, "user": other_user.pk,
             "source": collab.pk})
copy_s = time.perf_counter() - t0
with connection.cursor() as c:
    c.execute("ANALYZE")
    c.execute("SELECT count(*) FROM reports_report")
    rows = c.fetchone()[0]
    c.execute("SELECT pg_size_pretty(pg_total_relation_size('reports_report'))")
    size = c.fetchone()[0]
many_s, many = picture_time()
for figures in (alone, many):
    figures.pop("generated_at", None)  # the one figure that must differ
print(json.dumps({
    "alone_s": alone_s, "many_s": many_s, "rows": rows, "size": size,
    "copy_s": copy_s, "same": json.dumps(alone, sort_keys=True, default=str)
    == json.dumps(many, sort_keys=True, default=str),
    "differ": sorted(k for k in set(alone) | set(many)
                     if json.dumps(alone.get(k), sort_keys=True, default=str)
                     != json.dumps(many.get(k), sort_keys=True, default=str)),
    "n_week": alone["summary"]["n_reports"], "label": period.label}))
"""


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _run(*args: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samsyn.settings",
        "DATABASE_URL": DB_URL,
        "DEBUG": "true",
    }
    out = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr else "")
    return out.stdout


def run(quick: bool = False) -> list[dict[str, Any]]:
    tenants, per_tenant = (10, 10_000) if quick else (100, 100_000)
    repeats = 3
    _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _psql(f"CREATE DATABASE {DB_NAME}")
    try:
        t0 = time.perf_counter()
        _run("manage.py", "migrate", "-v0")
        out = _run("-c", CHILD, str(tenants), str(per_tenant), str(repeats))
        r = json.loads(out.strip().splitlines()[-1])
        total_s = time.perf_counter() - t0
    finally:
        _psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    ratio = r["many_s"] / r["alone_s"]
    return [
        {
            "benchmark": (
                f"a week's picture beside {tenants - 1} other collaborations "
                f"({r['rows']:,} reports, PostgreSQL)"
            ),
            "ours_s": round(r["many_s"], 3),
            "reference": f"the same collaboration alone ({per_tenant:,} reports)",
            "reference_s": round(r["alone_s"], 3),
            "ratio": round(ratio, 2),
            "target": f"ratio ≤ {TARGET_RATIO}, identical figures",
            "ok": ratio <= TARGET_RATIO and r["same"],
            "note": (
                f"{r['label']}: {r['n_week']} reports in the week; figures identical: "
                f"{r['same'] or ', '.join(r['differ'])}; reports table {r['size']}; "
                "copying the tenants "
                f"{r['copy_s']:.0f} s, whole run {total_s:.0f} s"
            ),
        }
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
