"""Benchmark: the whole weekly picture, from the database to JSON, on SQLite and PostgreSQL.

For each database (a fresh SQLite file, and a fresh PostgreSQL database
``samsyn_bench_pipeline`` when a server answers) the demo is seeded with
``manage.py seed_demo`` and a child process (Django settings are per process)
measures:

* column loading: ``load_report_columns`` (binary COPY / one text value) against the
  plain ORM ``values_list`` path (``data.reference_load``) for all reports;
* the weekly picture end to end for the latest week: load + ``weekly()`` +
  ``hotspots()`` for the last 4 weeks + ``emerging()`` over 52 weeks + ``priority()``
  for the last tertial, with the peak resident memory of the child process.

Databases and files are always removed afterwards.
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
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_DB = "samsyn_bench_pipeline"

CHILD = r"""
import json, resource, sys, time
from datetime import date, timedelta
import django
django.setup()
from samsyn.analysis import data, engine
from samsyn.lib.weeks import last_complete_week, week_start
from samsyn.organisations.models import Collaboration

def best(fn, n):
    t = float("inf"); out = None
    for _ in range(n):
        t0 = time.perf_counter(); out = fn(); t = min(t, time.perf_counter() - t0)
    return t, out

collab = Collaboration.objects.get(slug="orebro")
repeats = int(sys.argv[1])
ours, cols = best(lambda: data.load_report_columns(collab), repeats)
ref, arr = best(lambda: data.reference_load(collab), 1)
year, week = last_complete_week()
monday = week_start(year, week)
end = engine.local_midnight(monday + timedelta(weeks=1))

def picture():
    w = engine.weekly(collab, year, week)
    h = engine.hotspots(collab, end - timedelta(weeks=4), end)
    e = engine.emerging(collab, monday + timedelta(days=6), 52)
    t_start = date(monday.year, ((monday.month - 1) // 4) * 4 + 1, 1)
    t_prev = date(t_start.year - (t_start.month == 1), (t_start.month - 5) % 12 + 1, 1)
    p = engine.priority(collab, engine.local_midnight(t_prev), engine.local_midnight(t_start))
    return len(w["rows"]), len(h["geojson"]["features"]), len(e["geojson"]["features"]), len(p["rows"])

rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
whole, sizes = best(picture, repeats)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"n": len(cols), "n_ref": len(arr), "load_s": ours, "ref_s": ref,
                  "picture_s": whole, "sizes": sizes, "rss_mb": rss / 1024,
                  "rss_before_mb": rss0 / 1024}))
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


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "no server"
        return False


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _measure(name: str, env: dict[str, str], n: int, repeats: int) -> list[dict]:
    t0 = time.perf_counter()
    _run(env, "manage.py", "migrate", "-v0")
    _run(env, "manage.py", "seed_demo", "--reports", str(n))
    seed_s = time.perf_counter() - t0
    r = json.loads(_run(env, "-c", CHILD, str(repeats)).strip().splitlines()[-1])
    load_ratio = r["load_s"] / r["ref_s"]
    return [
        {
            "benchmark": f"column loading, {r['n']:,} reports ({name})",
            "ours_s": round(r["load_s"], 4),
            "reference": "ORM values_list -> tuples -> array (data.reference_load)",
            "reference_s": round(r["ref_s"], 4),
            "ratio": round(load_ratio, 3),
            "target": "ratio < 1 (faster than the ORM path)",
            "ok": bool(load_ratio < 1 and r["n"] == r["n_ref"]),
            "note": f"seed + migrate took {seed_s:.0f} s",
        },
        {
            "benchmark": f"weekly picture end to end, {r['n']:,} reports ({name})",
            "ours_s": round(r["picture_s"], 3),
            "reference": "column loading alone (all reports)",
            "reference_s": round(r["load_s"], 4),
            "ratio": round(r["picture_s"] / r["load_s"], 2),
            "target": "reported (no target); peak memory in note",
            "ok": True,
            "note": (
                f"weekly + hotspots 4 w + emerging 52 w + priority tertial; "
                f"peak RSS {r['rss_mb']:.0f} MB (before: {r['rss_before_mb']:.0f} MB); "
                f"rows/features {r['sizes']}"
            ),
        },
    ]


def run(quick: bool = False) -> list[dict]:
    n = 100_000 if quick else 1_000_000
    repeats = 2 if quick else 3
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="samsyn-bench-") as tmp:
        env = {"SQLITE_PATH": str(Path(tmp) / "bench.sqlite3"), "DATABASE_URL": ""}
        rows += _measure("SQLite", env, n, repeats)
    if _pg_available():
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        _pg_admin(f"CREATE DATABASE {PG_DB}")
        try:
            rows += _measure(
                "PostgreSQL", {"DATABASE_URL": f"{PG_URL}/{PG_DB}"}, n, repeats
            )
        finally:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    return rows


if __name__ == "__main__":
    for row in run(quick="--full" not in sys.argv):
        print(row)
