"""samsyn analyse {weekly,hotspots,...} --collaboration SLUG: the analyses on the
command line, as a readable table or (with --json FILE) the full result.

The command is scoped like a web request: one collaboration (required), and
restricted reports are left out unless ``--include-restricted`` is given, so what an
operator prints or hands on is what a steering-group member could see. A run with
``--include-restricted`` is audited (``analysis.run_restricted``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.analysis import engine
from samsyn.lib.progress import for_command
from samsyn.lib.weeks import last_complete_week, local_midnight, local_today
from samsyn.organisations.access import Access, Role
from samsyn.organisations.models import Collaboration, record

WHAT = ("weekly", "hotspots", "emerging", "near-repeat", "evaluate", "priority")


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _floats(value: str) -> list[float]:
    return [float(v) for v in value.split(",") if v]


def scope(collab: Collaboration, *, include_restricted: bool) -> Access | None:
    """The access the command reads with.

    By default a reader of the whole collaboration without the right to see
    restricted reports (the steering role's view: every report that is not
    restricted, whichever organisation sent it). With ``include_restricted``, no
    filter: every report of the collaboration, as the analyses that are shared with
    everyone (picture figures, follow-up) count them.
    """
    if include_restricted:
        return None
    return Access(user=None, collaboration=collab, roles=frozenset({Role.STEERING}))


class Command(BaseCommand):
    help = (
        "Run an analysis for one collaboration and print the top rows, or write "
        "the full JSON with --json. Restricted reports are left out unless "
        "--include-restricted is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=WHAT)
        parser.add_argument("--collaboration", required=True, help="short name")
        parser.add_argument(
            "--include-restricted",
            action="store_true",
            help="count restricted reports too (audited); default: leave them out",
        )
        parser.add_argument(
            "--areas", default="", help="evaluate: area refs, comma-separated"
        )
        parser.add_argument("--week", help="ISO week, e.g. 2026-W46 (weekly)")
        parser.add_argument("--since", type=_day, help="first day (YYYY-MM-DD)")
        parser.add_argument("--until", type=_day, help="last day, included")
        parser.add_argument("--weeks", type=int, default=52, help="emerging: weeks")
        parser.add_argument("--cell", type=float, default=250.0, help="cell size (m)")
        parser.add_argument("--radius-cells", type=int, default=1)
        parser.add_argument("--category", default="", help="codes, comma-separated")
        parser.add_argument("--spatial-bands", type=_floats, default=None)
        parser.add_argument("--temporal-bands", type=_floats, default=None)
        parser.add_argument("--lon", type=float)
        parser.add_argument("--lat", type=float)
        parser.add_argument("--place", default="", help="evaluate: place name/code")
        parser.add_argument("--start", type=_day, help="evaluate: intervention start")
        parser.add_argument("--target-radius", type=float, default=100.0)
        parser.add_argument("--buffer-radius", type=float, default=500.0)
        parser.add_argument("--weeks-before", type=int, default=26)
        parser.add_argument("--control", default="auto", help="area ref or auto")
        parser.add_argument("--top", type=int, default=15, help="rows to print")
        parser.add_argument("--json", type=Path, help="write the full result here")

    def handle(self, *args: Any, **opts: Any) -> None:
        collab = Collaboration.objects.filter(slug=opts["collaboration"]).first()
        if collab is None:
            raise CommandError(f"no collaboration {opts['collaboration']!r}")
        opts["access"] = scope(collab, include_restricted=opts["include_restricted"])
        runner: Callable[[Collaboration, dict[str, Any]], dict[str, Any]] = getattr(
            self, "_" + opts["what"].replace("-", "_")
        )
        progress = for_command(self, label="analyse")
        progress.stage(f"computing {opts['what']} for {collab.slug}")
        try:
            result = runner(collab, opts)
        except engine.AnalysisInputError as exc:
            progress.fail(str(exc))
            raise CommandError(f"--{exc.field.replace('_', '-')}: {exc}") from exc
        progress.finish()
        if opts["include_restricted"]:
            record(
                None,
                "analysis.run_restricted",
                collab,
                data={
                    "what": opts["what"],
                    "json": str(opts["json"]) if opts["json"] else None,
                },
            )
        if opts["json"]:
            opts["json"].write_text(json.dumps(result, ensure_ascii=False, indent=1))
            self.stdout.write(f"wrote {opts['json']}")
            return
        self._print(opts["what"], result, opts["top"])

    # -- periods -----------------------------------------------------------
    def _period(self, opts: dict[str, Any], weeks: int) -> tuple[datetime, datetime]:
        today = local_today()
        end = (
            opts["until"] + timedelta(days=1)
            if opts["until"]
            else today - timedelta(days=today.weekday())
        )
        start = opts["since"] or end - timedelta(weeks=weeks)
        return local_midnight(start), local_midnight(end)

    # -- runners -----------------------------------------------------------
    def _weekly(self, collab: Collaboration, opts: dict[str, Any]) -> dict[str, Any]:
        if opts["week"]:
            try:
                year, wk = (int(p) for p in opts["week"].split("-W"))
            except ValueError as exc:
                raise CommandError("--week: give e.g. 2026-W46") from exc
        else:
            year, wk = last_complete_week()
        return engine.weekly(collab, year, wk, opts["access"])

    def _hotspots(self, collab: Collaboration, opts: dict[str, Any]) -> dict[str, Any]:
        since, until = self._period(opts, 4)
        return engine.hotspots(
            collab, since, until, opts["cell"], opts["radius_cells"], opts["access"]
        )

    def _emerging(self, collab: Collaboration, opts: dict[str, Any]) -> dict[str, Any]:
        _, until = self._period(opts, 1)
        last = until.date() - timedelta(days=1)
        return engine.emerging(
            collab, last, opts["weeks"], opts["cell"], opts["access"]
        )

    def _near_repeat(
        self, collab: Collaboration, opts: dict[str, Any]
    ) -> dict[str, Any]:
        since, until = self._period(opts, 26)
        cats = [c for c in opts["category"].split(",") if c] or None
        return engine.near_repeat(
            collab, since, until, cats, opts["spatial_bands"],
            opts["temporal_bands"], opts["access"],
        )  # fmt: skip

    def _evaluate(self, collab: Collaboration, opts: dict[str, Any]) -> dict[str, Any]:
        if opts["start"] is None:
            raise CommandError("--start is required")
        cats = [c for c in opts["category"].split(",") if c] or None
        if opts["areas"]:
            return engine.evaluate_areas(
                collab, [a for a in opts["areas"].split(",") if a], opts["start"],
                opts["weeks_before"], opts["weeks_before"], opts["control"],
                opts["access"], cats,
            )  # fmt: skip
        if opts["place"]:
            lon, lat = engine.place_point(collab, opts["place"])
        elif opts["lon"] is not None and opts["lat"] is not None:
            lon, lat = opts["lon"], opts["lat"]
        else:
            raise CommandError("give --lon and --lat, --place, or --areas")
        return engine.evaluate(
            collab, lon, lat, opts["start"], opts["target_radius"],
            opts["buffer_radius"], opts["weeks_before"], opts["weeks_before"],
            opts["control"], opts["access"], cats,
        )  # fmt: skip

    def _priority(self, collab: Collaboration, opts: dict[str, Any]) -> dict[str, Any]:
        since, until = self._period(opts, 17)
        return engine.priority(collab, since, until, opts["access"])

    # -- output ------------------------------------------------------------
    def _table(self, rows: list[dict[str, Any]], keys: list[str], top: int) -> None:
        shown = [
            [("" if r.get(k) is None else str(r.get(k))) for k in keys]
            for r in rows[:top]
        ]
        widths = [
            max([len(k)] + [len(s[i]) for s in shown]) for i, k in enumerate(keys)
        ]
        self.stdout.write(
            "  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True))
        )
        for s in shown:
            self.stdout.write(
                "  ".join(v.ljust(w) for v, w in zip(s, widths, strict=True))
            )
        if len(rows) > top:
            self.stdout.write(f"… {len(rows) - top} more rows (--json for all)")

    def _print(self, what: str, r: dict[str, Any], top: int) -> None:
        if what == "weekly":
            self.stdout.write(
                f"{r['week']}: {r['n_reports']} reports, {r['flagged']} flagged"
            )
            keys = ["status", "level", "area", "category", "observed", "expected",
                    "upper", "p", "last_week", "mean_4_weeks", "same_week_last_year"]  # fmt: skip
            self._table(r["rows"], keys, top)
        elif what in ("hotspots", "emerging"):
            feats = [
                {"cell": f["id"], **f["properties"]} for f in r["geojson"]["features"]
            ]
            if what == "hotspots":
                self.stdout.write(
                    f"{r['n_reports']} reports; cells per bin: {r['bins']}"
                )
                feats.sort(key=lambda p: -(p["z"] or 0))
                self._table(feats, ["cell", "count", "z", "p", "bin"], top)
            else:
                self.stdout.write(
                    f"{r['first_week']}..{r['last_week']}: {r['classes']}"
                )
                self.stdout.write(f"quarterly classes: {r['quarterly_classes']}")
                feats.sort(key=lambda p: -(p["count"] or 0))
                keys = ["cell", "count", "class", "quarterly_class", "trend_z"]
                self._table(feats, keys, top)
        elif what == "near-repeat":
            self.stdout.write(
                f"{r['n_events']} events, {r['n_close_pairs']} close pairs"
            )
            self._table(
                r["table"],
                ["spatial", "temporal", "observed", "expected", "ratio", "p"],
                top,
            )
        elif what == "evaluate":
            c = r["counts"]
            self.stdout.write(
                f"control area {r['control']['area']} ({r['control']['chosen']})"
            )
            for k in ("target", "buffer", "control"):
                self.stdout.write(
                    f"{k:8} before {c[k]['before']:6}  after {c[k]['after']:6}"
                )
            wdq = r["wdq"] or {}
            self.stdout.write(
                f"effect: {r['effect']} (z {r['effect_z']}); displacement: "
                f"{r['displacement']} (z {r['displacement_z']}); WDQ {wdq.get('value')}; "
                f"WDD {r['wdd']['estimate']} ± {r['wdd']['se']}"
            )
            for reason in r["reasons"]:
                self.stdout.write(f"note: {reason}")
        else:
            keys = [
                "rank",
                "area",
                "district",
                "reports",
                "priority",
                "need",
                "ability",
            ]
            self._table(r["rows"], keys, top)
            for note in r["notes"]:
                self.stdout.write(f"note: {note}")
