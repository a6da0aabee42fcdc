"""Run the benchmarks: ``python -m bench.run [--quick] [--only NAME]`` (``make bench``).

Imports every ``bench/bench_*.py`` module, calls its ``run(quick)`` (see bench/README.md
for the row format), prints one table, writes ``var/bench/results.json`` and rewrites the
generated part of ``docs/benchmarks.md`` (between the bench markers; text outside them is
kept). A module that fails gets an error row and the others still run; the exit code is
1 if any module failed.

With ``--only``, the other modules' previous rows (from results.json) are kept, so the
document always shows every benchmark with the date it was measured.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS = ROOT / "var" / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"
COLUMNS = ("benchmark", "ours", "reference", "ratio", "target", "ok", "note")

INTRO = """# Benchmarks

Run them with `make bench` (or `.venv/bin/python -m bench.run [--quick] [--only NAME]`,
where NAME is a module name without `bench_`, e.g. `--only api`). Each benchmark compares
our code with a reference measured in the same process on the same data (see
`bench/README.md`); raw figures are in `var/bench/results.json`. Tests never assert
wall-clock times: these figures are for reading, and the table below is rewritten by
every run.

"""


@dataclass
class ModuleResult:
    name: str  # "api" for bench/bench_api.py
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    measured_at: str = ""
    quick: bool = False


def discover(bench_dir: Path = BENCH_DIR) -> list[str]:
    """Names of the benchmark modules present now, e.g. ["analytics_hotspots", "api"]."""
    return sorted(p.stem.removeprefix("bench_") for p in bench_dir.glob("bench_*.py"))


def _import_runner(name: str) -> Callable[[bool], list[dict[str, Any]]]:
    module = importlib.import_module(f"bench.bench_{name}")
    runner = getattr(module, "run", None)
    if not callable(runner):
        raise TypeError(f"bench/bench_{name}.py has no run(quick) function")
    return runner


def run_modules(
    names: Iterable[str],
    quick: bool,
    load: Callable[[str], Callable[[bool], list[dict[str, Any]]]] | None = None,
    echo: Callable[[str], None] = print,
) -> list[ModuleResult]:
    """Run each module; a failure becomes an error row and never stops the others."""
    load = load or _import_runner
    results = []
    for name in names:
        echo(f"· {name} …")
        started = time.perf_counter()
        result = ModuleResult(name=name, quick=quick, measured_at=_now())
        try:
            rows = load(name)(quick)
            result.rows = [dict(r) for r in rows or []]
        except BaseException as exc:  # noqa: BLE001 - report and go on
            if isinstance(exc, KeyboardInterrupt):
                raise
            result.error = f"{type(exc).__name__}: {exc}".strip()
            echo(traceback.format_exc().rstrip())
        result.seconds = time.perf_counter() - started
        echo(f"  {name}: {_status(result)} in {result.seconds:.1f} s")
        results.append(result)
    return results


def _status(result: ModuleResult) -> str:
    if result.error:
        return "FAILED"
    oks = [r.get("ok") for r in result.rows]
    if any(ok is False for ok in oks):
        return "done, target missed"
    return "done"


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


# -- formatting ---------------------------------------------------------------------


def fmt_seconds(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        s = float(value)
    except (TypeError, ValueError):
        return str(value)
    if s == 0:
        return "0 s"
    if s < 1e-3:
        return f"{s * 1e6:.3g} µs"
    if s < 1:
        return f"{s * 1e3:.3g} ms"
    return f"{s:.3g} s"


def fmt_ratio(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):.3g}×"
    except (TypeError, ValueError):
        return str(value)


def fmt_ok(value: Any) -> str:
    return {True: "yes", False: "NO", None: "—"}.get(value, str(value))


def table_rows(results: Sequence[ModuleResult]) -> list[list[str]]:
    """One list of cell texts per row, in COLUMNS order; errors become rows too."""
    out = []
    for result in results:
        if result.error:
            out.append(
                [f"{result.name}: ERROR", "—", "—", "—", "—", "NO", result.error]
            )
            continue
        if not result.rows:
            out.append([f"{result.name}: no rows", "—", "—", "—", "—", "—", ""])
        for r in result.rows:
            ref = str(r.get("reference") or "—")
            if r.get("reference_s") is not None:
                ref = f"{ref} ({fmt_seconds(r.get('reference_s'))})"
            out.append(
                [
                    str(r.get("benchmark") or result.name),
                    fmt_seconds(r.get("ours_s")),
                    ref,
                    fmt_ratio(r.get("ratio")),
                    str(r.get("target") or "—"),
                    fmt_ok(r.get("ok")),
                    str(r.get("note") or ""),
                ]
            )
    return out


def format_table(results: Sequence[ModuleResult], width: int = 60) -> str:
    """A plain-text table for the terminal (long cells are cut at ``width``)."""

    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    full = table_rows(results)
    rows = [[cut(c) for c in row] for row in full]
    header = list(COLUMNS)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    line = "  ".join("-" * w for w in widths)
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]
    cut_off = [(f[0], f[-1]) for f, r in zip(full, rows, strict=True) if f[-1] != r[-1]]
    if cut_off:
        lines += ["", "Notes in full:"]
        lines += [f"- {name}: {note}" for name, note in cut_off]
    return "\n".join(lines)


def format_markdown(results: Sequence[ModuleResult]) -> str:
    def esc(text: str) -> str:
        return " ".join(text.replace("|", "\\|").split())

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += [
        "| " + " | ".join(esc(c) for c in row) + " |" for row in table_rows(results)
    ]
    return "\n".join(lines)


# -- the machine ----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": _cpu_model() or platform.processor(),
        "cpus": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        # Other work on the machine distorts the figures: say how busy it was.
        "load_avg_1m": round(os.getloadavg()[0], 2)
        if hasattr(os, "getloadavg")
        else None,
    }
    for package in ("numpy", "scipy", "django"):
        try:
            info[package] = importlib.import_module(package).__version__
        except Exception:  # noqa: BLE001 - optional
            info[package] = None
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def describe_machine(info: dict[str, Any]) -> str:
    mem = f", {info['memory_gb']} GB RAM" if info.get("memory_gb") else ""
    versions = f"Python {info['python']}"
    if info.get("numpy"):
        versions += f", numpy {info['numpy']}"
    if info.get("scipy"):
        versions += f", scipy {info['scipy']}"
    if info.get("django"):
        versions += f", Django {info['django']}"
    cpu = info.get("processor") or info.get("machine")
    load = info.get("load_avg_1m")
    busy = f"; load average {load} at the start" if load is not None else ""
    return (
        f"{cpu}, {info.get('cpus')} CPUs{mem}; {info.get('platform')}; {versions}{busy}"
    )


# -- results file and document -------------------------------------------------------


def load_previous(path: Path = RESULTS) -> dict[str, ModuleResult]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    previous = {}
    for name, m in (data.get("modules") or {}).items():
        previous[name] = ModuleResult(
            name=name,
            rows=m.get("rows") or [],
            error=m.get("error"),
            seconds=m.get("seconds") or 0.0,
            measured_at=m.get("measured_at") or "",
            quick=bool(m.get("quick")),
        )
    return previous


def merge(
    previous: dict[str, ModuleResult], fresh: Sequence[ModuleResult], present: set[str]
) -> list[ModuleResult]:
    """Fresh results win; older ones are kept only for modules that still exist."""
    merged = {k: v for k, v in previous.items() if k in present}
    merged.update({r.name: r for r in fresh})
    return [merged[k] for k in sorted(merged)]


def write_results(
    results: Sequence[ModuleResult], info: dict[str, Any], path: Path = RESULTS
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "written_at": _now(),
        "machine": info,
        "modules": {
            r.name: {
                "rows": r.rows,
                "error": r.error,
                "seconds": round(r.seconds, 2),
                "measured_at": r.measured_at,
                "quick": r.quick,
            }
            for r in results
        },
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    tmp.replace(path)


def generated_section(results: Sequence[ModuleResult], info: dict[str, Any]) -> str:
    dates = sorted({r.measured_at[:10] for r in results if r.measured_at})
    when = (
        dates[0]
        if len(dates) == 1
        else " to ".join([dates[0], dates[-1]])
        if dates
        else "—"
    )
    quick = [r.name for r in results if r.quick]
    lines = [
        START,
        "<!-- Written by `python -m bench.run`; edits between these markers are lost. -->",
        "",
        f"Measured {when} on {describe_machine(info)}.",
    ]
    if quick:
        lines.append(f"Quick mode (smaller sizes) for: {', '.join(quick)}.")
    lines += ["", format_markdown(results), ""]
    per_module = [
        f"- `bench_{r.name}`: {r.measured_at or '—'}"
        + (" (quick)" if r.quick else "")
        + (f", {r.seconds:.0f} s" if r.seconds else "")
        for r in results
    ]
    lines += ["Last run per module:", "", *per_module, "", END]
    return "\n".join(lines)


def update_document(section: str, path: Path = DOC) -> None:
    """Replace the text between the markers; create the document if it is missing."""
    text = path.read_text() if path.exists() else INTRO
    start, end = text.find(START), text.find(END)
    if start != -1 and end > start:
        text = text[:start] + section + text[end + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


# -- command line ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes, fewer repeats"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only bench_NAME (repeatable; 'bench_' prefix optional)",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print only; write no files"
    )
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    present = discover()
    names = present
    if args.only:
        wanted = [n.removeprefix("bench_").removesuffix(".py") for n in args.only]
        unknown = [n for n in wanted if n not in present]
        if unknown:
            parser.error(
                f"no benchmark {', '.join(unknown)}; there are: {', '.join(present)}"
            )
        names = wanted

    info = machine()
    print(f"Benchmarks on {describe_machine(info)}")
    fresh = run_modules(names, args.quick)
    print()
    print(format_table(fresh))
    if not args.no_write:
        everything = merge(load_previous(), fresh, set(present))
        write_results(everything, info)
        update_document(generated_section(everything, info))
        print(f"\nWrote {RESULTS.relative_to(ROOT)} and {DOC.relative_to(ROOT)}")
    failed = [r.name for r in fresh if r.error]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
