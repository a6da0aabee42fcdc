"""Benchmark: routing on report ingest, and the rules page's preview on history.

A fresh SQLite database gets two collaborations with the same 25 areas and the same
reporter: ``plain`` has no routing rules, ``routed`` has 20,000 property polygons (a
grid of small estates over central Örebro, split among 4 owners), a rule per owner's
properties, a category rule and a default. A child process (Django settings are per
process) posts reports through ``POST /api/v1/reports`` (test client, token auth,
the whole ingest path) in interleaved blocks, alternating the two collaborations, and
compares the mean time per report: routed / plain, target ≤ 1.10.

Then 1,287 areas and 90 days of physical reports are added to a third collaboration
and the rules page's preview (``preview_rule``) is timed against a 1 s budget.
The database file is always removed afterwards.
"""

from __future__ import annotations

import sys

from bench.bench_picture import _run

CHILD = r"""
import json, random, sys, time
from datetime import timedelta
import django
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = ["*"]
from django.test import Client
from django.utils import timezone
from samsyn.accounts.models import ApiToken, User
from samsyn.areas.models import Area
from samsyn.lib.geo import to_sweref
from samsyn.organisations.actions import create_collaboration
from samsyn.organisations.models import Membership, Organisation
from samsyn.reports.models import Category, Report
from samsyn.routing.actions import preview_rule
from samsyn.routing.index import index_for
from samsyn.routing.models import Property, RoutingRule, RoutingVersion
from samsyn.tests.support import make_area

n_reports, n_props, n_areas, n_history = (int(a) for a in sys.argv[1:5])
LON, LAT = (15.15, 15.25), (59.25, 59.30)
user = User.objects.create_user("bench-reporter", password=None)


def box(lon0, lat0, w, h):
    ring = [[lon0, lat0], [lon0 + w, lat0], [lon0 + w, lat0 + h], [lon0, lat0 + h],
            [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def collaboration(slug, areas_side):
    c = create_collaboration(slug=slug, name=slug)
    org = Organisation.objects.create(collaboration=c, slug=slug + "-kommun",
                                      name=slug, kind="municipality")
    w, h = (LON[1] - LON[0]) / areas_side, (LAT[1] - LAT[0]) / areas_side
    for i in range(areas_side):
        for j in range(areas_side):
            Area.objects.create(
                collaboration=c, level="area", ref=f"A{i}-{j}", name=f"{i}-{j}",
                geometry=box(LON[0] + i * w, LAT[0] + j * h, w, h),
                min_lon=LON[0] + i * w, min_lat=LAT[0] + j * h,
                max_lon=LON[0] + (i + 1) * w, max_lat=LAT[0] + (j + 1) * h,
                area_km2=1.0)
    c.areas_version += 1
    c.save(update_fields=["areas_version"])
    Membership.objects.create(user=user, organisation=org, role="reporter")
    return c, org


plain, plain_org = collaboration("plain", 5)
routed, routed_org = collaboration("routed", 5)
owners = [Organisation.objects.create(collaboration=routed, slug=f"owner-{k}",
          name=f"Owner {k}", kind="housing") for k in range(4)]
side = int(n_props ** 0.5)
w, h = (LON[1] - LON[0]) / side, (LAT[1] - LAT[0]) / side
props = []
for i in range(side):
    for j in range(side):
        g = box(LON[0] + i * w + w * 0.1, LAT[0] + j * h + h * 0.1, w * 0.8, h * 0.8)
        props.append(Property(collaboration=routed, owner=owners[(i + j) % 4],
            name=f"P{i}-{j}", geometry=g, min_lon=0, min_lat=0, max_lon=0, max_lat=0))
Property.objects.bulk_create(props, batch_size=2000)
for o in owners:
    RoutingRule.objects.create(collaboration=routed, where="property",
                               property_owner=o, owner=o, promised_days=5)
lighting = Category.objects.get(collaboration=routed, code="unsafe_lighting")
RoutingRule.objects.create(collaboration=routed, category=lighting, owner=routed_org,
                           promised_days=7)
RoutingRule.objects.create(collaboration=routed, owner=routed_org, promised_days=30)
RoutingVersion.bump(routed)
_tok, raw = ApiToken.issue(user, name="bench")
client = Client(headers={"Authorization": "Bearer " + raw})
physical = list(Category.objects.filter(collaboration=plain, physical_environment=True)
                .values_list("code", flat=True))
rng = random.Random(7)


def post(slug):
    body = {"category": rng.choice(physical), "lat": rng.uniform(*LAT),
            "lon": rng.uniform(*LON), "organisation": slug + "-kommun"}
    r = client.post("/api/v1/reports", body, content_type="application/json",
                    headers={"X-Collaboration": slug})
    assert r.status_code == 201, r.content


t0 = time.perf_counter(); index_for(routed); build_s = time.perf_counter() - t0
for slug in ("plain", "routed"):  # warm up both
    for _ in range(20):
        post(slug)
times = {"plain": 0.0, "routed": 0.0}
block = 50
for k in range(n_reports // block):
    for slug in (("plain", "routed") if k % 2 == 0 else ("routed", "plain")):
        t0 = time.perf_counter()
        for _ in range(block):
            post(slug)
        times[slug] += time.perf_counter() - t0
n_each = (n_reports // block) * block
assigned = Report.objects.filter(collaboration=routed, status="assigned").count()

# The preview: 1,287 areas, 90 days of physical reports.
big, big_org = collaboration("big", 1)
Area.objects.filter(collaboration=big).delete()
side_a = 36
aw, ah = (LON[1] - LON[0]) / side_a, (LAT[1] - LAT[0]) / side_a
made = 0
for i in range(side_a):
    for j in range(side_a):
        if made == n_areas:
            break
        Area.objects.create(collaboration=big, level="area", ref=f"B{i}-{j}",
            name=f"{i}-{j}", geometry=box(LON[0] + i * aw, LAT[0] + j * ah, aw, ah),
            min_lon=0, min_lat=0, max_lon=0, max_lat=0, area_km2=1.0)
        made += 1
big.areas_version += 1
big.save(update_fields=["areas_version"])
cats = list(Category.objects.filter(collaboration=big, physical_environment=True))
area_ids = list(Area.objects.filter(collaboration=big).values_list("pk", flat=True))
now = timezone.now()
rows = []
for _ in range(n_history):
    lon, lat = rng.uniform(*LON), rng.uniform(*LAT)
    x, y = to_sweref(lon, lat)
    rows.append(Report(collaboration=big, organisation=big_org, category=rng.choice(cats),
        occurred_at=now - timedelta(days=rng.uniform(0, 89)), lon=lon, lat=lat,
        x=float(x), y=float(y), area_id=rng.choice(area_ids), status="reported"))
Report.objects.bulk_create(rows, batch_size=2000)
for k, a in enumerate(area_ids[:200]):
    RoutingRule.objects.create(collaboration=big, where="area", area_id=a,
                               owner=big_org, promised_days=10)
rule = RoutingRule(collaboration=big, category=cats[0], owner=big_org, promised_days=7)
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter(); p = preview_rule(rule); best = min(best, time.perf_counter() - t0)
print(json.dumps({"plain_s": times["plain"] / n_each, "routed_s": times["routed"] / n_each,
                  "n": n_each, "assigned": assigned, "build_s": build_s,
                  "preview_s": best, "preview_total": p.total, "preview_n": p.to_owner,
                  "areas": made}))
"""


