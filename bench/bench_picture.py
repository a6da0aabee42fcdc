"""Benchmark: generating a week's situation picture and rendering its page.

A fresh SQLite database is seeded with the demo (``seed_demo --reports N``) and a child
process (Django settings are per process) measures:

* generation of the last complete week's picture for the demo collaboration
  (``generate_picture``: weekly deviations, hotspots, category table, places, open
  issues, police, map), each repeat a new version;
* rendering the generated picture page through the test client as its coordinator
  (figures are frozen, so this is template work only).

The database file is always removed afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
from datetime import timedelta
import django
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS = ["*"]
from django.test import Client
from django.utils import timezone
from samsyn.organisations.models import Collaboration, Membership
from samsyn.pictures.actions import generate_picture
from samsyn.lib.weeks import period_for

collab = Collaboration.objects.get(slug="orebro")
repeats = int(sys.argv[1])
period = period_for("week", timezone.localdate() - timedelta(days=7))
gen = float("inf"); picture = None
for i in range(repeats):
    t0 = time.perf_counter()
    picture = generate_picture(collab, "week", period, by=None, new_version=True)
    gen = min(gen, time.perf_counter() - t0)
coordinator = (Membership.objects.filter(organisation__collaboration=collab,
               role="coordinator").select_related("user").first().user)
client = Client()
client.force_login(coordinator)
url = f"/pictures/{picture.code}/"
first = client.get(url)
assert first.status_code == 200, first.status_code
render = float("inf")
for _ in range(max(repeats, 3)):
    t0 = time.perf_counter()
    r = client.get(url)
    render = min(render, time.perf_counter() - t0)
print(json.dumps({"gen_s": gen, "render_s": render, "bytes": len(r.content),
                  "n_reports": picture.figures["summary"]["n_reports"],
                  "points": len(picture.figures["map"]["points"]),
                  "label": picture.label}))
"""


def _run(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "samsyn.settings", **env},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def run_on_demo(prefix: str, n: int, child: str, *args: str) -> tuple[dict, float]:
    """Seed the demo with ``n`` reports into a temporary SQLite database, run
    ``child`` (Python source printing one JSON line) on it; (its result, seed s)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        env = {
            "SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"),
            "DATABASE_URL": "",
            "SAMSYN_TILE_URL": "",
        }
        t0 = time.perf_counter()
        _run(env, "manage.py", "migrate", "-v0")
        _run(env, "manage.py", "seed_demo", "--reports", str(n))
        seed_s = time.perf_counter() - t0
        out = _run(env, "-c", child, *args).strip().splitlines()[-1]
    return json.loads(out), seed_s


def run(quick: bool = False) -> list[dict]:
    n = 60_000 if quick else 1_000_000
    repeats = 2 if quick else 3
    r, seed_s = run_on_demo("samsyn-bench-picture-", n, CHILD, str(repeats))
    return [
        {
            "benchmark": f"generate a week's picture, {n:,} reports (SQLite)",
            "ours_s": round(r["gen_s"], 3),
            "reference": None,
            "reference_s": None,
            "ratio": None,
            "target": "reported (no target)",
            "ok": True,
            "note": (
                f"{r['label']}: {r['n_reports']} reports in the week, "
                f"{r['points']} map points; seed + migrate {seed_s:.0f} s"
            ),
        },
        {
            "benchmark": f"render the generated picture page, {n:,} reports (SQLite)",
            "ours_s": round(r["render_s"], 4),
            "reference": None,
            "reference_s": None,
            "ratio": None,
            "target": "well under a second (< 0.3 s)",
            "ok": r["render_s"] < 0.3,
            "note": f"page {r['bytes'] / 1024:.0f} KiB, test client, best of repeats",
        },
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
