from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.areas.actions import AreaImportError, import_areas
from samsyn.integrations.boundaries import (
    SCB_PRESETS,
    BoundaryFileError,
    read_boundaries,
)
from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration


class Command(BaseCommand):
    help = (
        "Import districts or areas from a GeoPackage, Shapefile or GeoJSON file, e.g. "
        "SCB's DeSO/RegSO (use --scb deso|regso for their column names). SWEREF 99 TM "
        "is transformed to WGS84. All-or-nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--collaboration", required=True, help="collaboration slug")
        parser.add_argument("--level", required=True, choices=["district", "area"])
        parser.add_argument("--layer", default=None, help="GeoPackage layer name")
        parser.add_argument("--scb", choices=sorted(SCB_PRESETS), default=None)
        parser.add_argument("--code-property", default=None)
        parser.add_argument("--name-property", default=None)
        parser.add_argument("--population-property", default=None)
        parser.add_argument("--parent-property", default=None)
        parser.add_argument(
            "--municipality",
            default=None,
            help="keep only features whose 'kommun' column equals this code",
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        collab = Collaboration.objects.filter(slug=opts["collaboration"]).first()
        if collab is None:
            raise CommandError(f"No collaboration '{opts['collaboration']}'.")
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file.")
        preset = SCB_PRESETS.get(opts["scb"] or "", {})
        try:
            features, crs = read_boundaries(path, opts["layer"])
        except BoundaryFileError as exc:
            raise CommandError(str(exc)) from exc
        if opts["municipality"]:
            features = [
                f
                for f in features
                if str(f["properties"].get("kommun", "")) == opts["municipality"]
            ]
        self.stdout.write(f"read {len(features)} features ({crs or 'CRS detected'})")
        progress = for_command(self, label="areas")
        try:
            result = import_areas(
                collab,
                features,
                level=opts["level"],
                declared_crs=crs,
                code_property=opts["code_property"] or preset.get("code", "code"),
                name_property=opts["name_property"] or preset.get("name", "name"),
                population_property=opts["population_property"]
                or preset.get("population", "population"),
                parent_property=opts["parent_property"],
                dry_run=opts["dry_run"],
                progress=progress,
            )
        except AreaImportError as exc:
            progress.fail("nothing was imported")
            raise CommandError(
                "Nothing was imported:\n  " + "\n  ".join(exc.problems)
            ) from exc
        progress.finish()
        verb = "would import" if opts["dry_run"] else "imported"
        self.stdout.write(
            f"{verb} {result.created} new and {result.updated} updated "
            f"{opts['level']}s ({result.crs})"
        )