def run(quick: bool = False) -> list[dict]:
    import json
    import tempfile
    import time
    from pathlib import Path

    n, props, areas, history = (
        (400, 20_000, 1_287, 5_000) if quick else (2_000, 20_000, 1_287, 20_000)
    )
    with tempfile.TemporaryDirectory(prefix="samsyn-bench-routing-") as tmp:
        env = {
            "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
            "DATABASE_URL": "",
            "SAMSYN_TILE_URL": "",
            "DEBUG": "true",
        }
        t0 = time.perf_counter()
        _run(env, "manage.py", "migrate", "-v0")
        setup_s = time.perf_counter() - t0
        out = _run(env, "-c", CHILD, str(n), str(props), str(areas), str(history))
    r = json.loads(out.strip().splitlines()[-1])
    ratio = r["routed_s"] / r["plain_s"]
    return [
        {
            "benchmark": f"API report ingest with routing, {props:,} property polygons "
            "(SQLite)",
            "ours_s": round(r["routed_s"], 5),
            "reference": "the same ingest in a collaboration without rules, same run",
            "reference_s": round(r["plain_s"], 5),
            "ratio": round(ratio, 3),
            "target": "routing adds ≤ 10 % (ratio ≤ 1.10)",
            "ok": ratio <= 1.10,
            "note": (
                f"{r['n']} reports each, interleaved blocks of 50, test client; "
                f"{r['assigned']} assigned; index built in {r['build_s']:.2f} s; "
                f"migrate {setup_s:.0f} s"
            ),
        },
        {
            "benchmark": f"rules preview on 90 days, {r['areas']:,} areas, "
            f"{r['preview_total']:,} physical reports (SQLite)",
            "ours_s": round(r["preview_s"], 3),
            "reference": "budget",
            "reference_s": 1.0,
            "ratio": round(r["preview_s"], 3),
            "target": "under 1 s",
            "ok": r["preview_s"] < 1.0,
            "note": f"best of 3; 200 area rules; {r['preview_n']} would go to the owner",
        },
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
