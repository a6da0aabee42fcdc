"""Benchmark: importing a police events archive of 30 MB and of 300 MB.

Synthetic archives are generated into a temporary directory (never committed): events
shaped like the feed's, filed under one county, about 3 % of them in the
collaboration's municipality (the share in a real county archive). Each import runs in
its own child process on a fresh SQLite database, as ``samsyn import_police_events``
would, and reports its time and peak memory: the process's maximum resident set
(``ru_maxrss``) and the Python heap's peak during the import (``tracemalloc``, in a
second run, since tracing slows it down).

The point is flat memory: the 300 MB archive should peak about where the 30 MB one
does. For comparison the same child measures what reading the whole 30 MB file with
``json.load`` (the importer's old way) costs in memory.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_picture import _run

MB = 1024 * 1024
SUMMARY = (
    "Polisen larmades till platsen efter att en person hört ljud från ett förråd. "
    "Vid ankomsten fanns ingen kvar. Ärendet utreds vidare och vittnen söks. "
) * 2

CHILD = r"""
import json, resource, sys, time, tracemalloc
import django
django.setup()
from django.core.management import call_command
from samsyn.lib.jsonstream import JsonArrayReader
from samsyn.organisations.models import Collaboration
from samsyn.police.actions import import_police_events
from samsyn.police.models import PoliceEvent

path, size, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
call_command("migrate", verbosity=0)
collab, _ = Collaboration.objects.get_or_create(
    slug="bench", defaults={"name": "Bench", "municipality_name": "Örebro"})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {}
if mode == "whole":
    t0 = time.perf_counter()
    tracemalloc.start()
    with open(path, "rb") as fh:
        events = json.loads(fh.read().decode("utf-8"))
    out["heap_peak"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out["events"] = len(events)
    out["seconds"] = time.perf_counter() - t0
else:
    if mode == "trace":
        tracemalloc.start()
    t0 = time.perf_counter()
    with open(path, "rb") as fh:
        summary = import_police_events(
            collab, JsonArrayReader(fh), county_name="Örebro län", size=size,
            dry_run=(mode == "trace"))
    out["seconds"] = time.perf_counter() - t0
    if mode == "trace":
        out["heap_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    out.update(new=summary.new, skipped=len(summary.skipped), events=summary.read,
               stored=PoliceEvent.objects.count())
out["rss_base"] = base * 1024
out["rss_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(out))
"""


def write_archive(path: Path, size: int) -> int:
    """Write a JSON array of feed-like events of about ``size`` bytes, one event at
    a time (the generator never holds the archive); its number of events."""
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        written = 1
        while written < size:
            n += 1
            place = (
                "Örebro" if n % 33 == 0 else ("Kumla", "Lindesberg", "Askersund")[n % 3]
            )
            day = 1 + n % 28
            event = {
                "id": 100_000 + n,
                "datetime": f"2024-03-{day:02d} 10:15:00 +01:00",
                "name": f"{day} mars 09.30, Stöld, {place}",
                "summary": SUMMARY,
                "url": f"/aktuellt/handelser/2024/mars/{day}/{n}/",
                "type": "Stöld",
                "location": {"name": "Örebro län", "gps": "59.274,15.2066"},
            }
            text = ("," if n > 1 else "") + json.dumps(event, ensure_ascii=False)
            fh.write(text)
            written += len(text.encode("utf-8"))
        fh.write("]")
    return n


def _child(tmp: Path, path: Path, mode: str) -> dict:
    env = {
        "SQLITE_PATH": str(tmp / f"bench-{path.stem}-{mode}.sqlite3"),
        "DATABASE_URL": "",
        "SAMSYN_TILE_URL": "",
    }
    size = path.stat().st_size
    out = _run(env, "-c", CHILD, str(path), str(size), mode).strip().splitlines()[-1]
    return json.loads(out)


def measure(sizes_mb: list[int]) -> dict[int, dict]:
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="samsyn-bench-archive-") as tmp_name:
        tmp = Path(tmp_name)
        for mb in sizes_mb:
            path = tmp / f"archive-{mb}mb.json"
            t0 = time.perf_counter()
            n = write_archive(path, mb * MB)
            row = {"generated_s": time.perf_counter() - t0, "n": n}
            row["import"] = _child(tmp, path, "import")
            row["trace"] = _child(tmp, path, "trace")
            if mb == sizes_mb[0]:
                row["whole"] = _child(tmp, path, "whole")
            results[mb] = row
            path.unlink()
    return results


def _mb(value: float) -> str:
    return f"{value / MB:.0f} MB"


def run(quick: bool = False) -> list[dict]:
    sizes = [3, 30] if quick else [30, 300]
    r = measure(sizes)
    small, large = r[sizes[0]], r[sizes[1]]
    rows = []
    for mb in sizes:
        imp, trace = r[mb]["import"], r[mb]["trace"]
        rows.append(
            {
                "benchmark": f"import a {mb} MB police events archive "
                f"({r[mb]['n']:,} events, SQLite)",
                "ours_s": round(imp["seconds"], 2),
                "reference": None,
                "reference_s": None,
                "ratio": None,
                "target": "reported (no target)",
                "ok": True,
                "note": (
                    f"{imp['new']:,} new, {imp['skipped']:,} skipped; peak RSS "
                    f"{_mb(imp['rss_peak'])} (after start-up {_mb(imp['rss_base'])}); "
                    f"import's heap peak {_mb(trace['heap_peak'])} (tracemalloc, "
                    "dry run)"
                ),
            }
        )
    growth = large["import"]["rss_peak"] / small["import"]["rss_peak"]
    heap_growth = large["trace"]["heap_peak"] / small["trace"]["heap_peak"]
    whole = small["whole"]
    rows.append(
        {
            "benchmark": f"peak memory, {sizes[1]} MB vs {sizes[0]} MB archive",
            "ours_s": None,
            "reference": f"json.loads of the whole {sizes[0]} MB file",
            "reference_s": round(whole["seconds"], 2),
            "ratio": round(growth, 2),
            "target": "flat: peak RSS grows < 1.5x for 10x the file",
            "ok": growth < 1.5,
            "note": (
                f"peak RSS {_mb(small['import']['rss_peak'])} vs "
                f"{_mb(large['import']['rss_peak'])}; heap peak "
                f"{_mb(small['trace']['heap_peak'])} vs "
                f"{_mb(large['trace']['heap_peak'])} ({heap_growth:.2f}x); reading "
                f"the whole {sizes[0]} MB file: heap peak "
                f"{_mb(whole['heap_peak'])}, RSS {_mb(whole['rss_peak'])}"
            ),
        }
    )
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
