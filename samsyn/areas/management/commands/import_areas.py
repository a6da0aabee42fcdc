from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from samsyn.areas.actions import AreaImportError, import_areas, read_features
from samsyn.lib.progress import for_command
from samsyn.organisations.models import Collaboration


class Command(BaseCommand):
    help = (
        "Import districts or areas from a GeoJSON FeatureCollection (WGS84 or SWEREF 99 "
        "TM, detected from the file). All-or-nothing: any bad feature stops the import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--collaboration", required=True, help="collaboration slug")
        parser.add_argument("--level", required=True, choices=["district", "area"])
        parser.add_argument("--code-property", default="code")
        parser.add_argument("--name-property", default="name")
        parser.add_argument("--population-property", default="population")
        parser.add_argument(
            "--parent-property",
            default=None,
            help="for areas: the property holding the district's code",
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            collab = Collaboration.objects.get(slug=opts["collaboration"])
        except Collaboration.DoesNotExist as exc:
            raise CommandError(f"No collaboration '{opts['collaboration']}'.") from exc
        path: Path = opts["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file.")
        progress = for_command(self, label="areas")
        try:
            features, crs = read_features(path)
            result = import_areas(
                collab,
                features,
                level=opts["level"],
                declared_crs=crs,
                code_property=opts["code_property"],
                name_property=opts["name_property"],
                population_property=opts["population_property"],
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
